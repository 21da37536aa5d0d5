"""`check_plan` catches every rule of issue 17 broken, one bad plan per rule, and passes a good one."""

from __future__ import annotations

import datetime
import json

import pytest

from cccd.planning.instance import Instance, InstanceError, parse_instance
from cccd.planning.plan import Plan, PlannedSession, check_plan, parse_plan, plan_to_json
from tests.planning.builders import instance_file

MON, TUE, WED, SAT = (datetime.date(2026, 3, d) for d in (2, 3, 4, 7))


def _instance() -> Instance:
    """Team A (3 desks, 1 night a week), team B (2 desks, away on Tuesday); the school (100
    people, 2 desks, evenings and Saturday mornings) and the hall (20 people, 3 desks, evenings
    only, closed on Wednesday); evenings Mon–Wed 3 h, Saturday morning 4 h; 5 intakes a desk-hour."""
    data = instance_file()
    data["days"] = ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-07"]
    data["shifts"][0]["weekdays"] = ["mon", "tue", "wed"]
    data["teams"].append(
        {"id": "B", "desks": 2, "unavailable": ["2026-03-03"], "max_nights_per_week": 2}
    )
    data["venues"].append(
        {
            "id": "hall",
            "people": 20,
            "max_desks": 3,
            "closed": ["2026-03-04"],
            "shifts": ["evening"],
        }
    )
    return parse_instance(data)


GOOD = (
    PlannedSession("school", "A", MON, "evening", 2, 30),
    PlannedSession("hall", "B", MON, "evening", 2, 20),
    PlannedSession("school", "A", SAT, "morning", 2, 40),
)


def _plan(*sessions: PlannedSession, bound: int | None = None, status: str = "feasible") -> Plan:
    reached = sum(s.expected for s in sessions)
    return Plan(tuple(sessions), reached, reached if bound is None else bound, status)


def test_a_plan_that_keeps_every_rule_passes() -> None:
    assert check_plan(_instance(), _plan(*GOOD, bound=90)) == []


def test_the_plan_file_round_trips() -> None:
    plan = _plan(*GOOD, bound=95)
    assert parse_plan(json.loads(json.dumps(plan_to_json(plan)))) == plan


def test_a_bad_plan_file_names_its_field() -> None:
    data = plan_to_json(_plan(*GOOD))
    data["sessions"][1]["desks"] = "two"
    with pytest.raises(InstanceError, match=r"^sessions\[1\]\.desks: must be a whole number"):
        parse_plan(data)


@pytest.mark.parametrize(
    ("sessions", "words"),
    [
        pytest.param(
            [*GOOD, PlannedSession("hall", "A", SAT, "evening", 1, 0)],
            "does not run on a Saturday",
            id="shift-weekday",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 2, 30),
             PlannedSession("hall", "A", MON, "evening", 1, 10)],
            "team A works 2 sessions on 2026-03-02",
            id="team-once-a-day",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 2, 30),
             PlannedSession("school", "B", MON, "evening", 2, 30)],
            "venue school hosts 2 sessions on 2026-03-02, shift evening",
            id="venue-once-a-shift",
        ),
        pytest.param(
            [PlannedSession("hall", "A", SAT, "morning", 1, 10)],
            "the venue does not allow shift morning",
            id="shift-allowed-at-venue",
        ),
        pytest.param(
            [PlannedSession("school", "B", TUE, "evening", 2, 30)],
            "team B is unavailable that day",
            id="team-available",
        ),
        pytest.param(
            [PlannedSession("hall", "B", WED, "evening", 2, 20)],
            "the venue is closed that day",
            id="venue-open",
        ),
        pytest.param(
            [PlannedSession("hall", "B", MON, "evening", 3, 20)],
            "3 desks, but team B brings 2",
            id="desks-of-team",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 3, 30)],
            "3 desks, but the venue holds 2",
            id="desks-of-venue",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 2, 31)],
            "expects 31, more than desks × hours × rate = 30",
            id="expected-capacity",
        ),
        pytest.param(
            [PlannedSession("hall", "B", MON, "evening", 2, 15),
             PlannedSession("hall", "A", TUE, "evening", 1, 10)],
            "venue hall: its sessions expect 25, more than its 20 people",
            id="people-of-venue",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 2, 30),
             PlannedSession("hall", "A", TUE, "evening", 1, 10)],
            "team A works 2 night shifts in ISO week 2026-W10 (at most 1)",
            id="nights-per-week",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "evening", 0, 0)],
            "0 desks",
            id="desks-at-least-one",
        ),
        pytest.param(
            [PlannedSession("library", "A", MON, "evening", 1, 1)],
            "there is no venue 'library'",
            id="unknown-venue",
        ),
        pytest.param(
            [PlannedSession("school", "C", MON, "evening", 1, 1)],
            "there is no team 'C'",
            id="unknown-team",
        ),
        pytest.param(
            [PlannedSession("school", "A", MON, "night", 1, 1)],
            "there is no shift 'night'",
            id="unknown-shift",
        ),
        pytest.param(
            [PlannedSession("school", "A", datetime.date(2026, 3, 9), "evening", 1, 1)],
            "2026-03-09 is not a day of the horizon",
            id="day-in-horizon",
        ),
    ],
)  # fmt: skip
def test_each_broken_rule_is_caught(sessions: list[PlannedSession], words: str) -> None:
    problems = check_plan(_instance(), _plan(*sessions))
    assert any(words in p for p in problems), problems


def test_reached_must_be_the_sum_of_expected() -> None:
    plan = Plan(GOOD, reached=91, bound=100, status="feasible")
    assert check_plan(_instance(), plan) == ["reached is 91, but the sessions expect 90"]


def test_the_bound_cannot_be_below_reached() -> None:
    assert check_plan(_instance(), _plan(*GOOD, bound=80)) == ["the bound 80 is below reached 90"]


def test_optimal_means_the_bound_is_reached() -> None:
    problems = check_plan(_instance(), _plan(*GOOD, bound=95, status="optimal"))
    assert problems == ["status is optimal, but the bound 95 is above 90"]
    assert check_plan(_instance(), _plan(*GOOD, status="optimal")) == []


def test_an_unknown_status_is_caught() -> None:
    problems = check_plan(_instance(), _plan(*GOOD, status="done"))
    assert problems == ["status 'done' is neither optimal nor feasible"]
