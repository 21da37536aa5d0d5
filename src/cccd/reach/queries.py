"""What the coverage page, the API and the lists read: figures from the counters, never a scan.

A unit's page reads the counters of its own row and of its children's rows (`CoverageBase` for the
cohort, `CoverageDay` summed up to the day for the reached), so the ministry's page reads 63
provinces' rows and a district's page its communes', whatever the register's size. Schools are the
exception: their figures come from the cohort rows of the people on their class lists, a few
thousand at most, and only below the province.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.campaigns.models import Campaign, PriorityGroup, Target, Venue
from cccd.campaigns.queries import visible_campaigns
from cccd.reach.eligible import admin_prefix, eligible_people
from cccd.reach.models import CohortBuild, CoverageBase, CoverageDay, Reachable
from cccd.rosters.models import RosterEntry
from cccd.units.models import Unit


@dataclass(frozen=True)
class Figure:
    """One line of coverage: the cohort, those reached by the day, those first reached that day."""

    key: str
    label: str
    eligible: int
    reached: int
    today: int
    unit: Unit | None = None

    @property
    def rate(self) -> float | None:
        """Reached ÷ cohort, None for an empty cohort (nobody to reach is not 0 % nor 100 %)."""
        return self.reached / self.eligible if self.eligible else None

    @property
    def percent(self) -> str:
        rate = self.rate
        return "—" if rate is None else f"{100 * rate:.1f}".replace(".", ",")

    @property
    def remaining(self) -> int:
        return max(self.eligible - self.reached, 0)


@dataclass
class Coverage:
    """A unit's coverage in a campaign on a day, with its parts ranked lowest coverage first."""

    campaign: Campaign
    unit: Unit
    day: datetime.date
    total: Figure
    children: list[Figure] = field(default_factory=list)
    villages: list[Figure] = field(default_factory=list)
    groups: list[Figure] = field(default_factory=list)
    schools: list[Figure] = field(default_factory=list)
    built_at: datetime.datetime | None = None


def campaigns_for(user: User) -> QuerySet[Campaign]:
    """Campaigns the user may read the coverage of: the same as every campaign page's."""
    return visible_campaigns(user)


def places_for(user: User) -> QuerySet[Unit]:
    """The administrative units the user may open (their subtree, in the places' tree)."""
    return visible_to(user, Unit.objects.filter(category=Unit.Category.ADMIN, is_active=True))


def home_place(user: User, campaign: Campaign) -> Unit | None:
    """Where the page opens: the campaign's own place, or the user's if that is narrower."""
    prefixes = [admin_prefix(campaign.unit), admin_prefix(user.unit)] if user.unit else []
    if not prefixes:
        return None
    deepest = max(prefixes, key=len)
    if not all(deepest.startswith(p) for p in prefixes):
        return None  # the user's unit and the campaign's do not overlap
    return places_for(user).filter(path=deepest).first()


def _ranked(figures: list[Figure]) -> list[Figure]:
    """Lowest coverage first (empty cohorts last), then by name: who is behind reads first."""
    return sorted(figures, key=lambda f: (f.rate is None, f.rate or 0.0, f.label))


def _reached(
    campaign: Campaign, day: datetime.date, **where: object
) -> dict[tuple[int, str, int], list[int]]:
    """{(unit, village, group): [reached by the day, first reached on the day]}."""
    rows = (
        CoverageDay.objects.filter(campaign=campaign.pk, day__lte=day, **where)
        .values_list("unit_id", "village", "group")
        .annotate(by=Sum("reached"), on=Sum("reached", filter=Q(day=day)))
        .order_by()
    )
    return {(u, v, g): [by or 0, on or 0] for u, v, g, by, on in rows}


def _figures(
    campaign: Campaign, day: datetime.date, **where: object
) -> dict[tuple[int, str, int], tuple[int, int, int]]:
    base = CoverageBase.objects.filter(campaign=campaign.pk, **where)
    eligible = {(b.unit_id, b.village, b.group): b.eligible for b in base}
    reached = _reached(campaign, day, **where)
    keys = set(eligible) | set(reached)
    return {k: (eligible.get(k, 0), *reached.get(k, [0, 0])) for k in keys}  # type: ignore[misc]


def coverage(campaign: Campaign, unit: Unit, day: datetime.date) -> Coverage:
    """The unit's figure and its ranked children, villages (at a commune), groups and schools.

    The caller has checked that the user may see `unit` (`places_for`) and the campaign."""
    children = {c.pk: c for c in Unit.objects.filter(parent=unit, is_active=True)}
    own = _figures(campaign, day, unit=unit, village="")
    kids = _figures(campaign, day, unit__in=list(children), village="", group=0)
    total = own.get((unit.pk, "", 0), (0, 0, 0))
    groups = {g.pk: g for g in PriorityGroup.objects.all()}
    result = Coverage(
        campaign=campaign,
        unit=unit,
        day=day,
        total=Figure(str(unit.pk), unit.name, *total, unit=unit),
        children=_ranked(
            [
                Figure(str(c.pk), c.name, *kids.get((c.pk, "", 0), (0, 0, 0)), unit=c)
                for c in children.values()
            ]
        ),
        groups=sorted(
            (
                Figure(groups[g].code, groups[g].name, *numbers)
                for (_u, _v, g), numbers in own.items()
                if g and g in groups
            ),
            key=lambda f: (f.rate is None, f.rate or 0.0, f.label),
        ),
        built_at=CohortBuild.objects.filter(campaign=campaign)
        .values_list("built_at", flat=True)
        .first(),
    )
    if unit.level == Unit.Level.COMMUNE:
        villages = _figures(campaign, day, unit=unit, group=0).items()
        result.villages = _ranked(
            [Figure(v, v, *numbers) for (_u, v, _g), numbers in villages if v]
        )
    if unit.level in (Unit.Level.DISTRICT, Unit.Level.COMMUNE):
        result.schools = school_figures(campaign, unit, day)
    return result


def school_figures(campaign: Campaign, unit: Unit, day: datetime.date) -> list[Figure]:
    """Per school of the campaign in the unit: the cohort on its class lists, reached by the day."""
    entries = RosterEntry.objects.filter(
        roster__session__campaign=campaign,
        roster__session__venue__kind=Venue.Kind.SCHOOL,
        person__isnull=False,
    )
    cohort = Reachable.objects.filter(campaign=campaign, unit__path__startswith=unit.path).filter(
        person__in=entries.values("person")
    )
    per_school: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for venue_id, name, person_id in entries.filter(person__in=cohort.values("person")).values_list(
        "roster__session__venue_id", "roster__session__venue__name", "person_id"
    ):
        per_school[venue_id].add(person_id)
        names[venue_id] = name
    reached_on = dict(cohort.values_list("person_id", "reached_on").order_by())
    figures = []
    for venue_id, people in per_school.items():
        days = [reached_on.get(p) for p in people]
        figures.append(
            Figure(
                str(venue_id),
                names[venue_id],
                len(people),
                sum(1 for d in days if d is not None and d <= day),
                sum(1 for d in days if d == day),
            )
        )
    return _ranked(figures)


def series(campaign: Campaign, unit: Unit) -> list[tuple[datetime.date, int]]:
    """People first reached per day at the unit (for the page's line and the API)."""
    return list(
        CoverageDay.objects.filter(campaign=campaign.pk, unit=unit, village="", group=0)
        .order_by("day")
        .values_list("day", "reached")
    )


@dataclass(frozen=True)
class Suggestion:
    unit: Unit
    eligible: int
    target: int | None


def suggested_targets(campaign: Campaign, unit: Unit) -> list[Suggestion]:
    """For each child of the unit: its cohort (the suggestion) beside the target set now.

    Targets belong to police units, cohorts to places: a child place's target is the one set for
    its police mirror."""
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    base = dict(
        CoverageBase.objects.filter(
            campaign=campaign.pk, unit__in=children, village="", group=0
        ).values_list("unit_id", "eligible")
    )
    mirrors = {c.mirror_path: c for c in children}
    targets = {
        mirrors[path].pk: total
        for path, total in Target.objects.filter(
            campaign=campaign, group__isnull=True, unit__path__in=list(mirrors)
        ).values_list("unit__path", "total")
    }
    return [Suggestion(c, base.get(c.pk, 0), targets.get(c.pk)) for c in children]


def cohort_size(campaign: Campaign) -> int:
    return Reachable.objects.filter(campaign=campaign).count()


@dataclass(frozen=True)
class Eligible:
    """The eligible population of a day (docs/reach.md), counted live from the register."""

    unit: Unit
    day: datetime.date
    total: int
    children: list[tuple[Unit, int]]
    villages: list[tuple[str, int]]


PLACE = ("place_unit", "place_village")  # `eligible_people`'s annotations


def eligible_counts(campaign: Campaign, unit: Unit, day: datetime.date) -> Eligible:
    """Per child unit (and per village at a commune), where each person lived on `day`."""
    people = eligible_people(campaign, day, unit)
    per_place = Counter(
        {
            (place, village or ""): n
            for place, village, n in people.values_list(*PLACE).annotate(n=Count("pk")).order_by()
        }
    )
    paths = dict(Unit.objects.filter(pk__in={p for p, _v in per_place}).values_list("pk", "path"))
    children = list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    by_child: Counter[int] = Counter()
    villages: Counter[str] = Counter()
    for (place, village), n in per_place.items():
        for child in children:
            if paths[place].startswith(child.path):
                by_child[child.pk] += n
        if unit.level == Unit.Level.COMMUNE and village:
            villages[village] += n
    return Eligible(
        unit=unit,
        day=day,
        total=sum(per_place.values()),
        children=[(c, by_child[c.pk]) for c in children],
        villages=sorted(villages.items()),
    )
