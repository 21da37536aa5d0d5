"""Coverage and eligible counts equal a direct computation from the people and the dossiers.

The direct computation below is written from docs/reach.md in plain Python, person by person; the
system computes the same in SQL (`eligible.eligible_people`, `cohort.build`) and keeps it with
every dossier event (`counting`). Every case the issue names is here: the 14th birthday on the day
itself, a year-only birth date, a move during the campaign, a death, a card that expires during the
campaign, a rejected dossier — for the ministry, a province, a district, a commune and a village,
on several dates.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cccd.campaigns.models import Campaign
from cccd.core import validity
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort, counting, queries
from cccd.reach.eligible import eligible_people
from cccd.reach.models import Reachable
from cccd.registry.models import Household, Person, ResidenceRecord
from cccd.units.models import Unit
from tests.builders import Tree, make_pair, make_person

pytestmark = pytest.mark.django_db
D = datetime.date
VN = ZoneInfo("Asia/Ho_Chi_Minh")
WITHDRAWN = {"draft", "rejected", "cancelled"}
COUNTED = {"2014": {"cccd_chip"}, "2023": {"cccd_chip", "card_2024"}}


# --- the direct computation ------------------------------------------------------------------


def place_on(person: Person, day: datetime.date) -> tuple[int, str] | None:
    records = list(ResidenceRecord.objects.filter(person=person))

    def within(r: ResidenceRecord) -> bool:
        return (r.start is None or r.start <= day) and (r.end is None or day <= r.end)

    for r in sorted(records, key=lambda r: r.start or D(1, 1, 1), reverse=True):
        if r.kind == "temporary" and within(r):
            return r.unit_id, r.village
    if person.residence_since is None or person.residence_since <= day:
        return person.residence_unit_id, person.village
    for r in records:
        if r.kind == "permanent" and within(r):
            return r.unit_id, r.village
    return None


def eligible_on(person: Person, campaign: Campaign, day: datetime.date) -> bool:
    if person.status == "emigrated":
        return False
    if person.died_on is not None and person.died_on <= day:
        return False
    if person.status == "dead" and person.died_on is None:
        return False
    if day < person.birth_date:
        return False
    law, end = campaign.law, campaign.end_date
    counted = person.card_kind in COUNTED[law]
    expiry = person.card_expiry
    if counted and (expiry is None or (expiry > end if law == "2023" else expiry >= day)):
        return False
    if validity.age_on(person.birth_date, day) >= 14:
        return True
    return law == "2023" and counted and expiry is not None and day <= expiry <= end


def reached_by(person: Person, day: datetime.date) -> bool:
    return any(
        e.received_at is not None
        and e.state not in WITHDRAWN
        and timezone.localtime(e.received_at, VN).date() <= day
        for e in Enrollment.objects.filter(person=person)
    )


def under(unit_id: int, ancestor: Unit) -> bool:
    return Unit.objects.get(pk=unit_id).path.startswith(ancestor.path)


def direct_eligible(campaign: Campaign, unit: Unit, day: datetime.date) -> set[int]:
    found = set()
    for person in Person.objects.all():
        where = place_on(person, day)
        if where and under(where[0], unit) and eligible_on(person, campaign, day):
            found.add(person.pk)
    return found


def direct_coverage(
    campaign: Campaign, unit: Unit, day: datetime.date, village: str | None = None
) -> tuple[int, int]:
    start = campaign.start_date
    cohort_ids = [
        p
        for p in Person.objects.all()
        if eligible_on(p, campaign, start)
        and (where := place_on(p, start))
        and under(where[0], unit)
        and (village is None or where[1] == village)
    ]
    return len(cohort_ids), sum(1 for p in cohort_ids if reached_by(p, day))


# --- the register --------------------------------------------------------------------------


@dataclass
class World:
    tree: Tree
    ducminh: Unit
    binhtuong: Unit
    national: Campaign
    district: Campaign
    exchange: Campaign  # under the 2023 law


def _dossier(person: Person, unit: Unit, at: datetime.datetime, state: str) -> Enrollment:
    return Enrollment.objects.create(
        unit=unit, person=person, kind="first_issue", law="2014", state=state, received_at=at
    )


def at(day: datetime.date, hour: int = 20) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=VN)


@pytest.fixture
def world(tree: Tree) -> World:
    ducminh, _ = make_pair(tree.dakmil, tree.dakmil_police, "24670", "Xã Đức Minh", "commune")
    binhtuong, _ = make_pair(tree.tayson, tree.tayson_police, "21610", "Xã Bình Tường", "commune")
    daklao = tree.daklao

    def person(commune: Unit, name: str, birth: str, village: str = "Thôn 1", **extra: object):
        p = make_person(commune, name, birth, extra.pop("sex", "M"))
        p.village = village
        for k, v in extra.items():
            setattr(p, k, v)
        p.save()
        return p

    # The 14th birthday on 10/03/2021, inside the campaign; and a year-only birth (1 January).
    person(daklao, "Nguyễn Văn Mười Bốn", "10/03/2007", "Thôn 2")
    person(daklao, "Trần Văn Năm", "2007", "Thôn 2", birth_date_precision="year")
    person(daklao, "Lê Văn Chưa Đủ", "02/03/2007", "Thôn 1")  # 14 on the 2nd: after the start
    # A mover: Đắk Lao until 31/03/2021, then Đức Minh.
    mover = person(ducminh, "Phạm Văn Dời", "05/05/1990", "Thôn 5", residence_since=D(2021, 4, 1))
    ResidenceRecord.objects.create(
        person=mover, kind="permanent", unit=daklao, village="Thôn 3", end=D(2021, 3, 31)
    )
    # A death during the campaign, and a death with no date.
    person(daklao, "Hoàng Văn Mất", "1950", "Thôn 1", status="dead", died_on=D(2021, 4, 15))
    person(daklao, "Vũ Văn Không Ngày", "1940", "Thôn 1", status="dead")
    person(daklao, "Đỗ Văn Xuất Cảnh", "1980", "Thôn 1", status="emigrated")
    # Cards: a chip card falling due on the 25th birthday, 20/04/2021; a barcode card; a CMND;
    # a chip card valid for years; a chip card without expiry.
    person(
        daklao,
        "Bùi Thị Hết Hạn",
        "20/04/1996",
        "Thôn 1",
        sex="F",
        card_kind="cccd_chip",
        card_issue_date=D(2021, 1, 5),
        card_expiry=D(2021, 4, 20),
    )
    person(
        ducminh,
        "Ngô Văn Mã Vạch",
        "1985",
        card_kind="cccd_barcode",
        card_issue_date=D(2018, 1, 1),
        card_expiry=D(2025, 1, 1),
    )
    person(ducminh, "Dương Văn Chứng Minh", "1970", card_kind="cmnd", card_number="241234567")
    person(
        ducminh,
        "Lý Văn Có Thẻ",
        "12/12/1980",
        card_kind="cccd_chip",
        card_issue_date=D(2021, 1, 1),
        card_expiry=D(2025, 12, 12),
    )
    person(ducminh, "Mai Văn Vô Hạn", "1940", card_kind="cccd_chip", card_issue_date=D(2021, 1, 1))
    # A temporary resident: permanent in Tây Sơn, living in Đắk Lao until the end of 2021.
    temp = person(binhtuong, "Đinh Văn Tạm Trú", "1999", "Thôn 4")
    ResidenceRecord.objects.create(
        person=temp,
        kind="temporary",
        unit=daklao,
        village="Thôn 2",
        start=D(2020, 1, 1),
        end=D(2021, 12, 31),
    )
    # Living alone at 80+, and many ordinary people with dossiers in every state.
    alone = Household.objects.create(code="HK-ALONE", residence_unit=daklao)
    person(daklao, "Cao Thị Một Mình", "1936", "Thôn 3", sex="F", household=alone)
    for i, given in enumerate(NUMBERS):
        person(binhtuong if i % 3 == 0 else daklao, f"Trương Văn {given}", f"{1960 + i}", "Thôn 1")

    police = tree.dakmil_police
    return World(
        tree,
        ducminh,
        binhtuong,
        national=Campaign.objects.create(
            unit=tree.ministry,
            name="Toàn quốc",
            start_date=D(2021, 3, 1),
            end_date=D(2021, 6, 30),
        ),
        district=Campaign.objects.create(
            unit=police, name="Đắk Mil", start_date=D(2021, 3, 1), end_date=D(2021, 6, 30)
        ),
        exchange=Campaign.objects.create(
            unit=police,
            name="Đổi thẻ 2024",
            start_date=D(2024, 9, 1),
            end_date=D(2024, 12, 31),
            law="2023",
        ),
    )


def _dossiers(world: World) -> None:
    """Dossiers in every state on several days: captured, delivered, rejected, cancelled then
    taken again, a draft (not received), one before the campaign, one for the mover after the
    move (he counts where he lived on the first day)."""
    police = world.tree.dakmil_police
    people = {p.full_name: p for p in Person.objects.all()}
    _dossier(people["Trần Văn Năm"], police, at(D(2021, 3, 2)), "captured")
    _dossier(people["Phạm Văn Dời"], police, at(D(2021, 4, 3)), "delivered")
    _dossier(people["Trương Văn Một"], police, at(D(2021, 3, 5), 23), "rejected")
    _dossier(people["Trương Văn Hai"], police, at(D(2021, 3, 5)), "cancelled")
    _dossier(people["Trương Văn Hai"], police, at(D(2021, 3, 20)), "approved")
    _dossier(people["Trương Văn Ba"], police, at(D(2021, 2, 20)), "at_unit")
    _dossier(people["Trương Văn Bốn"], police, None, "draft")  # type: ignore[arg-type]
    _dossier(people["Trương Văn Năm"], police, at(D(2021, 3, 5)), "captured")
    _dossier(people["Trương Văn Sáu"], police, at(D(2021, 3, 5)), "completed")
    _dossier(people["Đinh Văn Tạm Trú"], police, at(D(2021, 3, 9)), "captured")
    _dossier(people["Hoàng Văn Mất"], police, at(D(2021, 3, 9)), "rejected")


NUMBERS = ["Không", "Một", "Hai", "Ba", "Bốn", "Năm", "Sáu", "Bảy", "Tám", "Chín"]
DAYS = [D(2021, 3, 1), D(2021, 3, 5), D(2021, 3, 10), D(2021, 4, 16), D(2021, 5, 1)]


def _places(world: World) -> list[Unit]:
    t = world.tree
    return [t.country, t.daknong, t.dakmil, t.daklao, world.ducminh, t.binhdinh, t.tayson]


def test_the_eligible_population_on_each_day_is_the_direct_count(world: World) -> None:
    for campaign, day, unit in itertools.product(
        [world.national, world.exchange], DAYS + [D(2024, 9, 1), D(2024, 11, 1)], _places(world)
    ):
        system = set(eligible_people(campaign, day, unit).values_list("pk", flat=True))
        assert system == direct_eligible(campaign, unit, day), (campaign.name, day, unit.name)


def test_the_cases_the_rule_names(world: World) -> None:
    """The expected answers written out, so the direct computation itself is held to the rule."""
    c, t = world.national, world.tree
    names = lambda day, unit: {  # noqa: E731
        Person.objects.get(pk=pk).full_name for pk in direct_eligible(c, unit, day)
    }
    assert "Nguyễn Văn Mười Bốn" not in names(D(2021, 3, 9), t.daklao)
    assert "Nguyễn Văn Mười Bốn" in names(D(2021, 3, 10), t.daklao)  # the birthday itself
    assert "Trần Văn Năm" in names(D(2021, 3, 1), t.daklao)  # year-only: 14 since 1 January
    assert "Phạm Văn Dời" in names(D(2021, 3, 31), t.daklao)
    assert "Phạm Văn Dời" in names(D(2021, 4, 1), world.ducminh)
    assert "Phạm Văn Dời" not in names(D(2021, 4, 1), t.daklao)
    assert "Hoàng Văn Mất" in names(D(2021, 4, 14), t.daklao)
    assert "Hoàng Văn Mất" not in names(D(2021, 4, 15), t.daklao)
    assert "Bùi Thị Hết Hạn" not in names(D(2021, 4, 20), t.daklao)  # valid through its day
    assert "Bùi Thị Hết Hạn" in names(D(2021, 4, 21), t.daklao)
    assert "Đinh Văn Tạm Trú" in names(D(2021, 3, 1), t.daklao)
    assert "Đinh Văn Tạm Trú" not in names(D(2021, 3, 1), world.binhtuong)
    assert {"Ngô Văn Mã Vạch", "Dương Văn Chứng Minh"} <= names(D(2021, 3, 1), world.ducminh)
    assert not {"Lý Văn Có Thẻ", "Mai Văn Vô Hạn"} & names(D(2021, 3, 1), world.ducminh)
    # Under the 2023 law, a chip card falling due in the campaign (the 45th? no: 40th birthday on
    # 12/12/2020 has passed; this one runs to 12/12/2025) is not due; the barcode card is.
    exchange = {
        Person.objects.get(pk=pk).full_name
        for pk in direct_eligible(world.exchange, world.ducminh, D(2024, 9, 1))
    }
    assert "Ngô Văn Mã Vạch" in exchange and "Lý Văn Có Thẻ" not in exchange


def _assert_coverage_is_direct(world: World) -> None:
    for campaign in (world.national, world.district):
        home = Unit.objects.get(path=campaign.unit.mirror_path)  # the campaign's places
        for unit, day in itertools.product(_places(world), DAYS):
            if unit.path.startswith(home.path):
                expected = direct_coverage(campaign, unit, day)
            elif home.path.startswith(unit.path):  # above the campaign: its whole cohort
                expected = direct_coverage(campaign, home, day)
            else:
                continue
            figure = queries.coverage(campaign, unit, day).total
            assert (figure.eligible, figure.reached) == expected, (campaign.name, unit, day)
        for village, day in itertools.product(["Thôn 1", "Thôn 2", "Thôn 3"], DAYS):
            page = queries.coverage(campaign, world.tree.daklao, day)
            shown = {f.key: (f.eligible, f.reached) for f in page.villages}
            expected = direct_coverage(campaign, world.tree.daklao, day, village)
            assert shown.get(village, (0, 0)) == expected, (campaign.name, village, day)


def test_coverage_built_from_the_register_is_the_direct_computation(world: World) -> None:
    _dossiers(world)
    cohort.build(world.national)
    cohort.build(world.district)
    _assert_coverage_is_direct(world)
    assert queries.coverage(world.national, world.tree.country, D(2021, 5, 1)).total.eligible > 0


def test_coverage_kept_with_every_dossier_event_is_the_direct_computation(world: World) -> None:
    """Build first, then the dossiers arrive and move one by one, each telling `counting`."""
    cohort.build(world.national)
    cohort.build(world.district)
    before = Enrollment.objects.count()
    _dossiers(world)
    for enrollment in Enrollment.objects.all()[before:]:
        counting.person_moved(enrollment.person_id)
    _assert_coverage_is_direct(world)
    # A captured dossier rejected later stops counting on the day it was received.
    taken = Enrollment.objects.get(person__full_name="Trần Văn Năm")
    taken.state = "rejected"
    taken.save()
    counting.person_moved(taken.person_id)
    _assert_coverage_is_direct(world)
    rows = Reachable.objects.filter(campaign=world.national, person=taken.person)
    assert rows.get().reached_on is None


def test_groups_and_home_visits_follow_the_register(world: World) -> None:
    cohort.build(world.district)
    alone = Reachable.objects.get(campaign=world.district, person__full_name="Cao Thị Một Mình")
    assert alone.home_visit == "very_old"
    assert alone.group is not None and alone.group.code == "elderly_alone"
    young = Reachable.objects.get(campaign=world.district, person__full_name="Trần Văn Năm")
    assert young.group is not None and young.group.code == "general" and young.home_visit == ""
    assert not Reachable.objects.filter(
        campaign=world.district, person__full_name="Đinh Văn Tạm Trú", unit=world.binhtuong
    ).exists()


def test_the_eligible_api_counts_each_place_and_village_as_the_direct_computation(
    world: World,
) -> None:
    from cccd.accounts.models import Role
    from tests.builders import make_user
    from tests.conftest import client_for

    commander = client_for(make_user("chihuy.dakmil", Role.COMMANDER, world.tree.dakmil_police))
    campaign = world.district
    for day, unit in itertools.product(DAYS, [world.tree.dakmil, world.tree.daklao]):
        body = commander.get(
            "/api/v1/coverage/eligible",
            {"campaign": campaign.pk, "unit": unit.pk, "day": f"{day:%d/%m/%Y}"},
        )
        assert body.status_code == 200, body.content
        data = body.json()
        assert data["eligible"] == len(direct_eligible(campaign, unit, day)), (unit, day)
        for child in data["children"]:
            place = Unit.objects.get(pk=int(child["key"]))
            assert child["eligible"] == len(direct_eligible(campaign, place, day)), (place, day)
        if unit == world.tree.daklao:
            villages = {
                v: sum(
                    1
                    for pk in direct_eligible(campaign, unit, day)
                    if (where := place_on(Person.objects.get(pk=pk), day)) and where[1] == v
                )
                for v in ("Thôn 1", "Thôn 2", "Thôn 3")
            }
            shown = {v["key"]: v["eligible"] for v in data["villages"]}
            assert {v: shown.get(v, 0) for v in villages} == villages, day
    province = client_for(make_user("chihuy.daknong", Role.COMMANDER, world.tree.daknong_police))
    wide = province.get(
        "/api/v1/coverage/eligible", {"campaign": campaign.pk, "unit": world.tree.daknong.pk}
    )
    assert (wide.status_code, wide.json()["code"]) == (400, "ELIGIBLE_TOO_WIDE")
    other = commander.get(
        "/api/v1/coverage/eligible", {"campaign": campaign.pk, "unit": world.tree.tayson.pk}
    )
    assert other.status_code == 404
