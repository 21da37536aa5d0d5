"""The public page of a ticket: place in line and estimated wait, nothing personal, no login."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.tickets import queries, services
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person
from tests.tickets.conftest import make_roster

pytestmark = pytest.mark.django_db


def test_it_shows_number_state_place_and_wait_and_nothing_personal(
    session: Session, leader: User, tree: Tree
) -> None:
    person = make_person(
        tree.daklao, "Nguyễn Văn Hùng", "12/04/1985", "M", personal_id="067085001234"
    )
    roster = make_roster(session, [("Nguyễn Văn Hùng", "12A1", "matched")])
    roster.entries.update(
        person=person, birth_date=person.birth_date, personal_id=person.personal_id
    )
    services.hand_out_numbers(session.pk, actor=leader)
    walk_in = make_person(tree.daklao, "Lê Thị Hoa", "03/05/1990", "F", personal_id="067190004321")
    ticket = services.issue_walk_in(session.pk, person_id=walk_in.pk, actor=leader)
    for shown in (Ticket.objects.get(number=1), ticket):
        response = Client().get(f"/queue/t/{shown.public_token}/")
        page = response.content.decode()
        assert response.status_code == 200
        assert shown.display in page
        for personal in (
            "Hùng",
            "Nguyen",
            "067085001234",
            "12/04/1985",
            "1985",
            "12A1",
            "Hoa",
            "067190004321",
            "03/05/1990",
        ):
            assert personal not in page.replace(shown.display, ""), personal
    page = Client().get(f"/queue/t/{ticket.public_token}/").content.decode()
    # one person ahead, 4 min (nobody done yet) × 2 ÷ 3 planned desks (none open yet) → 3 min
    assert "1 person ahead of you" in page and "about 3 min" in page


@pytest.mark.parametrize("token", ["nope", "x" * 40, "%20"])
def test_an_unknown_token_is_404(session: Session, leader: User, token: str) -> None:
    services.issue_walk_in(session.pk, actor=leader)
    assert Client().get(f"/queue/t/{token}/").status_code == 404


def test_tokens_are_unguessable(session: Session, leader: User) -> None:
    tokens = {services.issue_walk_in(session.pk, actor=leader).public_token for _ in range(20)}
    assert len(tokens) == 20 and all(len(t) >= 20 for t in tokens)


def test_the_wait_uses_the_median_service_time_and_the_open_desks(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    tickets = [services.issue_walk_in(session.pk, actor=leader) for _ in range(8)]
    start = datetime.datetime(2021, 3, 6, 19, tzinfo=datetime.UTC)
    for ticket, minutes in zip(tickets[:3], (2, 6, 10), strict=True):  # median: 6 min
        Ticket.objects.filter(pk=ticket.pk).update(
            state="done", called_at=start, done_at=start + datetime.timedelta(minutes=minutes)
        )
    last = Ticket.objects.get(pk=tickets[-1].pk)
    assert queries.service_time(session) == datetime.timedelta(minutes=6)
    assert queries.people_ahead(last) == 4
    assert queries.estimated_wait(last) == datetime.timedelta(minutes=6) * 5 / 2  # 2 desks open


def test_a_regular_number_counts_the_priority_numbers_that_will_pass_it(
    session: Session, leader: User, groups: dict
) -> None:
    regular = services.issue_walk_in(session.pk, actor=leader)
    for _ in range(5):
        services.issue_walk_in(session.pk, group_id=groups["elderly"].pk, actor=leader)
    priority = services.issue_walk_in(session.pk, group_id=groups["hero"].pk, actor=leader)
    assert queries.people_ahead(regular) == services.PRIORITY_RUN  # K priority calls, then it
    assert queries.people_ahead(priority) == 0  # a hero goes before the elderly


def test_a_called_number_tells_where_to_go(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    ticket = services.issue_walk_in(session.pk, actor=leader)
    services.call_next(desks[1].pk, actor=leader)
    page = Client().get(f"/queue/t/{ticket.public_token}/").content.decode()
    assert "please go to desk 2" in page and "ahead of you" not in page
