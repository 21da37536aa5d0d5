"""Xã Đắk Lao (Đắk Mil) and the people a home-visit round goes to, for the home-visit tests.

`world` holds a campaign of Đắk Nông, a team of Đắk Mil (leader and officer), the people of Đắk
Lao in villages numbered so that a text order would be wrong ("Thôn 10" before "Thôn 2"), a very
old woman, a man living alone (his wife died), a bedridden man marked by an officer, a person of
Thuận An (another commune of Đắk Mil) and one of Tây Sơn (another province). `plan` plans a round
of the morning of Saturday 06/03/2021."""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign, Session, Team
from cccd.campaigns.services import create_campaign, create_team
from cccd.enrollments.models import Enrollment
from cccd.reach import homevisits, marks
from cccd.registry.models import Household, Person
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_person, make_user

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime.date(2021, 3, 6)
MORNING = datetime.datetime(2021, 3, 6, 8, 0, tzinfo=HCM)
NOON = datetime.datetime(2021, 3, 6, 11, 30, tzinfo=HCM)
BEFORE = datetime.datetime(2021, 3, 1, 9, 0, tzinfo=HCM)  # planning days
DURING = datetime.datetime(2021, 3, 6, 9, 30, tzinfo=HCM)  # on the round


def person(commune: Unit, name: str, birth: str, sex: str, **fields: Any) -> Person:
    village = fields.pop("village", "")
    made = make_person(commune, name, birth, sex, **fields)
    assert isinstance(made, Person)
    if village:
        Person.objects.filter(pk=made.pk).update(village=village)
        made.village = village
    return made


@dataclass
class World:
    tree: Tree
    campaign: Campaign
    team: Team
    leader: User
    officer: User
    commander: User
    back_office: User
    liaison: User
    thuanan: Unit
    people: dict[str, Person]  # of Đắk Lao, by a short key
    elsewhere: Person  # Thuận An
    stranger: Person  # Tây Sơn

    def ids(self, *keys: str) -> list[int]:
        return [self.people[k].pk for k in keys]


@pytest.fixture
def world(
    tree: Tree,
    officer_dakmil: User,
    commander_daknong: User,
    liaison_dakmil: User,
) -> World:
    leader = make_user("totruong.dakmil", Role.TEAM_LEADER, tree.dakmil_police)
    back_office = make_user("hauky.dakmil", Role.BACK_OFFICE, tree.dakmil_police)
    thuanan, _police = make_pair(tree.dakmil, tree.dakmil_police, "24670", "Xã Thuận An", "commune")
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    lonely = Household.objects.create(code="H-DAKLAO-7", residence_unit=tree.daklao)
    daklao = tree.daklao
    people = {
        "ten": person(daklao, "Nguyễn Văn An", "12/05/1990", "M", village="Thôn 10",
                      permanent_address="Số 1, Thôn 10"),
        "two_b12": person(daklao, "Trần Thị Bình", "02/02/1985", "F", village="Thôn 2",
                          permanent_address="Số 12, Thôn 2"),
        "two_b3": person(daklao, "Lê Văn Cường", "1970", "M", village="Thôn 2",
                         permanent_address="Số 3, Thôn 2"),
        "two_b3_a": person(daklao, "Đỗ Thị Ánh", "03/03/1999", "F", village="thôn 2",
                           permanent_address="Số 3, Thôn 2"),
        "old": person(daklao, "Phạm Thị Đào", "01/01/1936", "F", village="Thôn 1",
                      permanent_address="Số 5, Thôn 1"),
        "alone": person(daklao, "Hoàng Văn Em", "09/09/1960", "M", village="Thôn 1",
                        permanent_address="Số 9, Thôn 1", household=lonely),
        "marked": person(daklao, "Vũ Văn Giang", "10/10/1975", "M", village="Thôn 3",
                         permanent_address="Số 2, Thôn 3"),
        "nowhere": person(daklao, "Bùi Thị Hoa", "11/11/1988", "F", permanent_address="Xã Đắk Lao"),
    }  # fmt: skip
    wife = person(daklao, "Ngô Thị Lan", "01/01/1962", "F", household=lonely)
    Person.objects.filter(pk=wife.pk).update(status="dead", died_on=datetime.date(2020, 5, 1))
    marks.mark_person(
        actor=officer_dakmil, person_id=people["marked"].pk, reason="bedridden", note="Liệt"
    )
    return World(
        tree=tree,
        campaign=campaign,
        team=team,
        leader=leader,
        officer=officer_dakmil,
        commander=commander_daknong,
        back_office=back_office,
        liaison=liaison_dakmil,
        thuanan=thuanan,
        people=people,
        elsewhere=person(thuanan, "Đinh Văn Khoa", "04/04/1980", "M", village="Thôn 1"),
        stranger=person(tree.tayson, "Huỳnh Thị Mai", "05/05/1981", "F"),
    )


def plan(
    world: World,
    person_ids: list[int],
    *,
    actor: User | None = None,
    starts_at: datetime.datetime = MORNING,
    ends_at: datetime.datetime = NOON,
    commune: Unit | None = None,
    **more: Any,
) -> Session:
    return homevisits.plan_round(
        actor=actor or world.leader,
        campaign=world.campaign,
        team=world.team,
        commune=commune or world.tree.daklao,
        starts_at=starts_at,
        ends_at=ends_at,
        person_ids=person_ids,
        **more,
    )


def dossier(
    world: World,
    who: Person,
    *,
    session: Session | None = None,
    state: str = "captured",
    at: datetime.datetime = DURING,
) -> Enrollment:
    """A dossier of `who` received at `at`, taken in `session` (or at the office: none)."""
    return Enrollment.objects.create(
        unit=world.tree.dakmil_police,
        campaign=world.campaign,
        session=session,
        person=who,
        kind="first_issue",
        law="2014",
        state=state,
        received_at=at,
    )
