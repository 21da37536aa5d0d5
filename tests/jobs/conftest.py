import datetime
import zoneinfo

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from tests.builders import Tree, make_user
from tests.databases import use_a_file_test_database

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def pytest_configure(config: pytest.Config) -> None:
    """Workers racing for one lease are threads, each with its own connection."""
    use_a_file_test_database()


@pytest.fixture
def campaign(tree: Tree, commander_daknong: User) -> Campaign:
    return create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )


@pytest.fixture
def session(tree: Tree, campaign: Campaign, officer_dakmil: User) -> Session:
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
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
        desks=2,
        capacity=100,
        starts_at=datetime.datetime(2021, 3, 6, 19, tzinfo=HCM),
        ends_at=datetime.datetime(2021, 3, 6, 22, tzinfo=HCM),
        actor=leader,
    )
