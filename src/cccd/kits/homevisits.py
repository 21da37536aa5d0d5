"""Home-visit outcomes recorded on a kit, carried back to the district in the check-in
(docs/field-kit.md#home-visit-outcomes).

A home-visit session checked out to a kit brings its `HomeVisit` rows, with the district's ids,
and their people (`cccd.kits.package`); the team records outcomes on the kit with the same
`cccd.reach.homevisits.record_visit` as at the district, audited on the kit. At check-in the kit
sends every visit it holds with an outcome (`outcomes_of`), in the signed check-in request; the
district applies each one (`apply_outcomes`) in the check-in's transaction:

- a visit of another session, or another person under the visit's id: refused;
- the same outcome and note as the district holds: nothing changes (a check-in sent twice
  changes nothing the second time);
- the district holds an outcome recorded at or after the kit's (its time put right by the kit's
  clock offset, as the ingest does): kept, the kit's outcome written to the audit trail
  (`kit.visit_outcome_kept`), never over the newer one;
- otherwise the district's own rules are checked again (`check_outcome`: a note for moved and
  other, a dossier for enrolled …): a refusal is written to the trail with its code
  (`kit.visit_outcome_refused`) and the visit left as it is; else the outcome is applied, with
  the kit's time and the officer's user name (`kit.visit_outcome`).

Kept and refused outcomes are written once however often the same check-in comes back.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.kits.ingest import CLOCK_TOLERANCE
from cccd.kits.models import Kit
from cccd.reach.homevisits import OUTCOME_FIELDS, check_outcome
from cccd.reach.models import HomeVisit

PENDING = HomeVisit.Outcome.PENDING


@dataclass(frozen=True)
class KitVisit:
    """One visit's outcome as the kit holds it (ids are the district's: the package's)."""

    visit: int
    person: int
    outcome: str
    note: str
    visited_at: datetime.datetime
    visited_by: str  # the officer's user name on the kit ("" when unknown)


@dataclass
class Applied:
    """What the district did with the outcomes of one check-in."""

    applied: int = 0
    unchanged: int = 0
    kept: int = 0
    refused: int = 0
    reasons: list[str] = field(default_factory=list)  # "visit id: CODE" of the refused ones

    def as_dict(self) -> dict[str, Any]:
        return {
            "applied": self.applied,
            "unchanged": self.unchanged,
            "kept": self.kept,
            "refused": self.refused,
            "reasons": self.reasons[:100],
        }


# --- on the kit ----------------------------------------------------------------------------------


def outcomes_of(session_id: int) -> list[dict[str, Any]]:
    """The outcomes the kit holds for the session, as the check-in carries them."""
    visits = (
        HomeVisit.objects.filter(session_id=session_id)
        .exclude(outcome=PENDING)
        .exclude(visited_at=None)
        .select_related("visited_by")
        .order_by("position")
    )
    return [
        {
            "visit": v.pk,
            "person": v.person_id,
            "outcome": v.outcome,
            "note": v.note,
            "visited_at": v.visited_at.isoformat() if v.visited_at else None,
            "visited_by": v.visited_by.username if v.visited_by else "",
        }
        for v in visits
    ]


# --- at the district -----------------------------------------------------------------------------


def apply_outcomes(
    kit: Kit, *, session_id: int, visits: Sequence[KitVisit], clock_offset_seconds: int = 0
) -> Applied:
    """Apply the kit's outcomes to the session's visits (module docstring). The caller holds the
    check-in's transaction and has checked that the session is checked out to the kit."""
    done = Applied()
    if not visits:
        return done
    offset = datetime.timedelta(seconds=clock_offset_seconds)
    if abs(offset) <= CLOCK_TOLERANCE:
        offset = datetime.timedelta(0)
    rows = {
        v.pk: v
        for v in HomeVisit.objects.select_for_update(of=("self",))
        .select_related("session", "session__unit")
        .filter(
            session_id=session_id,
            session__kind=Session.Kind.HOME_VISITS,
            pk__in=[item.visit for item in visits],
        )
    }
    for item in visits:
        _apply_one(kit, rows.get(item.visit), item, offset, done)
    return done


def _apply_one(
    kit: Kit,
    row: HomeVisit | None,
    item: KitVisit,
    offset: datetime.timedelta,
    done: Applied,
) -> None:
    at = item.visited_at - offset
    claim = {
        "outcome": item.outcome,
        "note": item.note,
        "_kit": {
            "kit": kit.name,
            "at": item.visited_at.isoformat(),
            "by": item.visited_by,
        },
    }
    if row is None or row.person_id != item.person:
        done.refused += 1
        done.reasons.append(f"{item.visit}: NOT_FOUND")
        return
    if (row.outcome, row.note) == (item.outcome, item.note):
        done.unchanged += 1
        return
    if row.outcome != PENDING and row.visited_at is not None and row.visited_at >= at:
        done.kept += 1
        _once("kit.visit_outcome_kept", kit, row, claim)
        return
    try:
        chosen, text = check_outcome(row, item.outcome, item.note)
    except DomainError as refusal:
        done.refused += 1
        done.reasons.append(f"{item.visit}: {refusal.code}")
        _once("kit.visit_outcome_refused", kit, row, claim | {"code": refusal.code})
        return
    before = snapshot(row, OUTCOME_FIELDS)
    row.outcome, row.note = chosen, text
    row.visited_at = min(at, timezone.now())
    row.visited_by = (
        User.objects.filter(username=item.visited_by).first() if item.visited_by else None
    )
    row.save(update_fields=["outcome", "note", "visited_at", "visited_by"])
    done.applied += 1
    record(
        "kit.visit_outcome",
        actor=None,
        unit=row.session.unit,
        obj=row,
        before=before,
        after=snapshot(row, OUTCOME_FIELDS) | {"_kit": claim["_kit"]},
    )


def _once(action: str, kit: Kit, row: HomeVisit, after: dict[str, Any]) -> None:
    """Write the event unless the same one is already in the trail (a check-in sent again)."""
    earlier = AuditEvent.objects.filter(
        action=action, object_type=row._meta.label_lower, object_id=str(row.pk)
    ).values_list("after", flat=True)
    if any(event == after for event in earlier):
        return
    record(action, actor=None, unit=row.session.unit, obj=row, after=after)
