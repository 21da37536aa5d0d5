"""A small district to plan: Đắk Mil with two communes, three venues, two teams, people counted
by the reach counters, and a past evening whose dossiers give the unit's rate.

Built by `make_district` so the unit tests and the browser test share it.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign, Session, Team, Venue
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_person, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
PEOPLE_DAKLAO = 60
PEOPLE_THUANAN = 40
PAST_DOSSIERS = 30  # at a 3-hour evening with 2 desks: 5 an hour per desk


@dataclass
class District:
    campaign: Campaign
    leader: User
    commune_hall: Venue  # Thuận An's hall (its commune given as the police commune)
    culture_house: Venue  # Đắk Lao's culture house
    school: Venue  # no commune, no class lists: cccd cannot count its people
    team_a: Team
    team_b: Team
    thuanan: Unit
    past: Session


def _people(commune: Unit, count: int, tag: str) -> list[object]:
    return [
        make_person(commune, f"Y {tag} {chr(65 + i % 26)} Niê", f"{1960 + i % 40}", "M")
        for i in range(count)
    ]


def make_district(tree: Tree, *, leader_name: str = "totruong.dakmil") -> District:
    today = timezone.localdate()
    thuanan, thuanan_police = make_pair(
        tree.dakmil, tree.dakmil_police, "24676", "Xã Thuận An", "commune"
    )
    leader = make_user(leader_name, Role.TEAM_LEADER, tree.dakmil_police)
    campaign = Campaign.objects.create(
        unit=tree.dakmil_police,
        name="Cao điểm CCCD Đắk Mil",
        start_date=today - datetime.timedelta(days=14),
        end_date=today + datetime.timedelta(days=45),
    )
    hall = Venue.objects.create(
        unit=tree.dakmil_police,
        kind=Venue.Kind.COMMUNE_HALL,
        name="Hội trường UBND xã Thuận An",
        commune=thuanan_police,
    )
    house = Venue.objects.create(
        unit=tree.dakmil_police,
        kind=Venue.Kind.CULTURAL_HOUSE,
        name="Nhà văn hóa thôn 5, xã Đắk Lao",
        commune=tree.daklao,
    )
    school = Venue.objects.create(
        unit=tree.dakmil_police, kind=Venue.Kind.SCHOOL, name="Trường THPT Đắk Mil"
    )
    team_a = Team.objects.create(unit=tree.dakmil_police, name="Tổ 1", leader=leader)
    second = make_user(f"{leader_name}.2", Role.TEAM_LEADER, tree.dakmil_police)
    team_b = Team.objects.create(unit=tree.dakmil_police, name="Tổ 2", leader=second)
    people = _people(tree.daklao, PEOPLE_DAKLAO, "Lao") + _people(thuanan, PEOPLE_THUANAN, "An")
    day = today - datetime.timedelta(days=3)
    past = Session.objects.create(
        campaign=campaign,
        unit=tree.dakmil_police,
        venue=house,
        team=team_a,
        starts_at=datetime.datetime.combine(day, datetime.time(18), tzinfo=HCM),
        ends_at=datetime.datetime.combine(day, datetime.time(21), tzinfo=HCM),
        desks=2,
        state=Session.State.CLOSED,
    )
    for person in people[:PAST_DOSSIERS]:  # all in Đắk Lao: 30 of its 60 reached
        Enrollment.objects.create(
            unit=tree.dakmil_police,
            campaign=campaign,
            person=person,
            session=past,
            kind="first_issue",
            law="2014",
            state="captured",
            received_at=datetime.datetime.combine(day, datetime.time(19), tzinfo=HCM),
        )
    cohort.build(campaign)
    return District(campaign, leader, hall, house, school, team_a, team_b, thuanan, past)
