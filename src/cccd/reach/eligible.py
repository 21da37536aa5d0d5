"""The eligible population of a campaign on a day, as one SQL query over the register.

docs/reach.md ("Who is eligible on a day") is the rule; `cccd.core.eligibility` holds its age and
card parts in plain Python, and this module says the same in SQL, so that the cohort of ten million
people is one INSERT … SELECT rather than ten million Python calls. The tests compare the two on
every case the rule names (tests/reach/test_truth.py).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)

from cccd.campaigns.models import Campaign
from cccd.core import eligibility
from cccd.registry.models import Person, ResidenceRecord
from cccd.units.models import Unit


def admin_prefix(unit: Unit) -> str:
    """The administrative subtree a unit's people live in (a police unit maps to its mirror)."""
    return unit.mirror_path if unit.category == Unit.Category.POLICE else unit.path


def _temporary_in_force(day: datetime.date) -> QuerySet[ResidenceRecord]:
    return (
        ResidenceRecord.objects.filter(person=OuterRef("pk"), kind=ResidenceRecord.Kind.TEMPORARY)
        .filter(Q(start__isnull=True) | Q(start__lte=day))
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .order_by(F("start").desc(nulls_last=True), "-pk")
    )


def _past_permanent(day: datetime.date) -> QuerySet[ResidenceRecord]:
    return (
        ResidenceRecord.objects.filter(
            person=OuterRef("pk"), kind=ResidenceRecord.Kind.PERMANENT, end__gte=day
        )
        .filter(Q(start__isnull=True) | Q(start__lte=day))
        .order_by("end", "pk")
    )


def with_place(people: QuerySet[Person], day: datetime.date) -> QuerySet[Person]:
    """Annotate where each person lived on `day`: `place_unit` (a commune's id, or None when the
    register does not know) and `place_village`. A temporary residence in force wins; then the
    current permanent residence if it had begun; then the past permanent record of that day."""
    temporary, past = _temporary_in_force(day), _past_permanent(day)
    current = Q(residence_since__isnull=True) | Q(residence_since__lte=day)
    people = people.annotate(
        temp_unit=Subquery(temporary.values("unit_id")[:1]),
        temp_village=Subquery(temporary.values("village")[:1]),
        past_unit=Subquery(past.values("unit_id")[:1]),
        past_village=Subquery(past.values("village")[:1]),
    )
    return people.annotate(
        place_unit=Case(
            When(temp_unit__isnull=False, then=F("temp_unit")),
            When(current, then=F("residence_unit_id")),
            default=F("past_unit"),
            output_field=IntegerField(),
        ),
        place_village=Case(
            When(temp_unit__isnull=False, then=F("temp_village")),
            When(current, then=F("village")),
            default=F("past_village"),
            output_field=CharField(),
        ),
    )


def alive_q(day: datetime.date) -> Q:
    """`eligibility.alive_on` in SQL."""
    dead_later = Q(status=Person.Status.DEAD, died_on__gt=day)
    living = ~Q(status__in=[Person.Status.DEAD, Person.Status.EMIGRATED]) & (
        Q(died_on__isnull=True) | Q(died_on__gt=day)
    )
    return dead_later | living


def card_holds_q(law: str, day: datetime.date, end: datetime.date) -> Q:
    """`eligibility.holds_campaign_card` in SQL."""
    kinds = sorted(eligibility.COUNTED_KINDS[law])  # type: ignore[index]
    still = Q(card_expiry__gt=end) if law == Campaign.Law.LAW_2023 else Q(card_expiry__gte=day)
    return Q(card_kind__in=kinds) & (Q(card_expiry__isnull=True) | still)


def age_or_due_q(law: str, day: datetime.date, end: datetime.date) -> Q:
    """14 or over on `day`, or (2023 law) a counted card that falls due within the campaign."""
    old_enough = Q(
        birth_date__lte=eligibility.latest_birth_date_at_age(day, eligibility.ELIGIBLE_AGE)
    )
    if law != Campaign.Law.LAW_2023:
        return old_enough
    kinds = sorted(eligibility.COUNTED_KINDS["2023"])
    return old_enough | Q(card_kind__in=kinds, card_expiry__gte=day, card_expiry__lte=end)


def eligible_people(
    campaign: Campaign, day: datetime.date, unit: Unit | None = None
) -> QuerySet[Person]:
    """The people eligible for `campaign` on `day` living in `unit` (default: the campaign's own
    unit), annotated with `place_unit` and `place_village` (where they lived that day)."""
    prefix = admin_prefix(unit or campaign.unit)
    communes = Unit.objects.filter(path__startswith=prefix, category=Unit.Category.ADMIN)
    people = (
        Person.objects.filter(alive_q(day))
        .filter(age_or_due_q(campaign.law, day, campaign.end_date))
        .exclude(card_holds_q(campaign.law, day, campaign.end_date))
    )
    placed: QuerySet[Person] = with_place(people, day)
    return placed.filter(Q(place_unit__in=communes.values("pk")))


def living_alone_q() -> Q:
    """A household whose only living member is the person (no household: not known to be alone)."""
    others = Person.objects.filter(
        household=OuterRef("household"), status=Person.Status.ALIVE
    ).exclude(pk=OuterRef("pk"))
    return Q(household__isnull=False) & Q(~Exists(others))
