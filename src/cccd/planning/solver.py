"""The solver: the sessions that reach the most people by the end of the horizon, then use the
fewest desk-hours, with an upper bound proven by HiGHS
(docs/planner.md#the-model-and-why-the-aggregation-is-exact).

The model does not pick a team for each session: that would be a binary per team, day, venue and
shift (~450,000 for a province). It picks, per day and shift, which teams work (`y`) and how big
each venue's session is (`x`, one binary per class of team it needs: the teams' distinct desk
counts), and only counts: for every class, the sessions needing at least that class are no more
than the working teams of at least that class. A team can serve any session needing its class or
less, so the teams able to serve a session are nested, and by Hall's theorem these counts are
exactly the condition for a matching to exist; `_assign_teams` then finds it (the largest session
to the largest team).

First plan, LP bound, MIP: docs/planner.md#what-the-solver-does.
"""

from __future__ import annotations

import datetime
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import highspy
import numpy as np

from cccd.planning.greedy import Calendar, fill_slots, greedy, trivial_bound, week
from cccd.planning.instance import Instance, InstanceError, Team, Venue
from cccd.planning.plan import Plan, PlannedSession, check_plan, session_capacity
from cccd.planning.search import improve, share_people

SEED = 1
THREADS = 2  # the machine's cores; HiGHS's branch and bound itself runs on one
SEARCH_SHARE = 0.15  # of the time limit, at most, for the local search of the first plan
LP_SHARE = 0.5  # of the time left, at most, for the LP relaxation's bound
TIME_MARGIN = 0.05
LARGE_MODEL = 20_000  # columns
PRIMAL_SIMPLEX, DUAL_SIMPLEX = 4, 1
RINS_SHARE = 0.4  # of the time left after the LP bound, at most, for RINS
AGREE = 0.01  # a binary agrees with the LP when its LP value is this close
NO_BOUND = 10**12  # when HiGHS proved none in time: the plan claims nothing
INTEGRAL = 1e-6  # tolerance when reading HiGHS's values and bounds back as whole numbers

Slot = tuple[datetime.date, str]


@dataclass(frozen=True)
class Progress:
    """How far the solver is: seconds since it started, the best plan's reached, the best bound."""

    seconds: float
    reached: int | None
    bound: int | None


@dataclass
class _Model:
    """The columns and rows of the MIP, as lists, before they go to HiGHS in one piece."""

    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[int] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    row_start: list[int] = field(default_factory=list)
    row_index: list[int] = field(default_factory=list)
    row_value: list[float] = field(default_factory=list)
    reach: dict[str, int] = field(default_factory=dict)  # venue → column of its people reached
    works: dict[tuple[str, datetime.date, str], int] = field(default_factory=dict)  # y[t,d,s]
    level: dict[tuple[str, datetime.date, str, int], int] = field(default_factory=dict)  # x
    desks: dict[int, int] = field(default_factory=dict)  # x column → the session's desks at it
    classes: list[int] = field(default_factory=list)  # the teams' distinct desk counts

    def column(self, upper: float, *, integer: bool, cost: float = 0.0) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(1 if integer else 0)
        return len(self.cost) - 1

    def row(self, terms: dict[int, float], lower: float, upper: float) -> None:
        self.row_start.append(len(self.row_index))
        self.row_index.extend(terms)
        self.row_value.extend(terms.values())
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def solve(
    instance: Instance,
    *,
    time_limit: float = 60.0,
    progress: Callable[[Progress], None] | None = None,
    fixed: Sequence[PlannedSession] = (),
) -> Plan:
    """The best plan found within `time_limit` seconds, keeping the `fixed` sessions as they are."""
    started = time.monotonic()
    deadline = started + time_limit
    _check_fixed(instance, fixed)
    report = progress or (lambda _: None)
    report(Progress(0.0, None, None))
    done = sum(s.expected for s in fixed)
    start = _start(instance, fixed, deadline)
    report(Progress(time.monotonic() - started, start.reached, None))
    model = _build(instance, fixed)
    if not model.reach:  # no venue left to reach: the plan is the fixed sessions
        return _finish(start, start.reached, report, started)
    highs = _highs(model)
    lp_bound, relaxed = _relaxation_bound(highs, model, deadline, done, start.reached)
    bound = min(trivial_bound(instance, fixed), lp_bound)
    report(Progress(time.monotonic() - started, start.reached, bound))
    if bound <= start.reached or _left(deadline) < 1.0:
        return _finish(start, bound, report, started)

    values = _values(model, start, fixed)
    rins_until = time.monotonic() + _for_highs(deadline) * RINS_SHARE
    values = _where_they_differ(highs, model, values, relaxed, rins_until)
    best = _better(instance, model, values.tolist(), fixed, start)
    report(Progress(time.monotonic() - started, best.reached, bound))
    _report_from(highs, report, started, done, bound, best.reached)
    _give_start(highs, values)
    highs.setOptionValue("time_limit", _for_highs(deadline))
    highs.run()
    bound = min(bound, _bound(highs, done, best.reached))
    if highs.getSolution().value_valid:
        best = _better(instance, model, highs.getSolution().col_value, fixed, best)
    return _finish(best, bound, report, started)


def _better(
    instance: Instance,
    model: _Model,
    values: Sequence[float],
    fixed: Sequence[PlannedSession],
    best: Plan,
) -> Plan:
    found = _decode(instance, model, values, fixed)
    return found if found.reached > best.reached else best


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


def _for_highs(deadline: float) -> float:
    """HiGHS stops a little after its time limit (it finishes the LP it is in): keep a margin."""
    return max(0.1, _left(deadline) * (1 - TIME_MARGIN) - 0.2)


def _start(instance: Instance, fixed: Sequence[PlannedSession], deadline: float) -> Plan:
    """The better of the greedy plan and of the slot-by-slot plan improved by local search."""
    baseline = greedy(instance, fixed=fixed)
    search_until = time.monotonic() + max(0.5, _left(deadline) * SEARCH_SHARE)
    better = improve(
        instance, fill_slots(instance, fixed=fixed), fixed=fixed, deadline=search_until
    )
    return better if better.reached >= baseline.reached else baseline


def _check_fixed(instance: Instance, fixed: Sequence[PlannedSession]) -> None:
    reached = sum(s.expected for s in fixed)
    problems = check_plan(instance, Plan(tuple(fixed), reached, reached, "feasible"))
    if problems:
        raise InstanceError("fixed", problems[0])


def _finish(plan: Plan, bound: int, report: Callable[[Progress], None], started: float) -> Plan:
    bound = max(bound, plan.reached)
    status = "optimal" if plan.reached == bound else "feasible"
    report(Progress(time.monotonic() - started, plan.reached, bound))
    return Plan(plan.sessions, plan.reached, bound, status)


# --- the model ----------------------------------------------------------------------------------


def _build(instance: Instance, fixed: Sequence[PlannedSession]) -> _Model:
    model = _Model(classes=_classes(instance))
    calendar = Calendar(instance, fixed)
    served = Counter[str]()
    for session in fixed:
        served[session.venue] += session.expected
    slots = [(d, s.id) for d in instance.days for s in instance.shifts if d.weekday() in s.weekdays]
    _add_teams(instance, model, calendar, slots)
    for venue in instance.venues:
        left = venue.people - served[venue.id]
        if left > 0 and instance.teams:
            _add_venue(instance, model, calendar, venue, left)
    _add_matching(instance, model, slots)
    return model


def _add_teams(instance: Instance, model: _Model, calendar: Calendar, slots: list[Slot]) -> None:
    """y[t,d,s]: team t works shift s on day d; one shift a day; its nights per ISO week."""
    for team in instance.teams:
        nights: defaultdict[tuple[int, int], dict[int, float]] = defaultdict(dict)
        per_day: defaultdict[datetime.date, dict[int, float]] = defaultdict(dict)
        for day, shift_id in slots:
            shift = instance.shift(shift_id)
            if not calendar.team_free(team, day, shift):
                continue
            column = model.column(1.0, integer=True)
            model.works[(team.id, day, shift_id)] = column
            per_day[day][column] = 1.0
            if shift.night:
                nights[week(day)][column] = 1.0
        for terms in per_day.values():
            if len(terms) > 1:
                model.row(terms, 0.0, 1.0)
        for key, terms in nights.items():
            budget = team.max_nights_per_week - calendar.nights[(team.id, key)]
            if len(terms) > budget:
                model.row(terms, 0.0, float(budget))


def _add_venue(
    instance: Instance, model: _Model, calendar: Calendar, venue: Venue, left: int
) -> None:
    """x[v,d,s,j]: the venue's session on day d, shift s needs a team of class ≥ j (the classes
    are the teams' distinct desk counts, smallest first), and then has min(max_desks, desks of
    class j) desks: more desks never reach fewer people, and the desks a session keeps are cut to
    its people afterwards (`share_people`). The people it reaches are at most those left, and at
    most what its sessions serve, each ⌊desks·hours·rate⌋ but no more than the people left,
    added class by class so that every class's capacity is exact."""
    classes = _classes(instance)
    top = next((j for j, desks in enumerate(classes) if desks >= venue.max_desks), None)
    levels = classes[: len(classes) if top is None else top + 1]
    capacity: dict[int, float] = {}
    for day in instance.days:
        for shift in instance.shifts:
            if not calendar.venue_free(venue, day, shift):
                continue
            previous = None
            below = 0
            for j, desks in enumerate(levels):
                gain = _serves(instance, shift.id, desks, venue, left) - _serves(
                    instance, shift.id, below, venue, left
                )
                below = desks
                if gain <= 0:
                    break  # the people left fit in fewer desks: more would add nothing
                column = model.column(1.0, integer=True)
                model.level[(venue.id, day, shift.id, j)] = column
                model.desks[column] = min(desks, venue.max_desks)
                capacity[column] = -float(gain)
                if previous is not None:
                    model.row({column: 1.0, previous: -1.0}, -math.inf, 0.0)
                previous = column
    if not capacity:
        return
    reach = model.column(float(left), integer=False, cost=1.0)
    model.reach[venue.id] = reach
    model.row({reach: 1.0, **capacity}, -math.inf, 0.0)


def _serves(instance: Instance, shift_id: str, desks: int, venue: Venue, left: int) -> int:
    """What one session with a team of `desks` desks can reach at the venue: no more than its
    room's desks serve, and no more than its people left (this keeps the LP bound tight)."""
    return min(left, session_capacity(instance, shift_id, min(desks, venue.max_desks)))


def _add_matching(instance: Instance, model: _Model, slots: list[Slot]) -> None:
    """For each day, shift and team class j: the sessions that need a team of class ≥ j are at
    most the working teams of class ≥ j. The teams able to serve a session are nested by class,
    so (Hall) these counts are exactly the condition for every session to get its own team."""
    classes = _classes(instance)
    sessions: defaultdict[tuple[datetime.date, str, int], dict[int, float]] = defaultdict(dict)
    for (_, day, shift_id, j), column in model.level.items():
        sessions[(day, shift_id, j)][column] = 1.0
    for (day, shift_id, j), terms in sessions.items():
        for team in instance.teams:
            column_y = model.works.get((team.id, day, shift_id))
            if team.desks >= classes[j] and column_y is not None:
                terms[column_y] = -1.0
        model.row(terms, -math.inf, 0.0)


def _classes(instance: Instance) -> list[int]:
    """The teams' distinct desk counts, smallest first."""
    return sorted({t.desks for t in instance.teams})


# --- HiGHS --------------------------------------------------------------------------------------


def _highs(model: _Model) -> highspy.Highs:
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.silent()
    for name, value in (
        ("random_seed", SEED),
        ("threads", THREADS),
        ("mip_rel_gap", 0.0),
        ("mip_abs_gap", 1.0 - INTEGRAL),  # reached is whole: a bound below best + 1 closes it
    ):
        highs.setOptionValue(name, value)
    columns = len(model.cost)
    highs.addVars(columns, np.zeros(columns), np.array(model.upper))
    highs.changeColsCost(columns, np.arange(columns, dtype=np.int32), np.array(model.cost))
    highs.changeColsIntegrality(
        columns, np.arange(columns, dtype=np.int32), np.array(model.integer, dtype=np.uint8)
    )
    highs.addRows(
        len(model.row_lower),
        np.array(model.row_lower),
        np.array(model.row_upper),
        len(model.row_index),
        np.array(model.row_start, dtype=np.int32),
        np.array(model.row_index, dtype=np.int32),
        np.array(model.row_value),
    )
    highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    if columns > LARGE_MODEL:
        highs.setOptionValue("mip_lp_solver", "ipm")  # its dual simplex stalls on the root LP
    return highs


def _relaxation_bound(
    highs: highspy.Highs, model: _Model, deadline: float, done: int, reached: int
) -> tuple[int, np.ndarray | None]:
    """The LP relaxation's optimum, a bound proven by HiGHS (primal simplex: seconds where the
    dual simplex takes minutes on a province), and its solution; the integrality is restored
    afterwards."""
    columns = len(model.cost)
    every = np.arange(columns, dtype=np.int32)
    highs.changeColsIntegrality(columns, every, np.zeros(columns, dtype=np.uint8))
    highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX)
    highs.setOptionValue("time_limit", max(0.1, _left(deadline) * LP_SHARE))
    highs.run()
    optimal = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    value = highs.getInfo().objective_function_value
    solution = np.array(highs.getSolution().col_value) if optimal else None
    highs.changeColsIntegrality(columns, every, np.array(model.integer, dtype=np.uint8))
    highs.setOptionValue("simplex_strategy", DUAL_SIMPLEX)
    highs.clearSolver()
    if not optimal:
        return NO_BOUND, None
    return max(reached, math.floor(value + INTEGRAL) + done), solution


def _where_they_differ(
    highs: highspy.Highs,
    model: _Model,
    values: np.ndarray,
    relaxed: np.ndarray | None,
    until: float,
) -> np.ndarray:
    """RINS (relaxation-induced neighbourhood search): HiGHS solves the MIP with every binary on
    which the plan so far and the LP relaxation agree fixed to that value, so only where they
    differ is re-planned; a far smaller MIP, which finds better plans of a province in seconds
    where the whole one needs minutes. Returns the better columns (or `values`)."""
    if relaxed is None or until - time.monotonic() < 1.0:
        return values
    columns = len(model.cost)
    every = np.arange(columns, dtype=np.int32)
    upper = np.array(model.upper)
    integer = np.array(model.integer, dtype=bool)
    agree = integer & (np.abs(relaxed - values) < AGREE)
    fixed_at = np.round(values)
    highs.changeColsBounds(
        columns, every, np.where(agree, fixed_at, 0.0), np.where(agree, fixed_at, upper)
    )
    _give_start(highs, values)
    highs.setOptionValue("time_limit", max(0.1, until - time.monotonic()))
    highs.run()
    solution = highs.getSolution()
    better = values
    objective = float(np.dot(np.array(model.cost), values))
    if solution.value_valid and highs.getInfo().objective_function_value > objective + 0.5:
        better = np.array(solution.col_value)
    highs.changeColsBounds(columns, every, np.zeros(columns), upper)
    highs.clearSolver()
    return better


def _values(model: _Model, plan: Plan, fixed: Sequence[PlannedSession]) -> np.ndarray:
    """The model's columns for a plan (its fixed sessions are not in the model)."""
    values = np.zeros(len(model.cost))
    kept = set(fixed)
    reached = Counter[str]()
    for s in plan.sessions:
        if s in kept:
            continue
        values[model.works[(s.team, s.day, s.shift)]] = 1.0
        for j in range(len(model.classes)):
            column = model.level.get((s.venue, s.day, s.shift, j))
            if column is None:
                break  # the levels stop where the venue's people are all served
            values[column] = 1.0
            if model.desks[column] >= s.desks:
                break
        reached[s.venue] += s.expected
    for venue, column in model.reach.items():
        values[column] = reached[venue]
    return values


def _give_start(highs: highspy.Highs, values: np.ndarray) -> None:
    """A plan as HiGHS's first incumbent, so it never ends with less."""
    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    highs.setSolution(solution)


def _report_from(
    highs: highspy.Highs,
    report: Callable[[Progress], None],
    started: float,
    done: int,
    ceiling: int,
    floor: int,
) -> None:
    """Progress at each better plan, and about once a second from HiGHS's interrupt check; never
    above `ceiling` (the LP bound) nor, for reached, below `floor` (the plan HiGHS started from)."""
    last = [0.0]

    def tell(event: highspy.HighsCallbackEvent) -> None:
        now = time.monotonic() - started
        improving = (
            event.callback_type == highspy.cb.HighsCallbackType.kCallbackMipImprovingSolution
        )
        if not improving and now - last[0] < 1.0:
            return
        last[0] = now
        out = event.data_out
        primal, dual = out.mip_primal_bound, out.mip_dual_bound
        # HiGHS's own value of the plan so far can be below the decoded plan's: report the best
        reached = max(floor, int(primal + INTEGRAL) + done) if math.isfinite(primal) else floor
        bound = math.floor(dual + INTEGRAL) + done if math.isfinite(dual) else ceiling
        report(Progress(now, reached, min(bound, ceiling)))

    highs.cbMipImprovingSolution.subscribe(tell)
    highs.cbMipInterrupt.subscribe(tell)


def _bound(highs: highspy.Highs, done: int, reached: int) -> int:
    """HiGHS's proven bound on the model, a relaxation of the true problem: floored, since a plan
    reaches whole people."""
    dual = highs.getInfo().mip_dual_bound
    if not math.isfinite(dual):
        return NO_BOUND
    return max(reached, math.floor(dual + INTEGRAL) + done)


# --- reading the plan back ----------------------------------------------------------------------


def _decode(
    instance: Instance, model: _Model, values: Sequence[float], fixed: Sequence[PlannedSession]
) -> Plan:
    desks: Counter[tuple[str, datetime.date, str]] = Counter()
    for (venue, day, shift, _), column in model.level.items():
        if values[column] > 0.5:
            desks[(venue, day, shift)] = max(desks[(venue, day, shift)], model.desks[column])
    working = [key for key, column in model.works.items() if values[column] > 0.5]
    teams = {t.id: t for t in instance.teams}
    sessions = _assign_teams(desks, working, teams)
    planned = list(fixed) + share_people(instance, sessions, fixed)
    reached = sum(s.expected for s in planned)
    return Plan(tuple(planned), reached, reached, "feasible")


def _assign_teams(
    desks: Counter[tuple[str, datetime.date, str]],
    working: list[tuple[str, datetime.date, str]],
    teams: dict[str, Team],
) -> list[tuple[str, str, datetime.date, str, int]]:
    """(venue, team, day, shift, desks): per day and shift, the largest session to the largest
    working team. The model's counts guarantee the i-th largest team has enough desks."""
    by_slot: defaultdict[Slot, list[Team]] = defaultdict(list)
    for team_id, day, shift in working:
        by_slot[(day, shift)].append(teams[team_id])
    wanted: defaultdict[Slot, list[tuple[int, str]]] = defaultdict(list)
    for (venue, day, shift), n in desks.items():
        wanted[(day, shift)].append((n, venue))
    assigned = []
    for slot, sessions in sorted(wanted.items()):
        crews = sorted(by_slot[slot], key=lambda t: (-t.desks, t.id))
        for (n, venue), team in zip(
            sorted(sessions, key=lambda s: (-s[0], s[1])), crews, strict=False
        ):
            assigned.append((venue, team.id, slot[0], slot[1], min(n, team.desks)))
    return assigned
