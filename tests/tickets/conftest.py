"""A planned evening session at THPT Đắk Mil with three desks, and the people who run its queue."""

from __future__ import annotations

import datetime
import os
import tempfile
import zoneinfo
from pathlib import Path

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import PriorityGroup, Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.tickets import services
from cccd.tickets.models import Desk
from tests.builders import Tree, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def pytest_configure(config: pytest.Config) -> None:
    """Desks in threads need a test database every connection shares: SQLite's shared-cache
    in-memory database locks whole tables and fails at once instead of waiting, so when the queue
    tests run, the test database is a file (WAL, IMMEDIATE transactions, as in production)."""
    from django.conf import settings
    from django.db import connections

    for databases in (settings.DATABASES, connections.settings):
        default = databases["default"]
        test = default.setdefault("TEST", {})
        if default["ENGINE"].endswith("sqlite3") and not test.get("NAME"):
            test["NAME"] = str(Path(tempfile.gettempdir()) / f"cccd-test-{os.getpid()}.sqlite3")


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.dakmil", "team_leader", tree.dakmil_police)


@pytest.fixture
def session(tree: Tree, commander_daknong: User, leader: User, officer_dakmil: User) -> Session:
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
def desks(session: Session, officer_dakmil: User, leader: User) -> list[Desk]:
    """Desks 1 and 2 open (the officer and the leader); desk 3 planned but closed."""
    services.open_queue(session.pk, actor=officer_dakmil)
    all_desks = list(Desk.objects.filter(session=session).order_by("number"))
    services.open_desk(all_desks[0].pk, actor=officer_dakmil)
    services.open_desk(all_desks[1].pk, actor=leader)
    return [Desk.objects.get(pk=d.pk) for d in all_desks]


@pytest.fixture
def groups() -> dict[str, PriorityGroup]:
    return {g.code: g for g in PriorityGroup.objects.all()}


def make_roster(
    session: Session, rows: list[tuple[str, str, str]], *, list_name: str = ""
) -> Roster:
    """A pre-checked list: (full name, class, outcome) a row."""
    named = {"list_name": list_name} if list_name else {}
    roster = Roster.objects.create(
        session=session,
        unit=session.unit,
        file="rosters/test.xlsx",
        original_name="test.xlsx",
        kind="xlsx",
        state=Roster.State.CHECKED,
        **named,
    )
    RosterEntry.objects.bulk_create(
        RosterEntry(
            roster=roster,
            row=i,
            line=i + 4,
            fingerprint=str(i),
            full_name=name,
            class_name=class_name,
            outcome=Outcome(outcome),
        )
        for i, (name, class_name, outcome) in enumerate(rows, start=1)
    )
    return roster
