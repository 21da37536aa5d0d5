"""Generated planner instances: seeded, the same for the same seed, for the tests and the bench.

A district (40 venues, 6 teams, 30 days) and a province (300 venues, 25 teams, 60 days) of issue
17, or any size. Every figure below is our own assumption, chosen to look like a district's
campaign, not a measurement (docs/planner.md#generated-instances):

- shifts: a weekday evening (Mon–Fri, 3 h, a night shift) and a weekend morning and afternoon
  (Sat–Sun, 4 h each);
- rate: 6–8 intakes per desk-hour (in steps of 0.5), one rate for the instance;
- teams: 2–5 desks, 2–4 night shifts a week, 0–4 unavailable days (leave, training, duty);
- venues: a third schools (evenings and weekends; 2–3 exam days in a row closed), a third culture
  houses (all shifts), a third commune offices (weekends only; a market day every 5 days closed);
  people still to reach lognormal (median 250, the largest a few thousand), 2–6 desks the room
  holds; one or two public holidays in the horizon, closed everywhere.

With these figures demand and supply are of the same order: the teams cannot reach everyone, so
the plan must choose, and the venues' people limit the big teams' sessions.
"""

from __future__ import annotations

import datetime
import random

from cccd.planning.instance import Instance, Shift, Team, Venue

START = datetime.date(2026, 3, 2)  # a Monday
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})
SHIFTS = (
    Shift(id="evening", hours=3.0, weekdays=WEEKDAYS, night=True),
    Shift(id="morning", hours=4.0, weekdays=WEEKEND, night=False),
    Shift(id="afternoon", hours=4.0, weekdays=WEEKEND, night=False),
)
SIZES = {"district": (40, 6, 30), "province": (300, 25, 60)}


def generate_instance(
    venues: int, teams: int, days: int, *, seed: int, start: datetime.date = START
) -> Instance:
    """An instance of this size, the same for the same arguments."""
    rng = random.Random(seed)  # noqa: S311 (test data, not secrets)
    horizon = tuple(start + datetime.timedelta(days=i) for i in range(days))
    holidays = frozenset(rng.sample(horizon, k=min(len(horizon), rng.choice((1, 2)))))
    return Instance(
        days=horizon,
        shifts=SHIFTS,
        rate=rng.choice((6.0, 6.5, 7.0, 7.5, 8.0)),
        teams=tuple(_team(rng, i, horizon) for i in range(teams)),
        venues=tuple(_venue(rng, i, horizon, holidays) for i in range(venues)),
    )


def generate_sized(kind: str, *, seed: int) -> Instance:
    """The district or the province of issue 17's bench."""
    venues, teams, days = SIZES[kind]
    return generate_instance(venues, teams, days, seed=seed)


def _team(rng: random.Random, i: int, horizon: tuple[datetime.date, ...]) -> Team:
    return Team(
        id=f"T{i + 1:02d}",
        desks=rng.randint(2, 5),
        unavailable=frozenset(rng.sample(horizon, k=min(len(horizon), rng.randint(0, 4)))),
        max_nights_per_week=rng.randint(2, 4),
    )


def _venue(
    rng: random.Random,
    i: int,
    horizon: tuple[datetime.date, ...],
    holidays: frozenset[datetime.date],
) -> Venue:
    kind = rng.choice(("school", "culture", "commune"))
    closed = set(holidays)
    if kind == "school":
        shifts: tuple[str, ...] = ("evening", "morning", "afternoon")
        first = rng.randrange(len(horizon))
        closed.update(horizon[first : first + rng.randint(2, 3)])  # exams
    elif kind == "culture":
        shifts = ("evening", "morning", "afternoon")
    else:
        shifts = ("morning", "afternoon")
        market = rng.randrange(5)
        closed.update(d for n, d in enumerate(horizon) if n % 5 == market)
    return Venue(
        id=f"{kind}-{i + 1:03d}",
        people=max(10, min(5_000, round(rng.lognormvariate(5.5, 0.7)))),
        max_desks=rng.randint(2, 6),
        closed=frozenset(closed),
        shifts=shifts,
    )
