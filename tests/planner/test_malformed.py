"""Every field of the planner's form, malformed: a clear message, a 4xx, no run started."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cccd.planner.models import PlanRun
from tests.planner.helpers import form_data
from tests.planner.world import District

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def client(district: District, settings: Any) -> Client:
    settings.LANGUAGE_CODE = "vi"
    client = Client()
    client.force_login(district.leader)
    return client


def _bad(district: District, case: str) -> dict[str, Any]:
    hall, team = district.commune_hall.pk, district.team_a.pk
    cases: dict[str, dict[str, Any]] = {
        "dates out of order": {"first_day": _days(5), "last_day": _days(1)},
        "before today": {"first_day": _days(-3)},
        "after the campaign": {"last_day": _days(50)},
        "too long": {"first_day": _days(0), "last_day": _days(80)},
        "not a date": {"first_day": "31/02/2026"},
        "no campaign": {"campaign": "999999"},
        "campaign not a number": {"campaign": "abc"},
        "negative desks": {f"team_{team}_desks": "-1"},
        "too many desks": {f"venue_{hall}_desks": "500"},
        "negative people": {f"venue_{hall}_people": "-5"},
        "people not a number": {f"venue_{hall}_people": "nhiều"},
        "nights over seven": {f"team_{team}_nights": "9"},
        "a closed day not a date": {f"venue_{hall}_closed": "mai, 32/13/2026"},
        "unknown shift": {f"venue_{hall}_shifts": ["midnight"]},
        "rate zero": {"rate": "0"},
        "rate not a number": {"rate": "nan"},
        "time limit too long": {"time_limit": "100000"},
        "shift time": {"shift_evening_start": "25:00"},
        "unknown team": {"teams": ["99999"]},
        "no venue": {"venues": []},
        "nobody to reach": {
            f"venue_{hall}_people": "0",
            f"venue_{district.culture_house.pk}_people": "0",
        },
    }
    return form_data(district, **cases[case])


CASES = [
    "dates out of order",
    "before today",
    "after the campaign",
    "too long",
    "not a date",
    "no campaign",
    "campaign not a number",
    "negative desks",
    "too many desks",
    "negative people",
    "people not a number",
    "nights over seven",
    "a closed day not a date",
    "unknown shift",
    "rate zero",
    "rate not a number",
    "time limit too long",
    "shift time",
    "unknown team",
    "no venue",
    "nobody to reach",
]


@pytest.mark.parametrize("case", CASES)
def test_a_malformed_field_is_a_clear_4xx(client: Client, district: District, case: str) -> None:
    response = client.post("/planner/", _bad(district, case))
    assert 400 <= response.status_code < 500, case
    page = response.content.decode()
    assert 'class="error"' in page, case
    assert not PlanRun.objects.exists()


def _alert(page: str) -> str:
    match = re.search(r'<p class="error" role="alert" data-testid="plan-error">(.*?)</p>', page)
    return match.group(1) if match else ""


def test_the_messages_say_what_is_wrong(client: Client, district: District) -> None:
    page = client.post("/planner/", _bad(district, "too long")).content.decode()
    assert "Một kế hoạch dài nhiều nhất 62 ngày" in _alert(page)
    page = client.post("/planner/", _bad(district, "after the campaign")).content.decode()
    assert "phải nằm trong đợt cấp" in _alert(page)
    page = client.post("/planner/", _bad(district, "a closed day not a date")).content.decode()
    assert "không phải là ngày" in page


def test_a_campaign_of_another_district_in_the_address_is_404(
    client: Client, district: District, tree: Any
) -> None:
    from cccd.campaigns.models import Campaign

    other = Campaign.objects.create(
        unit=tree.tayson_police, name="Tây Sơn", start_date=TODAY, end_date=TODAY
    )
    assert client.get(f"/planner/?campaign={other.pk}").status_code == 404
    assert client.get("/planner/?campaign=abc").status_code == 404
