"""A local search on a plan's venues, so that HiGHS starts from a good plan: within each day and
shift, move a session to another venue, or swap the venues of two sessions, whenever that reaches
more people. The teams' calendar (who works when) is not changed, so the rules about teams still
hold; the venue rules are checked for each move.

A venue reaches min(its people, the sum of its sessions' capacities), a session's capacity being
⌊min(team desks, room desks) × hours × rate⌋; `share_people` then writes each session's `expected`
and cuts its desks to what its people need.
"""

from __future__ import annotations

import datetime
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from cccd.planning.greedy import desks_needed, venue_allows
from cccd.planning.instance import Instance, Venue
from cccd.planning.plan import Plan, PlannedSession, session_capacity


@dataclass
class _Session:
    venue: str
    team: str
    day: datetime.date
    shift: str


class _State:
    """The sessions, each venue's capacity so far, and which venue hosts which day's shift."""

    def __init__(self, instance: Instance, sessions: list[_Session], left: dict[str, int]) -> None:
        self.instance = instance
        self.venues = {v.id: v for v in instance.venues}
        self.desks = {t.id: t.desks for t in instance.teams}
        self.left = left
        self.sessions = sessions
        self.capacity: defaultdict[str, int] = defaultdict(int)
        self.hosting: set[tuple[str, datetime.date, str]] = set()
        for s in sessions:
            self.capacity[s.venue] += self.cap(s, s.venue)
            self.hosting.add((s.venue, s.day, s.shift))

    def cap(self, s: _Session, venue: str) -> int:
        desks = min(self.desks[s.team], self.venues[venue].max_desks)
        return session_capacity(self.instance, s.shift, desks)

    def reach(self, venue: str, capacity: int) -> int:
        return min(self.left[venue], capacity)

    def change(self, venue: str, delta: int) -> int:
        """How many more people `venue` reaches if its capacity changes by `delta`."""
        now = self.capacity[venue]
        return self.reach(venue, now + delta) - self.reach(venue, now)

    def move(self, s: _Session, venue: str) -> None:
        self.capacity[s.venue] -= self.cap(s, s.venue)
        self.hosting.discard((s.venue, s.day, s.shift))
        s.venue = venue
        self.capacity[venue] += self.cap(s, venue)
        self.hosting.add((venue, s.day, s.shift))


def improve(
    instance: Instance,
    plan: Plan,
    *,
    fixed: Sequence[PlannedSession] = (),
    deadline: float | None = None,
) -> Plan:
    """`plan` with its sessions moved between venues while that reaches more people; `fixed`
    sessions stay as they are. Stops at `deadline` (a `time.monotonic()` value) if given."""
    kept = set(fixed)
    left = {v.id: v.people for v in instance.venues}
    for s in fixed:
        left[s.venue] -= s.expected
    free = [_Session(s.venue, s.team, s.day, s.shift) for s in plan.sessions if s not in kept]
    state = _State(instance, free, left)
    blocked = {(s.venue, s.day, s.shift) for s in fixed}
    improved = True
    while improved and (deadline is None or time.monotonic() < deadline):
        improved = _relocate(state, blocked) | _swap(state)
    sessions = list(fixed) + share_people(
        instance, [(s.venue, s.team, s.day, s.shift, state.desks[s.team]) for s in free], fixed
    )
    reached = sum(s.expected for s in sessions)
    return Plan(tuple(sessions), reached, max(plan.bound, reached), "feasible")


def _relocate(state: _State, blocked: set[tuple[str, datetime.date, str]]) -> bool:
    improved = False
    venues: list[Venue] = list(state.venues.values())
    for s in state.sessions:
        shift = state.instance.shift(s.shift)
        here = state.cap(s, s.venue)
        loss = state.change(s.venue, -here)
        best, best_gain = None, 0
        for v in venues:
            if v.id == s.venue or (v.id, s.day, s.shift) in state.hosting:
                continue
            if (v.id, s.day, s.shift) in blocked or not venue_allows(v, s.day, shift):
                continue
            gain = loss + state.change(v.id, state.cap(s, v.id))
            if gain > best_gain:
                best, best_gain = v.id, gain
        if best is not None:
            state.move(s, best)
            improved = True
    return improved


def _swap(state: _State) -> bool:
    improved = False
    by_slot: defaultdict[tuple[datetime.date, str], list[_Session]] = defaultdict(list)
    for s in state.sessions:
        by_slot[(s.day, s.shift)].append(s)
    for group in by_slot.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a.venue == b.venue:
                    continue
                delta_a = state.cap(b, a.venue) - state.cap(a, a.venue)
                delta_b = state.cap(a, b.venue) - state.cap(b, b.venue)
                if state.change(a.venue, delta_a) + state.change(b.venue, delta_b) > 0:
                    va, vb = a.venue, b.venue
                    state.hosting.discard((va, a.day, a.shift))
                    state.move(b, va)
                    state.move(a, vb)
                    state.hosting.add((va, a.day, a.shift))
                    state.hosting.add((vb, a.day, a.shift))
                    improved = True
    return improved


def share_people(
    instance: Instance,
    sessions: list[tuple[str, str, datetime.date, str, int]],
    fixed: Sequence[PlannedSession],
) -> list[PlannedSession]:
    """(venue, team, day, shift, most desks) → planned sessions: each venue's people over its
    sessions, the biggest first; each session keeps only the desks its people need (the fewest
    desk-hours for these sessions), and a session that expects nobody is dropped."""
    left = {v.id: v.people for v in instance.venues}
    for s in fixed:
        left[s.venue] -= s.expected
    rooms = {v.id: v.max_desks for v in instance.venues}
    ordered = sorted(
        sessions,
        key=lambda s: (s[0], -session_capacity(instance, s[3], min(s[4], rooms[s[0]])), s[2], s[3]),
    )
    planned = []
    for venue, team, day, shift_id, desks in ordered:
        most = min(desks, rooms[venue])
        expected = min(left[venue], session_capacity(instance, shift_id, most))
        if expected <= 0:
            continue
        left[venue] -= expected
        needed = desks_needed(instance, shift_id, expected, most)
        planned.append(PlannedSession(venue, team, day, shift_id, needed, expected))
    return sorted(planned, key=lambda s: (s.day, s.shift, s.venue))
