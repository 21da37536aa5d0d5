"""Closing a session: only once it has started, only when confirmed, the numbers left handed on to
the venue's next session (or marked not served), and a double click or a replayed form changes
nothing twice (issue 12, item 2)."""

from __future__ import annotations

import datetime
import functools
import threading

import pytest
import time_machine
from django.db import connection, connections
from django.utils import translation

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session, Venue
from cccd.campaigns.services import create_venue, plan_session
from cccd.enrollments.intake import services
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.conftest import client_for
from tests.enrollments.conftest import HCM, capture_everything
from tests.tickets.conftest import make_roster

pytestmark = pytest.mark.django_db
BEFORE = datetime.datetime(2021, 3, 6, 10, 0, tzinfo=HCM)  # the morning of the 19:00 session
DURING = datetime.datetime(2021, 3, 6, 21, 0, tzinfo=HCM)


def code_of(call: object) -> str:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def url(session: Session) -> str:
    return f"/intake/sessions/{session.pk}/close/"


def later_at(
    session: Session, leader: User, *, days: int = 7, venue: Venue | None = None
) -> Session:
    """The same team's session `days` later (at `venue`, else the same one)."""
    shift = datetime.timedelta(days=days)
    return plan_session(
        campaign_id=session.campaign_id,
        venue_id=(venue or session.venue).pk,
        team_id=session.team_id,
        starts_at=session.starts_at + shift,
        ends_at=session.ends_at + shift,
        desks=2,
        capacity=100,
        actor=leader,
    )


@pytest.fixture
def handed_out(session: Session, leader: User, groups: dict) -> list[Ticket]:
    """Four numbers given in advance to the school's list, the day before; one walk-in (elderly)."""
    make_roster(
        session,
        [
            ("Nguyễn Văn An", "12A1", "matched"),
            ("Trần Thị Bình", "12A1", "matched"),
            ("Lê Văn Cường", "12A2", "matched"),
            ("Phạm Thị Dung", "12A2", "matched"),
        ],
    )
    with time_machine.travel(BEFORE - datetime.timedelta(days=1), tick=False):
        numbers = tickets.hand_out_numbers(session.pk, actor=leader)
        numbers.append(
            tickets.issue_walk_in(session.pk, group_id=groups["elderly"].pk, actor=leader)
        )
    return numbers


def test_a_session_that_has_not_started_cannot_be_closed_and_nothing_changes(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        refused = code_of(lambda: services.close_session(session.pk, confirm=True, actor=leader))
    assert refused == "SESSION_NOT_STARTED"
    session.refresh_from_db()
    assert session.state == Session.State.PLANNED
    assert set(Ticket.objects.values_list("state", flat=True)) == {Ticket.State.WAITING}
    assert not AuditEvent.objects.filter(action__in=["session.close", "ticket.close"]).exists()


def test_the_refusal_says_when_the_session_starts_in_vietnamese(
    session: Session, leader: User
) -> None:
    with time_machine.travel(BEFORE, tick=False), translation.override("vi"):
        with pytest.raises(DomainError) as caught:
            services.close_session(session.pk, confirm=True, actor=leader)
        assert "19:00 06/03/2021" in caught.value.message
        assert "chưa bắt đầu" in caught.value.message


def test_a_desk_opened_before_the_hour_starts_the_session(
    session: Session, leader: User, officer_dakmil: User, handed_out: list[Ticket]
) -> None:
    early = datetime.datetime(2021, 3, 6, 18, 30, tzinfo=HCM)
    with time_machine.travel(early, tick=False):
        tickets.open_queue(session.pk, actor=leader)
        desk = Desk.objects.get(session=session, number=1)
        tickets.open_desk(desk.pk, actor=officer_dakmil)
        session.refresh_from_db()
        assert session.state == Session.State.OPEN and session.has_started()
        assert session.status == Session.Status.RUNNING
        services.close_session(session.pk, confirm=True, actor=leader)
    session.refresh_from_db()
    assert session.state == Session.State.CLOSED


def test_closing_without_confirmation_is_refused_and_changes_nothing(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(DURING, tick=False):
        assert (
            code_of(lambda: services.close_session(session.pk, actor=leader))
            == "CLOSE_NOT_CONFIRMED"
        )
    session.refresh_from_db()
    assert session.state == Session.State.PLANNED
    assert Ticket.objects.filter(state=Ticket.State.WAITING).count() == 5


def test_closing_refuses_when_the_line_changed_since_the_page_was_read(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(DURING, tick=False):
        tickets.issue_walk_in(session.pk, actor=leader)  # came in while the leader read the page
        stale = functools.partial(
            services.close_session, session.pk, confirm=True, expected_left=5, actor=leader
        )
        assert code_of(stale) == "CLOSE_LINE_CHANGED"
        services.close_session(session.pk, confirm=True, expected_left=6, actor=leader)
    assert Ticket.objects.filter(state=Ticket.State.UNSERVED).count() == 6


def test_closing_hands_the_line_on_to_the_venues_next_session_in_order_and_counts(
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    session: Session,
    leader: User,
    desks: list[Desk],
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    services.finish_intake(called.pk, actor=officer_dakmil)
    waiting = [tickets.issue_walk_in(session.pk, actor=leader) for _ in range(3)]
    no_show = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    tickets.skip_ticket(desks[0].pk, no_show.pk, actor=officer_dakmil)
    later = later_at(session, leader, days=1)
    counts = services.close_session(
        session.pk, confirm=True, expected_left=3, hand_on_to=later.pk, actor=leader
    )
    assert (counts.served, counts.received, counts.handed_on) == (1, 1, 3)
    assert counts.by_kind == {"First issue": 1}
    moved = list(Ticket.objects.filter(session=later).order_by("number"))
    assert [t.number for t in moved] == [1, 2, 3]
    assert no_show.pk in [w.pk for w in waiting]
    session.refresh_from_db()
    assert session.state == Session.State.CLOSED and session.status == Session.Status.CLOSED
    assert not Desk.objects.filter(session=session, is_open=True).exists()  # the desks close too
    assert code_of(lambda: tickets.issue_walk_in(session.pk, actor=leader)) == "SESSION_NOT_RUNNING"


def test_a_handed_on_number_keeps_where_to_tell_its_holder(
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    session: Session,
    leader: User,
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    services.finish_intake(called.pk, actor=officer_dakmil)
    tickets.issue_walk_in(session.pk, contact=("zns", "84912345678"), actor=leader)
    later = later_at(session, leader, days=1)
    services.close_session(
        session.pk, confirm=True, expected_left=1, hand_on_to=later.pk, actor=leader
    )
    moved = Ticket.objects.get(session=later)
    assert (moved.notify_channel, moved.notify_address) == ("zns", "84912345678")


def test_closing_refuses_while_a_desk_serves_and_the_page_says_so_first(
    called: Ticket, session: Session, leader: User
) -> None:
    page = client_for(leader).get(url(session)).content.decode()
    assert 'data-testid="at-desks"' in page and "0001 (Desk 1)" in page
    refused = code_of(lambda: services.close_session(session.pk, confirm=True, actor=leader))
    assert refused == "SESSION_BUSY"
    session.refresh_from_db()
    assert session.state != Session.State.CLOSED


def test_a_second_close_changes_nothing(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    later = later_at(session, leader)
    with time_machine.travel(DURING, tick=False):
        services.close_session(session.pk, confirm=True, hand_on_to=later.pk, actor=leader)
        again = lambda: services.close_session(session.pk, confirm=True, actor=leader)  # noqa: E731
        assert code_of(again) == "SESSION_ALREADY_CLOSED"
    assert Ticket.objects.filter(session=later).count() == 5
    assert Ticket.objects.filter(session=session, state=Ticket.State.MOVED).count() == 5
    assert AuditEvent.objects.filter(action="session.close").count() == 1


@pytest.mark.parametrize("which", ["earlier", "itself", "over", "closed", "other_unit", "unknown"])
def test_numbers_go_only_to_a_later_session_of_the_unit_that_is_not_over(
    session: Session, leader: User, handed_out: list[Ticket], tree: object, which: str
) -> None:
    if which == "earlier":
        target = later_at(session, leader, days=-1)
    elif which == "itself":
        target = session
    elif which in ("over", "closed"):
        target = later_at(session, leader, days=1)
        if which == "closed":
            Session.objects.filter(pk=target.pk).update(state=Session.State.CLOSED)
    else:
        target = later_at(session, leader, days=1)
        if which == "other_unit":  # a commune's session, under the district but not its unit
            Session.objects.filter(pk=target.pk).update(unit=tree.daklao_police)  # type: ignore[attr-defined]
    hand_on_to = 999_999 if which == "unknown" else target.pk
    at = DURING + datetime.timedelta(days=2) if which == "over" else DURING
    with time_machine.travel(at, tick=False):
        refused = code_of(
            lambda: services.close_session(
                session.pk, confirm=True, hand_on_to=hand_on_to, actor=leader
            )
        )
    assert refused == "BAD_NEXT_SESSION"
    assert set(Ticket.objects.filter(session=session).values_list("state", flat=True)) == {
        "waiting"
    }
    session.refresh_from_db()
    assert session.state == Session.State.PLANNED


# ---------------------------------------------------------------- the page


def test_the_page_shows_the_numbers_left_by_group_and_offers_the_venues_next_session(
    session: Session, leader: User, handed_out: list[Ticket], tree: object
) -> None:
    later = later_at(session, leader)
    hall = create_venue(
        unit_id=session.unit_id, kind="commune_hall", name="Hội trường xã Đắk Lao", actor=leader
    )
    elsewhere = later_at(session, leader, days=3, venue=hall)
    with time_machine.travel(DURING, tick=False):
        response = client_for(leader).get(url(session))
    page = response.content.decode()
    assert response.status_code == 200
    left = response.context["left"]
    # in the order of the line: the walk-in queued on arrival, the list from its 19:00 slot
    assert (left.count, left.numbers) == (5, ["0005", "0001", "0002", "0003", "0004"])
    elderly = handed_out[-1].group.name  # type: ignore[union-attr]
    assert left.by_group == {"no group": 4, elderly: 1}
    assert 'data-testid="left" data-count="5"' in page
    assert list(response.context["venue_next"]) == [later]
    assert list(response.context["unit_next"]) == [elsewhere]
    assert f'value="{later.pk}" required data-testid="hand-on-venue"' in page
    assert 'data-testid="confirm-close"' in page and 'name="expected_left" value="5"' in page


def test_the_page_says_when_the_venue_has_no_later_session(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(DURING, tick=False):
        page = client_for(leader).get(url(session)).content.decode()
    assert 'data-testid="no-venue-session"' in page
    assert f"/campaigns/{session.campaign_id}/sessions/new/" in page


def test_the_page_of_a_session_not_started_offers_no_close(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        page = client_for(leader).get(url(session)).content.decode()
    assert 'data-testid="not-started"' in page and 'data-testid="close-form"' not in page
    assert 'data-status="scheduled"' in page


def test_posting_the_close_of_a_session_not_started_is_refused(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        response = client_for(leader).post(url(session), {"hand_on_to": "", "confirm": "yes"})
    assert response.status_code == 409
    assert 'data-code="SESSION_NOT_STARTED"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == Session.State.PLANNED
    assert set(Ticket.objects.values_list("state", flat=True)) == {Ticket.State.WAITING}


def test_a_post_without_the_box_ticked_is_a_400_on_the_page_and_changes_nothing(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    with time_machine.travel(DURING, tick=False):
        response = client_for(leader).post(url(session), {"hand_on_to": "", "expected_left": "5"})
    assert response.status_code == 400
    assert 'data-code="CLOSE_NOT_CONFIRMED"' in response.content.decode()
    session.refresh_from_db()
    assert session.state == Session.State.PLANNED


def test_the_page_closes_once_and_a_replayed_post_lands_on_the_counts(
    session: Session, leader: User, handed_out: list[Ticket]
) -> None:
    later = later_at(session, leader)
    client = client_for(leader)
    form = {"hand_on_to": later.pk, "expected_left": "5", "confirm": "yes"}
    with time_machine.travel(DURING, tick=False):
        first = client.post(url(session), form)
        replayed = client.post(url(session), form, follow=True)
    assert first.status_code == 302 and first["Location"] == url(session)
    assert replayed.redirect_chain == [(url(session), 302)]
    page = replayed.content.decode()
    assert "Session closed" in page and "already closed" in page
    assert 'data-testid="handed-on">5<' in page
    assert Ticket.objects.filter(session=later).count() == 5
    assert AuditEvent.objects.filter(action="session.close").count() == 1


def test_drafts_left_open_are_cancelled(
    called: Ticket, session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    draft = services.start_intake(called.pk, actor=officer_dakmil)
    tickets.skip_ticket(desks[0].pk, called.pk, actor=officer_dakmil)  # they walked away
    services.close_session(session.pk, confirm=True, actor=leader)
    draft.refresh_from_db()
    assert draft.state == Enrollment.State.CANCELLED


# ---------------------------------------------------------------- two leaders at once


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_close_once(session: Session, leader: User) -> None:
    """Two tabs (or a double click that reached two workers) post the close at the same moment:
    one closes, the other finds it closed; the numbers are handed on once (SQLite and PostgreSQL)."""
    later = later_at(session, leader)
    with time_machine.travel(DURING, tick=False):
        for _ in range(5):  # regular numbers: a transactional test may find the groups flushed
            tickets.issue_walk_in(session.pk, actor=leader)
    start, results, lock = threading.Barrier(2), [], threading.Lock()

    def close() -> None:
        try:
            start.wait()
            services.close_session(session.pk, confirm=True, hand_on_to=later.pk, actor=leader)
            outcome = "closed"
        except DomainError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    with time_machine.travel(DURING, tick=False):
        workers = [threading.Thread(target=close) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    assert sorted(results) == ["SESSION_ALREADY_CLOSED", "closed"]
    assert Ticket.objects.filter(session=later).count() == 5
    assert AuditEvent.objects.filter(action="session.close").count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
