"""Read paths of the queue: the board, a ticket's place in line and the estimated wait."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import TypedDict

from django.db.models import Q, QuerySet

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.campaigns.models import Session, Team
from cccd.campaigns.queries import tonight_sessions
from cccd.errors import NOT_FOUND
from cccd.registry.models import Person
from cccd.tickets.models import Desk, Ticket
from cccd.tickets.services import AT_DESK, PRIORITY_RUN, class_key, walk_in_problem

DEFAULT_SERVICE = datetime.timedelta(minutes=4)  # docs/domain.md#the-2021-campaign: 3–5 min
SAMPLE = 200  # the latest done numbers the median is taken over


def session_tickets(user: User, session: Session) -> QuerySet[Ticket]:
    return visible_to(user, Ticket.objects.filter(session=session)).select_related("group", "desk")


def desks(session: Session) -> list[Desk]:
    return list(
        Desk.objects.filter(session=session, number__lte=session.desks).select_related("officer")
    )


def service_time(session: Session) -> datetime.timedelta:
    """The median time from call to done of the session's latest finished numbers (4 min before
    any is done)."""
    rows = (
        Ticket.objects.filter(
            session=session, state=Ticket.State.DONE, called_at__isnull=False, done_at__isnull=False
        )
        .order_by("-done_at")
        .values_list("called_at", "done_at")[:SAMPLE]
    )
    durations = [
        (done - called).total_seconds()
        for called, done in rows
        if called is not None and done is not None and done >= called
    ]
    if not durations:
        return DEFAULT_SERVICE
    return datetime.timedelta(seconds=statistics.median(durations))


def open_desk_count(session: Session) -> int:
    """Desks open now; before any opens, the desks the session was planned with."""
    count = Desk.objects.filter(session=session, is_open=True, number__lte=session.desks).count()
    return count or max(session.desks, 1)


def people_ahead(ticket: Ticket) -> int | None:
    """How many will be called before this number, by the priority rule; None once called."""
    if ticket.state != Ticket.State.WAITING:
        return None
    waiting = Ticket.objects.filter(session_id=ticket.session_id, state=Ticket.State.WAITING)
    waiting = waiting.exclude(pk=ticket.pk)
    if ticket.desk_id is not None:  # sent to a desk: only others sent there come first
        earlier = Q(line_at__lt=ticket.line_at) | Q(
            line_at=ticket.line_at, number__lt=ticket.number
        )
        return waiting.filter(earlier, desk_id=ticket.desk_id).count()
    sent = waiting.filter(desk__isnull=False).count()
    free = waiting.filter(desk__isnull=True)
    priority = free.filter(group__served_first=True)
    line = Q(line_at__lt=ticket.line_at) | Q(line_at=ticket.line_at, number__lt=ticket.number)
    if ticket.is_priority:
        rank = ticket.group.priority  # type: ignore[union-attr]
        before = Q(group__priority__lt=rank) | (Q(group__priority=rank) & line)
        return sent + priority.filter(before).count()
    regular = free.filter(Q(group__isnull=True) | Q(group__served_first=False)).filter(line).count()
    # at most PRIORITY_RUN priority calls before each regular one, this one included
    return sent + regular + min(priority.count(), PRIORITY_RUN * (regular + 1))


def estimated_wait(ticket: Ticket) -> datetime.timedelta | None:
    """Place in line × median service time ÷ open desks."""
    ahead = people_ahead(ticket)
    if ahead is None:
        return None
    session = ticket.session
    return service_time(session) * (ahead + 1) / open_desk_count(session)


def ticket_by_token(token: str) -> Ticket:
    ticket = (
        Ticket.objects.select_related("session", "session__venue", "group", "desk")
        .filter(public_token=token)
        .first()
    )
    if ticket is None or not token:
        raise NOT_FOUND()
    return ticket


@dataclass
class BoardCall:
    number: str
    desk: int
    key: str  # changes with each call or recall, so the board knows what to announce


class BoardState(TypedDict):
    calls: list[BoardCall]  # the numbers at the desks, in desk order
    latest: BoardCall | None
    waiting: int


def board_state(session: Session) -> BoardState:
    """What the hall's screen shows: the latest call, the number at each desk, and the line."""
    at_desks = (
        Ticket.objects.filter(session=session, state__in=AT_DESK, desk__isnull=False)
        .select_related("desk")
        .order_by("-called_at", "-number")
    )
    calls = [
        BoardCall(t.display, t.desk.number, f"{t.pk}.{t.calls}.{t.called_at:%H%M%S%f}")  # type: ignore[union-attr]
        for t in at_desks[:12]
    ]
    waiting = Ticket.objects.filter(session=session, state=Ticket.State.WAITING).count()
    latest = calls[0] if calls else None
    # tiles in desk order, so a desk's tile stays in place across the hall; the banner says what's new
    return {"calls": sorted(calls, key=lambda c: c.desk), "latest": latest, "waiting": waiting}


def class_sheets(user: User, session: Session) -> list[tuple[str, list[Ticket]]]:
    """Advance numbers grouped by class, for the sheets the school hands to each class."""
    tickets = session_tickets(user, session).filter(kind=Ticket.Kind.ADVANCE)
    tickets = tickets.select_related("roster_entry").order_by("number")
    sheets: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        sheets.setdefault(ticket.class_name, []).append(ticket)
    return sorted(sheets.items(), key=lambda item: class_key(item[0]))


def get_session(user: User, session_id: int) -> Session:
    session = (
        visible_to(user, Session.objects.select_related("venue", "campaign", "unit"))
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise NOT_FOUND()
    return session


def walk_in_blocks(session: Session, people: list[Person]) -> dict[int, str]:
    """For the look-up at the door: why each person found cannot get a number, by person id."""
    blocks = {}
    for person in people:
        problem = walk_in_problem(session, person)
        if problem is not None:
            blocks[person.pk] = problem.message
    return blocks


@dataclass
class TonightSession:
    session: Session
    desk: Desk | None = None  # the desk the user holds at it
    in_team: bool = False


@dataclass
class Tonight:
    """An officer's evening at a glance: the sessions of today (one that began last night and is
    still running included), theirs first, with the desk they hold; and desks still open in their
    name at other sessions (left open at an earlier one, to close)."""

    sessions: list[TonightSession] = field(default_factory=list)
    elsewhere: list[Desk] = field(default_factory=list)


def tonight(user: User, *, now: datetime.datetime | None = None, limit: int = 12) -> Tonight:
    sessions = list(tonight_sessions(user, now=now)[:50])
    held = list(
        Desk.objects.filter(officer=user, is_open=True)
        .exclude(session__state__in=Session.ENDED)
        .select_related("session__venue")
        .order_by("session__starts_at", "number")
    )
    desks = {d.session_id: d for d in held}
    teams = set(Team.objects.filter(Q(leader=user) | Q(members=user)).values_list("pk", flat=True))
    items = [TonightSession(s, desks.get(s.pk), s.team_id in teams) for s in sessions]
    items.sort(key=lambda t: (t.desk is None, not t.in_team, t.session.starts_at))
    shown = {t.session.pk for t in items[:limit]}
    return Tonight(items[:limit], [d for d in held if d.session_id not in shown])
