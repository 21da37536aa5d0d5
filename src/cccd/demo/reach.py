"""The demo's reach: Đắk Mil's coverage by commune and village, people marked for a home visit, a
home-visit round planned from the list of people still to reach, and the communes' outlines.

Runs after the campaign, its history and its evenings are seeded (`seed_demo`), so the cohort is
built from a register and dossiers that look like a campaign three weeks in. Idempotent: the marks
and the round are made once; the cohort is built again (it is what the register says now).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, Session, Team
from cccd.demo.boundaries import seed_boundaries
from cccd.reach import homevisits, marks
from cccd.reach.models import HomeVisitMark, HomeVisitReason, Reachable
from cccd.reach.tasks import run_build
from cccd.units.models import Unit

ROUND_NOTE = "Đợt đến tận nhà (dữ liệu mẫu)"
ROUND_DISTRICT, ROUND_COMMUNE = "/hc/L67/663/", "Đắk Lao"  # where the kit's school is too
MARKS = 6  # people a commune officer marked as disabled or bedridden
ROUND_SIZE = 12


@dataclass(frozen=True)
class SeededReach:
    cohort: int
    reached: int
    boundaries: int
    round_id: int | None
    marked: int


def seed_reach(campaign: Campaign) -> SeededReach:
    """Mark, build, plan the round and upload the outlines; returns what the demo prints."""
    commune = Unit.objects.get(
        category=Unit.Category.ADMIN,
        level=Unit.Level.COMMUNE,
        path__startswith=ROUND_DISTRICT,
        name__endswith=ROUND_COMMUNE,
    )
    marked = _mark_people(commune)
    built = run_build(campaign.pk)
    assert built is not None, "nobody else builds the demo's cohort"  # noqa: S101
    session = _round(campaign, commune)
    return SeededReach(
        cohort=built.people,
        reached=built.reached,
        boundaries=seed_boundaries(),
        round_id=session.pk if session else None,
        marked=marked,
    )


def _mark_people(commune: Unit) -> int:
    """A few adults of the commune marked by its officer: disabled or bedridden (once)."""
    from cccd.registry.models import Person

    officer = User.objects.get(username="canbo.dakmil")
    done = HomeVisitMark.objects.filter(person__residence_unit=commune).count()
    if done:
        return done
    rng = random.Random(663)  # noqa: S311 (demo data, not secrets)
    adults = list(
        Person.objects.filter(
            residence_unit=commune, status=Person.Status.ALIVE, birth_year__lte=1975, card_kind=""
        ).order_by("pk")[:200]
    )
    for person in rng.sample(adults, min(MARKS, len(adults))):
        reason = rng.choice([HomeVisitReason.DISABLED, HomeVisitReason.BEDRIDDEN])
        marks.mark_person(
            actor=officer,
            person_id=person.pk,
            reason=reason,
            note="Cán bộ xã xác nhận (dữ liệu mẫu)",
        )
    return min(MARKS, len(adults))


def _round(campaign: Campaign, commune: Unit) -> Session | None:
    """Saturday morning's round of the commune's homes still to reach (once per demo)."""
    existing = Session.objects.filter(note=ROUND_NOTE, kind=Session.Kind.HOME_VISITS).first()
    if existing is not None:
        return existing
    people = list(
        Reachable.objects.filter(campaign=campaign, unit=commune, reached_on__isnull=True)
        .exclude(home_visit="")
        .order_by("village", "person_id")
        .values_list("person_id", flat=True)[:ROUND_SIZE]
    )
    if not people:
        return None
    leader = User.objects.get(username="totruong.dakmil")
    team = Team.objects.filter(unit=leader.unit).order_by("pk").first()
    if team is None:
        return None
    starts_at, ends_at = _free_weekend_morning(team)
    return homevisits.plan_round(
        actor=leader,
        campaign=campaign,
        team=team,
        commune=commune,
        starts_at=starts_at,
        ends_at=ends_at,
        person_ids=people,
        note=ROUND_NOTE,
        accept_clashes=True,
    )


def _free_weekend_morning(team: Team) -> tuple[datetime, datetime]:
    """The first weekend morning ahead (7:30–11:30) when the team has no other session."""
    zone = ZoneInfo(settings.TIME_ZONE)
    day = timezone.localdate()
    for _ in range(60):
        day += timedelta(days=1)
        if day.weekday() < 5:
            continue
        starts = datetime.combine(day, time(7, 30), tzinfo=zone)
        ends = datetime.combine(day, time(11, 30), tzinfo=zone)
        busy = Session.objects.filter(team=team, starts_at__lt=ends, ends_at__gt=starts)
        if not busy.exclude(state=Session.State.CANCELLED).exists():
            return starts, ends
    raise RuntimeError("the demo team is busy every weekend for two months")
