"""An evening session at THPT Đắk Mil two days ahead, open to booking: 4 slots of 30 minutes, 25
places each (100 of its 300), and people of the register to book it."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from cccd.accounts.models import User
from cccd.booking import services
from cccd.booking.models import BookingSlot
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.notify.templates import load_templates
from cccd.registry.models import Person
from tests.builders import Tree, make_person, make_user
from tests.databases import use_a_file_test_database

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def pytest_configure(config: pytest.Config) -> None:
    """The concurrency test books from threads: on SQLite the test database must be a file."""
    use_a_file_test_database()


def evening(days_ahead: int, hour: int = 19) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=HCM)


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.dakmil", "team_leader", tree.dakmil_police)


@pytest.fixture
def templates(db: None) -> None:
    load_templates()


@pytest.fixture
def make_session(tree: Tree, commander_daknong: User, leader: User) -> Any:
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2023",
        start_date=timezone.localdate() - datetime.timedelta(days=30),
        end_date=timezone.localdate() + datetime.timedelta(days=60),
        actor=commander_daknong,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="school",
        name="Trường THPT Đắk Mil",
        address="Thôn 5",
        commune_id=tree.daklao.pk,
        actor=leader,
    )
    teams: list[Any] = []

    def make(days_ahead: int = 2, *, hours: float = 2, capacity: int = 300) -> Session:
        team = create_team(
            unit_id=tree.dakmil_police.pk,
            name=f"Tổ {len(teams) + 1}",
            leader_id=leader.pk,
            member_ids=[],
            actor=leader,
        )
        teams.append(team)
        starts = evening(days_ahead)
        return plan_session(
            campaign_id=campaign.pk,
            venue_id=venue.pk,
            team_id=team.pk,
            desks=2,
            capacity=capacity,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=hours),
            accept_clashes=True,
            actor=leader,
        )

    return make


@pytest.fixture
def session(make_session: Any, leader: User, templates: None) -> Session:
    session = make_session()
    services.save_plan(session.pk, is_open=True, slot_minutes=30, places_per_slot=25, actor=leader)
    return session


@pytest.fixture
def slots(session: Session) -> list[BookingSlot]:
    return list(BookingSlot.objects.filter(session=session).order_by("starts_at"))


@pytest.fixture
def person(tree: Tree) -> Person:
    return make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")  # type: ignore[return-value]


def typed(person: Person, **changes: str) -> dict[str, str]:
    """What the person types in the form."""
    values = {
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "contact": "0912345678",
    }
    return values | changes
