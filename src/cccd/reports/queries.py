"""The figures of a unit's dashboard, its report and the reports API: one function computes them,
so the three always agree. Everything here reads the counters of `cccd.reports.models` (the unit's
own rows: its whole subtree is already added up there) and the targets; nothing scans dossiers.
Every intake figure (done, today, the week, the daily series, groups, kinds, the ranking) is
progress as `cccd.reports.counters` defines it: rejected and cancelled dossiers are not in it.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from cccd.accounts.models import User
from cccd.accounts.scoping import ancestor_paths, unit_is_visible
from cccd.campaigns.models import Campaign, PriorityGroup, Target
from cccd.campaigns.queries import visible_campaigns
from cccd.enrollments.models import Enrollment, Kind
from cccd.errors import NOT_FOUND
from cccd.reports.models import DailyCount, DueCount, StateCount, UnitDayCount
from cccd.units.models import Unit

PACE_DAYS = 7  # the forecast's pace: intakes per day over the last week


@dataclass
class Forecast:
    pace: float  # intakes per day over the last PACE_DAYS days (today included)
    remaining: int | None  # to the target; None without a target
    reaches_on: datetime.date | None  # at that pace; None when never (pace 0) or no target
    needed_per_day: float | None  # to reach the target by the campaign's last day
    reached: bool = False


@dataclass
class ChildRow:
    unit: Unit
    target: int | None
    done: int
    today: int
    rank: int = 0

    @property
    def percent(self) -> float | None:
        return round(100 * self.done / self.target, 1) if self.target else None


@dataclass
class Figures:
    unit: Unit
    campaign: Campaign
    day: datetime.date
    target: int | None
    done: int  # progress (`counters.counts_as_progress`) from the campaign's start to `day`
    today: int  # progress of `day`: dossiers received that day, less those since withdrawn
    yesterday: int
    week: int  # the last 7 days, `day` included
    delivered: int
    overdue: int
    daily: list[tuple[datetime.date, int, int]]  # (day, captured, cumulative)
    by_group: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    pipeline: list[tuple[str, str, int]]  # (state, label, dossiers now)
    forecast: Forecast
    children: list[ChildRow] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return round(100 * self.done / self.target, 1) if self.target else None


def campaign_for(user: User, day: datetime.date) -> Campaign:
    """The campaign running on `day` (the latest to start), else the latest of the user's; none
    is a 404. One asked for by id is `reports.forms`' to find, in the same scope."""
    campaigns = visible_campaigns(user)
    running = campaigns.filter(start_date__lte=day, end_date__gte=day).first()
    chosen = running or campaigns.first()
    if chosen is None:
        raise NOT_FOUND()
    return chosen


def unit_for(user: User, unit_id: int | None) -> Unit:
    """The user's own unit, or one of its subtree (another unit is the same 404 as none)."""
    if unit_id is None:
        if user.unit is None:
            raise NOT_FOUND()
        return user.unit
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None or not unit_is_visible(user, unit.path):
        raise NOT_FOUND()
    return unit


def target_of(unit: Unit, campaign: Campaign, targets: list[Target] | None = None) -> int | None:
    """The unit's own target for all groups, else the sum of the topmost targets below it (a
    province that set none has its districts' targets; a commune's target is part of its
    district's, so it is not added again)."""
    rows = targets if targets is not None else _targets(unit, campaign)
    own = [t.total for t in rows if t.unit_id == unit.pk]
    if own:
        return own[0]
    below = [t for t in rows if t.unit.path.startswith(unit.path) and t.unit_id != unit.pk]
    paths = {t.unit.path for t in below}
    topmost = [t.total for t in below if paths.isdisjoint(ancestor_paths(t.unit.path))]
    return sum(topmost) if topmost else None


def _targets(unit: Unit, campaign: Campaign) -> list[Target]:
    return list(
        Target.objects.filter(
            campaign=campaign, group__isnull=True, unit__path__startswith=unit.path
        ).select_related("unit")
    )


def figures(
    unit: Unit, campaign: Campaign, day: datetime.date, *, children: bool = True
) -> Figures:
    """Every figure of the dashboard of `unit` for `campaign` as of the end of `day`."""
    counts = DailyCount.objects.filter(
        unit=unit, campaign=campaign.pk, day__lte=day, day__gte=campaign.start_date
    )
    captured = counts.filter(event=DailyCount.Event.CAPTURED)
    unit_days = UnitDayCount.objects.filter(
        unit=unit, campaign=campaign.pk, day__lte=day, day__gte=campaign.start_date
    )
    per_day = dict(unit_days.filter(event="captured").values_list("day", "count"))
    daily, total = [], 0
    for offset in range((min(day, campaign.end_date) - campaign.start_date).days + 1):
        d = campaign.start_date + datetime.timedelta(days=offset)
        total += per_day.get(d, 0)
        daily.append((d, per_day.get(d, 0), total))
    targets = _targets(unit, campaign)
    target = target_of(unit, campaign, targets)
    week = sum(n for d, n in per_day.items() if d > day - datetime.timedelta(days=PACE_DAYS))
    figures = Figures(
        unit=unit,
        campaign=campaign,
        day=day,
        target=target,
        done=sum(per_day.values()),
        today=per_day.get(day, 0),
        yesterday=per_day.get(day - datetime.timedelta(days=1), 0),
        week=week,
        delivered=unit_days.filter(event="delivered").aggregate(n=Sum("count"))["n"] or 0,
        overdue=DueCount.objects.filter(unit=unit, return_date__lt=day).aggregate(n=Sum("count"))[
            "n"
        ]
        or 0,
        daily=daily,
        by_group=_by_group(captured),
        by_kind=_by_kind(captured),
        pipeline=_pipeline(unit, campaign),
        forecast=_forecast(target, sum(per_day.values()), week, day, campaign),
    )
    if children:
        figures.children = _children(unit, campaign, day, targets)
    return figures


def _by_group(captured: QuerySet[DailyCount]) -> list[tuple[str, int]]:
    sums = dict(captured.values_list("group").annotate(n=Sum("count")).values_list("group", "n"))
    names = dict(PriorityGroup.objects.filter(pk__in=sums).values_list("pk", "name"))
    rows = [(names.get(g, _("no group")), n) for g, n in sums.items() if n]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _by_kind(captured: QuerySet[DailyCount]) -> list[tuple[str, int]]:
    sums = captured.values_list("kind").annotate(n=Sum("count")).values_list("kind", "n")
    rows = [(str(Kind(k).label) if k in Kind.values else k, n) for k, n in sums if n]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _pipeline(unit: Unit, campaign: Campaign) -> list[tuple[str, str, int]]:
    sums = dict(
        StateCount.objects.filter(unit=unit, campaign=campaign.pk)
        .values_list("state")
        .annotate(n=Sum("count"))
        .values_list("state", "n")
    )
    return [
        (s, str(label), sums.get(s, 0))
        for s, label in Enrollment.State.choices
        if s != Enrollment.State.DRAFT
    ]


def _forecast(
    target: int | None, done: int, week: int, day: datetime.date, campaign: Campaign
) -> Forecast:
    pace = week / PACE_DAYS
    if target is None:
        return Forecast(pace=round(pace, 1), remaining=None, reaches_on=None, needed_per_day=None)
    remaining = max(target - done, 0)
    if remaining == 0:
        return Forecast(
            pace=round(pace, 1), remaining=0, reaches_on=None, needed_per_day=0, reached=True
        )
    reaches = day + datetime.timedelta(days=math.ceil(remaining / pace)) if pace > 0 else None
    days_left = (campaign.end_date - day).days  # the days after `day`, to the last one included
    needed = round(remaining / days_left, 1) if days_left > 0 else None
    return Forecast(
        pace=round(pace, 1), remaining=remaining, reaches_on=reaches, needed_per_day=needed
    )


def _children(
    unit: Unit, campaign: Campaign, day: datetime.date, targets: list[Target]
) -> list[ChildRow]:
    """The units just below, ranked by share of target (then by intakes); ties share a rank."""
    below = list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    sums: dict[int, Mapping[str, Any]] = {
        r["unit_id"]: r
        for r in UnitDayCount.objects.filter(
            unit__in=below,
            campaign=campaign.pk,
            event="captured",
            day__gte=campaign.start_date,
            day__lte=day,
        )
        .values("unit_id")
        .annotate(done=Sum("count"), today=Sum("count", filter=Q(day=day)))
    }
    rows = [
        ChildRow(
            unit=u,
            target=target_of(u, campaign, targets),
            done=sums.get(u.pk, {}).get("done") or 0,
            today=sums.get(u.pk, {}).get("today") or 0,
        )
        for u in below
    ]
    rows.sort(key=lambda r: (r.percent is None, -(r.percent or 0), -r.done, r.unit.path))
    previous, rank = None, 0
    for index, row in enumerate(rows, start=1):
        key = (row.percent, row.done)
        rank = rank if key == previous else index
        row.rank, previous = rank, key
    return rows
