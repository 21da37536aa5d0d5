"""What-if for one session: a simulation (SimPy) of the evening's queue.

Desks open at the start; the people holding numbers handed out in advance come around their slot
(some never come), walk-ins come at an expected rate; the desks call them in the order the real
queue does (`cccd.tickets.services._next_for`: groups served first by their priority, then by their
place in line, but never more than `PRIORITY_RUN` of them in a row while a regular number waits),
and each intake takes a time drawn from those observed for its kind of application. Many
replications give the median and the 90th-percentile wait, the queue over time and when the last
person is served, for the session as planned and for a desk more, a desk less and a later start.

A wait is counted as the real queue's data counts it, so the forecast can be checked against it:
from the number's place in line (its slot's start, or the start for a number without a slot; the
arrival for a walk-in) to its call, and never below zero.

Pure Python (no Django): `cccd.planner.whatif` builds an `Evening` from the database. The same
evening and seed give the same forecast; the variants use the same draws (the same people, arriving
at the same times, each needing the same time at the desk), so they differ only by what changed.
"""

from __future__ import annotations

import bisect
import heapq
import math
import random
import statistics
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import simpy

PRIORITY_RUN = (
    3  # the real queue's K (`cccd.tickets.services.PRIORITY_RUN`; a test keeps them equal)
)
ANY_KIND = ""  # the key of the service times of every kind together (the fallback pool)
WALK_IN_PRIORITY = 35  # a walk-in of a group served first ranks as the elderly do
QUEUE_STEP = 10.0  # minutes between two points of the queue over time
PROFILE_JITTER = 5.0  # minutes either side of a resampled walk-in's time
LATER_START = 30.0  # minutes the desks open later in the "later start" variant
MAX_DESKS = 50
MAX_MINUTES = 24 * 60.0
MAX_PEOPLE = 5000
MAX_REPLICATIONS = 2000


class WhatIfError(ValueError):
    """An evening the simulation cannot run, naming the field that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Holder:
    """A number handed out in advance: in line from its slot's start (minutes after the session's
    start; 0 for a number without a slot), of a known kind of application or "" (drawn from the
    mix), and the group's priority when it is served first (None otherwise)."""

    line_at: float
    kind: str = ANY_KIND
    priority: int | None = None


@dataclass(frozen=True)
class Evening:
    """Everything the simulation knows about a session before it starts."""

    desks: int
    minutes: float  # how long the session lasts; walk-ins come until its end
    holders: tuple[Holder, ...]
    walk_ins_per_hour: float
    service_minutes: Mapping[str, tuple[float, ...]]  # observed times by kind; ANY_KIND required
    kinds: tuple[str, ...] = ()  # the observed mix of kinds, for people of unknown kind
    priority_share: float = 0.0  # the share of walk-ins of a group served first
    show_up: float = 1.0  # the share of holders who come
    lateness: tuple[float, ...] = (0.0,)  # observed minutes holders come after their slot
    desks_open_at: float = 0.0  # minutes after the start the desks open
    walk_in_profile: tuple[float, ...] = ()  # when walk-ins came, as fractions of earlier sessions


@dataclass(frozen=True)
class QueuePoint:
    """People in line (come, not yet called) at `minute` after the start: the mean over the
    replications and their 90th percentile."""

    minute: float
    mean: float
    p90: float


@dataclass(frozen=True)
class Outcome:
    """One evening's figures over the replications (minutes; None when nobody was served)."""

    replications: int
    served: float  # people served, the median over replications
    median_wait: float | None  # the median over replications of each one's median wait
    p90_wait: float | None  # the same for the 90th-percentile wait
    median_wait_band: tuple[float, float] | None  # the 10th and 90th percentile of those medians
    last_served: float | None  # when the last person leaves the desk, minutes after the start
    queue: tuple[QueuePoint, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Forecast:
    """The session as planned and its variants, keyed `desk_more`, `desk_less`, `later`."""

    seed: int
    planned: Outcome
    variants: tuple[tuple[str, Outcome], ...]


def quantile(values: Sequence[float], q: float) -> float:
    """The q-quantile with linear interpolation between order statistics (numpy's default), so
    the observed and the simulated figures are read the same way."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def check_evening(evening: Evening) -> None:
    """Raise `WhatIfError` naming the first field the simulation cannot use."""
    _check_number("desks", evening.desks, 1, MAX_DESKS, integer=True)
    _check_number("minutes", evening.minutes, 1, MAX_MINUTES)
    if len(evening.holders) > MAX_PEOPLE:
        raise WhatIfError("holders", f"at most {MAX_PEOPLE} numbers")
    for index, holder in enumerate(evening.holders):
        _check_number(f"holders[{index}].line_at", holder.line_at, 0, MAX_MINUTES)
        if holder.priority is not None:
            _check_number(f"holders[{index}].priority", holder.priority, 0, 1000, integer=True)
    _check_number("walk_ins_per_hour", evening.walk_ins_per_hour, 0, MAX_PEOPLE * 60 / MAX_MINUTES)
    if not evening.service_minutes.get(ANY_KIND):
        raise WhatIfError("service_minutes", "the times of every kind together are missing")
    for kind, times in evening.service_minutes.items():
        for index, minutes in enumerate(times):
            _check_number(f"service_minutes[{kind!r}][{index}]", minutes, 0.01, 600)
    _check_number("priority_share", evening.priority_share, 0, 1)
    _check_number("show_up", evening.show_up, 0, 1)
    if not evening.lateness:
        raise WhatIfError("lateness", "at least one value")
    for index, late in enumerate(evening.lateness):
        _check_number(f"lateness[{index}]", late, -MAX_MINUTES, MAX_MINUTES)
    _check_number("desks_open_at", evening.desks_open_at, 0, MAX_MINUTES)
    if len(evening.walk_in_profile) > MAX_PEOPLE * 10:
        raise WhatIfError("walk_in_profile", f"at most {MAX_PEOPLE * 10} values")
    for index, moment in enumerate(evening.walk_in_profile):
        _check_number(f"walk_in_profile[{index}]", moment, 0, 1)


def _check_number(
    name: str, value: object, low: float, high: float, *, integer: bool = False
) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WhatIfError(name, "not a number")
    if integer and not isinstance(value, int):
        raise WhatIfError(name, "not a whole number")
    if not math.isfinite(value) or not low <= value <= high:
        raise WhatIfError(name, f"must be between {low:g} and {high:g}")


def forecast(evening: Evening, *, seed: int, replications: int = 200) -> Forecast:
    """The session as planned and with a desk more, a desk less (when it has two or more) and its
    desks opening `LATER_START` minutes later, each over the same `replications` draws."""
    check_evening(evening)
    _check_number("replications", replications, 1, MAX_REPLICATIONS, integer=True)
    _check_number("seed", seed, -(2**63), 2**63, integer=True)
    variants = [("desk_more", replace(evening, desks=min(MAX_DESKS, evening.desks + 1)))]
    if evening.desks > 1:
        variants.append(("desk_less", replace(evening, desks=evening.desks - 1)))
    variants.append(("later", replace(evening, desks_open_at=evening.desks_open_at + LATER_START)))
    return Forecast(
        seed=seed,
        planned=simulate(evening, seed=seed, replications=replications),
        variants=tuple(
            (name, simulate(variant, seed=seed, replications=replications))
            for name, variant in variants
        ),
    )


def simulate(evening: Evening, *, seed: int, replications: int = 200) -> Outcome:
    """The evening's figures over `replications` runs; replication i draws from its own stream
    (seed, i), whatever the desks, so variants compare like with like."""
    check_evening(evening)
    _check_number("replications", replications, 1, MAX_REPLICATIONS, integer=True)
    runs = [_replicate(evening, random.Random(f"{seed}:{i}")) for i in range(replications)]  # noqa: S311 (a simulation)
    return _summarise(evening, runs)


@dataclass(frozen=True)
class _Person:
    number: int
    line_at: float  # the place in line, minutes after the start
    arrives: float
    priority: int | None
    service: float


@dataclass
class _Run:
    waits: list[float] = field(default_factory=list)
    came: list[float] = field(default_factory=list)  # sorted once the run is over
    called: list[float] = field(default_factory=list)
    last_served: float | None = None


def _draw_people(evening: Evening, rng: random.Random) -> list[_Person]:
    """Who comes, when, and how long each needs; every draw is made whether the person comes or
    not, so one evening's streams stay aligned across the variants."""
    people: list[_Person] = []
    for number, holder in enumerate(evening.holders, start=1):
        comes = rng.random() < evening.show_up
        late = rng.choice(evening.lateness)
        service = _service(evening, holder.kind, rng)
        if comes:
            arrives = max(-60.0, holder.line_at + late)
            people.append(_Person(number, holder.line_at, arrives, holder.priority, service))
    number = len(evening.holders)
    for moment in _walk_in_times(evening, rng):
        number += 1
        priority = WALK_IN_PRIORITY if rng.random() < evening.priority_share else None
        service = _service(evening, ANY_KIND, rng)
        people.append(_Person(number, moment, moment, priority, service))
    return people


def _walk_in_times(evening: Evening, rng: random.Random) -> list[float]:
    """A Poisson number of walk-ins at the expected rate; they come evenly over the session, or,
    given a profile, when walk-ins came at earlier sessions (resampled, a few minutes' jitter)."""
    rate, moment, times = evening.walk_ins_per_hour / 60, 0.0, []
    while rate > 0:
        moment += rng.expovariate(rate)
        if moment >= evening.minutes:
            break
        times.append(moment)
    if evening.walk_in_profile:
        last = math.nextafter(evening.minutes, 0.0)
        times = [
            min(last, max(0.0, evening.minutes * rng.choice(evening.walk_in_profile) + jitter))
            for jitter in (rng.uniform(-PROFILE_JITTER, PROFILE_JITTER) for _ in times)
        ]
    return sorted(times)


def _service(evening: Evening, kind: str, rng: random.Random) -> float:
    drawn_kind = kind or (rng.choice(evening.kinds) if evening.kinds else ANY_KIND)
    pool = evening.service_minutes.get(drawn_kind) or evening.service_minutes[ANY_KIND]
    return rng.choice(pool)


class _Line:
    """The people who have come and wait, called by the real queue's rule."""

    def __init__(self, env: simpy.Environment, expected: int) -> None:
        self.env = env
        self.priority: list[tuple[int, float, int, _Person]] = []
        self.regular: list[tuple[float, int, _Person]] = []
        self.run = 0  # priority calls in a row (`SessionQueue.priority_run`)
        self.still_to_come = expected
        self.came: simpy.Event = env.event()

    def join(self, person: _Person) -> None:
        if person.priority is not None:
            entry = (person.priority, person.line_at, person.number, person)
            heapq.heappush(self.priority, entry)
        else:
            heapq.heappush(self.regular, (person.line_at, person.number, person))
        self.still_to_come -= 1
        came, self.came = self.came, self.env.event()
        came.succeed()

    def call(self) -> _Person | None:
        if self.priority and (not self.regular or self.run < PRIORITY_RUN):
            self.run += 1
            return heapq.heappop(self.priority)[-1]
        if self.regular:
            self.run = 0
            return heapq.heappop(self.regular)[-1]
        return None


def _replicate(evening: Evening, rng: random.Random) -> _Run:
    people = _draw_people(evening, rng)
    env = simpy.Environment(initial_time=min([0.0, *(p.arrives for p in people)]))
    line, run = _Line(env, len(people)), _Run()

    def come(person: _Person) -> Generator[simpy.Event, Any, None]:
        yield env.timeout(person.arrives - env.now)
        line.join(person)

    def desk() -> Generator[simpy.Event, Any, None]:
        yield env.timeout(max(0.0, evening.desks_open_at - env.now))
        while True:
            person = line.call()
            if person is None:
                if line.still_to_come == 0:
                    return
                yield line.came
                continue
            run.waits.append(max(0.0, env.now - person.line_at))
            run.came.append(person.arrives)
            run.called.append(env.now)
            yield env.timeout(person.service)
            run.last_served = env.now

    for person in people:
        env.process(come(person))
    for _ in range(evening.desks):
        env.process(desk())
    env.run()
    run.came.sort()
    return run


def _summarise(evening: Evening, runs: list[_Run]) -> Outcome:
    served = [r for r in runs if r.waits]
    medians = [statistics.median(r.waits) for r in served]
    ends = [r.last_served for r in served if r.last_served is not None]
    return Outcome(
        replications=len(runs),
        served=statistics.median([len(r.waits) for r in runs]),
        median_wait=statistics.median(medians) if medians else None,
        p90_wait=statistics.median([quantile(r.waits, 0.9) for r in served]) if served else None,
        median_wait_band=(quantile(medians, 0.1), quantile(medians, 0.9)) if medians else None,
        last_served=statistics.median(ends) if ends else None,
        queue=_queue_over_time(evening, runs, max(ends, default=0.0)),
    )


def _queue_over_time(evening: Evening, runs: list[_Run], last: float) -> tuple[QueuePoint, ...]:
    horizon = math.ceil(max(evening.minutes, last) / QUEUE_STEP) * QUEUE_STEP
    points = []
    for step in range(int(horizon / QUEUE_STEP) + 1):
        minute = step * QUEUE_STEP
        counts = [_in_line(run, minute) for run in runs]
        points.append(QueuePoint(minute, statistics.fmean(counts), quantile(counts, 0.9)))
    return tuple(points)


def _in_line(run: _Run, minute: float) -> float:
    """Come by `minute` and not yet called (everyone who comes is called, never before coming)."""
    came = bisect.bisect_right(run.came, minute)
    return float(came - bisect.bisect_right(run.called, minute))
