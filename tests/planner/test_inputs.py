"""The form's defaults, read from the database: horizon, rate from history, desks, people from
the coverage counters, holidays."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from cccd.enrollments.models import Holiday
from cccd.planner import inputs
from tests.builders import Tree
from tests.planner.world import PAST_DOSSIERS, PEOPLE_DAKLAO, PEOPLE_THUANAN, District

pytestmark = pytest.mark.django_db


def _defaults(tree: Tree, district: District) -> inputs.Inputs:
    venues = [district.commune_hall, district.culture_house, district.school]
    teams = [district.team_a, district.team_b]
    return inputs.default_inputs(district.campaign, tree.dakmil_police, teams, venues)


def test_the_horizon_is_the_next_two_weeks(tree: Tree, district: District) -> None:
    chosen = _defaults(tree, district)
    today = timezone.localdate()
    assert chosen.first_day == today
    assert chosen.last_day == today + datetime.timedelta(days=13)


def test_the_horizon_stops_at_the_campaigns_end(district: District) -> None:
    campaign = district.campaign
    campaign.end_date = timezone.localdate() + datetime.timedelta(days=4)
    first, last = inputs.default_horizon(campaign)
    assert (last - first).days == 4


def test_the_rate_is_the_units_dossiers_per_desk_hour(tree: Tree, district: District) -> None:
    assert inputs.history_rate(tree.dakmil_police) == PAST_DOSSIERS / (2 * 3)
    assert _defaults(tree, district).rate == 5.0


def test_without_history_the_rate_is_the_stated_fallback(tree: Tree) -> None:
    assert inputs.history_rate(tree.tayson_police) is None


def test_people_are_those_eligible_and_not_yet_reached(tree: Tree, district: District) -> None:
    people = {v.venue.pk: v.people for v in _defaults(tree, district).venues}
    assert people[district.culture_house.pk] == PEOPLE_DAKLAO - PAST_DOSSIERS
    assert people[district.commune_hall.pk] == PEOPLE_THUANAN  # a police commune maps across
    assert people[district.school.pk] == 0  # not counted: the leader types it


def test_the_people_of_one_commune_are_shared_between_its_venues(
    tree: Tree, district: District
) -> None:
    from cccd.campaigns.models import Venue

    second = Venue.objects.create(
        unit=tree.dakmil_police, kind="school", name="Trường THCS Đắk Lao", commune=tree.daklao
    )
    known = inputs.people_to_reach(
        district.campaign, [district.culture_house, second, district.school], tree.dakmil_police
    )
    assert known[district.culture_house.pk] + known[second.pk] == PEOPLE_DAKLAO - PAST_DOSSIERS
    assert known[district.school.pk] is None


def test_desks_come_from_past_sessions(tree: Tree, district: District) -> None:
    chosen = _defaults(tree, district)
    teams = {t.team.pk: t.desks for t in chosen.teams}
    assert teams[district.team_a.pk] == 2  # its past evening
    assert teams[district.team_b.pk] == inputs.DEFAULT_TEAM_DESKS
    venues = {v.venue.pk: v.max_desks for v in chosen.venues}
    assert venues[district.culture_house.pk] == 2
    assert venues[district.commune_hall.pk] == inputs.DEFAULT_VENUE_DESKS


def test_venues_are_closed_on_public_holidays(tree: Tree, district: District) -> None:
    holiday = timezone.localdate() + datetime.timedelta(days=3)
    Holiday.objects.create(date=holiday, name="Ngày lễ")
    chosen = _defaults(tree, district)
    assert all(holiday in v.closed for v in chosen.venues)


def test_the_instance_leaves_out_venues_with_nobody_to_reach(
    tree: Tree, district: District
) -> None:
    instance = inputs.build_instance(_defaults(tree, district))
    assert {v.id for v in instance.venues} == {
        inputs.venue_key(district.culture_house.pk),
        inputs.venue_key(district.commune_hall.pk),
    }
    evening = next(s for s in instance.shifts if s.id == "evening")
    assert evening.night and evening.hours == 3 and evening.weekdays == frozenset(range(5))
    assert len(instance.days) == 14


def test_a_venue_without_a_commune_is_placed_by_the_commune_its_address_names(
    tree: Tree, district: District
) -> None:
    from cccd.campaigns.models import Venue

    by_address = Venue.objects.create(
        unit=tree.dakmil_police,
        kind="cultural_house",
        name="Nhà văn hóa",
        address="Thôn 2, xã thuận an",
    )
    unclear = Venue.objects.create(
        unit=tree.dakmil_police, kind="office", name="Trụ sở", address="Xã Đắk Lao và xã Thuận An"
    )
    known = inputs.people_to_reach(district.campaign, [by_address, unclear], tree.dakmil_police)
    assert known[by_address.pk] == PEOPLE_THUANAN
    assert known[unclear.pk] is None


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def test_a_run_starts_tomorrow_once_one_of_todays_shifts_has_begun(
    tree: Tree, district: District
) -> None:
    chosen = _defaults(tree, district)
    monday = chosen.first_day + datetime.timedelta(days=-chosen.first_day.weekday() + 7)
    saturday = monday + datetime.timedelta(days=5)
    chosen.first_day = monday
    assert inputs.first_open_day(chosen, _local(monday, 17, 59)) == monday
    assert inputs.first_open_day(chosen, _local(monday, 18)) == monday + datetime.timedelta(1)
    assert inputs.first_open_day(chosen, _local(monday, 20)) == monday + datetime.timedelta(1)
    chosen.first_day = saturday
    assert inputs.first_open_day(chosen, _local(saturday, 7, 29)) == saturday
    # the morning has begun: the afternoon goes too (the instance closes whole days)
    assert inputs.first_open_day(chosen, _local(saturday, 8)) == saturday + datetime.timedelta(1)
    # a first day after today is the leader's choice, whatever the hour
    assert inputs.first_open_day(chosen, _local(monday, 23)) == saturday
