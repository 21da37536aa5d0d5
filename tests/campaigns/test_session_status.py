"""What a session is now, derived from its state and the clock wherever it is shown: scheduled,
running, over (hours past, nobody closed it), closed, cancelled (issue 12: "a running session is
not 'Đã lên lịch'")."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import translation

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from tests.builders import Tree, make_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.dakmil", "team_leader", tree.dakmil_police)


@pytest.fixture
def night(tree: Tree, commander_daknong: User, leader: User) -> Session:
    """Saturday 06/03/2021 20:00 to Sunday 00:30."""
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk, name="Tổ 1", leader_id=leader.pk, member_ids=[], actor=leader
    )
    return plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=2,
        capacity=100,
        starts_at=datetime.datetime(2021, 3, 6, 20, tzinfo=HCM),
        ends_at=datetime.datetime(2021, 3, 7, 0, 30, tzinfo=HCM),
        actor=leader,
    )


@pytest.mark.parametrize(
    ("moment", "state", "status"),
    [
        ((6, 19, 59), "planned", "scheduled"),
        ((6, 20, 0), "planned", "running"),
        ((7, 0, 15), "planned", "running"),
        ((7, 0, 30), "planned", "over"),
        ((6, 18, 45), "open", "running"),  # a desk opened before the hour
        ((7, 0, 15), "closed", "closed"),
        ((6, 12, 0), "cancelled", "cancelled"),
    ],
)
def test_the_status_follows_the_clock_across_midnight(
    night: Session, moment: tuple[int, int, int], state: str, status: str
) -> None:
    night.state = state
    day, hour, minute = moment
    now = datetime.datetime(2021, 3, day, hour, minute, tzinfo=HCM)
    assert night.status_at(now) == status


def test_the_session_list_shows_a_running_session_as_running_not_planned(
    night: Session, leader: User
) -> None:
    with time_machine.travel(datetime.datetime(2021, 3, 7, 0, 10, tzinfo=HCM), tick=False):
        with translation.override("vi"):
            page = client_for(leader).get("/campaigns/sessions/", HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert 'data-status="running"' in html and "Đang thu nhận" in html
    assert "Đã lên lịch" not in html


def test_the_campaign_page_and_the_api_say_over_for_an_evening_nobody_closed(
    night: Session, leader: User
) -> None:
    client = client_for(leader)
    with time_machine.travel(datetime.datetime(2021, 3, 7, 9, 0, tzinfo=HCM), tick=False):
        page = client.get(f"/campaigns/{night.campaign_id}/").content.decode()
        listed = client.get("/api/v1/campaigns/sessions").json()["items"]
    assert 'data-status="over"' in page and "Over, not closed yet" in page
    assert [(s["id"], s["state"], s["status"]) for s in listed] == [(night.pk, "planned", "over")]
