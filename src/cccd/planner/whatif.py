"""What-if for a session, from the database: the simulation's inputs (`cccd.planning.whatif`) and,
once the session is over, what happened.

The inputs use only what was known before the session started: the numbers handed out before its
start, and the unit's sessions that had ended by then (their service times, walk-ins, show-ups).
The forecast shown before the evening can therefore be recomputed afterwards, exactly, and set
beside the observed waits. Counts and times only: no person is read, so nothing is audited.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Min, QuerySet
from django.utils import timezone

from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import PLAN
from cccd.accounts.scoping import get_visible
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.errors import NOT_FOUND
from cccd.planning import whatif as sim
from cccd.tickets.models import Ticket

REPLICATIONS = 200
HISTORY_SESSIONS = 30  # the unit's latest ended sessions the service times are read from
RECENT = 8  # the latest ended sessions at venues of the same kind: walk-ins, show-ups, kinds
MAX_WALK_INS = 200.0  # an hour: more is a data error, not an evening
# Stated defaults when the unit has no history (the page says which were used):
DEFAULT_SERVICE = (3.0, 4.0, 5.0)  # docs/domain.md#the-2021-campaign: 3–5 minutes an intake
DEFAULT_WALK_INS = 6.0  # an hour
DEFAULT_SHOW_UP = 0.9
DEFAULT_PRIORITY_SHARE = 0.05
ON_TIME = (0.0,)  # holders come at their slot: arrivals are not recorded, only calls


@dataclass(frozen=True)
class Inputs:
    """The simulation's evening and where each input came from."""

    evening: sim.Evening
    history: int  # earlier sessions whose service times were read
    like: int  # of them, the latest at venues of the same kind (walk-ins, show-ups, kinds)
    defaults: tuple[str, ...]  # the inputs that fell back to a stated default
    service_samples: int  # finished intakes whose times were read
    staffed: float | None  # desks that served ÷ desks planned at earlier sessions


@dataclass(frozen=True)
class Observed:
    """What happened at an ended session (minutes; waits from the place in line to the call)."""

    served: int
    median_wait: float | None
    p90_wait: float | None
    last_served: float | None
    queue: tuple[tuple[float, int], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class WhatIf:
    session: Session
    inputs: Inputs
    forecast: sim.Forecast
    observed: Observed | None
    as_staffed: tuple[int, sim.Outcome] | None = None  # with the desks the unit usually staffs


def session_whatif(session_id: int, *, actor: User, replications: int = REPLICATIONS) -> WhatIf:
    """The forecast of a session the actor may plan in its unit subtree (404 otherwise, and for a
    round of home visits, which has no queue), and what happened once it is over."""
    require_permission(actor, PLAN)
    session = get_visible(
        actor, Session.objects.select_related("venue", "unit", "campaign"), pk=session_id
    )
    if session.kind != Session.Kind.VENUE:
        raise NOT_FOUND()
    inputs = inputs_for(session)
    result = sim.forecast(inputs.evening, seed=session.pk, replications=replications)
    usual = usual_desks(inputs)
    as_staffed = None
    if usual is not None:
        evening = replace(inputs.evening, desks=usual)
        as_staffed = (usual, sim.simulate(evening, seed=session.pk, replications=replications))
    return WhatIf(session, inputs, result, observed(session), as_staffed)


def usual_desks(inputs: Inputs) -> int | None:
    """The desks that would serve if the unit staffs them as at its earlier sessions, when fewer
    than planned (None otherwise): the share of planned desks that served, times the desks."""
    if inputs.staffed is None:
        return None
    desks = inputs.evening.desks
    usual = max(1, round(desks * min(1.0, inputs.staffed)))
    return usual if usual < desks else None


def minutes_after(start: datetime.datetime, moment: datetime.datetime) -> float:
    return (moment - start).total_seconds() / 60


def inputs_for(session: Session) -> Inputs:
    """The evening as it could be known at the session's start."""
    start = session.starts_at
    ended = _ended_before(session)
    history = ended[:HISTORY_SESSIONS]
    like = [s for s in ended if s.venue.kind == session.venue.kind][:RECENT] or ended[:RECENT]
    service, samples = _service_times(_finished_before(history, start))
    defaults: list[str] = []
    if not samples:
        service = {sim.ANY_KIND: DEFAULT_SERVICE}
        defaults.append("service")
    walk_ins, priority_share, profile = _walk_ins(like)
    if walk_ins is None:
        walk_ins, priority_share = DEFAULT_WALK_INS, DEFAULT_PRIORITY_SHARE
        defaults.append("walk_ins")
    holders = _holders(session)
    show_up = _show_up(like)
    if show_up is None:
        show_up = DEFAULT_SHOW_UP
        if holders:  # without numbers handed out, who comes of them does not matter
            defaults.append("show_up")
    evening = sim.Evening(
        desks=min(max(session.desks, 1), sim.MAX_DESKS),
        minutes=min(max(1.0, minutes_after(start, session.ends_at)), sim.MAX_MINUTES),
        holders=holders,
        walk_ins_per_hour=min(walk_ins, MAX_WALK_INS),
        service_minutes=service,
        kinds=_kinds(_finished_before(like, start)),
        priority_share=priority_share,
        show_up=show_up,
        lateness=ON_TIME,
        desks_open_at=_opening_delay(history),
        walk_in_profile=profile,
    )
    return Inputs(evening, len(history), len(like), tuple(defaults), samples, _staffed(history))


def _holders(session: Session) -> tuple[sim.Holder, ...]:
    """The numbers handed out before the start, in number order (a number handed out later, or a
    walk-in, is the walk-in rate's business)."""
    tickets = (
        Ticket.objects.filter(
            session=session, kind=Ticket.Kind.ADVANCE, issued_at__lt=session.starts_at
        )
        .select_related("group")
        .order_by("number")[: sim.MAX_PEOPLE]
    )
    return tuple(
        sim.Holder(
            line_at=min(max(0.0, minutes_after(session.starts_at, t.line_at)), sim.MAX_MINUTES),
            priority=min(t.group.priority, 1000) if t.is_priority else None,  # type: ignore[union-attr]
        )
        for t in tickets
    )


def _ended_before(session: Session) -> list[Session]:
    """The unit's venue sessions that had ended before this one started, the latest first."""
    return list(
        Session.objects.filter(
            unit_id=session.unit_id, kind=Session.Kind.VENUE, ends_at__lte=session.starts_at
        )
        .exclude(state=Session.State.CANCELLED)
        .exclude(pk=session.pk)
        .select_related("venue")
        .order_by("-starts_at", "-pk")[: HISTORY_SESSIONS * 4]
    )


def _finished_before(history: list[Session], start: datetime.datetime) -> QuerySet[Ticket]:
    return Ticket.objects.filter(
        session__in=history,
        state=Ticket.State.DONE,
        called_at__isnull=False,
        done_at__isnull=False,
        done_at__lte=start,
    )


def _service_times(done: QuerySet[Ticket]) -> tuple[dict[str, tuple[float, ...]], int]:
    """Minutes from call to done, by the kind of the dossier taken (a number done without one
    counts among every kind)."""
    kind_of = _kind_of(done)
    by_kind: dict[str, list[float]] = {sim.ANY_KIND: []}
    rows = done.order_by("pk").values_list("pk", "called_at", "done_at")
    for pk, called, finished in rows:
        minutes = minutes_after(called, finished)  # type: ignore[arg-type]
        if not 0.01 <= minutes <= 600:
            continue
        by_kind[sim.ANY_KIND].append(minutes)
        if kind_of.get(pk):
            by_kind.setdefault(kind_of[pk], []).append(minutes)
    return {k: tuple(v) for k, v in by_kind.items() if v}, len(by_kind[sim.ANY_KIND])


def _kind_of(done: QuerySet[Ticket]) -> dict[int, str]:
    return dict(
        Enrollment.objects.filter(ticket__in=done).values_list("ticket_id", "kind").order_by()
    )


def _kinds(done: QuerySet[Ticket]) -> tuple[str, ...]:
    """The mix of kinds of application taken at sessions like this one."""
    return tuple(sorted(_kind_of(done).values()))[: sim.MAX_PEOPLE * 10]


def _walk_ins(like: list[Session]) -> tuple[float | None, float, tuple[float, ...]]:
    """Walk-ins an hour at sessions like this one, the share of them served first, and when they
    came (as fractions of their session)."""
    hours = sum(minutes_after(s.starts_at, s.ends_at) for s in like) / 60
    if not like or hours <= 0:
        return None, 0.0, ()
    length = {s.pk: minutes_after(s.starts_at, s.ends_at) for s in like}
    start = {s.pk: s.starts_at for s in like}
    rows = list(
        Ticket.objects.filter(session__in=like, kind=Ticket.Kind.WALK_IN)
        .order_by("pk")
        .values_list("session_id", "line_at", "group__served_first")
    )
    first = sum(1 for _s, _l, served_first in rows if served_first)
    profile = tuple(
        min(1.0, max(0.0, minutes_after(start[s], line_at) / length[s]))
        for s, line_at, _f in rows
        if length[s] > 0
    )
    return len(rows) / hours, (first / len(rows) if rows else 0.0), profile[: sim.MAX_PEOPLE * 10]


def _show_up(like: list[Session]) -> float | None:
    """The share of numbers handed out in advance that were served."""
    advance = Ticket.objects.filter(session__in=like, kind=Ticket.Kind.ADVANCE)
    ended = advance.exclude(state__in=(Ticket.State.WAITING, Ticket.State.MOVED)).count()
    if not ended:
        return None
    return advance.filter(state=Ticket.State.DONE).count() / ended


def _opening_delay(history: list[Session]) -> float:
    """How long after the start the first number was called at earlier sessions (the median;
    0 without history): the team setting up its desks."""
    first_calls = dict(
        Ticket.objects.filter(session__in=history, called_at__isnull=False)
        .values("session")
        .annotate(first=Min("called_at"))
        .values_list("session", "first")
    )  # one query for every earlier session
    delays = [
        max(0.0, minutes_after(s.starts_at, first_calls[s.pk]))
        for s in history
        if s.pk in first_calls
    ]
    return min(statistics.median(delays), sim.MAX_MINUTES) if delays else 0.0


def _staffed(history: list[Session]) -> float | None:
    """Desks that served someone ÷ desks planned, over earlier sessions (None without history)."""
    planned = sum(s.desks for s in history)
    served = (
        Ticket.objects.filter(session__in=history, state=Ticket.State.DONE, desk__isnull=False)
        .values("session_id", "desk_id")
        .distinct()
        .count()
    )
    return served / planned if history and planned else None


def has_ended(session: Session, now: datetime.datetime | None = None) -> bool:
    return session.state == Session.State.CLOSED or session.ends_at <= (now or timezone.now())


def observed(session: Session, now: datetime.datetime | None = None) -> Observed | None:
    """The session's real waits, once it has ended (None before): the numbers served, each from
    its place in line (`line_at`: its slot, or its arrival at the door) to its call."""
    if not has_ended(session, now):
        return None
    rows = [
        (line_at, called, done)
        for line_at, called, done in Ticket.objects.filter(
            session=session, state=Ticket.State.DONE, called_at__isnull=False
        )
        .order_by("number")
        .values_list("line_at", "called_at", "done_at")
        if called is not None
    ]
    start = session.starts_at
    waits = [max(0.0, minutes_after(line_at, called)) for line_at, called, _d in rows]
    ends = [minutes_after(start, done) for _l, _c, done in rows if done is not None]
    if not waits:
        return Observed(0, None, None, None)
    return Observed(
        served=len(waits),
        median_wait=statistics.median(waits),
        p90_wait=sim.quantile(waits, 0.9),
        last_served=max(ends) if ends else None,
        queue=_observed_queue(session, rows),
    )


def _observed_queue(
    session: Session, rows: Iterable[tuple[datetime.datetime, datetime.datetime, object]]
) -> tuple[tuple[float, int], ...]:
    """People in line at each step: their place in line had come and they were not yet called."""
    spans = [
        (minutes_after(session.starts_at, line_at), minutes_after(session.starts_at, called))
        for line_at, called, _done in rows
    ]
    last = max([minutes_after(session.starts_at, session.ends_at), *(c for _l, c in spans)])
    steps = int(last // sim.QUEUE_STEP) + 1
    return tuple(
        (
            step * sim.QUEUE_STEP,
            sum(1 for came, called in spans if came <= step * sim.QUEUE_STEP < called),
        )
        for step in range(steps + 1)
    )
