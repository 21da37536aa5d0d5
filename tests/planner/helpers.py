"""Posting the planner's form as a browser would: the defaults, with a few values changed."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import timezone

from tests.planner.world import District


def form_data(district: District, **changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data: dict[str, Any] = {
        "campaign": district.campaign.pk,
        "first_day": today.isoformat(),
        "last_day": (today + timezone.timedelta(days=13)).isoformat(),
        "rate": "5",
        "time_limit": "10",
        "teams": [district.team_a.pk, district.team_b.pk],
        "venues": [district.commune_hall.pk, district.culture_house.pk],
        "shift_evening_start": "18:00",
        "shift_evening_end": "21:00",
        "shift_morning_start": "07:30",
        "shift_morning_end": "11:30",
        "shift_afternoon_start": "13:30",
        "shift_afternoon_end": "17:00",
    }
    for team in (district.team_a, district.team_b):
        data |= {f"team_{team.pk}_desks": "2", f"team_{team.pk}_nights": "3"}
        data[f"team_{team.pk}_unavailable"] = ""
    for venue, people in (
        (district.commune_hall, 40),
        (district.culture_house, 30),
        (district.school, 0),
    ):
        data |= {
            f"venue_{venue.pk}_people": str(people),
            f"venue_{venue.pk}_desks": "3",
            f"venue_{venue.pk}_closed": "",
            f"venue_{venue.pk}_shifts": ["evening", "morning", "afternoon"],
        }
    return data | changes


def start(client: Client, district: District, capture: Any, **changes: Any) -> Any:
    """Post the form with the task run at once; the response (a redirect to the run)."""
    with capture(execute=True):
        return client.post("/planner/", form_data(district, **changes))


def next_weekday(weekday: int, after: Any = None) -> Any:
    """The first day on or after `after` (today) that falls on `weekday` (0 = Monday)."""
    day = after or timezone.localdate()
    return day + timezone.timedelta(days=(weekday - day.weekday()) % 7)


def made_run(district: District, sessions: list[dict[str, Any]], **inputs_changes: Any) -> Any:
    """A finished run of the district's defaults holding these sessions (instance ids)."""
    from cccd.planner import inputs
    from cccd.planner.models import PlanRun
    from cccd.planning.instance import instance_to_json
    from cccd.planning.plan import Plan, PlannedSession, plan_to_json

    venues = [district.commune_hall, district.culture_house]
    teams = [district.team_a, district.team_b]
    chosen = inputs.default_inputs(district.campaign, district.campaign.unit, teams, venues)
    chosen.rate = 5.0
    for team in chosen.teams:
        team.desks = 2
    for venue in chosen.venues:
        venue.max_desks = 3
    for key, value in inputs_changes.items():
        setattr(chosen, key, value)
    planned = tuple(
        PlannedSession(
            venue=s["venue"], team=s["team"], day=s["day"], shift=s["shift"],
            desks=s.get("desks", 2), expected=s["expected"],
        )
        for s in sessions
    )  # fmt: skip
    reached = sum(s.expected for s in planned)
    return PlanRun.objects.create(
        campaign=district.campaign,
        unit=district.campaign.unit,
        first_day=chosen.first_day,
        last_day=chosen.last_day,
        inputs=inputs.inputs_to_json(chosen),
        instance=instance_to_json(inputs.build_instance(chosen)),
        shift_hours=inputs.shift_hours_json(chosen.shifts),
        plan=plan_to_json(Plan(planned, reached, reached, "optimal")),
        state=PlanRun.State.DONE,
        created_by=district.leader,
    )
