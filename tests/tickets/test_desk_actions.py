"""Recall, skip, send to another desk, finish — and the malformed requests each refuses."""

from __future__ import annotations

import datetime

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.tickets import services
from cccd.tickets.models import Desk, Ticket
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db


@pytest.fixture
def line(session: Session, leader: User) -> list[Ticket]:
    return [services.issue_walk_in(session.pk, actor=leader) for _ in range(4)]


def _post(user: User, desk: Desk, action: str, **payload: object) -> object:
    return client_for(user).post(
        f"/api/v1/tickets/desks/{desk.pk}/{action}", payload, content_type="application/json"
    )


def test_recall_announces_the_number_again(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket]
) -> None:
    called = services.call_next(desks[0].pk, actor=officer_dakmil)
    response = _post(officer_dakmil, desks[0], "recall", ticket_id=called.pk)
    assert response.status_code == 200
    called.refresh_from_db()
    assert (called.state, called.calls) == ("called", 2)
    assert_audited("ticket.recall", called, actor=officer_dakmil)


def test_a_skipped_number_leaves_the_line_and_comes_back_at_its_place_when_recalled(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket]
) -> None:
    first = services.call_next(desks[0].pk, actor=officer_dakmil)
    assert _post(officer_dakmil, desks[0], "skip", ticket_id=first.pk).json()["state"] == "skipped"
    assert_audited("ticket.skip", first, actor=officer_dakmil)
    second = services.call_next(desks[0].pk, actor=officer_dakmil)
    assert second.number == line[1].number  # the skipped one is not called again by itself
    services.finish_ticket(desks[0].pk, second.pk, actor=officer_dakmil)
    services.recall_ticket(desks[0].pk, first.pk, actor=officer_dakmil)  # the person turned up
    first.refresh_from_db()
    assert (first.state, first.desk_id) == ("waiting", None)
    assert services.call_next(desks[0].pk, actor=officer_dakmil).pk == first.pk  # its old place


def test_a_number_sent_to_a_free_desk_is_called_there_at_once(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket]
) -> None:
    ticket = services.call_next(desks[0].pk, actor=officer_dakmil)
    response = _post(
        officer_dakmil, desks[0], "transfer", ticket_id=ticket.pk, to_desk_id=desks[1].pk
    )
    assert (response.json()["state"], response.json()["desk"]) == ("called", 2)
    event = assert_audited("ticket.transfer", ticket, actor=officer_dakmil)
    assert (event.after["from_desk"], event.after["to_desk"]) == (1, 2)


def test_a_number_sent_to_a_busy_desk_waits_for_it_ahead_of_the_line(
    officer_dakmil: User, leader: User, desks: list[Desk], line: list[Ticket]
) -> None:
    at_two = services.call_next(desks[1].pk, actor=leader)
    at_one = services.call_next(desks[0].pk, actor=officer_dakmil)
    services.transfer_ticket(desks[0].pk, at_one.pk, desks[1].pk, actor=officer_dakmil)
    at_one.refresh_from_db()
    assert (at_one.state, at_one.desk_id) == ("waiting", desks[1].pk)
    # desk 1 is free again but does not take the number meant for desk 2
    assert services.call_next(desks[0].pk, actor=officer_dakmil).number == line[2].number
    services.finish_ticket(desks[1].pk, at_two.pk, actor=leader)
    assert services.call_next(desks[1].pk, actor=leader).pk == at_one.pk


def test_finish_marks_the_number_done_and_a_second_finish_is_409(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket]
) -> None:
    ticket = services.call_next(desks[0].pk, actor=officer_dakmil)
    assert _post(officer_dakmil, desks[0], "finish", ticket_id=ticket.pk).json()["state"] == "done"
    assert_audited("ticket.finish", ticket, actor=officer_dakmil)
    response = _post(officer_dakmil, desks[0], "finish", ticket_id=ticket.pk)
    assert (response.status_code, response.json()["code"]) == (409, "WRONG_STATE")


def test_the_desk_page_runs_the_whole_cycle(
    session: Session, officer_dakmil: User, desks: list[Desk], line: list[Ticket]
) -> None:
    client = client_for(officer_dakmil)
    base = f"/queue/sessions/{session.pk}/desks/1/"
    client.post(base + "call/")
    page = client.get(base).content.decode()
    assert 'data-number="0001"' in page
    assert client.post(base + "transfer/", {"ticket": line[0].pk, "to_desk": 2}).status_code == 302
    client.post(base + "call/")
    assert client.post(base + "skip/", {"ticket": line[1].pk}).status_code == 302
    assert client.post(base + "recall/", {"ticket": line[1].pk}).status_code == 302
    client.post(base + "call/")
    assert client.post(base + "finish/", {"ticket": line[1].pk}).status_code == 302
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {1: "called", 2: "done", 3: "waiting", 4: "waiting"}


@pytest.fixture
def other_session(session: Session, leader: User) -> Session:
    from cccd.campaigns.services import plan_session

    next_day = datetime.timedelta(days=1)  # the same team cannot be planned twice at once
    other = plan_session(
        campaign_id=session.campaign_id,
        venue_id=session.venue_id,
        team_id=session.team_id,
        starts_at=session.starts_at + next_day,
        ends_at=session.ends_at + next_day,
        desks=2,
        capacity=50,
        actor=leader,
    )
    services.issue_walk_in(other.pk, actor=leader)
    return other


@pytest.mark.parametrize("action", ["finish", "skip", "recall", "transfer"])
def test_a_number_of_another_session_is_refused_and_nothing_changes(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket], other_session: Session, action: str
) -> None:
    services.call_next(desks[0].pk, actor=officer_dakmil)
    stranger = Ticket.objects.get(session=other_session)
    before = (
        AuditEvent.objects.filter(object_type__startswith="tickets.").count(),
        list(Ticket.objects.values_list("pk", "state", "desk")),
    )
    response = _post(
        officer_dakmil, desks[0], action, ticket_id=stranger.pk, to_desk_id=desks[1].pk
    )
    assert (response.status_code, response.json()["code"]) == (400, "OTHER_SESSION")
    assert (
        AuditEvent.objects.filter(object_type__startswith="tickets.").count(),
        list(Ticket.objects.values_list("pk", "state", "desk")),
    ) == before


def test_a_desk_of_another_session_is_refused_as_a_target(
    officer_dakmil: User, desks: list[Desk], line: list[Ticket], other_session: Session
) -> None:
    ticket = services.call_next(desks[0].pk, actor=officer_dakmil)
    services.open_queue(other_session.pk, actor=officer_dakmil)
    foreign = Desk.objects.get(session=other_session, number=1)
    response = _post(
        officer_dakmil, desks[0], "transfer", ticket_id=ticket.pk, to_desk_id=foreign.pk
    )
    assert (response.status_code, response.json()["code"]) == (400, "OTHER_SESSION")
    ticket.refresh_from_db()
    assert (ticket.state, ticket.desk_id) == ("called", desks[0].pk)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"ticket_id": "abc"}, 422, "INVALID_INPUT"),
        ({}, 422, "INVALID_INPUT"),
        ({"ticket_id": 99999999}, 404, "NOT_FOUND"),
        ({"ticket_id": -1}, 422, "INVALID_INPUT"),
    ],
)
def test_bad_numbers_are_a_clear_4xx(
    officer_dakmil: User,
    desks: list[Desk],
    line: list[Ticket],
    payload: dict,
    status: int,
    code: str,
) -> None:
    response = _post(officer_dakmil, desks[0], "skip", **payload)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_a_number_at_another_desk_or_still_waiting_is_refused(
    officer_dakmil: User, leader: User, desks: list[Desk], line: list[Ticket]
) -> None:
    at_two = services.call_next(desks[1].pk, actor=leader)
    with pytest.raises(DomainError) as caught:
        services.skip_ticket(desks[0].pk, at_two.pk, actor=officer_dakmil)
    assert caught.value.code == "NOT_AT_YOUR_DESK"
    with pytest.raises(DomainError) as caught:
        services.finish_ticket(desks[0].pk, line[3].pk, actor=officer_dakmil)
    assert (caught.value.code, caught.value.status) == ("WRONG_STATE", 409)
    with pytest.raises(DomainError) as caught:
        services.transfer_ticket(desks[1].pk, at_two.pk, desks[1].pk, actor=leader)
    assert caught.value.code == "SAME_DESK"


def test_closing_a_desk_sends_its_waiting_numbers_back_to_the_line(
    officer_dakmil: User, leader: User, desks: list[Desk], line: list[Ticket]
) -> None:
    at_two = services.call_next(desks[1].pk, actor=leader)
    at_one = services.call_next(desks[0].pk, actor=officer_dakmil)
    services.transfer_ticket(desks[0].pk, at_one.pk, desks[1].pk, actor=officer_dakmil)
    with pytest.raises(DomainError):
        services.close_desk(desks[1].pk, actor=leader)  # still on a number
    services.finish_ticket(desks[1].pk, at_two.pk, actor=leader)
    services.close_desk(desks[1].pk, actor=leader)
    at_one.refresh_from_db()
    assert (at_one.state, at_one.desk_id) == ("waiting", None)
    assert_audited("desk.close", desks[1], actor=leader)
