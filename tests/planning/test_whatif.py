"""The what-if simulation of one session's queue: cases computable by hand, the real queue's
calling order, the variants, determinism and the evenings it refuses."""

from __future__ import annotations

import math

import pytest

from cccd.planning.whatif import (
    ANY_KIND,
    Evening,
    Holder,
    WhatIfError,
    check_evening,
    forecast,
    quantile,
    simulate,
)

FIVE = {ANY_KIND: (5.0,)}


def evening(**changes: object) -> Evening:
    values: dict[str, object] = {
        "desks": 1,
        "minutes": 60.0,
        "holders": (Holder(0), Holder(0), Holder(0)),
        "walk_ins_per_hour": 0.0,
        "service_minutes": FIVE,
    }
    values.update(changes)
    return Evening(**values)  # type: ignore[arg-type]


def busy_evening(**changes: object) -> Evening:
    times = (3.0, 4.0, 4.5, 5.0, 6.0, 7.5, 9.0)
    values: dict[str, object] = {
        "desks": 2,
        "minutes": 210.0,
        "holders": tuple(Holder(15.0 * (i // 10)) for i in range(60)),
        "walk_ins_per_hour": 8.0,
        "service_minutes": {ANY_KIND: times, "first_issue": (8.0, 9.0, 10.0)},
        "kinds": ("first_issue", "from_cmnd", "from_cmnd"),
        "show_up": 0.9,
        "lateness": (-5.0, 0.0, 2.0, 10.0),
    }
    values.update(changes)
    return Evening(**values)  # type: ignore[arg-type]


def test_one_desk_with_fixed_times_gives_the_waits_computed_by_hand() -> None:
    outcome = simulate(evening(), seed=1, replications=5)

    # called at 0, 5 and 10: waits 0, 5, 10; the last leaves the desk at 15
    assert outcome.median_wait == 5.0
    assert outcome.p90_wait == pytest.approx(9.0)  # between 5 and 10, at 0.8 of the way
    assert outcome.last_served == 15.0
    assert outcome.served == 3
    assert outcome.queue[0].minute == 0.0
    assert outcome.queue[0].mean == 2.0  # one at the desk, two in line
    assert outcome.queue[1].mean == 0.0  # at 10 the last is at the desk


def test_two_desks_halve_the_line_computed_by_hand() -> None:
    holders = tuple(Holder(0) for _ in range(4))
    outcome = simulate(evening(desks=2, holders=holders), seed=1, replications=2)

    assert outcome.median_wait == 2.5  # waits 0, 0, 5, 5
    assert outcome.last_served == 10.0


def test_a_slot_counts_the_wait_from_its_start_not_from_an_early_arrival() -> None:
    holders = (Holder(0), Holder(30))
    outcome = simulate(evening(holders=holders, lateness=(-20.0,)), seed=1, replications=1)

    # the second came at 10, was called at once: its wait counts from its slot (30), so zero
    assert outcome.median_wait == 0.0
    assert outcome.last_served == 15.0


def test_a_walk_in_waits_from_when_it_came() -> None:
    outcome = simulate(
        evening(holders=(), walk_ins_per_hour=30.0, service_minutes={ANY_KIND: (1.0,)}),
        seed=4,
        replications=20,
    )

    # about 30 come over the hour, one every two minutes, each served in one: a short wait, where
    # counting from the start would give half an hour
    assert 20 < outcome.served < 40
    assert outcome.median_wait is not None
    assert outcome.median_wait < 1.0


def test_priority_people_are_called_first_and_regulars_every_fourth_call() -> None:
    regular = tuple(Holder(0) for _ in range(4))
    priority = tuple(Holder(1, priority=35) for _ in range(5))
    holders = regular + priority
    outcome = simulate(
        evening(holders=holders, lateness=(0.0,), minutes=120.0), seed=1, replications=1
    )

    # 0: regular 1 (alone in line); then at 5, 10, 15: three priority (waits 4, 9, 14), at 20
    # a regular (the rule: never more than 3 in a row), at 25, 30: the last two priority
    # (24, 29), then the three regulars left... checked through the p90 and the last time
    assert outcome.last_served == 45.0
    run = _waits(holders)
    assert run == sorted([0, 4, 9, 14, 20, 24, 29, 35, 40])
    assert outcome.median_wait == 20.0


def _waits(holders: tuple[Holder, ...]) -> list[float]:
    """Each wait of one run, through replications of one person each (the order is forced)."""
    from cccd.planning import whatif

    run = whatif._replicate(
        evening(holders=holders, minutes=120.0),
        whatif.random.Random("1:0"),  # noqa: S311
    )
    return sorted(run.waits)


def test_more_desks_never_make_the_median_worse_on_the_same_seed() -> None:
    for seed in range(5):
        result = forecast(busy_evening(), seed=seed, replications=40)
        variants = dict(result.variants)
        assert variants["desk_more"].median_wait <= result.planned.median_wait
        assert result.planned.median_wait <= variants["desk_less"].median_wait
        assert variants["later"].median_wait >= result.planned.median_wait


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another() -> None:
    first = forecast(busy_evening(), seed=7, replications=30)

    assert forecast(busy_evening(), seed=7, replications=30) == first
    assert forecast(busy_evening(), seed=8, replications=30) != first


def test_an_empty_session_has_no_wait_and_an_empty_line() -> None:
    outcome = simulate(evening(holders=()), seed=1, replications=10)

    assert outcome.served == 0
    assert outcome.median_wait is None
    assert outcome.p90_wait is None
    assert outcome.last_served is None
    assert all(point.mean == 0 for point in outcome.queue)
    assert len(outcome.queue) == 7  # 0, 10 … 60


def test_nobody_comes_when_nobody_shows_up() -> None:
    outcome = simulate(evening(show_up=0.0), seed=1, replications=10)

    assert outcome.served == 0
    assert outcome.median_wait is None


def test_a_single_desk_has_no_desk_less_variant() -> None:
    names = [name for name, _o in forecast(evening(), seed=1, replications=2).variants]

    assert names == ["desk_more", "later"]


def test_the_later_start_adds_the_delay_to_everyone_in_line_at_the_start() -> None:
    later = dict(forecast(evening(), seed=1, replications=2).variants)["later"]

    assert later.median_wait == 35.0  # called at 30, 35, 40
    assert later.last_served == 45.0


def test_the_kind_of_application_chooses_the_service_times() -> None:
    times = {ANY_KIND: (1.0,), "first_issue": (10.0,)}
    holders = (Holder(0, kind="first_issue"), Holder(0, kind="first_issue"), Holder(0))
    outcome = simulate(evening(holders=holders, service_minutes=times), seed=1, replications=1)

    assert outcome.last_served == 21.0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"desks": 0}, "desks"),
        ({"desks": 2.5}, "desks"),
        ({"desks": True}, "desks"),
        ({"desks": 51}, "desks"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": math.inf}, "minutes"),
        ({"minutes": "60"}, "minutes"),
        ({"holders": (Holder(-1),)}, "holders[0].line_at"),
        ({"holders": (Holder(math.nan),)}, "holders[0].line_at"),
        ({"holders": (Holder(0, priority=-3),)}, "holders[0].priority"),
        ({"walk_ins_per_hour": -1}, "walk_ins_per_hour"),
        ({"service_minutes": {}}, "service_minutes"),
        ({"service_minutes": {ANY_KIND: ()}}, "service_minutes"),
        ({"service_minutes": {ANY_KIND: (0.0,)}}, "service_minutes[''][0]"),
        ({"service_minutes": {ANY_KIND: (5.0,), "x": (-1.0,)}}, "service_minutes['x'][0]"),
        ({"priority_share": 1.5}, "priority_share"),
        ({"show_up": -0.1}, "show_up"),
        ({"lateness": ()}, "lateness"),
        ({"lateness": (math.nan,)}, "lateness[0]"),
        ({"desks_open_at": -5}, "desks_open_at"),
    ],
)
def test_a_malformed_evening_is_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    with pytest.raises(WhatIfError) as caught:
        check_evening(evening(**changes))

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("seed", "replications"), [(1, 0), (1, 2001), (1, 1.5), ("1", 10), (None, 10)]
)
def test_malformed_seeds_and_replications_are_refused(seed: object, replications: object) -> None:
    with pytest.raises(WhatIfError):
        forecast(evening(), seed=seed, replications=replications)  # type: ignore[arg-type]


def test_the_quantile_interpolates_like_numpy() -> None:
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([0.0, 10.0], 0.9) == 9.0
    assert quantile([7.0], 0.9) == 7.0
    with pytest.raises(ValueError, match="no values"):
        quantile([], 0.5)


def test_walk_ins_come_when_the_profile_says() -> None:
    early = evening(
        desks=50,  # nobody waits: the last leaves half a minute after coming
        holders=(),
        minutes=200.0,
        walk_ins_per_hour=20.0,
        walk_in_profile=(0.0, 0.05),
        service_minutes={ANY_KIND: (0.5,)},
    )
    outcome = simulate(early, seed=2, replications=20)

    assert outcome.last_served is not None
    assert outcome.last_served <= 0.05 * 200 + 5 + 0.5  # everyone came by minute 15
    assert 40 < outcome.served < 95  # about 67 in 200 minutes at 20 an hour


@pytest.mark.parametrize("profile", [(1.5,), (-0.1,), (math.nan,), ("0.5",)])
def test_a_malformed_walk_in_profile_is_refused(profile: tuple[object, ...]) -> None:
    with pytest.raises(WhatIfError) as caught:
        check_evening(evening(walk_in_profile=profile))

    assert caught.value.field == "walk_in_profile[0]"
