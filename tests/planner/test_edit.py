"""Editing a proposed session: each move re-checked against the plan's rules; a broken rule is
refused with a message that names it, and nothing is saved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cccd.accounts.models import AuditEvent
from cccd.planner.inputs import team_key, venue_key
from cccd.planner.models import PlanRun
from cccd.planning.instance import parse_instance
from cccd.planning.plan import check_plan, parse_plan
from tests.planner.helpers import made_run, next_weekday
from tests.planner.world import District

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0, timezone.localdate() + datetime.timedelta(days=1))


@pytest.fixture
def client(district: District, settings: Any) -> Client:
    settings.LANGUAGE_CODE = "vi"
    client = Client()
    client.force_login(district.leader)
    return client


@pytest.fixture
def run(district: District) -> PlanRun:
    """Team 1 at Thuận An on Monday evening (30 of 40), team 2 at Đắk Lao on Tuesday (30)."""
    a, b = team_key(district.team_a.pk), team_key(district.team_b.pk)
    hall, house = venue_key(district.commune_hall.pk), venue_key(district.culture_house.pk)
    return made_run(
        district,
        [
            {"venue": hall, "team": a, "day": MONDAY, "shift": "evening", "expected": 30},
            {
                "venue": house,
                "team": b,
                "day": MONDAY + datetime.timedelta(days=1),
                "shift": "evening",
                "expected": 30,
            },
        ],
    )


def _edit(client: Client, run: PlanRun, team: str, day: datetime.date, /, **fields: Any) -> Any:
    data = {"session": f"{team}|{day.isoformat()}", "action": "move"} | fields
    return client.post(f"/planner/{run.pk}/edit/", data)


def _plan(run: PlanRun) -> Any:
    run.refresh_from_db()
    return parse_plan(run.plan)


def test_a_session_moves_to_another_day(client: Client, run: PlanRun, district: District) -> None:
    a = team_key(district.team_a.pk)
    wednesday = MONDAY + datetime.timedelta(days=2)
    response = _edit(client, run, a, MONDAY, day=wednesday.isoformat())
    assert response.status_code == 302
    plan = _plan(run)
    assert {(s.team, s.day) for s in plan.sessions} >= {(a, wednesday)}
    assert check_plan(parse_instance(run.instance), plan) == []
    assert AuditEvent.objects.filter(action="plan.edit", object_id=str(run.pk)).exists()


def test_more_desks_expect_more_people_up_to_those_left(
    client: Client, run: PlanRun, district: District
) -> None:
    a = team_key(district.team_a.pk)
    run.instance["teams"][0]["desks"] = 3  # team 1 brings three
    run.save()
    assert _edit(client, run, a, MONDAY, desks="3").status_code == 302
    moved = next(s for s in _plan(run).sessions if s.team == a)
    assert moved.desks == 3 and moved.expected == 40  # 3 × 3 h × 5 = 45, but 40 live there
    assert _plan(run).reached == 70 and _plan(run).status == "optimal"


def test_a_session_is_removed(client: Client, run: PlanRun, district: District) -> None:
    a = team_key(district.team_a.pk)
    response = _edit(client, run, a, MONDAY, action="remove")
    assert response.status_code == 302
    plan = _plan(run)
    assert len(plan.sessions) == 1 and plan.reached == 30 and plan.status == "feasible"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"day": "tuesday"}, "một buổi một ngày"),
        ({"day": "tuesday", "team": "b_to_a_venue"}, "một buổi cho mỗi ngày và ca"),
        ({"shift": "morning"}, "không được tổ chức"),
        ({"desks": "3"}, "bàn"),
        ({"day": "holiday"}, "đóng cửa"),
        ({"day": "unavailable"}, "không làm việc được"),
        ({"day": "outside"}, "ngoài"),
    ],
)
def test_each_broken_rule_is_refused_by_name_and_nothing_saved(
    client: Client, run: PlanRun, district: District, change: dict[str, str], words: str
) -> None:
    a, b = team_key(district.team_a.pk), team_key(district.team_b.pk)
    tuesday = MONDAY + datetime.timedelta(days=1)
    thursday = MONDAY + datetime.timedelta(days=3)
    house = venue_key(district.culture_house.pk)
    fields: dict[str, str] = {}
    team, day = a, MONDAY
    if change.get("day") == "tuesday" and "team" not in change:
        team, day = b, tuesday
        fields["team"] = a
        fields["day"] = MONDAY.isoformat()
    elif change.get("team") == "b_to_a_venue":
        team, day = b, tuesday  # team 2 to Thuận An on Monday evening, where team 1 is
        fields = {"day": MONDAY.isoformat(), "venue": venue_key(district.commune_hall.pk)}
        run.instance["teams"][0]["unavailable"] = []
        # team 2 is free on Monday: only the venue's shift is taken
    elif change.get("shift") == "morning":
        fields["shift"] = "morning"  # a weekend shift on a Monday
    elif change.get("desks"):
        fields["desks"] = change["desks"]  # the team brings two
    elif change.get("day") == "holiday":
        run.instance["venues"][0]["closed"] = [thursday.isoformat()]
        run.instance["venues"][1]["closed"] = [thursday.isoformat()]
        fields["day"] = thursday.isoformat()
    elif change.get("day") == "unavailable":
        run.instance["teams"][0]["unavailable"] = [thursday.isoformat()]
        fields["day"] = thursday.isoformat()
    elif change.get("day") == "outside":
        fields["day"] = (run.last_day + datetime.timedelta(days=3)).isoformat()
    run.save()
    before = run.plan
    del house
    response = _edit(client, run, team, day, **fields)
    assert response.status_code == 400
    assert words in response.content.decode()
    run.refresh_from_db()
    assert run.plan == before


def test_too_many_nights_in_a_week_is_refused(
    client: Client, run: PlanRun, district: District
) -> None:
    a = team_key(district.team_a.pk)
    run.instance["teams"][0]["max_nights_per_week"] = 1
    run.save()
    before = run.plan
    # team 2's Tuesday evening handed to team 1, which already has Monday's night
    response = _edit(
        client,
        run,
        team_key(district.team_b.pk),
        MONDAY + datetime.timedelta(days=1),
        team=a,
    )
    assert response.status_code == 400
    assert "ca đêm" in response.content.decode()
    run.refresh_from_db()
    assert run.plan == before


@pytest.mark.parametrize(
    "data",
    [
        {"session": "nonsense", "action": "move"},
        {"session": "t999|2030-01-01", "action": "move"},
        {"session": "t1|x", "action": "move"},
        {"action": "jump"},
        {"session": "t1|2030-01-01", "action": "move", "desks": "-2"},
        {"session": "t1|2030-01-01", "action": "move", "day": "32/13/2026"},
    ],
)
def test_a_malformed_edit_is_a_clear_4xx(
    client: Client, run: PlanRun, data: dict[str, str]
) -> None:
    before = run.plan
    response = client.post(f"/planner/{run.pk}/edit/", data)
    assert 400 <= response.status_code < 500
    run.refresh_from_db()
    assert run.plan == before


def test_an_unknown_venue_in_an_edit_is_refused(
    client: Client, run: PlanRun, district: District
) -> None:
    response = _edit(client, run, team_key(district.team_a.pk), MONDAY, venue="v99999")
    assert 400 <= response.status_code < 500


def test_the_page_opens_one_change_form_at_a_time(
    client: Client, run: PlanRun, district: District
) -> None:
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert page.count('data-testid="plan-change"') == 2 and 'data-testid="plan-edit"' not in page
    key = f"{team_key(district.team_a.pk)}|{MONDAY.isoformat()}"
    page = client.get(f"/planner/{run.pk}/", {"edit": key}).content.decode()
    assert (
        page.count('data-testid="plan-edit"') == 1 and page.count('data-testid="plan-change"') == 1
    )
