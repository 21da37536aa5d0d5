"""Keeping the counters of `cccd.reports.models` in step with the dossiers.

`intake_finished` and `state_moved` are called by the services that make those events, inside
their transaction, so a counter is never ahead of or behind the dossiers it counts. Each call is
one UPDATE of a small row (an INSERT the first time that row is needed). `rebuild` recomputes
every counter from the dossiers: for a repair, after a bulk load, and in the test that proves the
incremental path and the rebuild agree.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from cccd.reports.models import DailyCount, DueCount, StateCount

DRAFT = "draft"
LATE_STATES = frozenset({"captured", "returned_for_correction", "completed", "approved",
                         "in_production", "produced"})  # fmt: skip
"""As `cccd.enrollments.lifecycle.LATE_STATES` (a test keeps the two equal): owed, not at the unit."""


def _key(enrollment: Any) -> dict[str, Any]:
    return {"unit_id": enrollment.unit_id, "campaign": enrollment.campaign_id or 0,
            "group": enrollment.group_id or 0, "kind": enrollment.kind}  # fmt: skip


def _add(model: type[models.Model], key: Mapping[str, Any], delta: int) -> None:
    """Add `delta` to the row `key`, creating it the first time (a savepoint absorbs the race of
    two transactions creating it at once; the loser then updates)."""
    rows = model.objects.filter(**key)  # type: ignore[attr-defined]
    if rows.update(count=F("count") + delta):
        return
    try:
        with transaction.atomic():
            model.objects.create(count=delta, **key)  # type: ignore[attr-defined]
    except IntegrityError:
        rows.update(count=F("count") + delta)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day in Vietnam: a session past midnight counts its late intakes on the next day."""
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def intake_finished(enrollment: Any) -> None:
    """A draft became a captured dossier at `enrollment.received_at`."""
    key = _key(enrollment)
    _add(StateCount, {**key, "state": enrollment.state}, 1)
    _add(DailyCount, {**key, "day": local_day(enrollment.received_at), "event": "captured"}, 1)
    if enrollment.return_date is not None:
        _add(DueCount, {"unit_id": enrollment.unit_id, "return_date": enrollment.return_date}, 1)


def state_moved(enrollment: Any, old_state: str, moment: datetime.datetime) -> None:
    """A dossier moved from `old_state` to its current state at `moment`."""
    key = _key(enrollment)
    if old_state != DRAFT:
        _add(StateCount, {**key, "state": old_state}, -1)
    _add(StateCount, {**key, "state": enrollment.state}, 1)
    if enrollment.state == DailyCount.Event.DELIVERED:
        _add(DailyCount, {**key, "day": local_day(moment), "event": "delivered"}, 1)
    was_late, is_late = old_state in LATE_STATES, enrollment.state in LATE_STATES
    if was_late != is_late and enrollment.return_date is not None:
        due = {"unit_id": enrollment.unit_id, "return_date": enrollment.return_date}
        _add(DueCount, due, 1 if is_late else -1)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every counter from the dossiers; returns how many rows each table has now."""
    from cccd.enrollments.models import Enrollment

    zone = ZoneInfo(settings.TIME_ZONE)
    dossiers = Enrollment.objects.exclude(state=DRAFT).order_by()
    fields = ("unit_id", "campaign_id", "group_id", "kind")
    StateCount.objects.all().delete()
    DailyCount.objects.all().delete()
    DueCount.objects.all().delete()
    late = dossiers.filter(state__in=LATE_STATES, return_date__isnull=False)
    DueCount.objects.bulk_create(
        [DueCount(unit_id=r["unit_id"], return_date=r["return_date"], count=r["n"])
         for r in late.values("unit_id", "return_date").annotate(n=Count("pk"))],
        batch_size=5000,
    )  # fmt: skip
    StateCount.objects.bulk_create(
        [StateCount(**_row(r), state=r["state"], count=r["n"])
         for r in dossiers.values(*fields, "state").annotate(n=Count("pk"))],
        batch_size=5000,
    )  # fmt: skip
    for event, moment, rows in (
        ("captured", "received_at", dossiers.filter(received_at__isnull=False)),
        ("delivered", "state_changed_at", dossiers.filter(state=Enrollment.State.DELIVERED)),
    ):
        days = rows.annotate(day=TruncDate(moment, tzinfo=zone)).values(*fields, "day")
        DailyCount.objects.bulk_create(
            [DailyCount(**_row(r), day=r["day"], event=event, count=r["n"])
             for r in days.annotate(n=Count("pk"))],
            batch_size=5000,
        )  # fmt: skip
    return {"states": StateCount.objects.count(), "days": DailyCount.objects.count(),
            "dues": DueCount.objects.count()}  # fmt: skip


def _row(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"unit_id": values["unit_id"], "campaign": values["campaign_id"] or 0,
            "group": values["group_id"] or 0, "kind": values["kind"]}  # fmt: skip
