"""The plan: the sessions, the people they expect, the bound, and the rules every plan keeps.

`check_plan` is the one statement of issue 17's rules; the solver, the greedy baseline, the tests
and the Django app (after a leader's edit) all judge a plan by it.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from cccd.planning.instance import (
    Instance,
    InstanceError,
    _date,
    _field,
    _id,
    _list,
    _object,
    _whole,
)

STATUSES = ("optimal", "feasible")
EPSILON = 1e-9  # desks × hours × rate is a float; a whole `expected` equal to it is fine


@dataclass(frozen=True)
class PlannedSession:
    """One session of the plan: a team at a venue on a day's shift, with desks and expected people."""

    venue: str
    team: str
    day: datetime.date
    shift: str
    desks: int
    expected: int


@dataclass(frozen=True)
class Plan:
    """The sessions; `reached` is the sum of their `expected`; `bound` an upper bound on `reached`
    proven by the solver; `status` "optimal" when `reached` equals it, else "feasible"."""

    sessions: tuple[PlannedSession, ...]
    reached: int
    bound: int
    status: str


def plan_to_json(plan: Plan) -> dict[str, Any]:
    return {
        "sessions": [
            {
                "venue": s.venue,
                "team": s.team,
                "day": s.day.isoformat(),
                "shift": s.shift,
                "desks": s.desks,
                "expected": s.expected,
            }
            for s in plan.sessions
        ],
        "reached": plan.reached,
        "bound": plan.bound,
        "status": plan.status,
    }


def parse_plan(data: object) -> Plan:
    """The plan in `data` (decoded JSON), or an `InstanceError` naming the first bad field. The
    shape only: whether the plan keeps the rules of an instance is `check_plan`'s question."""
    root = _object(data, "$", {"sessions", "reached", "bound", "status"})
    sessions = _list(_field(root, "sessions", "$"), "sessions", _session)
    status = _field(root, "status", "$")
    if status not in STATUSES:
        raise InstanceError("status", "must be optimal or feasible")
    return Plan(
        sessions=sessions,
        reached=_whole(_field(root, "reached", "$"), "reached", 0, 10**12),
        bound=_whole(_field(root, "bound", "$"), "bound", 0, 10**12),
        status=str(status),
    )


def _session(value: object, path: str) -> PlannedSession:
    item = _object(value, path, {"venue", "team", "day", "shift", "desks", "expected"})
    return PlannedSession(
        venue=_id(_field(item, "venue", path), f"{path}.venue"),
        team=_id(_field(item, "team", path), f"{path}.team"),
        day=_date(_field(item, "day", path), f"{path}.day"),
        shift=_id(_field(item, "shift", path), f"{path}.shift"),
        desks=_whole(_field(item, "desks", path), f"{path}.desks", 1, 10**6),
        expected=_whole(_field(item, "expected", path), f"{path}.expected", 0, 10**9),
    )


def session_capacity(instance: Instance, shift_id: str, desks: int) -> int:
    """The most people `desks` desks serve in a shift: ⌊desks × hours × rate⌋."""
    return int(desks * instance.shift(shift_id).hours * instance.rate + EPSILON)


def check_plan(instance: Instance, plan: Plan) -> list[str]:
    """Every rule of issue 17 the plan breaks, one sentence each; [] when it keeps them all."""
    problems: list[str] = []
    problems += _sessions_on_known_things(instance, plan)
    if problems:
        return problems  # the other rules need the venue, team and shift of every session
    problems += _one_session_per_team_day(plan)
    problems += _one_session_per_venue_shift(plan)
    for i, session in enumerate(plan.sessions):
        problems += _session_rules(instance, i, session)
    problems += _people_per_venue(instance, plan)
    problems += _nights_per_week(instance, plan)
    problems += _totals(plan)
    return problems


def _sessions_on_known_things(instance: Instance, plan: Plan) -> list[str]:
    venues = {v.id for v in instance.venues}
    teams = {t.id for t in instance.teams}
    shifts = {s.id for s in instance.shifts}
    days = set(instance.days)
    problems = []
    for i, s in enumerate(plan.sessions):
        if s.venue not in venues:
            problems.append(f"sessions[{i}]: there is no venue {s.venue!r}")
        if s.team not in teams:
            problems.append(f"sessions[{i}]: there is no team {s.team!r}")
        if s.shift not in shifts:
            problems.append(f"sessions[{i}]: there is no shift {s.shift!r}")
        if s.day not in days:
            problems.append(f"sessions[{i}]: {s.day} is not a day of the horizon")
    return problems


def _one_session_per_team_day(plan: Plan) -> list[str]:
    counts = Counter((s.team, s.day) for s in plan.sessions)
    return [
        f"team {team} works {n} sessions on {day} (at most one a day)"
        for (team, day), n in sorted(counts.items())
        if n > 1
    ]


def _one_session_per_venue_shift(plan: Plan) -> list[str]:
    counts = Counter((s.venue, s.day, s.shift) for s in plan.sessions)
    return [
        f"venue {venue} hosts {n} sessions on {day}, shift {shift} (at most one)"
        for (venue, day, shift), n in sorted(counts.items())
        if n > 1
    ]


def _session_rules(instance: Instance, i: int, s: PlannedSession) -> list[str]:
    venue = next(v for v in instance.venues if v.id == s.venue)
    team = next(t for t in instance.teams if t.id == s.team)
    shift = instance.shift(s.shift)
    where = f"sessions[{i}] ({s.venue}, {s.day}, {s.shift})"
    problems = []
    if s.desks < 1 or s.expected < 0:
        problems.append(f"{where}: {s.desks} desks and {s.expected} expected (≥ 1 and ≥ 0)")
    if s.shift not in venue.shifts:
        problems.append(f"{where}: the venue does not allow shift {s.shift}")
    if s.day.weekday() not in shift.weekdays:
        problems.append(f"{where}: shift {s.shift} does not run on a {s.day:%A}")
    if s.day in team.unavailable:
        problems.append(f"{where}: team {s.team} is unavailable that day")
    if s.day in venue.closed:
        problems.append(f"{where}: the venue is closed that day")
    if s.desks > team.desks:
        problems.append(f"{where}: {s.desks} desks, but team {s.team} brings {team.desks}")
    if s.desks > venue.max_desks:
        problems.append(f"{where}: {s.desks} desks, but the venue holds {venue.max_desks}")
    if s.expected > s.desks * shift.hours * instance.rate + EPSILON:
        problems.append(
            f"{where}: expects {s.expected}, more than desks × hours × rate "
            f"= {s.desks * shift.hours * instance.rate:g}"
        )
    return problems


def _people_per_venue(instance: Instance, plan: Plan) -> list[str]:
    expected: defaultdict[str, int] = defaultdict(int)
    for s in plan.sessions:
        expected[s.venue] += s.expected
    return [
        f"venue {v.id}: its sessions expect {expected[v.id]}, more than its {v.people} people"
        for v in instance.venues
        if expected[v.id] > v.people
    ]


def _nights_per_week(instance: Instance, plan: Plan) -> list[str]:
    nights = {s.id for s in instance.shifts if s.night}
    counts = Counter((s.team, s.day.isocalendar()[:2]) for s in plan.sessions if s.shift in nights)
    limit = {t.id: t.max_nights_per_week for t in instance.teams}
    return [
        f"team {team} works {n} night shifts in ISO week {year}-W{week:02d} (at most {limit[team]})"
        for (team, (year, week)), n in sorted(counts.items())
        if n > limit[team]
    ]


def _totals(plan: Plan) -> list[str]:
    total = sum(s.expected for s in plan.sessions)
    problems = []
    if plan.reached != total:
        problems.append(f"reached is {plan.reached}, but the sessions expect {total}")
    if plan.bound < plan.reached:
        problems.append(f"the bound {plan.bound} is below reached {plan.reached}")
    if plan.status not in STATUSES:
        problems.append(f"status {plan.status!r} is neither optimal nor feasible")
    if plan.status == "optimal" and plan.bound != plan.reached:
        problems.append(f"status is optimal, but the bound {plan.bound} is above {plan.reached}")
    return problems
