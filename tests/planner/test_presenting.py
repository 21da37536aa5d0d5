"""The figures of the run page: the gap, and a bound the solver did not prove."""

from __future__ import annotations

from cccd.planner import presenting
from cccd.planning.plan import Plan
from cccd.planning.solver import NO_BOUND


def test_the_gap_is_the_share_of_the_bound_not_reached() -> None:
    assert presenting.gap(Plan((), 90, 100, "feasible")) == 10.0
    assert presenting.gap(Plan((), 0, 0, "optimal")) is None


def test_a_bound_not_proven_in_time_is_shown_as_none() -> None:
    plan = Plan((), 90, NO_BOUND, "feasible")
    assert presenting.proven_bound(plan) is None and presenting.gap(plan) is None
