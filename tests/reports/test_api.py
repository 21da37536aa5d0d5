"""GET /api/v1/reports/dashboard and /children: the dashboard's figures as JSON, the same numbers
as `queries.figures` and a direct count; the unit scope, the permission and malformed input give
`{code, message}` with a 4xx."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign
from cccd.enrollments.models import Enrollment
from cccd.reports import queries
from tests.builders import Tree
from tests.conftest import client_for
from tests.reports import test_report as shared
from tests.reports.test_report import DAY, KEYS, direct

# The same campaign, dossiers and commanders as the report's tests, so both prove the same figures.
campaign, dossiers = shared.campaign, shared.dossiers
commander_dakmil, commander_ministry = shared.commander_dakmil, shared.commander_ministry

pytestmark = pytest.mark.django_db


def test_the_dashboard_endpoint_is_the_dashboards_figures_whole(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment], commander_daknong: User
) -> None:
    body = client_for(commander_daknong).get(
        f"/api/v1/reports/dashboard?campaign={campaign.pk}&day=06/03/2021"
    )
    assert body.status_code == 200
    data = body.json()
    f = queries.figures(tree.daknong_police, campaign, DAY)
    assert data["unit"] == {
        "id": tree.daknong_police.pk,
        "code": "67",
        "name": "Công an tỉnh Đắk Nông",
    }
    assert (data["campaign_id"], data["day"]) == (campaign.pk, "2021-03-06")
    assert {k: data[k] for k in KEYS} == direct(tree.daknong_police, DAY, 40)
    assert data["yesterday"] == f.yesterday
    assert [(d["day"], d["captured"], d["cumulative"]) for d in data["daily"]] == [
        (d.isoformat(), n, c) for d, n, c in f.daily
    ]
    assert [(g["name"], g["count"]) for g in data["by_group"]] == f.by_group
    assert [(k["name"], k["count"]) for k in data["by_kind"]] == f.by_kind
    assert [(s["state"], s["count"]) for s in data["pipeline"]] == [
        (s, n) for s, _l, n in f.pipeline
    ]
    assert data["forecast"]["pace"] == f.forecast.pace
    assert data["forecast"]["reaches_on"] == (
        f.forecast.reaches_on and f.forecast.reaches_on.isoformat()
    )
    assert [(c["unit"]["code"], c["done"]) for c in data["children"]] == [
        ("663", direct(tree.dakmil_police, DAY, 40)["done"])
    ]


def test_the_children_endpoint_ranks_the_units_below(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment], commander_ministry: User
) -> None:
    data = (
        client_for(commander_ministry)
        .get(
            f"/api/v1/reports/children?unit={tree.ministry.pk}&campaign={campaign.pk}&day=2021-03-06"
        )
        .json()
    )
    rows = [
        (c["rank"], c["unit"]["code"], c["target"], c["done"], c["today"]) for c in data["children"]
    ]
    assert rows == [
        (
            1,
            "67",
            40,
            direct(tree.daknong_police, DAY, 40)["done"],
            direct(tree.daknong_police, DAY, 40)["today"],
        ),
        (
            2,
            "52",
            300,
            direct(tree.binhdinh_police, DAY, 300)["done"],
            direct(tree.binhdinh_police, DAY, 300)["today"],
        ),
    ]
    assert data["children"][0]["percent"] == round(100 * rows[0][3] / 40, 1)


def test_a_day_after_midnight_moves_to_the_api_figures_of_the_next_day(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment], commander_dakmil: User
) -> None:
    client = client_for(commander_dakmil)
    for day in (DAY - datetime.timedelta(days=1), DAY):
        data = client.get(
            f"/api/v1/reports/dashboard?campaign={campaign.pk}&day={day:%d/%m/%Y}"
        ).json()
        assert {k: data[k] for k in KEYS} == direct(tree.dakmil_police, day, 40)


def test_another_units_figures_are_a_404_and_a_liaison_gets_a_403(
    tree: Tree, campaign: Campaign, officer_tayson: User, liaison_dakmil: User
) -> None:
    client = client_for(officer_tayson)
    for endpoint in ("dashboard", "children"):
        refused = client.get(f"/api/v1/reports/{endpoint}?unit={tree.dakmil_police.pk}")
        assert refused.status_code == 404
        assert refused.json()["code"] == "NOT_FOUND" and refused.json()["message"]
        assert client.get(f"/api/v1/reports/{endpoint}?unit={tree.ministry.pk}").status_code == 404
        own = client.get(f"/api/v1/reports/{endpoint}?unit={tree.tayson_police.pk}")
        assert own.status_code == 200 and own.json()["unit"]["code"] == "547"
        denied = client_for(liaison_dakmil).get(f"/api/v1/reports/{endpoint}")
        assert denied.status_code == 403 and denied.json()["code"] == "PERMISSION_DENIED"
        assert Client().get(f"/api/v1/reports/{endpoint}").status_code == 401


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("day=31/02/2021", 400, "BAD_QUERY"),
        ("day=yesterday", 400, "BAD_QUERY"),
        ("unit=abc", 400, "BAD_QUERY"),
        ("campaign=1;drop", 400, "BAD_QUERY"),
        ("campaign=999999", 404, "NOT_FOUND"),
        ("unit=999999", 404, "NOT_FOUND"),
    ],
)
def test_malformed_input_is_a_4xx_with_a_code_and_a_message(
    tree: Tree, campaign: Campaign, officer_tayson: User, query: str, status: int, code: str
) -> None:
    response = client_for(officer_tayson).get(f"/api/v1/reports/dashboard?{query}")
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
