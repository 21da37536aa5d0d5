"""A small campaign the API tests reach through their generated or hand-written requests."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk
from tests.builders import Tree, make_person, make_user
from tests.tickets.conftest import make_roster

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def campaign_data(tree: Tree, commander_daknong: User, officer_dakmil: User) -> Session:
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
    session = plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=3,
        capacity=300,
        starts_at=datetime.datetime(2021, 3, 6, 19, tzinfo=HCM),
        ends_at=datetime.datetime(2021, 3, 6, 23, 30, tzinfo=HCM),
        actor=leader,
    )
    for name, born, sex in [
        ("Nguyễn Văn An", "02/09/2006", "M"),
        ("Lê Thị Thuý", "15/03/2007", "F"),
        ("Đặng Thị Thu Hương", "1950", "F"),
    ]:
        make_person(tree.daklao, name, born, sex)
    make_roster(
        session, [("Nguyễn Văn An", "12A1", "matched"), ("Trần Văn Bình", "12A1", "review")]
    )
    tickets.open_queue(session.pk, actor=officer_dakmil)
    tickets.open_desk(
        Desk.objects.filter(session=session).order_by("number")[0].pk, actor=officer_dakmil
    )
    for _ in range(3):
        tickets.issue_walk_in(session.pk, actor=leader)
    return session
