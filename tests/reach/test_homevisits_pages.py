# ruff: noqa: F811  (tests take the imported fixture `world` by its name)
"""Home-visit rounds through the pages, the paper and the API: planning from a list of people,
the round's page in Vietnamese, an outcome per visit, the PDF in order, the JSON routes."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from cccd.accounts.models import AuditEvent
from cccd.campaigns.models import Session, Venue
from cccd.reach.models import HomeVisit
from tests.conftest import client_for
from tests.mixins import assert_audited
from tests.reach.homevisit_fixtures import (  # noqa: F401  (the fixture)
    BEFORE,
    DURING,
    World,
    plan,
    world,
)

pytestmark = pytest.mark.django_db
PLAN = reverse("reach_homevisits:plan")


def _vi(client: Client) -> Client:
    client.cookies["django_language"] = "vi"
    return client


def _form(world: World, ids: list[int], **changes: Any) -> dict[str, Any]:
    return {
        "commune": world.tree.daklao.pk,
        "person": ids,
        "campaign": world.campaign.pk,
        "team": world.team.pk,
        "day": "06/03/2021",
        "start_time": "08:00",
        "end_time": "11:30",
        "note": "",
        **changes,
    }


# --- planning from a list of people ----------------------------------------------------------


def test_the_plan_form_opens_with_the_people_asked_for(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    ids = world.ids("ten", "old", "marked")
    query = f"?commune={world.tree.daklao.pk}&" + "&".join(f"person={pk}" for pk in ids)
    page = _vi(client_for(world.leader)).get(PLAN + query)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index("Phạm Thị Đào") < text.index("Vũ Văn Giang") < text.index("Nguyễn Văn An")
    assert "Cao tuổi (từ 80)" in text and "Nằm liệt giường" in text
    assert "Lập buổi thu nhận tại nhà" in text
    event = AuditEvent.objects.get(action="homevisit.view_people")
    assert event.actor == world.leader and event.after == {"people": 3}
    # a POST of the people alone (from the list of people to reach) shows the same form
    posted = client_for(world.leader).post(PLAN, {"commune": world.tree.daklao.pk, "person": ids})
    assert posted.status_code == 200
    assert [p.pk for p, _reason in posted.context["rows"]] == world.ids("old", "marked", "ten")
    assert not Session.objects.exists()


def test_people_the_planner_may_not_see_are_left_out_and_counted(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(BEFORE)
    ids = [*world.ids("old"), world.stranger.pk]
    page = client_for(world.leader).get(PLAN, {"commune": world.tree.daklao.pk, "person": ids})
    assert page.status_code == 200
    assert [p.pk for p, _r in page.context["rows"]] == world.ids("old")
    assert page.context["hidden"] == 1
    assert "Huỳnh Thị Mai" not in page.content.decode()


@pytest.mark.parametrize(
    "query", ["?person=abc", "?person=1e3", "?commune=x&person=1", "?person=" + "9" * 13]
)
def test_ids_that_are_not_ids_are_a_bad_query(world: World, query: str) -> None:
    page = client_for(world.leader).get(PLAN + query)
    assert page.status_code == 400
    assert "BAD_QUERY" in page.content.decode()


@pytest.mark.parametrize("campaign", ["²", "١", "x", "9" * 13])
def test_a_campaign_that_is_not_an_id_only_leaves_the_form_unchosen(
    world: World, campaign: str
) -> None:
    page = client_for(world.leader).get(PLAN, {"campaign": campaign})
    assert page.status_code == 200
    assert page.context["form"].initial.get("campaign") is None


def test_a_commune_of_another_unit_is_not_found(world: World) -> None:
    page = client_for(world.leader).get(PLAN, {"commune": world.tree.tayson.pk})
    assert page.status_code == 404


def test_planning_from_the_form_makes_the_round(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    ids = world.ids("ten", "old")
    done = client_for(world.leader).post(PLAN, _form(world, ids))
    assert done.status_code == 302
    session = Session.objects.get(kind=Session.Kind.HOME_VISITS)
    assert done["Location"] == reverse("reach_homevisits:session", args=[session.pk])
    assert list(
        HomeVisit.objects.filter(session=session).values_list("person_id", flat=True)
    ) == world.ids("old", "ten")


def test_a_refused_plan_comes_back_on_the_form_and_writes_nothing(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(BEFORE)
    ids = [*world.ids("old"), world.elsewhere.pk]
    page = _vi(client_for(world.leader)).post(PLAN, _form(world, ids))
    assert page.status_code == 400
    assert page.context["error"].code == "ROUND_PEOPLE_ELSEWHERE"
    assert "không cư trú tại Xã Đắk Lao" in page.content.decode()
    assert not Session.objects.exists() and not Venue.objects.exists()
    bad_day = client_for(world.leader).post(PLAN, _form(world, world.ids("old"), day="31/02/2021"))
    assert bad_day.status_code == 400 and not Session.objects.exists()


def test_the_plan_page_is_for_planners(world: World) -> None:
    assert client_for(world.officer).get(PLAN).status_code == 403
    assert client_for(world.back_office).get(PLAN).status_code == 403
    assert client_for(world.liaison).get(PLAN).status_code == 403


# --- the round's page --------------------------------------------------------------------------


@pytest.fixture
def round_day(world: World, time_machine: Any) -> Session:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("ten", "old", "marked"))
    time_machine.move_to(DURING, tick=False)
    return session


def _page(world: World, session: Session, client: Client | None = None) -> Any:
    client = client or _vi(client_for(world.officer))
    return client.get(reverse("reach_homevisits:session", args=[session.pk]))


def test_the_rounds_page_lists_its_homes_in_order_in_vietnamese(
    world: World, round_day: Session
) -> None:
    page = _page(world, round_day)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Buổi thu nhận tại nhà: Xã Đắk Lao" in text
    assert text.index("Phạm Thị Đào") < text.index("Vũ Văn Giang") < text.index("Nguyễn Văn An")
    assert "1936" in text and "Số 5, Thôn 1" in text and "Cao tuổi (từ 80)" in text
    assert "Không có ở nhà" in text and "Đã chuyển đi" in text  # the outcome buttons
    assert "Đã đến 0/3 hộ" in text
    assert_audited("homevisit.view", round_day, actor=world.officer)


def test_an_outcome_from_the_page(world: World, round_day: Session) -> None:
    client = _vi(client_for(world.officer))
    old = world.people["old"]
    url = reverse("reach_homevisits:outcome", args=[round_day.pk, old.pk])
    moved = client.post(url, {"outcome": "moved", "note": ""})
    assert moved.status_code == 400
    assert "VISIT_NOTE_REQUIRED" in moved.content.decode()
    assert HomeVisit.objects.get(session=round_day, person=old).outcome == "pending"
    done = client.post(url, {"outcome": "moved", "note": "Về ở với con gái"})
    assert done.status_code == 302 and done["Location"].endswith("#visit-1")
    visit = HomeVisit.objects.get(session=round_day, person=old)
    assert (visit.outcome, visit.note) == ("moved", "Về ở với con gái")
    assert "Đã đến 1/3 hộ" in _page(world, round_day).content.decode()
    corrected = client.post(url, {"outcome": "refused", "note": "Nhầm"})
    assert corrected.status_code == 403
    assert "VISIT_CORRECTION_LEADER" in corrected.content.decode()


def test_the_round_of_another_unit_or_a_venue_session_is_not_found(
    world: World, round_day: Session, officer_tayson: Any
) -> None:
    assert _page(world, round_day, client_for(officer_tayson)).status_code == 404
    assert _page(world, round_day, client_for(world.back_office)).status_code == 403
    other = client_for(world.officer).get(
        reverse("reach_homevisits:session", args=[round_day.pk + 1000])
    )
    assert other.status_code == 404


def test_the_round_is_reordered_from_its_page(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("ten", "old", "marked"))
    client = client_for(world.leader)
    ten = world.people["ten"]
    moved = client.post(
        reverse("reach_homevisits:reorder", args=[session.pk, ten.pk]), {"step": "up"}
    )
    assert moved.status_code == 302
    order = list(HomeVisit.objects.filter(session=session).values_list("person_id", flat=True))
    assert order == world.ids("old", "ten", "marked")
    removed = client.post(reverse("reach_homevisits:remove", args=[session.pk, ten.pk]))
    assert removed.status_code == 302
    assert not HomeVisit.objects.filter(session=session, person=ten).exists()
    officer = client_for(world.officer).post(
        reverse("reach_homevisits:remove", args=[session.pk, world.people["old"].pk])
    )
    assert officer.status_code == 403


def test_the_round_on_paper_lists_the_homes_in_order(world: World, round_day: Session) -> None:
    response = client_for(world.leader).get(
        reverse("reach_homevisits:round_pdf", args=[round_day.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "DANH SÁCH ĐẾN TẬN NHÀ" in text
    assert text.index("Phạm Thị Đào") < text.index("Vũ Văn Giang") < text.index("Nguyễn Văn An")
    assert "Đã thu nhận" in text and "Ghi chú" in text and "Nằm liệt giường" in text
    assert_audited("homevisit.print", round_day, actor=world.leader)


def test_a_long_round_runs_over_pages_with_its_heading(world: World, time_machine: Any) -> None:
    from tests.reach.homevisit_fixtures import person

    time_machine.move_to(BEFORE)
    families = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"]
    givens = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Khánh", "Lâm", "Minh", "Nam"]
    names = [f"{f} Văn {g}" for f in families for g in givens]
    many = [
        person(world.tree.daklao, name, "1990", "M", village="Thôn 4",
               permanent_address=f"Số {n}, Thôn 4").pk
        for n, name in enumerate(names, start=1)
    ]  # fmt: skip
    session = plan(world, many)
    response = client_for(world.leader).get(
        reverse("reach_homevisits:round_pdf", args=[session.pk])
    )
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    assert all("Họ và tên" in page.extract_text() for page in reader.pages[:2])
    last = reader.pages[-1].extract_text()
    assert "Vũ Văn Nam" in last and "TỔ TRƯỞNG" in last
    assert "Nguyễn Văn An" in reader.pages[0].extract_text()


def test_the_session_lists_say_the_kind(world: World, round_day: Session) -> None:
    page = client_for(world.officer).get(reverse("campaign_detail", args=[world.campaign.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-kind="home_visits"' in text
    assert reverse("reach_homevisits:session", args=[round_day.pk]) in text


# --- the API -----------------------------------------------------------------------------------

API = "/api/v1/home-visits"


def test_a_round_through_the_api(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    body = {
        "campaign_id": world.campaign.pk,
        "team_id": world.team.pk,
        "commune_id": world.tree.daklao.pk,
        "starts_at": "2021-03-06T08:00:00+07:00",
        "ends_at": "2021-03-06T11:30:00+07:00",
        "person_ids": world.ids("ten", "alone", "old"),
    }
    client = client_for(world.leader)
    made = client.post(f"{API}/sessions", body, content_type="application/json")
    assert made.status_code == 201, made.json()
    found = made.json()
    assert [v["person_id"] for v in found["visits"]] == world.ids("old", "alone", "ten")
    assert [v["reason"] for v in found["visits"]] == ["very_old", "alone", ""]
    assert found["commune_id"] == world.tree.daklao.pk and found["status"] == "scheduled"
    session_id = found["id"]
    assert client.get(f"{API}/sessions/{session_id}").json()["visits"][0]["full_name"] == (
        "Phạm Thị Đào"
    )
    order = world.ids("ten", "old", "alone")
    again = client.post(
        f"{API}/sessions/{session_id}/order", {"person_ids": order}, content_type="application/json"
    )
    assert [v["person_id"] for v in again.json()["visits"]] == order
    time_machine.move_to(DURING, tick=False)
    ten = world.people["ten"].pk
    outcome = client_for(world.officer).post(
        f"{API}/sessions/{session_id}/people/{ten}/outcome",
        {"outcome": "not_at_home", "note": "Đi rẫy"},
        content_type="application/json",
    )
    assert outcome.status_code == 200, outcome.json()
    assert outcome.json()["outcome"] == "not_at_home"
    assert outcome.json()["visited_by"] == world.officer.username


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"person_ids": []}, 400, "ROUND_EMPTY"),
        ({"person_ids": [0]}, 422, "INVALID_INPUT"),
        ({"person_ids": "1,2"}, 422, "INVALID_INPUT"),
        ({"starts_at": "hôm nay"}, 422, "INVALID_INPUT"),
        ({"ends_at": "2021-03-07T11:30:00+07:00"}, 400, "SESSION_TIMES"),
        ({"note": "a\x00b"}, 422, "INVALID_INPUT"),
        ({"commune_id": 2**63}, 422, "INVALID_INPUT"),
    ],
)
def test_a_malformed_round_is_refused_and_nothing_written(
    world: World, time_machine: Any, changes: dict[str, Any], status: int, code: str
) -> None:
    time_machine.move_to(BEFORE)
    body = {
        "campaign_id": world.campaign.pk,
        "team_id": world.team.pk,
        "commune_id": world.tree.daklao.pk,
        "starts_at": "2021-03-06T08:00:00+07:00",
        "ends_at": "2021-03-06T11:30:00+07:00",
        "person_ids": world.ids("old"),
        **changes,
    }
    answer = client_for(world.leader).post(f"{API}/sessions", body, content_type="application/json")
    assert answer.status_code == status and answer.json()["code"] == code
    assert not Session.objects.exists() and not HomeVisit.objects.exists()


def test_the_api_refuses_who_may_not(world: World, round_day: Session) -> None:
    liaison = client_for(world.liaison)
    assert liaison.get(f"{API}/sessions/{round_day.pk}").status_code == 403
    back = client_for(world.back_office).post(
        f"{API}/sessions/{round_day.pk}/people/{world.people['old'].pk}/outcome",
        {"outcome": "not_at_home"},
        content_type="application/json",
    )
    assert back.status_code == 403
    wrong = client_for(world.officer).post(
        f"{API}/sessions/{round_day.pk}/people/{world.people['old'].pk}/outcome",
        {"outcome": "enrolled"},
        content_type="application/json",
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "VISIT_NOT_ENROLLED"
