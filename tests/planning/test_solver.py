"""The solver and the greedy plan: every plan keeps every rule, the bound holds, the optimum of
small hand-made instances is found and proven, fixed sessions are kept."""

from __future__ import annotations

import datetime

import pytest

from cccd.planning.generate import generate_instance
from cccd.planning.greedy import fill_slots, greedy
from cccd.planning.instance import Instance, InstanceError, parse_instance
from cccd.planning.plan import PlannedSession, check_plan
from cccd.planning.search import improve
from cccd.planning.solver import Progress, solve
from tests.planning.builders import instance_file

MON, SAT = datetime.date(2026, 3, 2), datetime.date(2026, 3, 7)


@pytest.mark.parametrize(
    ("venues", "teams", "days", "seed"),
    [(5, 2, 7, 1), (8, 3, 10, 2), (12, 3, 14, 3), (20, 4, 21, 4), (15, 5, 9, 5)],
)
def test_every_plan_keeps_every_rule_on_generated_instances(
    venues: int, teams: int, days: int, seed: int
) -> None:
    instance = generate_instance(venues, teams, days, seed=seed)
    plans = {
        "greedy": greedy(instance),
        "slots": fill_slots(instance),
        "searched": improve(instance, fill_slots(instance)),
        "solver": solve(instance, time_limit=3),
    }
    for name, plan in plans.items():
        assert check_plan(instance, plan) == [], name
        assert plan.bound >= plan.reached, name
        assert plan.reached == sum(s.expected for s in plan.sessions), name
    assert plans["solver"].reached >= plans["greedy"].reached
    assert plans["searched"].reached >= plans["slots"].reached
    assert plans["solver"].bound <= sum(v.people for v in instance.venues)


def test_a_generated_instance_is_the_same_for_the_same_seed() -> None:
    assert generate_instance(10, 3, 14, seed=9) == generate_instance(10, 3, 14, seed=9)
    assert generate_instance(10, 3, 14, seed=9) != generate_instance(10, 3, 14, seed=8)


def _solve(data: dict[str, object]) -> tuple[Instance, object]:
    instance = parse_instance(data)
    return instance, solve(instance, time_limit=10)


def test_one_team_one_venue_works_both_days() -> None:
    # The school holds 2 desks: Monday evening 2 × 3 h × 5 = 30, Saturday morning 2 × 4 × 5 = 40;
    # the one night allowed is Monday's (Tuesday would be the same), so the optimum is 70.
    data = instance_file()
    instance = parse_instance(data)
    plan = solve(instance, time_limit=10)
    assert check_plan(instance, plan) == []
    assert (plan.reached, plan.bound, plan.status) == (70, 70, "optimal")
    assert sorted((s.shift, s.desks, s.expected) for s in plan.sessions) == [
        ("evening", 2, 30),
        ("morning", 2, 40),
    ]


def test_the_nights_of_a_week_are_limited() -> None:
    # Only evenings, one night a week: Monday or Tuesday, 30 people, never both.
    data = instance_file(days=["2026-03-02", "2026-03-03"])
    instance = parse_instance(data)
    plan = solve(instance, time_limit=10)
    assert (plan.reached, plan.bound, plan.status) == (30, 30, "optimal")
    assert len(plan.sessions) == 1


def test_the_big_team_goes_to_the_big_room() -> None:
    # One shift of 1 h at 10 intakes a desk-hour. The market (1,000 people) holds 1 desk, the
    # school (500) holds 4; team A brings 4 desks, team B 1. The greedy plan sends A, its biggest
    # team, to the biggest venue, where one desk fits: 10 + 10 = 20. The optimum: A at the school
    # (40), B at the market (10) = 50.
    data = instance_file(
        days=["2026-03-07"],
        shifts=[{"id": "morning", "hours": 1, "weekdays": ["sat"], "night": False}],
        rate=10,
        teams=[
            {"id": "A", "desks": 4, "unavailable": [], "max_nights_per_week": 0},
            {"id": "B", "desks": 1, "unavailable": [], "max_nights_per_week": 0},
        ],
        venues=[
            {"id": "market", "people": 1000, "max_desks": 1, "closed": [], "shifts": ["morning"]},
            {"id": "school", "people": 500, "max_desks": 4, "closed": [], "shifts": ["morning"]},
        ],
    )
    instance = parse_instance(data)
    assert greedy(instance).reached == 20
    plan = solve(instance, time_limit=10)
    assert (plan.reached, plan.bound, plan.status) == (50, 50, "optimal")
    assert {(s.team, s.venue, s.desks) for s in plan.sessions} == {
        ("A", "school", 4),
        ("B", "market", 1),
    }


def test_a_small_venue_gets_one_session_with_the_desks_it_needs() -> None:
    # 25 people; a 2-desk session serves 30 on Monday evening (3 h × 5): the fewest desk-hours
    # that reach all 25 is that one session with 2 desks (6 desk-hours), nothing on Saturday.
    data = instance_file()
    data["venues"][0]["people"] = 25
    instance = parse_instance(data)
    plan = solve(instance, time_limit=10)
    assert (plan.reached, plan.bound, plan.status) == (25, 25, "optimal")
    assert [(s.day, s.desks, s.expected) for s in plan.sessions] == [(MON, 2, 25)]


def test_no_open_day_means_an_empty_optimal_plan() -> None:
    # The team is away on Monday and Tuesday; the school is closed on Saturday.
    data = instance_file()
    data["teams"][0]["unavailable"] = ["2026-03-02", "2026-03-03"]
    data["venues"][0]["closed"] = ["2026-03-07"]
    instance = parse_instance(data)
    plan = solve(instance, time_limit=10)
    assert (plan.sessions, plan.reached, plan.bound, plan.status) == ((), 0, 0, "optimal")


@pytest.mark.parametrize("empty", ["teams", "venues"])
def test_no_teams_or_no_venues_is_an_empty_optimal_plan(empty: str) -> None:
    instance = parse_instance(instance_file(**{empty: []}))
    plan = solve(instance, time_limit=10)
    assert (plan.sessions, plan.reached, plan.bound, plan.status) == ((), 0, 0, "optimal")


def test_fixed_sessions_are_kept_and_count_against_the_people() -> None:
    # Saturday's session is fixed at 35 of the 100 people; Monday then adds its 30.
    instance = parse_instance(instance_file())
    kept = PlannedSession("school", "A", SAT, "morning", 2, 35)
    plan = solve(instance, time_limit=10, fixed=[kept])
    assert kept in plan.sessions
    assert check_plan(instance, plan) == []
    assert (plan.reached, plan.bound, plan.status) == (65, 65, "optimal")


def test_fixed_sessions_limit_the_people_left() -> None:
    # 50 people, 40 of them expected at Saturday's fixed session: Monday adds the 10 left.
    data = instance_file()
    data["venues"][0]["people"] = 50
    instance = parse_instance(data)
    kept = PlannedSession("school", "A", SAT, "morning", 2, 40)
    plan = solve(instance, time_limit=10, fixed=[kept])
    assert (plan.reached, plan.status) == (50, "optimal")
    assert [s.expected for s in plan.sessions if s != kept] == [10]


def test_fixed_sessions_on_generated_instances_keep_every_rule() -> None:
    instance = generate_instance(10, 3, 14, seed=7)
    first = solve(instance, time_limit=3)
    kept = list(first.sessions[: len(first.sessions) // 2])
    plan = solve(instance, time_limit=3, fixed=kept)
    assert set(kept) <= set(plan.sessions)
    assert check_plan(instance, plan) == []
    assert plan.bound >= plan.reached >= sum(s.expected for s in kept)


def test_a_fixed_session_that_breaks_a_rule_is_refused() -> None:
    instance = parse_instance(instance_file())
    bad = PlannedSession("school", "A", SAT, "morning", 3, 40)  # the school holds 2 desks
    with pytest.raises(InstanceError, match=r"^fixed: .*the venue holds 2"):
        solve(instance, time_limit=10, fixed=[bad])


def test_progress_is_reported_from_start_to_end() -> None:
    instance = generate_instance(15, 4, 14, seed=11)
    seen: list[Progress] = []
    plan = solve(instance, time_limit=3, progress=seen.append)
    assert seen[0] == Progress(0.0, None, None)
    assert seen[-1].reached == plan.reached and seen[-1].bound == plan.bound
    assert all(p.bound is None or p.reached is None or p.bound >= p.reached for p in seen)


def test_the_time_limit_is_honoured() -> None:
    # A district with one second: the solver stops early with a valid plan (the margin is
    # generous on a busy machine; without the limit it would take up to the default minute).
    instance = generate_instance(40, 6, 30, seed=3)
    seen: list[Progress] = []
    plan = solve(instance, time_limit=1, progress=seen.append)
    assert check_plan(instance, plan) == []
    assert seen[-1].seconds < 20


def test_solving_twice_gives_the_same_plan() -> None:
    instance = generate_instance(10, 3, 10, seed=12)
    assert solve(instance, time_limit=5) == solve(instance, time_limit=5)
