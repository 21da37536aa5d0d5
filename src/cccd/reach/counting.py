"""Keeping who is reached in step with the dossiers, in the transaction that moves them.

Any intake finished or dossier moved may change the day its person was first reached
(docs/reach.md: the first dossier received that is not rejected or cancelled now). Rather than
reason about which move does what, the person's day is recomputed from their dossiers — one small
indexed query — and where it changed, the day counts move: one off the old day, one onto the new,
at the commune and every unit above it, for the person's group and for all, and at the village. So
the counters stay exactly what `cohort.build` would compute; a test proves it.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from cccd.enrollments.events import DossierEvent
from cccd.reach.cohort import ancestor_chains, first_reached
from cccd.reach.models import CoverageDay, Reachable
from cccd.registry.models import Person


def on_dossier_event(event: DossierEvent) -> None:
    """A dossier event (connected in `ReachConfig.ready()`): its person's day, recomputed."""
    person_id = event.enrollment.person_id
    if person_id is not None:
        person_moved(person_id)


def person_moved(person_id: int) -> None:
    """Recompute the first-reached day of every cohort row of the person; move the counts."""
    rows = list(Reachable.objects.filter(person_id=person_id).select_for_update())
    if not rows:
        return
    day = (
        Person.objects.filter(pk=person_id)
        .annotate(day=first_reached("pk"))
        .values_list("day", flat=True)
        .get()
    )
    for row in rows:
        if row.reached_on == day:
            continue
        if row.reached_on is not None:
            _count(row, row.reached_on, -1)
        if day is not None:
            _count(row, day, 1)
        row.reached_on = day
        row.save(update_fields=["reached_on"])


_chains: dict[int, tuple[int, ...]] = {}


def _chain(unit_id: int) -> tuple[int, ...]:
    """The commune and the units above it (cached per process: the desk asks at every intake; a
    commune moved in the tree is a rebuild, `cohort.build`, which reads the tree afresh)."""
    if unit_id not in _chains:
        _chains[unit_id] = ancestor_chains([unit_id])[unit_id]
    return _chains[unit_id]


def _count(row: Reachable, day: datetime.date, delta: int) -> None:
    chain = _chain(row.unit_id)
    keys: list[dict[str, Any]] = [{"unit_id": u, "village": "", "group": 0} for u in chain]
    if row.group_id:
        keys += [{"unit_id": u, "village": "", "group": row.group_id} for u in chain]
    if row.village:
        keys.append({"unit_id": row.unit_id, "village": row.village, "group": 0})
    for key in keys:
        _add({"campaign": row.campaign_id, "day": day, **key}, delta)


def _add(key: Mapping[str, Any], delta: int) -> None:
    """Add to one counter row, creating it the first time (a savepoint absorbs a race)."""
    if CoverageDay.objects.filter(**key).update(reached=F("reached") + delta):
        return
    try:
        with transaction.atomic():
            CoverageDay.objects.create(reached=delta, **key)
    except IntegrityError:
        CoverageDay.objects.filter(**key).update(reached=F("reached") + delta)
