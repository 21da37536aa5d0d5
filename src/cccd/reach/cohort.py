"""Building a campaign's cohort and its coverage counters from the register and the dossiers.

The cohort (docs/reach.md "Coverage") is the people eligible on the campaign's first day, where they
lived that day, each with the group they count in, why they would be visited at home, and the day
they were first reached. It is written by one INSERT … SELECT (`eligible.eligible_people` with those
columns added), so ten million people never pass through Python; the counters are then summed from
it per commune and rolled up the tree. Building again replaces everything the campaign had, in one
transaction: pages read the old figures until the new ones are committed.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from cccd.campaigns.models import Campaign, PriorityGroup
from cccd.core import eligibility
from cccd.enrollments.models import Enrollment
from cccd.reach.eligible import eligible_people, living_alone_q
from cccd.reach.models import (
    CohortBuild,
    CoverageBase,
    CoverageDay,
    HomeVisitMark,
    HomeVisitReason,
    Reachable,
)
from cccd.rosters.models import RosterEntry
from cccd.units.models import Unit

ELDERLY_AGE = 60
"""The Law on the Elderly (39/2009/QH12): 60 and over."""
VERY_OLD_AGE = 80
"""From this age a person is visited at home without anyone marking them [a rule of ours]."""
WITHDRAWN = (Enrollment.State.DRAFT, Enrollment.State.REJECTED, Enrollment.State.CANCELLED)
COLUMNS = ("campaign_id", "person_id", "unit_id", "village", "group_id", "home_visit", "reached_on")


@dataclass(frozen=True)
class Built:
    people: int
    reached: int
    base_rows: int
    day_rows: int


def first_reached(person: OuterRef | F | str = "pk") -> Subquery:
    """The local day of the person's first dossier that counts as progress (docs/reach.md)."""
    ref = OuterRef(person) if isinstance(person, str) else person
    dossiers = (
        Enrollment.objects.filter(person=ref, received_at__isnull=False)
        .exclude(state__in=WITHDRAWN)
        .order_by("received_at")
        .annotate(day=TruncDate("received_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
    )
    return Subquery(dossiers.values("day")[:1])


def _group_case(campaign: Campaign, day: datetime.date) -> Case:
    """docs/reach.md: the first group that applies, by the codes of the reference data."""
    ids = dict(PriorityGroup.objects.filter(is_active=True).values_list("code", "pk"))
    elderly = Q(birth_date__lte=eligibility.latest_birth_date_at_age(day, ELDERLY_AGE))
    student = RosterEntry.objects.filter(person=OuterRef("pk"), roster__session__campaign=campaign)
    rules: list[tuple[str, Q | Exists]] = [
        ("disabled", Q(mark_reason=HomeVisitReason.DISABLED)),
        ("sick_at_home", Q(mark_reason=HomeVisitReason.BEDRIDDEN)),
        ("elderly_alone", elderly & living_alone_q()),
        ("elderly", elderly),
        ("student", Exists(student)),
    ]
    whens = [When(rule, then=Value(ids[code])) for code, rule in rules if code in ids]
    return Case(*whens, default=Value(ids.get("general")), output_field=IntegerField())


def _home_visit_case(day: datetime.date) -> Case:
    very_old = Q(birth_date__lte=eligibility.latest_birth_date_at_age(day, VERY_OLD_AGE))
    return Case(
        When(mark_reason__isnull=False, then=F("mark_reason")),
        When(very_old, then=Value(HomeVisitReason.VERY_OLD.value)),
        When(living_alone_q(), then=Value(HomeVisitReason.ALONE.value)),
        default=Value(""),
        output_field=CharField(),
    )


def cohort_rows(campaign: Campaign) -> QuerySet[Any, tuple[Any, ...]]:
    """The cohort as the rows `Reachable` takes, in `COLUMNS` order (for the INSERT … SELECT)."""
    day = campaign.start_date
    marks = HomeVisitMark.objects.filter(person=OuterRef("pk"))
    people = eligible_people(campaign, day).annotate(
        mark_reason=Subquery(marks.values("reason")[:1])
    )
    people = people.annotate(
        c_campaign=Value(campaign.pk, output_field=IntegerField()),
        c_person=F("pk"),
        c_unit=F("place_unit"),
        c_village=Coalesce(F("place_village"), Value(""), output_field=CharField()),
        c_group=_group_case(campaign, day),
        c_home_visit=_home_visit_case(day),
        c_reached_on=first_reached("pk"),
    )
    return people.values_list(
        "c_campaign", "c_person", "c_unit", "c_village", "c_group", "c_home_visit", "c_reached_on"
    )


def _insert_cohort(campaign: Campaign) -> None:
    sql, params = cohort_rows(campaign).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
    table = connection.ops.quote_name(Reachable._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {sql}", params)


def ancestor_chains(unit_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """Each commune and every unit above it in its tree, up to the root."""
    paths = dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path"))
    wanted = {p for path in paths.values() for p in _prefixes(path)}
    by_path = dict(Unit.objects.filter(path__in=wanted).values_list("path", "pk"))
    return {
        pk: tuple(by_path[p] for p in _prefixes(path) if p in by_path) for pk, path in paths.items()
    }


def _prefixes(path: str) -> list[str]:
    """ "/hc/L67/663/24700/" → itself and every path above it."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _rolled_up(
    rows: Iterable[tuple[int, str, int | None, datetime.date | None, int]],
    chains: dict[int, tuple[int, ...]],
) -> dict[tuple[int, str, int, datetime.date | None], int]:
    """Per-commune sums (unit, village, group, day, n) → rows for every unit above, for group 0
    and the group, and per village at the commune for group 0 only (models.py)."""
    totals: dict[tuple[int, str, int, datetime.date | None], int] = defaultdict(int)
    for unit_id, village, group, day, n in rows:
        for ancestor in chains[unit_id]:
            totals[(ancestor, "", 0, day)] += n
            if group:
                totals[(ancestor, "", group, day)] += n
        if village:
            totals[(unit_id, village, 0, day)] += n
    return totals


@transaction.atomic
def build(campaign: Campaign) -> Built:
    """Replace the campaign's cohort and counters with what the register and dossiers say now."""
    Reachable.objects.filter(campaign=campaign).delete()
    CoverageBase.objects.filter(campaign=campaign.pk).delete()
    CoverageDay.objects.filter(campaign=campaign.pk).delete()
    _insert_cohort(campaign)
    cohort = Reachable.objects.filter(campaign=campaign)
    sums = list(
        cohort.values_list("unit_id", "village", "group_id", "reached_on")
        .annotate(n=Count("pk"))
        .order_by()
    )
    chains = ancestor_chains(row[0] for row in sums)
    base = _rolled_up(((u, v, g, None, n) for u, v, g, _d, n in sums), chains)
    days = _rolled_up(((u, v, g, d, n) for u, v, g, d, n in sums if d is not None), chains)
    day_rows = [(u, v, g, d, n) for (u, v, g, d), n in days.items() if d is not None]
    CoverageBase.objects.bulk_create(
        [
            CoverageBase(campaign=campaign.pk, unit_id=u, village=v, group=g, eligible=n)
            for (u, v, g, _d), n in base.items()
        ],
        batch_size=2000,
    )
    CoverageDay.objects.bulk_create(
        [
            CoverageDay(campaign=campaign.pk, unit_id=u, village=v, group=g, day=d, reached=n)
            for u, v, g, d, n in day_rows
        ],
        batch_size=2000,
    )
    people = sum(n for *_rest, n in sums)
    CohortBuild.objects.update_or_create(
        campaign=campaign, defaults={"built_at": timezone.now(), "people": people}
    )
    return Built(
        people=people,
        reached=sum(n for *_r, d, n in sums if d is not None),
        base_rows=len(base),
        day_rows=len(days),
    )
