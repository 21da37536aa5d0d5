"""Cards at the unit, for the dashboard: waiting now, waiting long, collected, and the days from
arrival to collection, per unit of a dashboard (the unit itself and the units just below it).

Waiting and collected are the counters' (`StateCount`: a unit's rows hold its whole subtree), so
they cost a few rows whatever the size. Waiting long (`at_unit` since before the cutoff) is one
query over the subtree's `at_unit` dossiers, grouped by dossier unit: it reads only cards now at a
unit, which the campaign's flow keeps to a small share of the dossiers; the same query counts the
notified ones (their `card_arrived` message sent or delivered, found by its event key). The days from arrival to
collection come from the audit of the `deliver` move (its `before` holds the arrival's stamp, its
`after` the delivery's): the latest `SAMPLE` deliveries of the subtree in the last `WINDOW_DAYS`
days, so a page never reads more than that many rows, however many cards were delivered. Counts
only: no personal data is read, so nothing is audited.
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import CharField, Count, Exists, OuterRef, Q, Sum, Value
from django.db.models.functions import Cast, Concat

from cccd.accounts.models import AuditEvent
from cccd.enrollments.models import Enrollment
from cccd.notify.models import Message
from cccd.reports.models import StateCount
from cccd.units.models import Unit

AT_UNIT = Enrollment.State.AT_UNIT
DELIVERED = Enrollment.State.DELIVERED
SAMPLE = 2000  # deliveries read for the days to collection: enough for a median and a 90th
TOLD = (Message.State.SENT, Message.State.DELIVERED)
WINDOW_DAYS = 90  # the recent deliveries only: the figure says how the unit does now


@dataclass
class CardsRow:
    unit: Unit
    waiting: int = 0
    waiting_long: int = 0
    notified: int = 0  # of the cards waiting, those whose "card arrived" message went out
    collected_campaign: int = 0
    collected_total: int = 0
    days: list[float] = field(default_factory=list)  # arrival to collection, sampled

    @property
    def median_days(self) -> float | None:
        return round(statistics.median(self.days), 1) if self.days else None

    @property
    def p90_days(self) -> float | None:
        return percentile(self.days, 90) if self.days else None


def percentile(values: Sequence[float], rank: int) -> float:
    """The nearest-rank percentile: a value that occurred, never an interpolated one."""
    ordered = sorted(values)
    return round(ordered[max(math.ceil(rank / 100 * len(ordered)) - 1, 0)], 1)


def waiting_days() -> int:
    return int(getattr(settings, "CCCD_CARD_WAITING_DAYS", 30))


def cards_at_units(
    unit: Unit, campaign_id: int, now: datetime.datetime, *, children: bool = True
) -> list[CardsRow]:
    """The unit's row first, then one per active unit just below it (by path)."""
    units = [unit]
    if children:
        units += list(Unit.objects.filter(parent=unit, is_active=True).order_by("path"))
    rows = [CardsRow(unit=u) for u in units]
    _add_counts(rows, campaign_id)
    cutoff = now - datetime.timedelta(days=waiting_days())
    _add_waiting_long(rows, unit, cutoff)
    _add_days(rows, unit, now - datetime.timedelta(days=WINDOW_DAYS))
    return rows


def _add_counts(rows: list[CardsRow], campaign_id: int) -> None:
    by_unit = {r.unit.pk: r for r in rows}
    sums = (
        StateCount.objects.filter(unit__in=list(by_unit), state__in=(AT_UNIT, DELIVERED))
        .values("unit_id", "state")
        .annotate(total=Sum("count"), campaign=Sum("count", filter=Q(campaign=campaign_id)))
    )
    for s in sums:
        row = by_unit[s["unit_id"]]
        if s["state"] == AT_UNIT:
            row.waiting = s["total"] or 0
        else:
            row.collected_total = s["total"] or 0
            row.collected_campaign = s["campaign"] or 0


def _row_of(rows: list[CardsRow], path: str) -> Iterable[CardsRow]:
    """The rows a dossier of the unit at `path` counts in: the top unit's and its child's."""
    return (r for r in rows if path.startswith(r.unit.path))


def _told(enrollment_pk: Any) -> Exists:
    """The card's `card_arrived` message went out (sent, or delivered by the provider's report):
    its event key is `cccd.enrollments.dossiers.notices.arrived_key`, found by the unique index."""
    key = Concat(Value("dossier:"), Cast(enrollment_pk, CharField()), Value(":card_arrived"))
    return Exists(Message.objects.filter(event_key=key, state__in=TOLD))


def _add_waiting_long(rows: list[CardsRow], unit: Unit, cutoff: datetime.datetime) -> None:
    """Waiting long and notified, in one query over the subtree's cards at the unit."""
    per_unit = (
        Enrollment.objects.filter(unit__path__startswith=unit.path, state=AT_UNIT)
        .annotate(told=_told(OuterRef("pk")))
        .order_by()
        .values("unit__path")
        .annotate(
            n=Count("pk", filter=Q(state_changed_at__lt=cutoff)),
            told_n=Count("pk", filter=Q(told=True)),
        )
    )
    for r in per_unit:
        for row in _row_of(rows, r["unit__path"]):
            row.waiting_long += r["n"]
            row.notified += r["told_n"]


def _add_days(rows: list[CardsRow], unit: Unit, since: datetime.datetime) -> None:
    events = (
        AuditEvent.objects.filter(
            action="enrollment.deliver", at__gte=since, unit__path__startswith=unit.path
        )
        .order_by("-at")
        .values_list("unit__path", "before", "after")[:SAMPLE]
    )
    for path, before, after in events:
        days = _days_between(before, after)
        if days is None or path is None:
            continue
        for row in _row_of(rows, path):
            row.days.append(days)


def _days_between(before: Any, after: Any) -> float | None:
    """Days from the arrival's stamp (the `before` of the deliver move) to the delivery's."""
    try:
        arrived = datetime.datetime.fromisoformat(before["state_changed_at"])
        delivered = datetime.datetime.fromisoformat(after["state_changed_at"])
    except (KeyError, TypeError, ValueError):
        return None
    if before.get("state") not in (None, AT_UNIT):
        return None
    return max((delivered - arrived).total_seconds() / 86400, 0.0)
