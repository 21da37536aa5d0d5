"""The run page's views of a plan: the calendar (teams × days) and the table per venue."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.planner import inputs
from cccd.planner.models import PlanRun
from cccd.planning.instance import Instance
from cccd.planning.plan import Plan, PlannedSession
from cccd.planning.solver import NO_BOUND


def shift_label(shift_id: str) -> str:
    labels = {
        "evening": _("Weekday evening"),
        "morning": _("Weekend morning"),
        "afternoon": _("Weekend afternoon"),
    }
    return labels.get(shift_id, shift_id)


@dataclass(frozen=True)
class Cell:
    session: PlannedSession | None
    venue: str = ""
    shift: str = ""
    hours: str = ""
    fixed: bool = False
    busy: bool = False  # a session of the calendar the plan could not keep: the team is taken

    @property
    def key(self) -> str:
        if self.session is None:
            return ""
        return f"{self.session.team}|{self.session.day.isoformat()}"


@dataclass
class Row:
    team_id: str
    team: str
    cells: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class VenueLine:
    venue_id: str
    name: str
    people: int
    planned: int
    sessions: int

    @property
    def left(self) -> int:
        return max(self.people - self.planned, 0)


def calendar(
    run: PlanRun,
    instance: Instance,
    plan: Plan,
    names: dict[str, str],
    fixed: list[PlannedSession],
    busy: dict[tuple[str, datetime.date], str],
    fixed_hours: dict[tuple[str, datetime.date], str] | None = None,
) -> list[Row]:
    """One row per team, one cell per day of the horizon. A session already in the calendar shows
    its own hours (`fixed_hours`), which may differ from its shift's."""
    by_slot = {(s.team, s.day): s for s in plan.sessions}
    fixed_slots = {(f.team, f.day) for f in fixed}
    rows = []
    for team in instance.teams:
        row = Row(team.id, names.get(team.id, team.id))
        for day in instance.days:
            session = by_slot.get((team.id, day))
            if session is None:
                venue = busy.get((team.id, day))
                row.cells.append(
                    Cell(None, names.get(venue, venue), busy=True) if venue else Cell(None)
                )
                continue
            start, end = run.shift_hours.get(session.shift, ["", ""])
            is_fixed = (team.id, day) in fixed_slots
            hours = (fixed_hours or {}).get((team.id, day)) if is_fixed else None
            row.cells.append(
                Cell(
                    session,
                    names.get(session.venue, session.venue),
                    shift_label(session.shift),
                    hours or f"{start}–{end}",
                    is_fixed,
                )
            )
        rows.append(row)
    return rows


def venue_lines(instance: Instance, plan: Plan, names: dict[str, str]) -> list[VenueLine]:
    """Per venue: its people, what the plan expects there, what is left after the plan."""
    lines = []
    for venue in instance.venues:
        if venue.people == 0:  # a venue of the calendar only: nobody to reach there
            continue
        mine = [s for s in plan.sessions if s.venue == venue.id]
        lines.append(
            VenueLine(
                venue.id,
                names.get(venue.id, venue.id),
                venue.people,
                sum(s.expected for s in mine),
                len(mine),
            )
        )
    return sorted(lines, key=lambda line: (-line.left, line.name))


def starts_tomorrow(run: PlanRun) -> bool:
    """Whether the run was made after one of that day's shifts had begun and starts the next day
    (`inputs.first_open_day`): the page says so, or a commander planning at 20:00 looks in vain
    for tonight in the calendar."""
    made = run.created_at
    if run.first_day != timezone.localdate(made) + datetime.timedelta(days=1):
        return False
    return inputs.a_shift_has_begun(inputs.shifts_from_json(run.inputs), made)


def day_headers(instance: Instance) -> list[datetime.date]:
    return list(instance.days)


def proven_bound(plan: Plan) -> int | None:
    """The solver's bound, or None when it proved none in time (it then claims a huge one)."""
    return plan.bound if plan.bound < NO_BOUND else None


def gap(plan: Plan) -> float | None:
    """The percentage of the bound the plan does not reach (0 when proven optimal)."""
    bound = proven_bound(plan)
    if not bound:
        return None
    return 100 * max(bound - plan.reached, 0) / bound
