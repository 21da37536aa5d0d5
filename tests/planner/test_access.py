"""Who may plan: a role without PLAN gets 403; a user of another district gets 404 for a run, and
never sees another unit's teams or venues on the form."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cccd.accounts.models import User
from cccd.campaigns.models import Team, Venue
from cccd.planner import services
from cccd.planner.inputs import team_key, venue_key
from cccd.planner.models import PlanRun
from tests.builders import Tree, make_user
from tests.planner.helpers import form_data, made_run, next_weekday
from tests.planner.world import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(district: District) -> PlanRun:
    a, hall = team_key(district.team_a.pk), venue_key(district.commune_hall.pk)
    day = next_weekday(0)
    return made_run(
        district, [{"venue": hall, "team": a, "day": day, "shift": "evening", "expected": 9}]
    )


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["", "edit/", "accept/", "again/"])
def test_another_districts_user_gets_404_for_a_run(
    run: PlanRun, commander_tayson: User, path: str
) -> None:
    client = _client(commander_tayson)
    url = f"/planner/{run.pk}/{path}"
    response = client.get(url) if not path else client.post(url, {"confirm": "1"})
    assert response.status_code == 404
    run.refresh_from_db()
    assert not run.is_accepted


def test_a_role_without_plan_gets_403(run: PlanRun, officer_dakmil: User) -> None:
    client = _client(officer_dakmil)
    assert client.get("/planner/").status_code == 403
    assert client.get(f"/planner/{run.pk}/").status_code == 403
    assert client.post(f"/planner/{run.pk}/accept/", {"confirm": "1"}).status_code == 403


def test_the_service_refuses_a_role_without_plan(run: PlanRun, officer_dakmil: User) -> None:
    from cccd.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.accept_plan(run.pk, confirmed=True, actor=officer_dakmil)
    assert refused.value.status == 403


def test_the_form_shows_only_the_users_own_teams_and_venues(tree: Tree, district: District) -> None:
    tayson_leader = make_user("totruong.tayson", "team_leader", tree.tayson_police)
    Team.objects.create(unit=tree.tayson_police, name="Tổ Tây Sơn", leader=tayson_leader)
    Venue.objects.create(unit=tree.tayson_police, kind="school", name="Trường THPT Quang Trung")
    page = _client(district.leader).get("/planner/").content.decode()
    assert "Tổ Tây Sơn" not in page and "Quang Trung" not in page


def test_a_commander_of_the_province_sees_the_districts_runs(tree: Tree, run: PlanRun) -> None:
    commander = make_user("chihuy.daknong", "commander", tree.daknong_police)
    assert _client(commander).get(f"/planner/{run.pk}/").status_code == 200


def test_a_venue_of_another_district_is_refused_on_the_form(
    tree: Tree, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    other = Venue.objects.create(
        unit=tree.tayson_police, kind="school", name="Trường THPT Quang Trung"
    )
    data = form_data(district, venues=[district.commune_hall.pk, other.pk])
    response = _client(district.leader).post("/planner/", data)
    assert response.status_code == 400
    assert 'data-testid="venues-error"' in response.content.decode()
    assert not PlanRun.objects.exists()
