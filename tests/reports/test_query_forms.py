"""The reports' query strings under `cccd.queryforms`' rule, on every page, download and API
route that reads them: a value that cannot be read is 400 BAD_QUERY, another unit's unit or
campaign the 404 of a missing one, and nothing is audited for a refused request."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Campaign
from tests.builders import Tree
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

DAY_PAGES = [
    "/reports/",
    "/reports/report/",
    "/reports/report.xlsx",
    "/api/v1/reports/dashboard",
    "/api/v1/reports/children",
]
UNIT_PAGES = [
    "/reports/report/",
    "/reports/report.pdf",
    "/reports/officers/",
    "/reports/officers.xlsx",
    "/api/v1/reports/dashboard",
]
CAMPAIGN_PAGES = [
    "/reports/",
    "/reports/report/",
    "/reports/report.xlsx",
    "/api/v1/reports/children",
]
BAD_DAYS = ["31/02/2021", "2021-13-01", "yesterday", "06/03/21", "01/01/1899", "9999-12-31"]
BAD_IDS = ["abc", "-1", "1.5", "²", "1;drop", "9" * 13]


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    return Campaign.objects.create(
        unit=tree.ministry,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 4, 30),
    )


@pytest.fixture
def elsewhere(tree: Tree) -> Campaign:
    """A campaign of Bình Định: not one Đắk Mil takes part in."""
    return Campaign.objects.create(
        unit=tree.binhdinh_police,
        name="Bình Định 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 4, 30),
    )


def _assert_bad_query(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, url
    if "/api/" in url:
        assert response.json()["code"] == "BAD_QUERY", url
    else:
        assert "BAD_QUERY" in response.content.decode(), url


@pytest.mark.parametrize("day", BAD_DAYS)
def test_a_day_that_is_not_a_date_is_a_400_everywhere(
    campaign: Campaign, officer_dakmil: User, day: str
) -> None:
    client = client_for(officer_dakmil)
    for path in DAY_PAGES:
        _assert_bad_query(client, f"{path}?day={day}")
    for name in ("from", "to"):
        _assert_bad_query(client, f"/reports/officers/?{name}={day}")


@pytest.mark.parametrize("text", BAD_IDS)
def test_an_id_that_is_not_a_number_is_a_400_everywhere(
    campaign: Campaign, commander_daknong: User, text: str
) -> None:
    client = client_for(commander_daknong)
    for path in UNIT_PAGES:
        _assert_bad_query(client, f"{path}?unit={text}")
    for path in CAMPAIGN_PAGES:
        _assert_bad_query(client, f"{path}?campaign={text}")
    assert not AuditEvent.objects.filter(action__startswith="reports.").exists()


def test_another_units_unit_or_campaign_is_the_404_of_a_missing_one(
    tree: Tree, campaign: Campaign, elsewhere: Campaign, commander_daknong: User
) -> None:
    client = client_for(commander_daknong)
    for path in UNIT_PAGES:
        other = client.get(f"{path}?unit={tree.tayson_police.pk}")
        missing = client.get(f"{path}?unit=999999")
        assert other.status_code == missing.status_code == 404, path
        own = client.get(
            f"{path}?unit={tree.dakmil_police.pk}&campaign={campaign.pk}&day=06/03/2021"
        )
        assert own.status_code == 200, path
    for path in CAMPAIGN_PAGES:
        assert client.get(f"{path}?campaign={elsewhere.pk}").status_code == 404, path
        assert client.get(f"{path}?campaign=999999").status_code == 404, path
    audited = AuditEvent.objects.filter(action__startswith="reports.officer_report")
    assert {e.unit_id for e in audited} == {tree.dakmil_police.pk}  # the refused ones are not


def test_a_day_written_either_way_shows_the_same_report(
    campaign: Campaign, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    for path in ("/reports/", "/reports/report/"):
        local = client.get(f"{path}?campaign={campaign.pk}&day=06/03/2021")
        iso = client.get(f"{path}?campaign={campaign.pk}&day=2021-03-06")
        assert local.status_code == iso.status_code == 200
        assert 'value="06/03/2021"' in local.content.decode()
        assert 'value="06/03/2021"' in iso.content.decode()


def test_the_officer_report_takes_an_iso_day_too(
    campaign: Campaign, commander_dakmil: User
) -> None:
    """Before the forms the officer report took dd/mm/yyyy only, the dashboard both; now both
    read days as `cccd.formats` writes them (dd/mm/yyyy, or ISO)."""
    response = client_for(commander_dakmil).get("/reports/officers/?from=2021-03-01&to=31/03/2021")
    assert response.status_code == 200
    assert 'value="01/03/2021"' in response.content.decode()


@pytest.mark.parametrize("stored", ["maybe", "2", "yes"])
def test_a_stored_flag_that_is_neither_on_nor_off_is_a_400(
    campaign: Campaign, officer_dakmil: User, stored: str
) -> None:
    _assert_bad_query(client_for(officer_dakmil), f"/reports/report.xlsx?stored={stored}")


def test_a_day_to_come_keeps_its_own_refusal(campaign: Campaign, officer_dakmil: User) -> None:
    """Well-formed but meaningless is a rule of the reports, not a malformed value."""
    ahead = timezone.localdate() + datetime.timedelta(days=400)
    response = client_for(officer_dakmil).get(f"/api/v1/reports/dashboard?day={ahead:%d/%m/%Y}")
    assert response.status_code == 400 and response.json()["code"] == "FUTURE_DAY"


def test_the_api_names_the_field_in_the_users_language(
    campaign: Campaign, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).get(
        "/api/v1/reports/dashboard?day=31/02/2021", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.json() == {
        "code": "BAD_QUERY",
        "message": "Không đọc được “Ngày”: “31/02/2021” không phải là ngày hợp lệ: hãy ghi theo "
        "dạng dd/mm/yyyy.",
    }
