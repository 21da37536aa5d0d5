"""Accepting a plan: real sessions through `campaigns.services.plan_session`, all or none, a clash
refused unless confirmed, and a second accept creates nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cccd.accounts.models import AuditEvent
from cccd.campaigns.models import Session
from cccd.planner import services
from cccd.planner.inputs import team_key, venue_key
from cccd.planner.models import PlanRun
from tests.planner.helpers import made_run, next_weekday
from tests.planner.world import HCM, District

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0, timezone.localdate() + datetime.timedelta(days=1))
TUESDAY = MONDAY + datetime.timedelta(days=1)


@pytest.fixture
def client(district: District) -> Client:
    client = Client()
    client.force_login(district.leader)
    return client


@pytest.fixture
def run(district: District) -> PlanRun:
    a, b = team_key(district.team_a.pk), team_key(district.team_b.pk)
    hall, house = venue_key(district.commune_hall.pk), venue_key(district.culture_house.pk)
    return made_run(
        district,
        [
            {"venue": hall, "team": a, "day": MONDAY, "shift": "evening", "expected": 30},
            {"venue": house, "team": b, "day": TUESDAY, "shift": "evening", "expected": 25},
        ],
    )


def _planned(district: District) -> Any:
    return Session.objects.filter(campaign=district.campaign, note__startswith="Kế hoạch")


def test_accepting_creates_the_sessions(client: Client, run: PlanRun, district: District) -> None:
    response = client.post(f"/planner/{run.pk}/accept/", {"confirm": "1"})
    assert response.status_code == 302 and response["Location"] == "/campaigns/sessions/"
    sessions = list(_planned(district).order_by("starts_at"))
    assert [(s.venue_id, s.team_id) for s in sessions] == [
        (district.commune_hall.pk, district.team_a.pk),
        (district.culture_house.pk, district.team_b.pk),
    ]
    first = sessions[0]
    assert first.starts_at == datetime.datetime.combine(MONDAY, datetime.time(18), tzinfo=HCM)
    assert first.ends_at == datetime.datetime.combine(MONDAY, datetime.time(21), tzinfo=HCM)
    assert (first.desks, first.capacity) == (2, 30)
    run.refresh_from_db()
    assert run.is_accepted and sorted(run.sessions) == sorted(s.pk for s in sessions)
    assert AuditEvent.objects.filter(action="plan.accept", object_id=str(run.pk)).exists()
    assert AuditEvent.objects.filter(action="session.plan").count() == 2
    listed = client.get("/campaigns/sessions/").content.decode()
    assert "Hội trường UBND xã Thuận An" in listed


def test_accepting_twice_creates_nothing_more(
    client: Client, run: PlanRun, district: District
) -> None:
    first = services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    again = services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    assert again == first
    assert _planned(district).count() == 2
    assert client.post(f"/planner/{run.pk}/accept/", {"confirm": "1"}).status_code == 302
    assert _planned(district).count() == 2


def test_accepting_needs_the_confirmation(client: Client, run: PlanRun, district: District) -> None:
    response = client.post(f"/planner/{run.pk}/accept/", {})
    assert response.status_code == 400
    assert _planned(district).count() == 0
    run.refresh_from_db()
    assert not run.is_accepted


def _hall_on_monday_by(district: District, team: Any) -> Session:
    return Session.objects.create(
        campaign=district.campaign,
        unit=district.campaign.unit,
        venue=district.commune_hall,
        team=team,
        starts_at=datetime.datetime.combine(MONDAY, datetime.time(19), tzinfo=HCM),
        ends_at=datetime.datetime.combine(MONDAY, datetime.time(22), tzinfo=HCM),
    )


def test_a_clash_refuses_the_whole_accept_and_names_it(
    client: Client, run: PlanRun, district: District, settings: Any
) -> None:
    from cccd.campaigns.models import Team

    settings.LANGUAGE_CODE = "vi"
    other = Team.objects.create(unit=district.campaign.unit, name="Tổ 3", leader=district.leader)
    _hall_on_monday_by(district, other)
    response = client.post(f"/planner/{run.pk}/accept/", {"confirm": "1"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Chưa tạo buổi nào" in page and "Tổ 3" in page
    assert 'data-testid="plan-accept-clashes"' in page
    assert _planned(district).count() == 0  # not even Tuesday's
    run.refresh_from_db()
    assert not run.is_accepted


def test_a_clash_the_leader_confirms_is_accepted(
    client: Client, run: PlanRun, district: District
) -> None:
    from cccd.campaigns.models import Team

    other = Team.objects.create(unit=district.campaign.unit, name="Tổ 3", leader=district.leader)
    _hall_on_monday_by(district, other)
    response = client.post(f"/planner/{run.pk}/accept/", {"confirm": "1", "accept_clashes": "1"})
    assert response.status_code == 302
    assert _planned(district).count() == 2


def test_a_team_planned_elsewhere_cannot_be_confirmed_away(
    client: Client, run: PlanRun, district: District
) -> None:
    _hall_on_monday_by(district, district.team_a)
    response = client.post(f"/planner/{run.pk}/accept/", {"confirm": "1", "accept_clashes": "1"})
    assert response.status_code == 409
    assert _planned(district).count() == 0


def test_a_run_not_finished_cannot_be_accepted(
    client: Client, run: PlanRun, district: District
) -> None:
    PlanRun.objects.filter(pk=run.pk).update(state=PlanRun.State.RUNNING, plan=None)
    assert client.post(f"/planner/{run.pk}/accept/", {"confirm": "1"}).status_code == 409


def test_an_accepted_plan_is_not_edited(client: Client, run: PlanRun, district: District) -> None:
    services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    data = {"session": f"{team_key(district.team_a.pk)}|{MONDAY.isoformat()}", "action": "remove"}
    assert client.post(f"/planner/{run.pk}/edit/", data).status_code == 409


def test_a_session_already_past_refuses_the_accept(
    client: Client, run: PlanRun, district: District, time_machine: Any
) -> None:
    from cccd.errors import DomainError

    time_machine.move_to(datetime.datetime.combine(TUESDAY, datetime.time(20), tzinfo=HCM))
    with pytest.raises(DomainError) as refused:
        services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    assert refused.value.code == "PLAN_ACCEPT_PAST" and refused.value.status == 409
    assert _planned(district).count() == 0
