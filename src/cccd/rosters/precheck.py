"""In the worker: read a kept list, make it current (or hold it for a confirmation), pre-check it.

`cccd.rosters.tasks` runs these under the roster's job lease; `cccd.rosters.services` runs them at
once when asked to (`run_now`, the command line and tests). The pre-check matches every readable
row to the register (`linkage`) and stores the flags an officer must know; whether a person already
has an open application is not stored, since it changes every evening: `queries` adds it when the
rows are read.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.campaigns.models import Session
from cccd.core import validity
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.rosters import linkage
from cccd.rosters.models import Flag, Outcome, Roster, RosterEntry
from cccd.rosters.reading import RosterRow, read_roster
from cccd.rosters.versions import install, list_names

_ENTRY_FIELDS = ("full_name", "birth_date", "birth_year", "sex", "personal_id", "class_name")


def process_roster(roster_id: int) -> Roster:
    """Read the kept list (the long part for a big file); make it its list's current version
    unless that drops people, which waits for a confirmation; then pre-check it."""
    roster = Roster.objects.select_related("session", "uploaded_by").get(pk=roster_id)
    if roster.state == Roster.State.CHECKING and roster.is_current:
        return run_precheck(roster.pk)  # the pre-check of an earlier run did not finish
    if roster.state != Roster.State.UPLOADED:
        return roster  # a task delivered twice: the first run did the work
    if not roster.entries.exists():  # else read by an earlier run that stopped before the end
        try:
            content = read_roster(Path(roster.file.path), mapping=roster.mapping or None)
        except DomainError as exc:
            Roster.objects.filter(pk=roster.pk).update(
                state=Roster.State.FAILED, error_message=exc.message
            )
            record(
                "roster.fail",
                actor=roster.uploaded_by,
                unit=roster.unit,
                obj=roster,
                after={"code": exc.code},
            )
            roster.refresh_from_db()
            return roster
        _store_rows(roster, content)
    if not install(roster, actor=roster.uploaded_by):
        return roster
    return run_precheck(roster.pk)


@transaction.atomic
def _store_rows(roster: Roster, content: Any) -> None:
    roster.kind, roster.header_line = content.kind, content.header_line
    roster.headers, roster.mapping = list(content.headers), dict(content.mapping)
    roster.save(update_fields=["kind", "header_line", "headers", "mapping"])
    list_class = class_of_list(roster.list_name)
    RosterEntry.objects.bulk_create(
        [_entry(roster, row, list_class) for row in content.rows], batch_size=2000
    )
    record(
        "roster.read",
        actor=roster.uploaded_by,
        unit=roster.unit,
        obj=roster,
        after={"rows": len(content.rows)},
    )


_CLASS_LIST = re.compile(r"(?:lớp|lop)?\s*(\d{1,2}\s?[^\W\d_]{1,5}\s?\d{0,2})", re.IGNORECASE)


def class_of_list(list_name: str) -> str:
    """The class a list is named after ("Lớp 12A1" → "12A1", "12a2" → "12A2"), for its rows that
    have no class column: a school sending one file per class often leaves the column out, and the
    numbers are handed out by class. A name that is not a class ("Khối 12") gives nothing."""
    match = _CLASS_LIST.fullmatch(unicodedata.normalize("NFC", list_name.strip()))
    return " ".join(match.group(1).split()).upper() if match else ""


def _entry(roster: Roster, row: RosterRow, list_class: str = "") -> RosterEntry:
    details = {
        k: v
        for k, v in dataclasses.asdict(row).items()
        if k not in {*_ENTRY_FIELDS, "row", "line", "values", "problems"}
    }
    entry = RosterEntry(
        roster=roster,
        row=row.row,
        line=row.line,
        values=row.values,
        problems=[list(p) for p in row.problems],
        details=details,
        outcome=Outcome.UNREADABLE if _unreadable(row) else Outcome.PENDING,
        **{
            f: getattr(row, f)
            or ("" if f in {"full_name", "sex", "personal_id", "class_name"} else None)
            for f in _ENTRY_FIELDS
        },
    )
    entry.class_name = entry.class_name or list_class
    entry.fingerprint = _fingerprint(row)
    return entry


def _unreadable(row: RosterRow) -> bool:
    return not row.full_name or (row.birth_date is None and row.birth_year is None)


def _fingerprint(row: RosterRow) -> str:
    """Identifies a row's content, whatever its position, so a corrected list keeps decisions."""
    key = json.dumps(row.values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()


def _row(entry: RosterEntry) -> RosterRow:
    fields = {f: getattr(entry, f) for f in _ENTRY_FIELDS}
    fields["sex"] = fields["sex"] or None
    return RosterRow(
        row=entry.row,
        line=entry.line,
        values=entry.values,
        problems=tuple(map(tuple, entry.problems)),
        **fields,
        **entry.details,
    )


def register_area(session: Session) -> str:
    """The register a session's roster is checked against: the session unit's own area, so the
    officers who review the rows never see people outside their units. Someone registered in the
    next district comes out `not_found` and is checked at the desk."""
    return session.unit.mirror_path


def run_precheck(roster_id: int) -> Roster:
    """Match every readable row to the register and flag what the officer must know."""
    roster = Roster.objects.select_related(
        "session", "session__campaign", "session__unit", "uploaded_by"
    ).get(pk=roster_id)
    Roster.objects.filter(pk=roster.pk).update(state=Roster.State.CHECKING)
    entries = list(roster.entries.exclude(outcome=Outcome.UNREADABLE))
    rows = [_row(e) for e in entries]
    wanted = linkage.register_slice_filter(rows)
    area = Person.objects.filter(residence_unit__path__startswith=register_area(roster.session))
    people = area.filter(birth_year__in=wanted.years) | area.filter(
        personal_id__in=wanted.personal_ids
    )
    fields = (
        "pk",
        "personal_id",
        "full_name",
        "birth_date",
        "birth_date_precision",
        "birth_year",
        "sex",
        "father_name",
        "mother_name",
        "permanent_address",
        "residence_unit__code",
    )
    slice_rows = list(people.values(*fields))
    results = {}
    if rows:  # the prior of a match is one in the area's whole population, not in the slice
        frame = linkage.register_frame_from_people(slice_rows)
        results = {r.row: r for r in linkage.link(frame, rows, population=area.count())}
    return _save_results(roster, entries, results, {p["personal_id"]: p["pk"] for p in slice_rows})


@transaction.atomic
def _save_results(
    roster: Roster, entries: list[RosterEntry], results: dict[int, Any], person_ids: dict[str, int]
) -> Roster:
    for entry in entries:
        result = results.get(entry.row)
        if result is None:
            continue
        entry.outcome = result.outcome
        entry.score = result.score
        entry.candidates = [
            {
                "person": person_ids.get(c.personal_id),
                "personal_id": c.personal_id,
                "probability": round(c.probability, 4),
            }
            for c in result.candidates
        ]
        if not entry.decision:
            entry.person_id = (
                person_ids.get(result.personal_id) if result.outcome == Outcome.MATCHED else None
            )
    RosterEntry.objects.bulk_update(
        entries, ["outcome", "score", "candidates", "person"], batch_size=1000
    )
    refresh_flags(roster.session)
    roster.state, roster.checked_at = Roster.State.CHECKED, timezone.now()
    roster.save(update_fields=["state", "checked_at"])
    counts = summary(roster)
    record("roster.precheck", actor=roster.uploaded_by, unit=roster.unit, obj=roster, after=counts)
    return roster


def refresh_flags(session: Session) -> None:
    """The stored flags of every row of the session's current lists, computed again: after a
    pre-check (a row listed in two classes is a duplicate across lists) and after a decision (a
    person picked by hand is flagged like one matched at once). Whether a person has an open
    application changes every evening, so that flag is not stored: `with_open_applications`
    adds it when the rows are read."""
    session = Session.objects.select_related("campaign").get(pk=session.pk)
    order = {name: i for i, name in enumerate(list_names(session))}  # the list sent first wins
    entries = sorted(
        RosterEntry.objects.filter(roster__session=session, roster__is_current=True)
        .exclude(outcome=Outcome.UNREADABLE)
        .select_related("roster"),
        key=lambda e: (order.get(e.roster.list_name, len(order)), e.row),
    )
    day = session.local_day
    people = Person.objects.in_bulk({e.person_id for e in entries if e.person_id})
    seen_people: set[int] = set()
    seen_keys: set[tuple[str, Any]] = set()
    changed = []
    for entry in entries:
        flags = []
        person = people.get(entry.person_id) if entry.person_id else None
        if (
            person is not None
            and validity.status(person.card_expiry, day) == "valid"
            and person.card_issue_date
            and person.card_kind != Person.CardKind.CMND  # an old ID is no valid card here
        ):
            flags.append(Flag.VALID_CARD)
        born = person.birth_date if person is not None else entry.birth_date
        if born is not None and session.campaign.law == "2014" and validity.age_on(born, day) < 14:
            flags.append(Flag.NOT_ELIGIBLE)
        key = (entry.full_name.lower(), entry.birth_date or entry.birth_year)
        if (person is not None and person.pk in seen_people) or key in seen_keys:
            flags.append(Flag.DUPLICATE_ROW)
        if person is not None:
            seen_people.add(person.pk)
        seen_keys.add(key)
        codes = [str(f) for f in flags]
        if codes != entry.flags:
            entry.flags = codes
            changed.append(entry)
    RosterEntry.objects.bulk_update(changed, ["flags"], batch_size=1000)


def summary(roster: Roster) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome in roster.entries.values_list("outcome", flat=True):
        counts[outcome] += 1
    counts["to_review"] = roster.entries.filter(
        outcome__in=[Outcome.REVIEW, Outcome.AMBIGUOUS], decision=""
    ).count()
    counts["rows"] = sum(counts[o] for o in Outcome.values)
    return counts
