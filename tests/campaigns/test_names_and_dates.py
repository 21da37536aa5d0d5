"""One rule for names and dates, applied by the services, so the pages and the API refuse the
same things with the same words: an empty name, a campaign in 1970, a session in the year 9999."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Team, Venue
from cccd.campaigns.services import create_campaign, create_team, create_venue, update_group
from cccd.errors import DomainError
from tests.builders import Tree, make_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _campaign_body(tree: Tree, **changes: object) -> dict:
    return {
        "unit_id": tree.daknong_police.pk,
        "name": "Đợt cao điểm",
        "start_date": "2021-02-05",
        "end_date": "2021-06-30",
        "law": "2014",
        **changes,
    }


def _post(user: User, body: dict) -> object:
    return client_for(user).post("/api/v1/campaigns/", body, content_type="application/json")


@pytest.mark.parametrize("name", ["", "   ", "\n\t"])
def test_the_api_refuses_a_campaign_without_a_name(
    tree: Tree, commander_daknong: User, name: str
) -> None:
    response = _post(commander_daknong, _campaign_body(tree, name=name))
    assert response.status_code == 400
    assert response.json()["code"] == "NAME_REQUIRED"
    assert response.json()["message"] == "The campaign name cannot be empty."
    assert not Campaign.objects.exists()


def test_a_campaign_name_is_stored_with_its_spaces_tidied(
    tree: Tree, commander_daknong: User
) -> None:
    response = _post(commander_daknong, _campaign_body(tree, name="  Đợt   cao điểm\n2021 "))
    assert response.status_code == 201
    assert Campaign.objects.get().name == "Đợt cao điểm 2021"


def test_a_name_longer_than_its_column_is_refused_in_words(
    tree: Tree, commander_daknong: User
) -> None:
    response = _post(commander_daknong, _campaign_body(tree, name="x" * 201))
    assert response.status_code in {400, 422}
    assert not Campaign.objects.exists()
    with pytest.raises(DomainError) as refused:
        create_campaign(
            unit_id=tree.daknong_police.pk,
            name="x" * 201,
            law="2014",
            actor=commander_daknong,
            start_date=datetime.date(2021, 2, 5),
            end_date=datetime.date(2021, 6, 30),
        )
    assert refused.value.code == "NAME_TOO_LONG"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1970-01-01", "1970-12-31"),
        ("1970-01-01", "2021-06-30"),
        ("2021-02-05", "9999-12-31"),
        ("0001-01-01", "2021-06-30"),
        ("2015-12-31", "2016-06-30"),
    ],
)
def test_the_api_refuses_a_campaign_outside_the_years_of_the_chip_card(
    tree: Tree, commander_daknong: User, start: str, end: str
) -> None:
    response = _post(commander_daknong, _campaign_body(tree, start_date=start, end_date=end))
    assert response.status_code == 400
    assert response.json()["code"] == "CAMPAIGN_DAYS"
    assert response.json()["message"].startswith(
        "A campaign's dates must fall between 01/01/2016 and 31/12/"
    )
    assert not Campaign.objects.exists()


def test_the_page_refuses_the_same_dates_with_the_same_words(
    tree: Tree, commander_daknong: User
) -> None:
    data = {
        "name": "Đợt cao điểm",
        "unit": tree.daknong_police.pk,
        "start_date": "01/01/1970",
        "end_date": "31/12/1970",
        "law": "2014",
    }
    response = client_for(commander_daknong).post("/campaigns/", data)
    assert response.status_code == 400
    assert (
        "A campaign&#x27;s dates must fall between 01/01/2016 and 31/12/"
        in response.content.decode()
    )
    assert not Campaign.objects.exists()


def test_the_page_refuses_a_name_of_spaces_as_the_api_does(
    tree: Tree, commander_daknong: User
) -> None:
    data = {
        "name": "   ",
        "unit": tree.daknong_police.pk,
        "start_date": "05/02/2021",
        "end_date": "30/06/2021",
        "law": "2014",
    }
    assert client_for(commander_daknong).post("/campaigns/", data).status_code == 400
    assert not Campaign.objects.exists()


def test_a_campaign_at_the_edges_of_the_years_is_accepted(
    tree: Tree, commander_daknong: User
) -> None:
    last = timezone.localdate().year + 5
    response = _post(
        commander_daknong, _campaign_body(tree, start_date="2016-01-01", end_date=f"{last}-12-31")
    )
    assert response.status_code == 201


@pytest.fixture
def planning(tree: Tree, commander_daknong: User, officer_dakmil: User) -> dict:
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="THPT Đắk Mil", actor=leader
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    return {"leader": leader, "campaign": campaign, "venue": venue, "team": team}


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T23:00:00-12:00", "9999-12-31T23:30:00-12:00"),
        ("0001-01-01T00:00:00+14:00", "0001-01-01T01:00:00+14:00"),
        ("1970-01-01T19:00:00+07:00", "1970-01-01T22:00:00+07:00"),
    ],
)
def test_a_session_at_the_ends_of_the_calendar_is_refused_not_a_500(
    planning: dict, starts_at: str, ends_at: str
) -> None:
    body = {
        "venue_id": planning["venue"].pk,
        "team_id": planning["team"].pk,
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    client = client_for(planning["leader"])
    client.raise_request_exception = False
    response = client.post(
        f"/api/v1/campaigns/{planning['campaign'].pk}/sessions",
        body,
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "SESSION_OUTSIDE_CAMPAIGN"
    assert not Session.objects.exists()


def test_venue_team_and_group_names_follow_the_same_rule(
    tree: Tree, planning: dict, administrator: User
) -> None:
    leader = planning["leader"]
    for make in (
        lambda: create_venue(unit_id=tree.dakmil_police.pk, kind="school", name=" ", actor=leader),
        lambda: create_team(
            unit_id=tree.dakmil_police.pk, name="", leader_id=leader.pk, member_ids=[], actor=leader
        ),
        lambda: update_group(
            PriorityGroup.objects.first().pk,
            name="\t",
            priority=1,
            served_first=False,
            is_active=True,
            actor=administrator,
        ),
    ):
        with pytest.raises(DomainError) as refused:
            make()
        assert refused.value.code == "NAME_REQUIRED"
    with pytest.raises(DomainError) as refused:
        create_venue(unit_id=tree.dakmil_police.pk, kind="school", name="THPT\x00", actor=leader)
    assert refused.value.code == "NAME_NOT_TEXT"
    assert (Venue.objects.count(), Team.objects.count()) == (1, 1)
