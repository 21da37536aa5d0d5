"""Calling the next number: the priority rule, never starving regular numbers, and refusals."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import PriorityGroup, Session
from cccd.errors import DomainError
from cccd.tickets import services
from cccd.tickets.models import Desk, Ticket
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db


def _issue(session: Session, leader: User, group: PriorityGroup | None = None) -> Ticket:
    return services.issue_walk_in(session.pk, group_id=group.pk if group else None, actor=leader)


def _serve(desk: Desk, actor: User) -> Ticket:
    ticket = services.call_next(desk.pk, actor=actor)
    services.finish_ticket(desk.pk, ticket.pk, actor=actor)
    return ticket


def test_priority_groups_are_served_first_in_the_reference_order(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk], groups: dict
) -> None:
    regular = _issue(session, leader)
    student = _issue(session, leader, groups["student"])  # not served first: a regular number
    elderly = _issue(session, leader, groups["elderly"])  # priority 35
    pregnant = _issue(session, leader, groups["pregnant"])  # priority 25
    hero = _issue(session, leader, groups["hero"])  # priority 10
    order = [_serve(desks[0], officer_dakmil).number for _ in range(5)]
    # K = 3 priority calls, then the regular number that waited longest, then the last priority
    assert order == [hero.number, pregnant.number, elderly.number, regular.number, student.number]


def test_regular_numbers_are_never_starved_by_a_stream_of_priority_numbers(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk], groups: dict
) -> None:
    regulars = [_issue(session, leader).number for _ in range(3)]
    priority = [_issue(session, leader, groups["disabled"]).number for _ in range(12)]
    served = [_serve(desks[0], officer_dakmil).number for _ in range(15)]
    run = services.PRIORITY_RUN
    assert served[: run + 1] == [*priority[:run], regulars[0]]
    assert {served.index(r) for r in regulars} == {3, 7, 11}


def test_when_only_priority_numbers_wait_they_keep_being_called(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk], groups: dict
) -> None:
    numbers = [_issue(session, leader, groups["elderly"]).number for _ in range(5)]
    assert [_serve(desks[0], officer_dakmil).number for _ in range(5)] == numbers


def test_advance_numbers_and_walk_ins_share_the_line_by_slot_and_arrival(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    late_slot = _issue(session, leader)
    later = timezone.now() + datetime.timedelta(hours=1)
    Ticket.objects.filter(pk=late_slot.pk).update(line_at=later)  # a slot still to come
    early = _issue(session, leader)
    assert [_serve(desks[0], officer_dakmil).number for _ in range(2)] == [
        early.number,
        late_slot.number,
    ]


def test_a_call_marks_the_number_called_at_the_desk_and_is_audited(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    issued = _issue(session, leader)
    ticket = services.call_next(desks[0].pk, actor=officer_dakmil)
    assert ticket.pk == issued.pk
    assert (ticket.state, ticket.desk_id, ticket.calls) == ("called", desks[0].pk, 1)
    assert ticket.called_at is not None
    event = assert_audited("ticket.call", ticket, actor=officer_dakmil, unit=session.unit)
    assert event.before["state"] == "waiting" and event.after["state"] == "called"


def test_a_double_clicked_call_gets_a_409_and_changes_nothing(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    first, second = _issue(session, leader), _issue(session, leader)
    client = client_for(officer_dakmil)
    url = f"/api/v1/tickets/desks/{desks[0].pk}/call-next"
    assert client.post(url).json()["number"] == first.number
    events = AuditEvent.objects.filter(object_type__startswith="tickets.").count()
    response = client.post(url)
    assert (response.status_code, response.json()["code"]) == (409, "DESK_BUSY")
    assert "0001" in response.json()["message"]
    second.refresh_from_db()
    assert (
        second.state == "waiting"
        and AuditEvent.objects.filter(object_type__startswith="tickets.").count() == events
    )


def test_the_desk_page_button_calls_and_a_second_press_is_refused(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    _issue(session, leader)
    _issue(session, leader)
    client = client_for(officer_dakmil)
    url = f"/queue/sessions/{session.pk}/desks/1/call/"
    assert client.post(url).status_code == 302
    response = client.post(url)
    assert response.status_code == 409
    assert "DESK_BUSY" in response.content.decode()
    assert Ticket.objects.filter(state="called").count() == 1


def test_an_empty_line_is_a_clear_409(
    session: Session, officer_dakmil: User, desks: list[Desk]
) -> None:
    with pytest.raises(DomainError) as caught:
        services.call_next(desks[0].pk, actor=officer_dakmil)
    assert (caught.value.status, caught.value.code) == (409, "QUEUE_EMPTY")


def test_a_closed_desk_cannot_call(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    _issue(session, leader)
    response = client_for(officer_dakmil).post(f"/api/v1/tickets/desks/{desks[2].pk}/call-next")
    assert (response.status_code, response.json()["code"]) == (409, "DESK_NOT_OPEN")
    assert not Ticket.objects.exclude(state="waiting").exists()


def test_a_closed_session_freezes_its_queue(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    _issue(session, leader)
    Session.objects.filter(pk=session.pk).update(state=Session.State.CLOSED)
    response = client_for(officer_dakmil).post(f"/api/v1/tickets/desks/{desks[0].pk}/call-next")
    assert (response.status_code, response.json()["code"]) == (409, "SESSION_NOT_RUNNING")


def test_a_liaison_cannot_operate_a_desk(
    session: Session, leader: User, liaison_dakmil: User, desks: list[Desk]
) -> None:
    _issue(session, leader)
    response = client_for(liaison_dakmil).post(f"/api/v1/tickets/desks/{desks[0].pk}/call-next")
    assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")


def test_a_desk_number_beyond_the_sessions_desks_is_404(
    session: Session, officer_dakmil: User, desks: list[Desk]
) -> None:
    client = client_for(officer_dakmil)
    assert client.get(f"/queue/sessions/{session.pk}/desks/9/").status_code == 404
    assert client.post(f"/queue/sessions/{session.pk}/desks/1/explode/").status_code == 404
    assert client.post("/api/v1/tickets/desks/999999/call-next").status_code == 404


def test_opening_a_desk_is_audited_and_the_desk_page_shows_the_button(
    session: Session, officer_dakmil: User, desks: list[Desk]
) -> None:
    assert_audited("desk.open", desks[0], actor=officer_dakmil)
    page = client_for(officer_dakmil).get(f"/queue/sessions/{session.pk}/desks/1/")
    assert 'data-testid="call-next"' in page.content.decode()
    page = client_for(officer_dakmil).get(f"/queue/sessions/{session.pk}/desks/3/")
    assert 'data-testid="open-desk"' in page.content.decode()
