"""Opening a desk (issue 12, item 6): one officer holds one desk at a time — at one session or at
two whose hours overlap (a night past midnight included) — a desk another officer holds is not
taken over, and the first desk opened starts the session."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection, connections

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_team, create_venue, plan_session
from cccd.errors import DomainError
from cccd.tickets import services
from cccd.tickets.models import Desk
from tests.builders import make_user
from tests.conftest import client_for
from tests.tickets.conftest import HCM

pytestmark = pytest.mark.django_db


def code_of(call: object) -> str:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def desk_of(session: Session, number: int, actor: User) -> Desk:
    services.open_queue(session.pk, actor=actor)
    return Desk.objects.get(session=session, number=number)


def another_session(
    session: Session, leader: User, start: datetime.datetime, end: datetime.datetime
) -> Session:
    """Another team's session at a commune hall (the officer is in both teams)."""
    hall = create_venue(
        unit_id=session.unit_id, kind="commune_hall", name="Hội trường xã Đắk Lao", actor=leader
    )
    team = create_team(
        unit_id=session.unit_id, name="Tổ 2", leader_id=leader.pk, member_ids=[], actor=leader
    )
    return plan_session(
        campaign_id=session.campaign_id,
        venue_id=hall.pk,
        team_id=team.pk,
        starts_at=start,
        ends_at=end,
        desks=2,
        capacity=50,
        accept_clashes=True,
        actor=leader,
    )


def test_an_officer_cannot_hold_two_desks_of_one_session(
    session: Session, officer_dakmil: User
) -> None:
    services.open_desk(desk_of(session, 1, officer_dakmil).pk, actor=officer_dakmil)
    second = desk_of(session, 3, officer_dakmil)
    assert (
        code_of(lambda: services.open_desk(second.pk, actor=officer_dakmil))
        == "OFFICER_AT_ANOTHER_DESK"
    )
    second.refresh_from_db()
    assert not second.is_open and second.officer is None


def test_an_officer_cannot_hold_desks_at_two_sessions_whose_hours_overlap_past_midnight(
    session: Session, officer_dakmil: User, leader: User
) -> None:
    # the school's evening runs 19:00–23:30; the hall's night runs 23:00–01:00
    night = another_session(
        session,
        leader,
        datetime.datetime(2021, 3, 6, 23, tzinfo=HCM),
        datetime.datetime(2021, 3, 7, 1, tzinfo=HCM),
    )
    services.open_desk(desk_of(night, 1, officer_dakmil).pk, actor=officer_dakmil)
    school = desk_of(session, 1, officer_dakmil)
    with pytest.raises(DomainError) as caught:
        services.open_desk(school.pk, actor=officer_dakmil)
    assert caught.value.code == "OFFICER_AT_ANOTHER_DESK"
    assert "Hội trường xã Đắk Lao" in caught.value.message
    assert "06/03/2021 23:00–07/03/2021 01:00" in caught.value.message


def test_a_desk_left_open_at_an_earlier_evening_is_not_in_the_way(
    session: Session, officer_dakmil: User, leader: User
) -> None:
    yesterday = another_session(
        session,
        leader,
        datetime.datetime(2021, 3, 5, 19, tzinfo=HCM),
        datetime.datetime(2021, 3, 5, 23, tzinfo=HCM),
    )
    services.open_desk(desk_of(yesterday, 1, officer_dakmil).pk, actor=officer_dakmil)
    tonight = services.open_desk(desk_of(session, 1, officer_dakmil).pk, actor=officer_dakmil)
    assert tonight.is_open and tonight.officer == officer_dakmil


def test_a_desk_another_officer_holds_is_not_taken_over(
    session: Session, officer_dakmil: User, leader: User
) -> None:
    desk = desk_of(session, 1, officer_dakmil)
    services.open_desk(desk.pk, actor=officer_dakmil)
    assert code_of(lambda: services.open_desk(desk.pk, actor=leader)) == "DESK_TAKEN"
    desk.refresh_from_db()
    assert desk.officer == officer_dakmil
    services.close_desk(desk.pk, actor=leader)  # the leader closes it first, then sits down
    assert services.open_desk(desk.pk, actor=leader).officer == leader


def test_opening_twice_is_harmless_and_the_first_desk_starts_the_session(
    session: Session, officer_dakmil: User, leader: User
) -> None:
    desk = desk_of(session, 1, officer_dakmil)
    services.open_desk(desk.pk, actor=officer_dakmil)
    services.open_desk(desk.pk, actor=officer_dakmil)  # a double click
    services.open_desk(desk_of(session, 2, leader).pk, actor=leader)
    session.refresh_from_db()
    assert session.state == Session.State.OPEN
    assert AuditEvent.objects.filter(action="desk.open").count() == 2
    assert AuditEvent.objects.filter(action="session.open", object_id=str(session.pk)).count() == 1


def test_the_desk_page_shows_the_refusal_as_a_409(session: Session, officer_dakmil: User) -> None:
    services.open_desk(desk_of(session, 1, officer_dakmil).pk, actor=officer_dakmil)
    response = client_for(officer_dakmil).post(f"/queue/sessions/{session.pk}/desks/2/open/")
    assert response.status_code == 409
    assert "You already hold desk 1 at Trường THPT Đắk Mil" in response.content.decode()
    api = client_for(officer_dakmil).post(
        f"/api/v1/tickets/desks/{desk_of(session, 2, officer_dakmil).pk}/open"
    )
    assert (api.status_code, api.json()["code"]) == (409, "OFFICER_AT_ANOTHER_DESK")


@pytest.mark.django_db(transaction=True)
def test_one_officer_opening_desks_at_two_sessions_at_once_gets_one(
    session: Session, leader: User, tree: object
) -> None:
    """Two tabs, two overlapping sessions, one click each at the same instant: one desk opens,
    the other is refused (SQLite and PostgreSQL)."""
    officer = make_user("canbo.nhanh", "officer", tree.dakmil_police)  # type: ignore[attr-defined]
    other = another_session(session, leader, session.starts_at, session.ends_at)
    desks = [desk_of(session, 1, leader), desk_of(other, 1, leader)]
    start, results, lock = threading.Barrier(2), [], threading.Lock()

    def sit_down(desk: Desk) -> None:
        try:
            start.wait()
            services.open_desk(desk.pk, actor=officer)
            outcome = "open"
        except DomainError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    workers = [threading.Thread(target=sit_down, args=(desk,)) for desk in desks]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results) == ["OFFICER_AT_ANOTHER_DESK", "open"]
    assert Desk.objects.filter(officer=officer, is_open=True).count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
