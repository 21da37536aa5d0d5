"""What one import row does to a person's residences over time (docs/reach.md).

The person's row holds the current permanent residence (commune, village, since when); the past
ones and the temporary ones are `ResidenceRecord`s. For one row of an import, `plan` decides:

- **a move**: the commune changes, or the village changes between two known villages (a village
  read for the first time from an unchanged address is no move). The old residence becomes a
  permanent record from the old `residence_since` to the day before the new one; the new
  `residence_since` is the file's "living here since" when it has one, else the import's day. A
  residence that would end before it began (the file's date is earlier than the old one) is not
  recorded: it covered no day the register can stand by.
- **a previous residence the file names** (with "living here since"): a permanent record ending
  the day before, unless the person's move already gave one ending that day.
- **a temporary residence**: the record with the same start is updated, or a new one made; a
  new one ends any other temporary residence still in force on its first day (nobody is counted
  in two places).

Nothing is written twice: a record already held with the same end (permanent) or start
(temporary) is the same record, so re-importing a file changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from cccd.registry.models import Person, ResidenceRecord
from cccd.registry.rows import PersonRow, Residence

_DAY = dt.timedelta(days=1)
_RECORD_FIELDS = ("unit_id", "village", "address", "start", "end")


@dataclass
class Plan:
    """The records one row adds (`new`, without their person yet) and changes (`changed`), and
    the lines for the person's audit event (`audit`: field → (before, after))."""

    new: list[ResidenceRecord] = field(default_factory=list)
    changed: list[ResidenceRecord] = field(default_factory=list)
    audit: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def moved(row: PersonRow, old: Person, unit_id: int) -> bool:
    return old.residence_unit_id != unit_id or bool(
        old.village and row.village and old.village != row.village
    )


def since(row: PersonRow, old: Person | None, unit_id: int, import_day: dt.date) -> dt.date | None:
    """The person's new `residence_since`."""
    if old is None:
        return row.residence_since
    if moved(row, old, unit_id):
        return row.residence_since or import_day
    return row.residence_since if row.residence_since is not None else old.residence_since


def plan(
    row: PersonRow,
    old: Person | None,
    unit_id: int,
    new_since: dt.date | None,
    held: list[ResidenceRecord],
) -> Plan:
    """The records of one row (module docstring); ``held`` are the person's records now."""
    result = Plan()
    permanent = _past_permanent(row, old, unit_id, new_since)
    if permanent is not None and not any(
        r.kind == ResidenceRecord.Kind.PERMANENT and r.end == permanent.end for r in held
    ):
        result.new.append(permanent)
        result.audit["past_residence"] = (None, describe(permanent))
    if row.temporary is not None:
        _temporary(row.temporary, held, result)
    return result


def _past_permanent(
    row: PersonRow, old: Person | None, unit_id: int, new_since: dt.date | None
) -> ResidenceRecord | None:
    if new_since is None:
        return None
    end = new_since - _DAY
    if old is not None and moved(row, old, unit_id):
        start = old.residence_since
        if start is not None and start > end:
            return None
        return _record(
            ResidenceRecord.Kind.PERMANENT,
            old.residence_unit_id,
            old.village,
            old.permanent_address,
            start,
            end,
        )
    previous = row.previous
    if previous is None or previous.unit_id is None:
        return None
    return _record(
        ResidenceRecord.Kind.PERMANENT,
        previous.unit_id,
        previous.village,
        previous.address,
        None,
        end,
    )


def _temporary(stay: Residence, held: list[ResidenceRecord], result: Plan) -> None:
    if stay.unit_id is None:
        return
    temporaries = [r for r in held if r.kind == ResidenceRecord.Kind.TEMPORARY]
    same = next((r for r in temporaries if r.start == stay.start), None)
    wanted = (stay.unit_id, stay.village[:80], stay.address[:300], stay.start, stay.end)
    if same is not None:
        before = describe(same)
        if tuple(getattr(same, f) for f in _RECORD_FIELDS) != wanted:
            for name, value in zip(_RECORD_FIELDS, wanted, strict=True):
                setattr(same, name, value)
            result.changed.append(same)
            result.audit["temporary_residence"] = (before, describe(same))
        return
    record = _record(ResidenceRecord.Kind.TEMPORARY, *wanted)
    result.new.append(record)
    result.audit["temporary_residence"] = (None, describe(record))
    if stay.start is None:
        return
    for other in temporaries:
        in_force = other.end is None or other.end >= stay.start
        earlier = other.start is None or other.start < stay.start
        if in_force and earlier:
            before = describe(other)
            other.end = stay.start - _DAY
            result.changed.append(other)
            result.audit[f"temporary_residence_{other.pk}"] = (before, describe(other))


def _record(
    kind: str,
    unit_id: int,
    village: str,
    address: str,
    start: dt.date | None,
    end: dt.date | None,
) -> ResidenceRecord:
    return ResidenceRecord(
        kind=kind,
        unit_id=unit_id,
        village=village[:80],
        address=address[:300],
        start=start,
        end=end,
    )


def describe(record: ResidenceRecord) -> str:
    """One line for the audit trail: unit id, village, dates (no address: it is personal)."""
    start = record.start.isoformat() if record.start else "…"
    end = record.end.isoformat() if record.end else "…"
    return f"{record.kind} unit {record.unit_id} {record.village} {start}–{end}".replace("  ", " ")
