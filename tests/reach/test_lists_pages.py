"""The page of people still to reach, as its readers open it: Vietnamese title, filters, counts,
the two downloads, the round a team leader plans from it; 404 for another unit's commune, 403 for
roles without the list, a 400 naming the field for a query that cannot be used."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Campaign
from cccd.reach import lists
from cccd.reach.models import CohortBuild, Reachable
from tests.conftest import client_for
from tests.reach.lists_world import HOSTILE, Commune

pytestmark = pytest.mark.django_db
URL = "reach_lists:list"


def _get(user: User, commune: Commune, name: str = URL, **params: Any) -> Any:
    query = {"campaign": commune.campaign.pk, "unit": commune.tree.daklao.pk, **params}
    return client_for(user).get(reverse(name), {k: v for k, v in query.items() if v is not None})


def _people(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-person="(\d+)"', html)]


def test_the_page_in_vietnamese(commune: Commune, officer_dakmil: User, settings: Any) -> None:
    settings.LANGUAGE_CODE = "vi"
    response = _get(officer_dakmil, commune, village="Thôn 2")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Danh sách người cần vận động làm CCCD — Xã Đắk Lao, Thôn 2" in html
    assert "Tải Excel" in html and "In (PDF A4)" in html
    assert "Chỉ người cần đến tận nhà" in html
    assert "<strong>5</strong> người chưa làm CCCD, trên tổng số 6 người" in html  # 1 reached
    assert "Thôn, tổ dân phố" in html and "Thẻ đang có" in html
    assert "Lập buổi thu nhận tại nhà" not in html  # an officer does not plan sessions


def test_the_page_lists_the_commune_in_order_with_the_villages_to_choose(
    commune: Commune, officer_dakmil: User
) -> None:
    html = _get(officer_dakmil, commune).content.decode()
    people = lists.still_to_reach(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao
    )
    assert _people(html) == [r.person_id for r in lists.rows_of(people)]
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options == ["Thôn 1", "Thôn 2", "Thôn 10"]
    assert "<strong>12</strong> people still to reach, of 13" in html
    assert "3 to visit at home" in html
    coverage = f"{reverse('reach:coverage')}?campaign={commune.campaign.pk}&amp;unit="
    assert coverage in html
    assert html.count('data-testid="village-row"') == 4  # Thôn 1, 2, 10 and no village
    query = f"campaign={commune.campaign.pk}&amp;unit={commune.tree.daklao.pk}"
    assert f"{reverse('reach_lists:xlsx')}?{query}" in html
    assert f"{reverse('reach_lists:pdf')}?{query}" in html


def test_the_home_visit_filter(commune: Commune, officer_dakmil: User) -> None:
    html = _get(officer_dakmil, commune, home_visit="1").content.decode()
    assert _people(html) == [commune.people[k].pk for k in ("alone", "old", "disabled")]
    assert "80 years old or more" in html and "Disabled: Liệt hai chân gọi trước" in html
    assert 'name="home_visit" value="1" data-testid="home-visit-only" checked' in html
    assert "&amp;home_visit=1" in html  # the downloads keep the filter


def test_a_hostile_name_is_text_on_the_page(commune: Commune, officer_dakmil: User) -> None:
    html = _get(officer_dakmil, commune).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "\u202e" not in html and "\x07" not in html
    assert HOSTILE not in html


def test_pages_of_a_hundred(commune: Commune, officer_dakmil: User, monkeypatch: Any) -> None:
    monkeypatch.setattr(lists, "PAGE_SIZE", 5)
    first = _get(officer_dakmil, commune).content.decode()
    third = _get(officer_dakmil, commune, page="3").content.decode()
    people = lists.still_to_reach(
        actor=officer_dakmil, campaign=commune.campaign, unit=commune.tree.daklao
    )
    everyone = [r.person_id for r in lists.rows_of(people)]
    assert _people(first) == everyone[:5] and _people(third) == everyone[10:]
    assert "<td>11</td>" in third  # numbered across pages
    events = AuditEvent.objects.filter(action="reach.list_view").order_by("pk")
    assert [(e.after or {}).get("page") for e in events] == [1, 3]
    assert [(e.after or {}).get("shown") for e in events] == [5, 2]


def test_a_team_leader_plans_a_round_from_the_checked_people(
    commune: Commune, leader_dakmil: User
) -> None:
    html = _get(leader_dakmil, commune).content.decode()
    form = re.search(r'<form id="plan" method="get" action="([^"]+)"', html)
    assert form is not None and form.group(1) == reverse("reach_homevisits:plan")
    assert f'name="commune" value="{commune.tree.daklao.pk}"' in html
    assert f'name="campaign" value="{commune.campaign.pk}"' in html
    checked = re.findall(r'name="person" value="(\d+)" form="plan"[^>]*checked', html)
    boxes = re.findall(r'name="person" value="(\d+)" form="plan"', html)
    flagged = [commune.people[k] for k in ("alone", "old", "disabled")]
    assert sorted(int(pk) for pk in checked) == sorted(p.pk for p in flagged)
    assert len(boxes) == 12
    # What the browser sends: the planning page opens with those people.
    sent = {"commune": commune.tree.daklao.pk, "campaign": commune.campaign.pk, "person": checked}
    plan = client_for(leader_dakmil).get(form.group(1), sent)
    assert plan.status_code == 200
    page = plan.content.decode()
    assert all(p.full_name in page for p in flagged)
    assert commune.people["two"].full_name not in page


def test_a_role_that_plans_no_sessions_gets_no_plan_button(
    commune: Commune, officer_dakmil: User
) -> None:
    html = _get(officer_dakmil, commune).content.decode()
    assert 'id="plan"' not in html and 'form="plan"' not in html
    assert _people(html)  # the list itself is there


def test_another_district_gets_404_and_a_commune_officer_only_their_commune(
    commune: Commune, officer_tayson: User, officer_daklao: User
) -> None:
    assert _get(officer_tayson, commune).status_code == 404
    assert _get(officer_daklao, commune).status_code == 200
    assert _get(officer_daklao, commune, unit=commune.ducminh.pk).status_code == 404
    for name in ("reach_lists:xlsx", "reach_lists:pdf"):
        assert _get(officer_tayson, commune, name).status_code == 404
        assert _get(officer_daklao, commune, name, unit=commune.ducminh.pk).status_code == 404
    # the commune officer's own commune is the default
    own = client_for(officer_daklao).get(reverse(URL), {"campaign": commune.campaign.pk})
    assert own.status_code == 200 and "Xã Đắk Lao" in own.content.decode()
    assert AuditEvent.objects.filter(action__startswith="reach.").count() == 2


def test_roles_without_the_list_are_refused(
    commune: Commune, back_office_dakmil: User, liaison_dakmil: User, administrator: User
) -> None:
    for user in (back_office_dakmil, liaison_dakmil, administrator):
        for name in (URL, "reach_lists:xlsx", "reach_lists:pdf"):
            assert _get(user, commune, name).status_code == 403, (user.username, name)
    assert not AuditEvent.objects.filter(action__startswith="reach.").exists()


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"campaign": "abc"}, 400, "“Campaign” cannot be read"),
        ({"campaign": None}, 400, "“Campaign” cannot be read"),
        ({"campaign": "99999999"}, 404, "Not found"),
        ({"unit": "1e3"}, 400, "“Commune” cannot be read"),
        ({"unit": "99999999"}, 404, "Not found"),
        ({"village": "Thôn 99"}, 400, "has no village “Thôn 99”"),
        ({"village": "x" * 81}, 400, "“Village” cannot be read"),
        ({"home_visit": "maybe"}, 400, "“Only those to visit at home” cannot be read"),
    ],
)
def test_a_query_that_cannot_be_used_is_a_4xx_with_a_message(
    commune: Commune, officer_dakmil: User, params: dict[str, Any], status: int, words: str
) -> None:
    for name in (URL, "reach_lists:xlsx", "reach_lists:pdf"):
        response = _get(officer_dakmil, commune, name, **params)
        assert response.status_code == status, (name, params)
        assert words in response.content.decode(), (name, params)
    assert not AuditEvent.objects.filter(action__startswith="reach.").exists()


def test_a_district_or_a_place_outside_the_campaign_is_refused(
    commune: Commune, officer_dakmil: User, commander_daknong: User
) -> None:
    district = _get(officer_dakmil, commune, unit=commune.tree.dakmil.pk)
    assert district.status_code == 400
    assert "Huyện Đắk Mil is not a commune" in district.content.decode()
    elsewhere = Campaign.objects.create(
        unit=commune.tree.tayson_police,
        name="Tây Sơn",
        start_date=commune.campaign.start_date,
        end_date=commune.campaign.end_date,
    )
    commander = client_for(commander_daknong)
    answer = commander.get(reverse(URL), {"campaign": elsewhere.pk, "unit": commune.tree.daklao.pk})
    assert answer.status_code == 404  # not a campaign of Đắk Nông's
    national = Campaign.objects.create(
        unit=commune.tree.dakmil_police,
        name="Đắk Mil khác",
        start_date=commune.campaign.start_date,
        end_date=commune.campaign.end_date,
    )
    assert (
        commander.get(
            reverse(URL), {"campaign": national.pk, "unit": commune.tree.daklao.pk}
        ).status_code
        == 200
    )
    no_commune = client_for(officer_dakmil).get(reverse(URL), {"campaign": commune.campaign.pk})
    assert no_commune.status_code == 400 and "choose a commune" in no_commune.content.decode()


def test_empty_lists_say_why(commune: Commune, officer_dakmil: User) -> None:
    Reachable.objects.filter(campaign=commune.campaign).update(
        reached_on=commune.campaign.start_date
    )
    html = _get(officer_dakmil, commune).content.decode()
    assert "Nobody is left to reach here: everyone in the campaign's list has a dossier." in html
    assert 'data-testid="xlsx"' not in html
    home = _get(officer_dakmil, commune, home_visit="1").content.decode()
    assert "Nobody left to reach here needs a home visit." in home
    Reachable.objects.filter(campaign=commune.campaign).delete()
    none = _get(officer_dakmil, commune).content.decode()
    assert "Nobody here is in this campaign's list of people to reach." in none
    CohortBuild.objects.filter(campaign=commune.campaign).delete()
    unbuilt = _get(officer_dakmil, commune).content.decode()
    assert "has not been drawn up for this campaign yet" in unbuilt
