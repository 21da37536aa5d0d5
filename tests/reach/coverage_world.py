"""A small district for the coverage page and its services: Đắk Mil's two communes (Đắk Lao with
two villages, Đức Minh), Tây Sơn beside it, dossiers on a few days, and the campaigns of the
district, of the ministry above it and of Tây Sơn."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort
from cccd.registry.models import Person
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_person, make_user

D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = D(2021, 3, 1), D(2021, 6, 30)
DAY = D(2021, 3, 5)


@dataclass
class World:
    tree: Tree
    ducminh: Unit
    ducminh_police: Unit
    campaign: Campaign  # Đắk Mil's
    national: Campaign  # the ministry's: above every district
    tayson_campaign: Campaign
    commander: User  # Đắk Mil's commander


def _person(commune: Unit, name: str, village: str) -> Person:
    person = make_person(commune, name, "1990", "M")
    person.village = village  # type: ignore[attr-defined]
    person.save()  # type: ignore[attr-defined]
    return person  # type: ignore[return-value]


def _dossier(person: Person, unit: Unit, day: datetime.date, state: str = "captured") -> None:
    Enrollment.objects.create(
        unit=unit,
        person=person,
        kind="first_issue",
        law="2014",
        state=state,
        received_at=datetime.datetime(day.year, day.month, day.day, 20, tzinfo=VN),
    )


def make_world(tree: Tree, *, build: bool = True) -> World:
    ducminh, ducminh_police = make_pair(
        tree.dakmil, tree.dakmil_police, "24670", "Xã Đức Minh", "commune"
    )
    people = {
        name: _person(commune, name, village)
        for commune, name, village in [
            (tree.daklao, "Nguyễn Văn An", "Thôn 1"),
            (tree.daklao, "Trần Văn Bình", "Thôn 1"),
            (tree.daklao, "Lê Văn Cường", "Thôn 1"),
            (tree.daklao, "Phạm Thị Dung", "Thôn 2"),
            (tree.daklao, "Hoàng Văn Em", "Thôn 2"),
            (ducminh, "Vũ Văn Giang", "Thôn 5"),
            (ducminh, "Đỗ Thị Hoa", "Thôn 5"),
            (tree.tayson, "Huỳnh Văn Khoa", "Thôn 1"),
        ]
    }
    police = tree.dakmil_police
    _dossier(people["Nguyễn Văn An"], police, D(2021, 3, 2))
    _dossier(people["Trần Văn Bình"], police, DAY)
    _dossier(people["Phạm Thị Dung"], police, DAY)
    _dossier(people["Vũ Văn Giang"], police, DAY, "rejected")
    _dossier(people["Đỗ Thị Hoa"], police, D(2021, 3, 3))
    campaign = Campaign.objects.create(
        unit=police, name="Đắk Mil 2021", start_date=START, end_date=END
    )
    national = Campaign.objects.create(
        unit=tree.ministry, name="Toàn quốc 2021", start_date=START, end_date=END
    )
    tayson_campaign = Campaign.objects.create(
        unit=tree.tayson_police, name="Tây Sơn 2021", start_date=START, end_date=END
    )
    if build:
        cohort.build(campaign)
        cohort.build(national)
    commander = make_user("chihuy.dakmil", Role.COMMANDER, police)
    return World(tree, ducminh, ducminh_police, campaign, national, tayson_campaign, commander)
