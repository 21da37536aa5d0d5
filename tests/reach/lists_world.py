"""A commune's register for the lists of people still to reach: Đắk Lao (Đắk Mil) with villages
whose names sort naturally only ("Thôn 2" before "Thôn 10"), a person reached, one whose dossier
was rejected, people to visit at home for each reason, a temporary resident from Bình Định, a
hostile name; Đức Minh beside it in the same district; a campaign of Đắk Mil, its cohort built.

A module of its own, whose fixtures the folder's conftest imports beside the intake evening of
the coverage tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort
from cccd.reach.models import HomeVisitMark
from cccd.registry.models import Household, Person, ResidenceRecord
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_person, make_user

D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = '=HYPERLINK("http://x.invalid","<b>Bấm</b>")\u202eNgô\x07 <script>alert(1)</script>'


@dataclass
class Commune:
    tree: Tree
    ducminh: Unit
    binhtuong: Unit
    campaign: Campaign
    people: dict[str, Person]


def _person(
    commune: Unit,
    name: str,
    birth: str,
    village: str,
    address: str,
    **extra: object,
) -> Person:
    person = make_person(
        commune, name, birth, str(extra.pop("sex", "M")), permanent_address=address
    )
    assert isinstance(person, Person)
    person.village = village
    for key, value in extra.items():
        setattr(person, key, value)
    person.save()
    return person


def build_commune(tree: Tree) -> Commune:
    ducminh, _ = make_pair(tree.dakmil, tree.dakmil_police, "24670", "Xã Đức Minh", "commune")
    binhtuong, _ = make_pair(tree.tayson, tree.tayson_police, "21610", "Xã Bình Tường", "commune")
    daklao = tree.daklao
    people: dict[str, Person] = {}

    def add(
        key: str, commune: Unit, name: str, birth: str, village: str, address: str, **extra: object
    ) -> None:
        people[key] = _person(commune, name, birth, village, address, **extra)

    add("ten_b", daklao, "Trần Văn Bình", "1990", "Thôn 10", "Thôn 10, số 2")
    add("ten_a", daklao, "Lê Thị An", "05/06/1985", "Thôn 10", "Thôn 10, số 2", sex="F")
    add("two", daklao, "Phạm Văn Hai", "1992", "Thôn 2", "Thôn 2, số 9")
    add("two_early", daklao, "Vũ Văn Đầu", "1993", "Thôn 2", "Thôn 2, số 1")
    add("one", daklao, "Hoàng Văn Một", "1980", "Thôn 1", "Thôn 1, số 4")
    add("none", daklao, "Đỗ Văn Không Thôn", "1975", "", "Đắk Lao")
    add("reached", daklao, "Bùi Văn Đã Làm", "1991", "Thôn 2", "Thôn 2, số 3")
    add("rejected", daklao, "Ngô Văn Bị Trả", "1989", "Thôn 2", "Thôn 2, số 5")
    add("old", daklao, "Cao Thị Cụ", "1930", "Thôn 1", "Thôn 1, số 8", sex="F")
    alone = Household.objects.create(code="HK-DL-1", residence_unit=daklao)
    add("alone", daklao, "Mai Văn Một Mình", "1970", "Thôn 1", "Thôn 1, số 6", household=alone)
    add("disabled", daklao, "Đinh Văn Khuyết", "2000", "Thôn 10", "Thôn 10, số 7")
    add("hostile", daklao, "Lý Văn Lạ", "1995", "Thôn 2", "Thôn 2, số 2")
    Person.objects.filter(pk=people["hostile"].pk).update(full_name=HOSTILE)
    add("chip", daklao, "Lương Văn Có Thẻ", "1980", "Thôn 2", "Thôn 2, số 4",
        card_kind="cccd_chip", card_issue_date=D(2021, 1, 1))  # fmt: skip
    add("child", daklao, "Trịnh Văn Nhỏ", "2015", "Thôn 2", "Thôn 2, số 4")
    add("ducminh", ducminh, "Quách Văn Đức Minh", "1988", "Thôn 3", "Thôn 3, Đức Minh")
    add("visitor", binhtuong, "Đàm Văn Tạm Trú", "1999", "Thôn 4", "Thôn 4, Bình Tường")
    ResidenceRecord.objects.create(
        person=people["visitor"],
        kind="temporary",
        unit=daklao,
        village="Thôn 2",
        address="Nhà trọ số 6, Thôn 2",
        start=D(2020, 1, 1),
        end=D(2021, 12, 31),
    )
    HomeVisitMark.objects.create(
        person=people["disabled"], reason="disabled", note="Liệt hai chân\tgọi trước"
    )
    police = tree.dakmil_police
    received = datetime.datetime(2021, 3, 5, 20, tzinfo=VN)
    Enrollment.objects.create(
        unit=police, person=people["reached"], kind="first_issue", law="2014", state="captured",
        received_at=received,
    )  # fmt: skip
    Enrollment.objects.create(
        unit=police, person=people["rejected"], kind="first_issue", law="2014", state="rejected",
        received_at=received,
    )  # fmt: skip
    campaign = Campaign.objects.create(
        unit=police, name="Đắk Mil 2021", start_date=D(2021, 3, 1), end_date=D(2021, 6, 30)
    )
    cohort.build(campaign)
    return Commune(tree, ducminh, binhtuong, campaign, people)


@pytest.fixture
def commune(tree: Tree) -> Commune:
    return build_commune(tree)


@pytest.fixture
def officer_daklao(tree: Tree) -> User:
    """An officer of the commune police: sees their commune only."""
    return make_user("canbo.daklao", Role.OFFICER, tree.daklao_police)


@pytest.fixture
def leader_dakmil(tree: Tree) -> User:
    return make_user("totruong.dakmil", Role.TEAM_LEADER, tree.dakmil_police)
