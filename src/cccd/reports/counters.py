"""Keeping the counters of `cccd.reports.models` in step with the dossiers, and what progress is.

**Progress** (`counts_as_progress`, the one definition): a dossier counts from the end of its
intake, on the local day it was received, for as long as it is not rejected or cancelled. A dossier
rejected or cancelled later stops counting, on the day it was received (the day's figure goes
down), so the dashboard, the daily report, the API and the ranking never count a dossier that will
give no card. The `captured` rows of `DailyCount` and `UnitDayCount` hold exactly that figure.

`intake_finished` and `state_moved` are told of those events by `cccd.enrollments.events` (`count`
is connected in `ReportsConfig.ready()`), inside the transaction of the service that makes them, so
a counter is never ahead of or behind the dossiers it counts. A dossier
counts at its own unit and at every unit above it (district, province, the ministry), so any
unit's dashboard reads its own rows, however large its subtree; each counter is one UPDATE over
those few rows (INSERTs the first time a row is needed). `rebuild` recomputes every counter from
the dossiers: for a repair, after a bulk load, and in the test that proves the incremental path and
the rebuild agree.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.accounts.scoping import ancestor_paths
from cccd.enrollments.events import DossierEvent, IntakeFinished
from cccd.enrollments.models import Enrollment
from cccd.reports.models import DailyCount, DueCount, StateCount, UnitDayCount
from cccd.units.models import Unit

DRAFT = Enrollment.State.DRAFT
LATE_STATES = Enrollment.LATE_STATES
"""Owed a card, not yet at the unit: the dossiers `DueCount` counts by return date."""
WITHDRAWN_STATES = frozenset({Enrollment.State.REJECTED, Enrollment.State.CANCELLED})
"""Dossiers that will give no card: they no longer count as progress."""
PROGRESS_LABEL = _("Dossiers taken")
PROGRESS_NOTE = _("Dossiers taken leave out those rejected or cancelled since.")
"""How every page and file names the progress figure (the report takes them in Vietnamese)."""
_chains: dict[tuple[int, str], tuple[int, ...]] = {}


def counts_as_progress(state: str) -> bool:
    """Whether a dossier in `state` counts towards the unit's progress (and its target)."""
    return state != DRAFT and state not in WITHDRAWN_STATES


def counted_units(unit: Unit) -> tuple[int, ...]:
    """The unit and every unit above it, whose counters a dossier of `unit` adds to (cached per
    process by id and path: a unit that moved in the tree has a new path, hence a new entry)."""
    key = (unit.pk, unit.path)
    if key not in _chains:
        above = Unit.objects.filter(path__in=ancestor_paths(unit.path)).values_list("pk", flat=True)
        _chains[key] = (unit.pk, *sorted(above))
    return _chains[key]


def _key(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "campaign": enrollment.campaign_id or 0,
        "group": enrollment.group_id or 0,
        "kind": enrollment.kind,
    }


def _add(
    model: type[models.Model], key: Mapping[str, Any], units: Iterable[int], delta: int
) -> None:
    """Add `delta` to the rows `key` of these units: one UPDATE, and for rows not there yet an
    INSERT each (a savepoint absorbs two transactions creating one row at once; the loser then
    updates)."""
    units = tuple(units)
    manager = model.objects  # type: ignore[attr-defined]
    if manager.filter(unit_id__in=units, **key).update(count=F("count") + delta) == len(units):
        return
    present = set(manager.filter(unit_id__in=units, **key).values_list("unit_id", flat=True))
    for unit_id in units:
        if unit_id in present:
            continue
        try:
            with transaction.atomic():
                manager.create(unit_id=unit_id, count=delta, **key)
        except IntegrityError:
            manager.filter(unit_id=unit_id, **key).update(count=F("count") + delta)


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day in Vietnam: a session past midnight counts its late intakes on the next day."""
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE)).date()


def _add_progress(
    enrollment: Enrollment, key: Mapping[str, Any], units: tuple[int, ...], delta: int
) -> None:
    """The dossier joins (+1) or leaves (-1) the progress of the day it was received."""
    if enrollment.received_at is None:  # a draft: not received, so no day of progress
        return
    day = local_day(enrollment.received_at)
    _add(DailyCount, {**key, "day": day, "event": "captured"}, units, delta)
    _add(UnitDayCount, {"campaign": key["campaign"], "day": day, "event": "captured"}, units, delta)


def count(event: DossierEvent) -> None:
    """A dossier event, counted (connected to `cccd.enrollments.events` by `ReportsConfig`)."""
    if isinstance(event, IntakeFinished):
        intake_finished(event.enrollment)
    else:
        state_moved(event.enrollment, event.old_state, event.moment)


def intake_finished(enrollment: Enrollment) -> None:
    """A draft became a captured dossier at `enrollment.received_at`."""
    key, units = _key(enrollment), counted_units(enrollment.unit)
    _add(StateCount, {**key, "state": enrollment.state}, units, 1)
    if counts_as_progress(enrollment.state):
        _add_progress(enrollment, key, units, 1)
    if enrollment.return_date is not None:
        _add(DueCount, {"return_date": enrollment.return_date}, units, 1)


def state_moved(enrollment: Enrollment, old_state: str, moment: datetime.datetime) -> None:
    """A dossier moved from `old_state` to its current state at `moment`."""
    key, units = _key(enrollment), counted_units(enrollment.unit)
    if old_state != DRAFT:
        _add(StateCount, {**key, "state": old_state}, units, -1)
    _add(StateCount, {**key, "state": enrollment.state}, units, 1)
    counted, counts = counts_as_progress(old_state), counts_as_progress(enrollment.state)
    if counted != counts and enrollment.received_at is not None:
        _add_progress(enrollment, key, units, 1 if counts else -1)
    if enrollment.state == DailyCount.Event.DELIVERED:
        day = local_day(moment)
        _add(DailyCount, {**key, "day": day, "event": "delivered"}, units, 1)
        _add(
            UnitDayCount, {"campaign": key["campaign"], "day": day, "event": "delivered"}, units, 1
        )
    was_late, is_late = old_state in LATE_STATES, enrollment.state in LATE_STATES
    if was_late != is_late and enrollment.return_date is not None:
        _add(DueCount, {"return_date": enrollment.return_date}, units, 1 if is_late else -1)


@transaction.atomic
def rebuild() -> dict[str, int]:
    """Recompute every counter from the dossiers (grouped per dossier unit in the database, then
    added up the tree here); returns how many rows each table has now."""
    zone = ZoneInfo(settings.TIME_ZONE)
    dossiers = Enrollment.objects.exclude(state=DRAFT).order_by()
    fields = ("unit_id", "campaign_id", "group_id", "kind")
    chains = {
        u.pk: counted_units(u)
        for u in Unit.objects.filter(pk__in=dossiers.values("unit_id").distinct())
    }
    StateCount.objects.all().delete()
    DailyCount.objects.all().delete()
    DueCount.objects.all().delete()
    UnitDayCount.objects.all().delete()

    states: Counter[tuple[Any, ...]] = Counter()
    for r in dossiers.values(*fields, "state").annotate(n=Count("pk")):
        for unit_id in chains[r["unit_id"]]:
            states[(unit_id, *_ids(r), r["state"])] += r["n"]
    StateCount.objects.bulk_create(
        [
            StateCount(unit_id=u, campaign=c, group=g, kind=k, state=s, count=n)
            for (u, c, g, k, s), n in states.items()
        ],
        batch_size=5000,
    )

    days: Counter[tuple[Any, ...]] = Counter()
    for event, moment, rows in (
        ("captured", "received_at", _progress(dossiers).filter(received_at__isnull=False)),
        ("delivered", "state_changed_at", dossiers.filter(state=Enrollment.State.DELIVERED)),
    ):
        per_day = rows.annotate(day=TruncDate(moment, tzinfo=zone)).values(*fields, "day")
        for r in per_day.annotate(n=Count("pk")):
            for unit_id in chains[r["unit_id"]]:
                days[(unit_id, *_ids(r), r["day"], event)] += r["n"]
    DailyCount.objects.bulk_create(
        [
            DailyCount(unit_id=u, campaign=c, group=g, kind=k, day=d, event=e, count=n)
            for (u, c, g, k, d, e), n in days.items()
        ],
        batch_size=5000,
    )
    unit_days: Counter[tuple[Any, ...]] = Counter()
    for (u, c, _g, _k, d, e), n in days.items():
        unit_days[(u, c, d, e)] += n
    UnitDayCount.objects.bulk_create(
        [
            UnitDayCount(unit_id=u, campaign=c, day=d, event=e, count=n)
            for (u, c, d, e), n in unit_days.items()
        ],
        batch_size=5000,
    )

    dues: Counter[tuple[Any, ...]] = Counter()
    late = dossiers.filter(state__in=LATE_STATES, return_date__isnull=False)
    for r in late.values("unit_id", "return_date").annotate(n=Count("pk")):
        for unit_id in chains[r["unit_id"]]:
            dues[(unit_id, r["return_date"])] += r["n"]
    DueCount.objects.bulk_create(
        [DueCount(unit_id=u, return_date=d, count=n) for (u, d), n in dues.items()],
        batch_size=5000,
    )
    return {
        "states": StateCount.objects.count(),
        "days": DailyCount.objects.count(),
        "dues": DueCount.objects.count(),
    }


def _progress(dossiers: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    """`counts_as_progress` as a filter of a queryset of dossiers (drafts already left out)."""
    return dossiers.exclude(state__in=WITHDRAWN_STATES)


def _ids(values: Mapping[str, Any]) -> tuple[int, int, str]:
    return values["campaign_id"] or 0, values["group_id"] or 0, values["kind"]
