"""The coverage page: the figures it shows are `queries.coverage`'s, ranked; it drills down to a
commune and its villages; every id in the query is scoped (another unit's is the 404 of a missing
one) and every unreadable value a 400 with its sentence; the commander's two posts (count again,
accept the suggested targets) are theirs alone, audited, and all-or-nothing."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Target
from cccd.jobs.models import Job
from cccd.reach import queries
from cccd.reach.models import CohortBuild, CoverageBase, Reachable
from cccd.reach.tasks import COHORT_JOB, cohort_job
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.reach.coverage_world import DAY, VN, World, make_world

pytestmark = pytest.mark.django_db
TOMORROW = f"{datetime.datetime.now(tz=VN).date() + datetime.timedelta(days=1):%d/%m/%Y}"


def page(client: Client, world: World, **query: Any) -> HttpResponse:
    headers = {k: v for k, v in query.items() if k.startswith("HTTP_")}
    params = {"campaign": world.campaign.pk, "day": f"{DAY:%d/%m/%Y}"}
    params |= {k: v for k, v in query.items() if k not in headers}
    return client.get("/coverage/", params, **headers)


def crumbs(text: str) -> list[str]:
    """The places above, as the breadcrumbs link them."""
    nav = re.search(r'<nav [^>]*data-testid="crumbs">(.*?)</nav>', text, re.S)
    assert nav is not None
    return re.findall(r'<li><a href="[^"]*">([^<]*)</a>', nav.group(1))


def html(response: HttpResponse) -> str:
    return response.content.decode()


def rows(text: str, testid: str) -> list[dict[str, str]]:
    """The ranked rows of one table as shown: key, reached, eligible, today, in page order."""
    table = re.search(rf'<table class="bars" data-testid="{testid}">(.*?)</table>', text, re.S)
    assert table is not None, testid
    found = []
    for row in re.findall(r"<tr data-testid=\"[a-z]+-row\"(.*?)</tr>", table.group(1), re.S):
        found.append(
            {"key": re.search(r'data-key="([^"]*)"', row).group(1)}  # type: ignore[union-attr]
            | {name: _cell(row, name) for name in ("reached", "eligible", "today")}
        )
    return found


def _cell(row: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}">([^<]*)<', row)
    assert found is not None, name
    return found.group(1)


def shown(figures: list[queries.Figure]) -> list[dict[str, str]]:
    return [
        {
            "key": f.key,
            "reached": str(f.reached),
            "eligible": str(f.eligible),
            "today": f"+{f.today}" if f.today else "0",
        }
        for f in figures
    ]


def by_testid(text: str, name: str) -> str:
    found = re.search(rf'data-testid="{name}"[^>]*>([^<]*)<', text)
    assert found is not None, name
    return found.group(1)


@pytest.fixture
def world(tree: Tree) -> World:
    return make_world(tree)


@pytest.fixture
def back_office(tree: Tree) -> User:
    return make_user("vanphong.dakmil", Role.BACK_OFFICE, tree.dakmil_police)


@pytest.fixture
def commander_tayson(tree: Tree) -> User:
    return make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)


# --- the figures ----------------------------------------------------------------------------


def test_the_commander_sees_the_figures_of_the_query_ranked_lowest_first(world: World) -> None:
    response = page(client_for(world.commander), world)
    assert response.status_code == 200
    text = html(response)
    expected = queries.coverage(world.campaign, world.tree.dakmil, DAY)
    assert by_testid(text, "coverage-place") == "Huyện Đắk Mil"  # the campaign's place
    assert by_testid(text, "total-eligible") == str(expected.total.eligible) == "7"
    assert by_testid(text, "total-reached") == str(expected.total.reached) == "4"
    assert by_testid(text, "total-remaining") == "3"
    assert by_testid(text, "total-today") == "+2"
    assert by_testid(text, "total-percent") == "57,1 %"
    assert rows(text, "children") == shown(expected.children)
    # Đức Minh (1 of 2: its rejected dossier does not count) is behind Đắk Lao (3 of 5).
    assert [r["key"] for r in rows(text, "children")] == [
        str(world.ducminh.pk),
        str(world.tree.daklao.pk),
    ]
    assert rows(text, "groups") == shown(expected.groups)
    assert 'data-state="built"' in text and 'data-testid="build"' in text
    assert 'data-testid="targets-section"' in text


@pytest.mark.parametrize("who", ["officer", "back_office", "province"])
def test_officers_and_the_back_office_read_the_same_figures_without_the_commanders_forms(
    world: World, who: str, officer_dakmil: User, back_office: User, commander_daknong: User
) -> None:
    user = {"officer": officer_dakmil, "back_office": back_office, "province": commander_daknong}
    response = page(client_for(user[who]), world)
    assert response.status_code == 200
    text = html(response)
    expected = queries.coverage(world.campaign, world.tree.dakmil, DAY)
    assert by_testid(text, "total-reached") == str(expected.total.reached)
    assert rows(text, "children") == shown(expected.children)
    if who == "province":  # a commander above the campaign's unit manages it too
        assert 'data-testid="build"' in text
        assert crumbs(text) == ["Tỉnh Đắk Nông"]
    else:
        assert 'data-testid="build"' not in text and "targets-section" not in text


def test_a_campaign_of_the_unit_above_is_read_but_not_managed_from_below(world: World) -> None:
    text = html(page(client_for(world.commander), world, campaign=world.national.pk))
    expected = queries.coverage(world.national, world.tree.dakmil, DAY)
    assert by_testid(text, "coverage-place") == "Huyện Đắk Mil"  # the user's place: narrower
    assert by_testid(text, "total-eligible") == str(expected.total.eligible)
    assert 'data-testid="build"' not in text and "targets-section" not in text


def test_drilling_down_to_a_commune_shows_its_villages_and_the_lists(
    world: World, settings: Any
) -> None:
    client = client_for(world.commander)
    district = html(page(client, world))
    link = re.search(rf'href="([^"]*unit={world.tree.daklao.pk}[^"]*)">Xã Đắk Lao', district)
    assert link is not None
    response = client.get(link.group(1).replace("&amp;", "&"))
    assert response.status_code == 200
    text = html(response)
    expected = queries.coverage(world.campaign, world.tree.daklao, DAY)
    assert by_testid(text, "coverage-place") == "Xã Đắk Lao"
    assert rows(text, "villages") == shown(expected.villages)
    assert [r["key"] for r in rows(text, "villages")] == ["Thôn 2", "Thôn 1"]  # 1/2, then 2/3
    assert crumbs(text) == ["Huyện Đắk Mil"]  # up to the commander's own place, not above
    lists = re.findall(r'href="(/coverage/lists/[^"]*)"', text)
    campaign, unit = world.campaign.pk, world.tree.daklao.pk
    assert f"/coverage/lists/?campaign={campaign}&amp;unit={unit}" in lists
    assert f"/coverage/lists/?campaign={campaign}&amp;unit={unit}&amp;village=Th%C3%B4n+2" in lists
    assert "targets-section" not in text  # a commune has no unit below to set a target for


def test_the_page_speaks_vietnamese(world: World) -> None:
    text = html(page(client_for(world.commander), world, HTTP_ACCEPT_LANGUAGE="vi"))
    for words in ["Độ bao phủ", "Số người cần cấp", "Còn phải vận động", "Chỉ tiêu đề xuất"]:
        assert words in text, words
    assert "Áp dụng" in text and "Coverage" not in text


def test_the_day_defaults_to_today_in_vietnam(world: World) -> None:
    response = client_for(world.commander).get("/coverage/")
    assert response.status_code == 200
    today = datetime.datetime.now(tz=VN).date()
    assert f"figures at the end of {today:%d/%m/%Y}" in html(response)
    assert by_testid(html(response), "total-reached") == "4"


def test_with_no_campaign_the_page_says_so(tree: Tree, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/coverage/")
    assert response.status_code == 200 and 'data-testid="no-campaign"' in html(response)


# --- bad values, other units, other roles ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"day": "hôm qua"}, "is not a date"),
        ({"day": "31/02/2021"}, "is not a date"),
        ({"day": "01/01/1800"}, "is not a date"),
        ({"day": TOMORROW}, "has not come yet"),
        ({"unit": "abc"}, "is not a number"),
        ({"unit": "9" * 20}, "is not a number"),
        ({"campaign": "1 OR 1=1"}, "is not a number"),
    ],
)
def test_a_value_the_page_cannot_read_is_a_400_with_its_sentence(
    world: World, query: dict[str, str], words: str
) -> None:
    response = page(client_for(world.commander), world, **query)
    assert response.status_code == 400
    assert words in html(response)


def test_another_units_place_or_campaign_is_the_404_of_a_missing_one(
    world: World, officer_tayson: User
) -> None:
    client = client_for(world.commander)
    for query in (
        {"unit": world.tree.tayson.pk},
        {"unit": world.tree.daknong.pk},  # above the user's unit
        {"unit": world.tree.dakmil_police.pk},  # a police unit is no place
        {"unit": 999_999},
        {"campaign": world.tayson_campaign.pk},
        {"campaign": 999_999},
    ):
        assert page(client, world, **query).status_code == 404, query
    assert page(client_for(officer_tayson), world).status_code == 404  # Đắk Mil's campaign


def test_the_liaison_and_anonymous_are_refused(world: World, liaison_dakmil: User) -> None:
    assert page(client_for(liaison_dakmil), world).status_code == 403
    anonymous = page(Client(), world)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    post = Client().post("/coverage/build/", {"campaign": world.campaign.pk})
    assert post.status_code == 302 and Job.objects.count() == 0


# --- counting the cohort --------------------------------------------------------------------


def _form(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "campaign": world.campaign.pk,
        "unit": world.tree.dakmil.pk,
        "day": f"{DAY:%d/%m/%Y}",
        **extra,
    }


def test_the_commander_counts_the_cohort_in_the_background(
    tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    world = make_world(tree, build=False)
    client = client_for(world.commander)
    before = html(page(client, world))
    assert 'data-state="none"' in before and 'data-testid="no-cohort"' in before
    assert 'data-testid="headline"' not in before
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/coverage/build/", _form(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/coverage/?campaign=")
    assert CohortBuild.objects.get(campaign=world.campaign).people == 7
    assert cohort_job(world.campaign).state == Job.State.DONE
    event = AuditEvent.objects.get(action="reach.build_cohort")
    assert event.actor == world.commander and event.object_id == str(world.campaign.pk)
    assert AuditEvent.objects.filter(action="reach.cohort_built", actor=None).count() == 1
    after = html(client.get(response["Location"]))
    assert 'data-state="built"' in after and by_testid(after, "total-reached") == "4"


def test_while_the_count_runs_the_page_says_so_and_reloads_when_it_is_done(
    world: World,
) -> None:
    job = cohort_job(world.campaign)
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    client = client_for(world.commander)
    text = html(page(client, world))
    assert 'data-state="building"' in text and 'hx-trigger="every 3s"' in text
    assert 'data-testid="build"' not in text  # no second count while one is queued
    refused = client.post("/coverage/build/", _form(world))
    assert refused.status_code == 409 and "being counted already" in html(refused)
    poll = page(client, world, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "HX-Refresh" not in poll
    Job.objects.filter(pk=job.pk).update(state=Job.State.DONE)
    done = page(client, world, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_a_stopped_count_is_said_and_can_be_started_again(world: World) -> None:
    Job.objects.filter(pk=cohort_job(world.campaign).pk).update(
        state=Job.State.STOPPED, error="OperationalError"
    )
    text = html(page(client_for(world.commander), world))
    assert 'data-testid="build-stopped"' in text and 'data-testid="build"' in text


@pytest.mark.parametrize("who", ["officer", "back_office", "liaison"])
def test_only_a_commander_or_administrator_counts(
    world: World, who: str, officer_dakmil: User, back_office: User, liaison_dakmil: User
) -> None:
    user = {"officer": officer_dakmil, "back_office": back_office, "liaison": liaison_dakmil}[who]
    response = client_for(user).post("/coverage/build/", _form(world))
    assert response.status_code == 403
    assert not Job.objects.filter(kind=COHORT_JOB.name).exists()
    assert not AuditEvent.objects.filter(action="reach.build_cohort").exists()


def test_counting_another_units_or_a_higher_units_campaign_is_a_404(
    world: World, commander_tayson: User
) -> None:
    assert client_for(commander_tayson).post("/coverage/build/", _form(world)).status_code == 404
    national = _form(world, campaign=world.national.pk)
    assert client_for(world.commander).post("/coverage/build/", national).status_code == 404
    assert not AuditEvent.objects.filter(action="reach.build_cohort").exists()


def test_a_post_without_its_campaign_is_a_400(world: World) -> None:
    response = client_for(world.commander).post("/coverage/build/", {"unit": world.tree.dakmil.pk})
    assert response.status_code == 400 and "Campaign" in html(response)


# --- the suggested targets ------------------------------------------------------------------


def _targets(world: World) -> dict[str, int]:
    return dict(
        Target.objects.filter(campaign=world.campaign, group__isnull=True).values_list(
            "unit__name", "total"
        )
    )


def test_the_commander_accepts_the_suggestions_and_edits_one(world: World) -> None:
    client = client_for(world.commander)
    text = html(page(client, world))
    boxes = dict(re.findall(r'name="total_(\d+)" value="(\d+)"', text))
    assert boxes == {str(world.tree.daklao.pk): "5", str(world.ducminh.pk): "2"}  # the cohorts
    form = _form(
        world, **{f"total_{world.tree.daklao.pk}": "5", f"total_{world.ducminh.pk}": "1.200"}
    )
    response = client.post("/coverage/targets/", form)
    assert response.status_code == 302 and response["Location"].endswith("#targets")
    assert _targets(world) == {"Công an xã Đắk Lao": 5, "Công an xã Đức Minh": 1200}
    assert AuditEvent.objects.filter(action="target.set", actor=world.commander).count() == 2
    again = html(client.get(response["Location"]))
    assert "2 targets saved." in again
    assert (
        dict(re.findall(r'name="total_(\d+)" value="(\d+)"', again))[str(world.ducminh.pk)]
        == "1200"
    )  # the target now, not the suggestion
    client.post("/coverage/targets/", form)  # the same numbers again: nothing to change
    assert AuditEvent.objects.filter(action="target.set").count() == 2


@pytest.mark.parametrize(
    ("typed", "marked"),
    [("-5", True), ("1,5", True), ("năm", True), ("99999999999", True), ("20.000.000", False)],
)
def test_a_bad_number_is_refused_on_the_page_and_nothing_is_half_written(
    world: World, typed: str, marked: bool
) -> None:
    """Each refusal names the unit; a box holding no number at all is marked invalid, and one
    over the largest target is refused by the service past the form."""
    form = _form(
        world, **{f"total_{world.tree.daklao.pk}": "40", f"total_{world.ducminh.pk}": typed}
    )
    response = client_for(world.commander).post("/coverage/targets/", form)
    assert response.status_code == 400
    text = html(response)
    assert by_testid(text, "targets-error") == (
        "Xã Đức Minh: a target is a whole number of people from 0 to 10,000,000; "
        f"“{typed if marked else '20,000,000'}” "
        "is not. Nothing was saved."
    )
    box = re.search(rf'<input [^>]*name="total_{world.ducminh.pk}"[^>]*>', text)
    assert box is not None and f'value="{typed}"' in box.group(0)  # back to be corrected
    assert ('aria-invalid="true"' in box.group(0)) is marked
    assert 'value="40"' in text and _targets(world) == {}
    assert not AuditEvent.objects.filter(action="target.set").exists()


def test_a_target_for_a_unit_not_directly_below_is_refused(world: World) -> None:
    client = client_for(world.commander)
    for key in (f"total_{world.tree.tayson.pk}", f"total_{world.tree.dakmil.pk}", "total_x"):
        response = client.post("/coverage/targets/", _form(world, **{key: "10"}))
        assert response.status_code == 400 and "not directly below" in html(response)
    empty = client.post("/coverage/targets/", _form(world, **{f"total_{world.ducminh.pk}": ""}))
    assert empty.status_code == 400 and "at least one unit" in html(empty)
    assert _targets(world) == {}


def test_an_officer_cannot_set_targets(world: World, officer_dakmil: User) -> None:
    form = _form(world, **{f"total_{world.ducminh.pk}": "10"})
    assert client_for(officer_dakmil).post("/coverage/targets/", form).status_code == 403
    assert _targets(world) == {}


def test_a_higher_units_campaign_takes_no_target_from_below(world: World) -> None:
    form = _form(world, campaign=world.national.pk, **{f"total_{world.ducminh.pk}": "10"})
    assert client_for(world.commander).post("/coverage/targets/", form).status_code == 404
    assert not Target.objects.exists()


def test_the_cohort_of_a_place_outside_the_campaign_is_empty_not_an_error(world: World) -> None:
    """A province commander opening Tây Sơn with Đắk Mil's campaign sees nobody to reach."""
    user = make_user("chihuy.bo", Role.COMMANDER, world.tree.ministry)
    text = html(page(client_for(user), world, unit=world.tree.tayson.pk))
    assert by_testid(text, "total-eligible") == "0" and 'data-testid="nobody"' in text
    assert CoverageBase.objects.filter(campaign=world.campaign.pk).exists()
    assert Reachable.objects.filter(campaign=world.campaign).count() == 7
