"""A planned evening at THPT Đắk Mil (its school has a liaison) and a slice of the register."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from tests.builders import Tree, make_person, make_unit, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def session(tree: Tree, commander_daknong: User, officer_dakmil: User) -> Session:
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    liaison = make_user("lienlac.thpt", "liaison", tree.dakmil_police)
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
    venue.liaison = liaison
    venue.save()
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    return plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=3,
        capacity=300,
        starts_at=datetime.datetime(2021, 3, 6, 19, tzinfo=HCM),
        ends_at=datetime.datetime(2021, 3, 6, 23, 30, tzinfo=HCM),
        actor=leader,
    )


@pytest.fixture
def register(tree: Tree) -> dict:
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    return {
        "an": make_person(tree.daklao, "Nguyễn Văn An", "15/03/2005", "M"),
        "huong": make_person(tree.daklao, "Đặng Thị Thu Hương", "02/09/2005", "F"),
        "twin1": make_person(tree.daklao, "Trần Minh Khôi", "10/10/2006", "M"),
        "twin2": make_person(tree.daklao, "Trần Minh Khôi", "10/10/2006", "M"),
        "card": make_person(
            tree.daklao,
            "Lê Văn Bình",
            "01/01/2003",
            "M",
            card_issue_date=datetime.date(2020, 5, 1),
            card_expiry=datetime.date(2028, 1, 1),
        ),
        "young": make_person(tree.daklao, "Phạm Thị Nga", "20/12/2008", "F"),
        "elsewhere": make_person(tayson_commune, "Võ Văn Tám", "05/05/2005", "M"),
    }
