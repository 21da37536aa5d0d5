import datetime
import zoneinfo

import pytest
import time_machine

from cccd.accounts.models import User
from cccd.campaigns.models import Session, Team, Venue
from cccd.campaigns.services import create_campaign, create_team, create_venue
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.dakmil", "team_leader", tree.dakmil_police)


@pytest.fixture
def plan(tree: Tree, commander_daknong: User, leader: User, officer_dakmil: User) -> dict:
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="school",
        name="Trường THPT Đắk Mil",
        address="Thị trấn Đắk Mil",
        actor=leader,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ lưu động số 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    return {"campaign": campaign, "venue": venue, "team": team}


def _form(plan: dict, **changes: object) -> dict:
    return {
        "venue": plan["venue"].pk,
        "team": plan["team"].pk,
        "day": "06/03/2021",
        "start_time": "19:00",
        "end_time": "23:30",
        "desks": 3,
        "capacity": 250,
        "note": "",
        **changes,
    }


def test_a_team_leader_plans_an_evening_session(plan: dict, leader: User) -> None:
    response = client_for(leader).post(
        f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan)
    )
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.starts_at == datetime.datetime(2021, 3, 6, 19, 0, tzinfo=HCM)
    assert session.ends_at == datetime.datetime(2021, 3, 6, 23, 30, tzinfo=HCM)
    assert session.is_night and session.is_weekend and not session.crosses_midnight
    assert_audited("session.plan", session, actor=leader)


def test_an_end_before_the_start_means_the_next_day(plan: dict, leader: User) -> None:
    client_for(leader).post(
        f"/campaigns/{plan['campaign'].pk}/sessions/new/",
        _form(plan, start_time="20:00", end_time="00:30"),
    )
    session = Session.objects.get()
    assert session.ends_at == datetime.datetime(2021, 3, 7, 0, 30, tzinfo=HCM)
    assert session.crosses_midnight
    assert session.local_day == datetime.date(2021, 3, 6)


@pytest.mark.parametrize(
    ("changes", "marker"),
    [
        ({"day": "01/07/2021"}, "SESSION_OUTSIDE_CAMPAIGN"),
        ({"desks": 0}, "greater than or equal"),
        ({"start_time": "25:00"}, "valid time"),
        ({"day": "30/02/2021"}, "valid date"),
        ({"venue": 999999}, "valid choice"),
        ({"start_time": "19:00", "end_time": "19:00"}, "SESSION_TIMES"),
    ],
)
def test_a_malformed_session_is_refused_and_nothing_saved(
    plan: dict, leader: User, changes: dict, marker: str
) -> None:
    response = client_for(leader).post(
        f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan, **changes)
    )
    assert response.status_code == 400, response.content[:300]
    assert marker in response.content.decode()
    assert not Session.objects.exists()


def test_the_api_refuses_a_session_longer_than_a_day(plan: dict, leader: User) -> None:
    payload = {
        "venue_id": plan["venue"].pk,
        "team_id": plan["team"].pk,
        "starts_at": "2021-03-06T08:00:00+07:00",
        "ends_at": "2021-03-07T09:00:00+07:00",
    }
    response = client_for(leader).post(
        f"/api/v1/campaigns/{plan['campaign'].pk}/sessions",
        payload,
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "SESSION_TIMES")


def test_the_api_reads_a_time_without_zone_as_local_time(plan: dict, leader: User) -> None:
    payload = {
        "venue_id": plan["venue"].pk,
        "team_id": plan["team"].pk,
        "starts_at": "2021-03-06T19:00",
        "ends_at": "2021-03-06T23:00",
    }
    response = client_for(leader).post(
        f"/api/v1/campaigns/{plan['campaign'].pk}/sessions",
        payload,
        content_type="application/json",
    )
    assert response.status_code == 201
    assert Session.objects.get().starts_at == datetime.datetime(2021, 3, 6, 19, tzinfo=HCM)


def test_the_session_list_shows_last_nights_session_still_running_and_the_coming_ones(
    plan: dict, leader: User
) -> None:
    client = client_for(leader)
    url = f"/campaigns/{plan['campaign'].pk}/sessions/new/"
    client.post(
        url, _form(plan, day="05/03/2021", start_time="20:00", end_time="00:30")
    )  # runs past midnight
    client.post(url, _form(plan, day="04/03/2021"))  # over
    client.post(url, _form(plan, day="10/03/2021", start_time="07:30", end_time="11:30"))
    with time_machine.travel(datetime.datetime(2021, 3, 6, 0, 10, tzinfo=HCM), tick=False):
        sessions = client.get("/campaigns/sessions/").context["sessions"]
        listed = [s.local_day for s in sessions]
    assert listed == [datetime.date(2021, 3, 5), datetime.date(2021, 3, 10)]


def test_another_province_sees_none_of_the_sessions(
    plan: dict, leader: User, officer_tayson: User
) -> None:
    client_for(leader).post(f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan))
    with time_machine.travel(datetime.datetime(2021, 3, 6, 8, tzinfo=HCM), tick=False):
        assert (
            list(client_for(officer_tayson).get("/campaigns/sessions/").context["sessions"]) == []
        )
        assert client_for(officer_tayson).get("/api/v1/campaigns/sessions").json()["items"] == []


def test_a_venue_of_another_district_cannot_be_used(plan: dict, tree: Tree) -> None:
    leader_tayson = make_user("totruong.tayson", "team_leader", tree.tayson_police)
    response = client_for(leader_tayson).post(
        f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan)
    )
    assert response.status_code == 404
    assert not Session.objects.exists()


def test_an_officer_cannot_plan(plan: dict, officer_dakmil: User) -> None:
    assert (
        client_for(officer_dakmil)
        .post(f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan))
        .status_code
        == 403
    )


def test_venues_and_teams_are_created_from_the_page(
    tree: Tree, leader: User, officer_dakmil: User
) -> None:
    client = client_for(leader)
    client.post(
        "/campaigns/venues/",
        {
            "name": "Nhà văn hóa thôn 5",
            "kind": "cultural_house",
            "unit": tree.dakmil_police.pk,
            "address": "Xã Đắk Lao",
        },
    )
    client.post(
        "/campaigns/teams/new/",
        {
            "name": "Tổ 2",
            "unit": tree.dakmil_police.pk,
            "leader": leader.pk,
            "members": [officer_dakmil.pk],
        },
    )
    venue = Venue.objects.get()
    team = Team.objects.get()
    assert venue.kind == "cultural_house"
    assert set(team.members.values_list("username", flat=True)) == {
        "totruong.dakmil",
        "canbo.dakmil",
    }
    assert_audited("venue.create", venue, actor=leader)
    assert_audited("team.create", team, actor=leader)


def test_a_team_member_of_another_district_is_refused(
    tree: Tree, leader: User, officer_tayson: User
) -> None:
    response = client_for(leader).post(
        "/campaigns/teams/new/",
        {
            "name": "Tổ 3",
            "unit": tree.dakmil_police.pk,
            "leader": leader.pk,
            "members": [officer_tayson.pk],
        },
    )
    assert response.status_code == 400
    assert not Team.objects.exists()
