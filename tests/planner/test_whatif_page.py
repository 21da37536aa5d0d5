"""The what-if page of a session: who may open it, what it shows before and after the evening,
and the addresses it refuses."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.planner.whatif_world import EVENING, World, make_world

pytestmark = pytest.mark.django_db
BEFORE = EVENING - datetime.timedelta(hours=2)  # the afternoon before the evening


@pytest.fixture
def world(tree: Tree) -> World:
    return make_world(tree)


def url(session_id: object) -> str:
    return f"/planner/sessions/{session_id}/what-if/"


def test_the_address_is_the_named_route(world: World) -> None:
    assert reverse("planner_whatif", args=[world.tonight.pk]) == url(world.tonight.pk)


def test_the_team_leader_sees_the_forecast_and_the_variants(world: World) -> None:
    with time_machine.travel(BEFORE, tick=False):
        response = client_for(world.leader).get(url(world.tonight.pk))

    assert response.status_code == 200
    page = response.content.decode()
    for testid in ("whatif-forecast", "whatif-median", "whatif-variants", "whatif-queue"):
        assert f'data-testid="{testid}"' in page
    for variant in ("planned", "desk_more", "desk_less", "later", "as_staffed"):
        assert f'data-variant="{variant}"' in page
    assert "whatif-observed" not in page  # the evening has not happened yet
    assert "whatif-defaults" not in page  # two earlier evenings give every input
    assert 'data-testid="whatif-staffed"' in page  # one desk of two served: said, and a row


def test_the_commander_of_the_province_gets_in(world: World, commander_daknong: User) -> None:
    response = client_for(commander_daknong).get(url(world.tonight.pk))

    assert response.status_code == 200


def test_after_the_session_the_observed_figures_stand_beside_the_forecast(world: World) -> None:
    past = world.earlier[1]

    page = client_for(world.leader).get(url(past.pk)).content.decode()

    assert 'data-testid="whatif-observed"' in page
    assert 'data-testid="observed-median"' in page
    assert 'data-testid="whatif-error"' in page
    assert 'class="observed"' in page  # the observed bars beside the forecast's


def test_the_first_session_says_which_defaults_it_used(world: World, tree: Tree) -> None:
    first = world.earlier[0]  # nothing ended before it

    page = client_for(world.leader).get(url(first.pk)).content.decode()

    assert 'data-testid="whatif-defaults"' in page


def test_a_leader_of_another_district_gets_a_404(world: World, tree: Tree) -> None:
    stranger = make_user("totruong.tayson", "team_leader", tree.tayson_police)

    assert client_for(stranger).get(url(world.tonight.pk)).status_code == 404


def test_an_officer_may_not_plan_and_is_refused(world: World, officer_dakmil: User) -> None:
    assert client_for(officer_dakmil).get(url(world.tonight.pk)).status_code == 403


def test_anonymous_is_sent_to_log_in(world: World) -> None:
    response = Client().get(url(world.tonight.pk))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("session_id", ["abc", "-1", "1.5", "0x10", "", "99999999"])
def test_a_malformed_or_unknown_session_is_a_404(world: World, session_id: str) -> None:
    assert client_for(world.leader).get(url(session_id)).status_code == 404


def test_a_huge_session_number_is_a_404_not_a_500(world: World) -> None:
    assert client_for(world.leader).get(url("9" * 30)).status_code == 404


def test_a_post_is_refused(world: World) -> None:
    assert client_for(world.leader).post(url(world.tonight.pk)).status_code == 405


def test_a_round_of_home_visits_has_no_what_if(world: World) -> None:
    Session.objects.filter(pk=world.tonight.pk).update(kind=Session.Kind.HOME_VISITS)

    assert client_for(world.leader).get(url(world.tonight.pk)).status_code == 404


def test_the_session_list_links_to_the_what_if_for_those_who_plan(
    world: World, officer_dakmil: User
) -> None:
    with time_machine.travel(BEFORE, tick=False):
        leader_page = client_for(world.leader).get("/campaigns/sessions/").content.decode()
        officer_page = client_for(officer_dakmil).get("/campaigns/sessions/").content.decode()

    assert url(world.tonight.pk) in leader_page
    assert url(world.tonight.pk) not in officer_page


def test_the_page_speaks_vietnamese(world: World, settings: object) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    with time_machine.travel(BEFORE, tick=False):
        page = client_for(world.leader).get(url(world.tonight.pk)).content.decode()

    assert "Mô phỏng: hàng chờ của buổi thu nhận" in page
    assert "Thời gian chờ trung vị" in page
    assert "Bàn mở muộn 30 phút" in page
