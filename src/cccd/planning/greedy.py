"""The greedy plan: what a commander does by hand on the wall calendar, the bench's baseline and the
solver's first solution.

Largest venue first; for it, the nearest free team, again and again until its people are served
or no slot is left. The instance has no places, so "nearest" is in time: the earliest free day and
shift (in the order of `days`, then of `shifts`) at which some team can work, and of the teams
free then, the one with the most desks (then the first listed). Each session gets the desks its
people need, no more.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Sequence

from cccd.planning.instance import Instance, Shift, Team, Venue
from cccd.planning.plan import Plan, PlannedSession, session_capacity


class Calendar:
    """Who is busy when, as sessions are added: the rules of one team a day, one session per venue
    shift, and the nights of each ISO week."""

    def __init__(self, instance: Instance, sessions: Iterable[PlannedSession] = ()) -> None:
        self.instance = instance
        self.team_days: set[tuple[str, datetime.date]] = set()
        self.venue_slots: set[tuple[str, datetime.date, str]] = set()
        self.nights: Counter[tuple[str, tuple[int, int]]] = Counter()
        self.night_shifts = {s.id for s in instance.shifts if s.night}
        for session in sessions:
            self.add(session)

    def add(self, session: PlannedSession) -> None:
        self.team_days.add((session.team, session.day))
        self.venue_slots.add((session.venue, session.day, session.shift))
        if session.shift in self.night_shifts:
            self.nights[(session.team, week(session.day))] += 1

    def team_free(self, team: Team, day: datetime.date, shift: Shift) -> bool:
        if day in team.unavailable or (team.id, day) in self.team_days:
            return False
        return not shift.night or self.nights[(team.id, week(day))] < team.max_nights_per_week

    def venue_free(self, venue: Venue, day: datetime.date, shift: Shift) -> bool:
        return venue_allows(venue, day, shift) and (venue.id, day, shift.id) not in self.venue_slots


def week(day: datetime.date) -> tuple[int, int]:
    """The ISO year and week: the nights rule counts per ISO week."""
    year, number, _ = day.isocalendar()
    return (year, number)


def venue_allows(venue: Venue, day: datetime.date, shift: Shift) -> bool:
    """The venue is open that day, allows the shift, and the shift runs on that weekday."""
    return day not in venue.closed and shift.id in venue.shifts and day.weekday() in shift.weekdays


def desks_needed(instance: Instance, shift_id: str, people: int, most: int) -> int:
    """The fewest desks (at most `most`) whose capacity covers `people`."""
    return next(
        (d for d in range(1, most + 1) if session_capacity(instance, shift_id, d) >= people), most
    )


def trivial_bound(instance: Instance, fixed: Sequence[PlannedSession] = ()) -> int:
    """An upper bound needing no solver: each venue reaches at most its people, and at most what
    its open shifts hold with the biggest team's desks."""
    biggest = max((t.desks for t in instance.teams), default=0)
    bound = 0
    for venue in instance.venues:
        most = min(venue.max_desks, biggest)
        room = sum(
            session_capacity(instance, shift.id, most)
            for day in instance.days
            for shift in instance.shifts
            if venue_allows(venue, day, shift)
        )
        done = sum(s.expected for s in fixed if s.venue == venue.id)
        bound += max(done, min(venue.people, done + room))
    return bound


def greedy(instance: Instance, *, fixed: Sequence[PlannedSession] = ()) -> Plan:
    """The greedy plan (module docstring); `fixed` sessions are kept and count as they are."""
    calendar = Calendar(instance, fixed)
    sessions = list(fixed)
    served = Counter[str]()
    for session in fixed:
        served[session.venue] += session.expected
    teams = sorted(instance.teams, key=lambda t: -t.desks)  # stable: ties keep the listed order
    for venue in sorted(instance.venues, key=lambda v: -v.people):
        remaining = venue.people - served[venue.id]
        for day in instance.days:
            for shift in instance.shifts:
                if remaining <= 0:
                    break
                if not calendar.venue_free(venue, day, shift):
                    continue
                team = next((t for t in teams if calendar.team_free(t, day, shift)), None)
                if team is None:
                    continue
                most = min(team.desks, venue.max_desks)
                expected = min(remaining, session_capacity(instance, shift.id, most))
                if expected <= 0:
                    continue
                desks = desks_needed(instance, shift.id, expected, most)
                session = PlannedSession(venue.id, team.id, day, shift.id, desks, expected)
                calendar.add(session)
                sessions.append(session)
                remaining -= expected
    reached = sum(s.expected for s in sessions)
    bound = max(reached, trivial_bound(instance, fixed))
    status = "optimal" if reached == bound else "feasible"
    return Plan(tuple(sessions), reached=reached, bound=bound, status=status)


def fill_slots(instance: Instance, *, fixed: Sequence[PlannedSession] = ()) -> Plan:
    """Another constructive plan, the solver's second start (not the bench's baseline): day by
    day and shift by shift, each free team, most desks first, goes to the open venue where it
    reaches the most people; of those, the one whose room is least too big for the team (keep the
    big rooms for the big teams), then the one with the most people left."""
    calendar = Calendar(instance, fixed)
    left = {v.id: v.people for v in instance.venues}
    for session in fixed:
        left[session.venue] -= session.expected
    sessions = list(fixed)
    teams = sorted(instance.teams, key=lambda t: -t.desks)
    for day in instance.days:
        for shift in instance.shifts:
            if day.weekday() not in shift.weekdays:
                continue
            open_venues = [v for v in instance.venues if calendar.venue_free(v, day, shift)]
            for team in teams:
                if not calendar.team_free(team, day, shift):
                    continue
                best = max(
                    open_venues,
                    key=lambda v: (
                        _reach(instance, shift.id, team, v, left[v.id]),
                        -max(0, v.max_desks - team.desks),
                        left[v.id],
                    ),
                    default=None,
                )
                if best is None or _reach(instance, shift.id, team, best, left[best.id]) <= 0:
                    break
                expected = _reach(instance, shift.id, team, best, left[best.id])
                most = min(team.desks, best.max_desks)
                desks = desks_needed(instance, shift.id, expected, most)
                session = PlannedSession(best.id, team.id, day, shift.id, desks, expected)
                calendar.add(session)
                sessions.append(session)
                left[best.id] -= expected
                open_venues.remove(best)
    reached = sum(s.expected for s in sessions)
    bound = max(reached, trivial_bound(instance, fixed))
    return Plan(tuple(sessions), reached, bound, "optimal" if reached == bound else "feasible")


def _reach(instance: Instance, shift_id: str, team: Team, venue: Venue, left: int) -> int:
    return min(left, session_capacity(instance, shift_id, min(team.desks, venue.max_desks)))
