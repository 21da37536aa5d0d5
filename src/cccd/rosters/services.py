"""Uploading a session's lists, pre-checking them against the register, resolving doubtful rows.

Schools send their lists class by class, so a session holds several lists, each named. An upload
either adds a list or, chosen explicitly, replaces one named list; a list is replaced only by a new
version of itself. A new version that would drop people from its list waits for a confirmation
(checked here, not only in the form) before it becomes current. The request keeps the file after
cheap, bounded checks (size, kind by its first bytes); reading it, which takes seconds for a big
workbook, happens in the worker.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.accounts.models import Role, User
from cccd.accounts.permissions import require_permission
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import Session
from cccd.core import names, validity
from cccd.errors import DomainError
from cccd.registry import errors as register_errors
from cccd.registry.models import Person
from cccd.registry.tables import open_table, received_file
from cccd.rosters import errors, linkage
from cccd.rosters.models import Decision, Flag, Outcome, Roster, RosterEntry
from cccd.rosters.reading import RosterRow, read_roster

_ENTRY_FIELDS = ("full_name", "birth_date", "birth_year", "sex", "personal_id", "class_name")
# A class list is a few hundred rows (~100 KB as xlsx); the request refuses anything far bigger
# before keeping it, so a hostile file never reaches the worker's reader either.
MAX_ROSTER_MB = 20
UPLOAD = "rosters.upload_roster"
REVIEW = "rosters.review_roster"


def _session_for(session_id: int, *, actor: User) -> Session:
    session = get_visible(
        actor, Session.objects.select_related("venue", "campaign", "unit"), pk=session_id
    )
    if actor.role == Role.LIAISON and session.venue.liaison_id != actor.pk:
        raise errors.NOT_YOUR_VENUE()
    return session


# ---------------------------------------------------------------------------------------------
# Upload: keep the file, queue its reading


def upload_roster(
    session_id: int,
    upload: UploadedFile,
    *,
    actor: User,
    name: str = "",
    replaces: str | None = None,
    mapping: dict[str, int] | None = None,
    run_now: bool = False,
) -> Roster:
    """Keep a list and queue its reading and pre-check. `replaces` names the session's list this
    file is a new version of; without it the file adds a list, named `name` (or after the file),
    and a name the session already uses is refused rather than replaced by mistake.

    Only the size and the kind of file (by its first bytes) are checked here; the header and the
    rows are read by the worker, and a list that fails there is marked failed with its reason."""
    require_permission(actor, UPLOAD)
    session = _session_for(session_id, actor=actor)
    if upload.size is not None and upload.size > MAX_ROSTER_MB * 1024 * 1024:
        raise register_errors.FILE_TOO_LARGE(limit=MAX_ROSTER_MB)
    file_name = upload.name or "roster"
    list_name = _list_name_for(session, name=name, replaces=replaces, file_name=file_name)
    with received_file(upload) as path:
        open_table(path)  # the kind by signature (and a workbook's zip directory); no row read
        roster = _keep(session, list_name, path, file_name, mapping, actor=actor)
    return _queue(roster, run_now=run_now)


def remap_roster(
    roster_id: int, mapping: dict[str, int], *, actor: User, run_now: bool = False
) -> Roster:
    """Read the kept file again with the columns the user chose, as a new version of its list."""
    require_permission(actor, UPLOAD)
    old = get_visible(actor, Roster.objects.select_related("session"), pk=roster_id)
    session = _session_for(old.session_id, actor=actor)
    roster = _keep(session, old.list_name, Path(old.file.path), old.original_name, mapping,
                   actor=actor)  # fmt: skip
    return _queue(roster, run_now=run_now)


def clean_list_name(name: str) -> str:
    """A list's name as typed, spaces tidied (the name users see and choose)."""
    return " ".join(name.split())[:100]


def _same_name(a: str, b: str) -> bool:
    return names.fold(a) == names.fold(b)


def list_names(session: Session) -> list[str]:
    """The names of the session's lists, in the order they were first sent."""
    seen: dict[str, None] = {}
    for list_name in (
        Roster.objects.filter(session=session).order_by("pk").values_list("list_name", flat=True)
    ):
        seen.setdefault(list_name, None)
    return list(seen)


def _list_name_for(session: Session, *, name: str, replaces: str | None, file_name: str) -> str:
    existing = list_names(session)
    if replaces is not None and clean_list_name(replaces):
        wanted = clean_list_name(replaces)
        for list_name in existing:
            if _same_name(list_name, wanted):
                return list_name
        raise errors.NO_SUCH_LIST(name=wanted)
    wanted = clean_list_name(name) or clean_list_name(Path(file_name).stem) or "Danh sách"
    taken = Roster.objects.filter(session=session).exclude(
        state__in=[Roster.State.FAILED, Roster.State.DISCARDED], is_current=False
    )
    if any(_same_name(n, wanted) for n in taken.values_list("list_name", flat=True).distinct()):
        raise errors.LIST_EXISTS(name=wanted)
    return wanted


@transaction.atomic
def _keep(
    session: Session,
    list_name: str,
    path: Path,
    name: str,
    mapping: dict[str, int] | None,
    *,
    actor: User,
) -> Roster:
    last = Roster.objects.filter(session=session, list_name=list_name).aggregate(v=Max("version"))
    roster = Roster(session=session, unit=session.unit, list_name=list_name,
                    version=(last["v"] or 0) + 1, is_current=False, original_name=name[:255],
                    mapping=mapping or {}, uploaded_by=actor)  # fmt: skip
    with path.open("rb") as handle:
        roster.file.save(Path(name).name[:100] or "roster", File(handle), save=False)
    roster.save()
    record("roster.upload", actor=actor, unit=session.unit, obj=roster,
           after={"file": roster.original_name, "list": list_name, "version": roster.version})  # fmt: skip
    return roster


def _queue(roster: Roster, *, run_now: bool) -> Roster:
    from cccd.rosters.tasks import process_roster_task

    if run_now:
        return process_roster(roster.pk)
    transaction.on_commit(lambda: process_roster_task.enqueue(roster.pk))
    return roster


def _queue_precheck(roster: Roster, *, run_now: bool) -> Roster:
    from cccd.rosters.tasks import precheck_roster_task

    if run_now:
        return run_precheck(roster.pk)
    transaction.on_commit(lambda: precheck_roster_task.enqueue(roster.pk))
    return roster


# ---------------------------------------------------------------------------------------------
# In the worker: read, then make current (or wait for a confirmation), then pre-check


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
            record("roster.fail", actor=roster.uploaded_by, unit=roster.unit, obj=roster,
                   after={"code": exc.code})  # fmt: skip
            roster.refresh_from_db()
            return roster
        _store_rows(roster, content)
    if not _install(roster, actor=roster.uploaded_by):
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
    record("roster.read", actor=roster.uploaded_by, unit=roster.unit, obj=roster,
           after={"rows": len(content.rows)})  # fmt: skip


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
    entry = RosterEntry(roster=roster, row=row.row, line=row.line, values=row.values,
                        problems=[list(p) for p in row.problems], details=details,
                        outcome=Outcome.UNREADABLE if _unreadable(row) else Outcome.PENDING,
                        **{f: getattr(row, f) or ("" if f in {"full_name", "sex", "personal_id", "class_name"} else None)
                           for f in _ENTRY_FIELDS})  # fmt: skip
    entry.class_name = entry.class_name or list_class
    entry.fingerprint = _fingerprint(row)
    return entry


def _unreadable(row: RosterRow) -> bool:
    return not row.full_name or (row.birth_date is None and row.birth_year is None)


def _fingerprint(row: RosterRow) -> str:
    """Identifies a row's content, whatever its position, so a corrected list keeps decisions."""
    key = json.dumps(row.values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------
# Replacing a list: what a new version adds and drops


@dataclass
class Replacement:
    """A new version of a list against its current version, person by person (by row).

    Two rows are the same person when they share a personal ID, or a name (folded: capitals and
    missing diacritics do not count) with the same date of birth (the year when the row has only
    a year) — the keys the pre-check's duplicate check uses; a row of the current version also
    answers to the register's name, birth date and ID of the person it was matched to, so a row the
    school corrected after the discrepancy list is the same person, not one dropped and one added.
    """

    roster: Roster
    current: Roster | None
    added: list[RosterEntry] = field(default_factory=list)
    dropped: list[RosterEntry] = field(default_factory=list)
    kept: list[tuple[RosterEntry, RosterEntry]] = field(default_factory=list)  # (current, new)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.dropped)


def _is_someone(entry: RosterEntry) -> bool:
    """A row names a person when it has a name or a personal ID; a row with neither (a class
    name left on an empty line) is neither added nor dropped."""
    return bool(entry.full_name or entry.personal_id or entry.person_id)


def _row_keys(entry: RosterEntry) -> set[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = {("row", entry.fingerprint)}
    if entry.personal_id:
        keys.add(("id", entry.personal_id))
    if entry.full_name:
        keys.add(("born", names.fold(entry.full_name), entry.birth_date or entry.birth_year))
    return keys


def _person_keys(person: Person | None) -> set[tuple[Any, ...]]:
    if person is None:
        return set()
    born = person.birth_date if person.birth_date_precision == "day" else person.birth_year
    return {("id", person.personal_id), ("born", person.name_folded, born)}


def replacement(roster: Roster, current: Roster | None = None) -> Replacement:
    """What `roster` adds and drops against `current` (by default its list's current version)."""
    if current is None:
        current = current_version(roster.session_id, roster.list_name)
    if current is not None and current.pk == roster.pk:
        current = None
    change = Replacement(roster, current)
    new_entries = list(roster.entries.order_by("row"))
    if current is None:
        change.added = [e for e in new_entries if _is_someone(e)]
        return change
    old_entries = list(current.entries.select_related("person").order_by("row"))
    by_key: dict[tuple[Any, ...], list[RosterEntry]] = {}
    for old in old_entries:
        for key in _row_keys(old) | _person_keys(old.person):
            by_key.setdefault(key, []).append(old)
    still_listed: set[int] = set()
    for new in new_entries:
        same = [old for key in _row_keys(new) for old in by_key.get(key, [])]
        if not same:
            if _is_someone(new):
                change.added.append(new)
            continue
        change.kept.append((same[0], new))
        still_listed.update(old.pk for old in same)
    change.dropped = [o for o in old_entries if o.pk not in still_listed and _is_someone(o)]
    return change


def current_version(session_id: int, list_name: str) -> Roster | None:
    return Roster.objects.filter(
        session_id=session_id, list_name=list_name, is_current=True
    ).first()


@transaction.atomic
def _install(roster: Roster, *, actor: User | None, confirmed_against: int | None = None) -> bool:
    """Make `roster` its list's current version, carrying decisions (rows whose content did not
    change) and queue numbers (the same person) over; False, and the version waits, when it drops
    someone and the user has not confirmed dropping them against the version now current."""
    current = (
        Roster.objects.select_for_update()
        .filter(session_id=roster.session_id, list_name=roster.list_name, is_current=True)
        .first()
    )
    change = replacement(roster, current)
    if change.needs_confirmation and (current is None or confirmed_against != current.pk):
        if confirmed_against is not None:
            raise errors.REPLACEMENT_CHANGED()
        _supersede_waiting(roster)
        Roster.objects.filter(pk=roster.pk).update(state=Roster.State.AWAITING)
        roster.state = Roster.State.AWAITING
        record("roster.await", actor=actor, unit=roster.unit, obj=roster,
               after=_change_summary(change))  # fmt: skip
        return False
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    _supersede_waiting(roster)
    roster.is_current, roster.state = True, Roster.State.CHECKING
    roster.save(update_fields=["is_current", "state"])
    carried = _carry_decisions(current, roster) if current is not None else 0
    moved = _carry_tickets(change)
    record("roster.install", actor=actor, unit=roster.unit, obj=roster,
           after={**_change_summary(change), "decisions_kept": carried, "numbers_kept": moved})  # fmt: skip
    return True


def _change_summary(change: Replacement) -> dict[str, Any]:
    """For the audit trail: counts and the school file's line numbers, no names."""
    return {"list": change.roster.list_name,
            "replaces": change.current.pk if change.current is not None else None,
            "added": len(change.added), "dropped": len(change.dropped),
            "dropped_lines": [e.line for e in change.dropped][:500]}  # fmt: skip


def _supersede_waiting(roster: Roster) -> None:
    """Older versions of the list still waiting for a confirmation are no longer offered."""
    Roster.objects.filter(
        session_id=roster.session_id, list_name=roster.list_name,
        state=Roster.State.AWAITING, version__lt=roster.version,
    ).update(state=Roster.State.DISCARDED)  # fmt: skip


def _carry_decisions(previous: Roster, roster: Roster) -> int:
    decided = {e.fingerprint: e for e in previous.entries.exclude(decision="")}
    carried = []
    for entry in roster.entries.filter(fingerprint__in=decided.keys()):
        old = decided[entry.fingerprint]
        entry.decision, entry.person_id = old.decision, old.person_id
        entry.decided_by_id, entry.decided_at = old.decided_by_id, old.decided_at
        carried.append(entry)
    RosterEntry.objects.bulk_update(carried, ["decision", "person", "decided_by", "decided_at"])
    return len(carried)


def _carry_tickets(change: Replacement) -> int:
    """A number handed out for a row stays with the same person's row in the new version, so
    handing out again gives numbers only to the people added."""
    if change.current is None:
        return 0
    holding = set(change.current.entries.filter(tickets__isnull=False).values_list("pk", flat=True))
    moved = 0
    for old, new in change.kept:
        if old.pk in holding:
            moved += old.tickets.update(roster_entry=new)
            holding.discard(old.pk)
    return moved


def confirm_replacement(
    roster_id: int, *, against: int, actor: User, run_now: bool = False
) -> Roster:
    """The user saw what this version adds and drops against the current version `against`, and
    confirms: it becomes current and is pre-checked. Refused when the list's current version has
    changed since (another upload, a confirmation in another tab): the user looks again."""
    require_permission(actor, UPLOAD)
    roster = get_visible(actor, Roster.objects.select_related("session"), pk=roster_id)
    _session_for(roster.session_id, actor=actor)
    with transaction.atomic():
        roster = Roster.objects.select_for_update().select_related("session").get(pk=roster.pk)
        if roster.state != Roster.State.AWAITING:
            raise errors.NOT_AWAITING()
        _install(roster, actor=actor, confirmed_against=against)
        return _queue_precheck(roster, run_now=run_now)


@transaction.atomic
def discard_roster(roster_id: int, *, actor: User) -> Roster:
    """Leave a version that waits for a confirmation unused; the list's current version stays."""
    require_permission(actor, UPLOAD)
    roster = get_visible(actor, Roster.objects.select_for_update(), pk=roster_id)
    _session_for(roster.session_id, actor=actor)
    if roster.state != Roster.State.AWAITING:
        raise errors.NOT_AWAITING()
    roster.state = Roster.State.DISCARDED
    roster.save(update_fields=["state"])
    record("roster.discard", actor=actor, unit=roster.unit, obj=roster,
           before={"state": "awaiting"}, after={"state": "discarded"})  # fmt: skip
    return roster


# ---------------------------------------------------------------------------------------------
# The pre-check


def _row(entry: RosterEntry) -> RosterRow:
    fields = {f: getattr(entry, f) for f in _ENTRY_FIELDS}
    fields["sex"] = fields["sex"] or None
    return RosterRow(row=entry.row, line=entry.line, values=entry.values, problems=tuple(map(tuple, entry.problems)),
                     **fields, **entry.details)  # fmt: skip


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
    fields = ("pk", "personal_id", "full_name", "birth_date", "birth_date_precision", "birth_year", "sex",
              "father_name", "mother_name", "permanent_address", "residence_unit__code")  # fmt: skip
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
        entry.candidates = [{"person": person_ids.get(c.personal_id), "personal_id": c.personal_id,
                             "probability": round(c.probability, 4)} for c in result.candidates]  # fmt: skip
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
        flags = [str(f) for f in flags]
        if flags != entry.flags:
            entry.flags = flags
            changed.append(entry)
    RosterEntry.objects.bulk_update(changed, ["flags"], batch_size=1000)


def _with_open_application(person_ids: list[int], *, session: Session | None) -> set[int]:
    """People with a dossier received and not yet delivered, rejected or cancelled, other than one
    taken at `session` itself (the row's own intake): the desk would refuse them a second one."""
    from cccd.enrollments.models import Enrollment  # downstream of rosters in the flow

    found: set[int] = set()
    for start in range(0, len(person_ids), 5000):
        dossiers = Enrollment.objects.filter(person_id__in=person_ids[start : start + 5000])
        dossiers = dossiers.exclude(state__in=[Enrollment.State.DRAFT, *Enrollment.CLOSED_STATES])
        if session is not None:
            dossiers = dossiers.exclude(session=session)
        found.update(dossiers.values_list("person_id", flat=True))
    return found


def with_open_applications(
    entries: Iterable[RosterEntry], session: Session | None = None
) -> list[RosterEntry]:
    """The rows with their flags as of now: "already has an open application" is looked up when
    the rows are read, since applications are opened after the list was checked (usually the
    list comes days before the session) and a row matched by a reviewer's decision needs it too."""
    entries = list(entries)
    open_now = _with_open_application(
        sorted({e.person_id for e in entries if e.person_id}), session=session
    )
    for entry in entries:
        flags = [f for f in entry.flags if f != Flag.OPEN_APPLICATION]
        if entry.person_id in open_now:
            flags.insert(1 if Flag.VALID_CARD in flags else 0, str(Flag.OPEN_APPLICATION))
        entry.flags = flags
    return entries


def summary(roster: Roster) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome in roster.entries.values_list("outcome", flat=True):
        counts[outcome] += 1
    counts["to_review"] = roster.entries.filter(
        outcome__in=[Outcome.REVIEW, Outcome.AMBIGUOUS], decision=""
    ).count()
    counts["rows"] = sum(counts[o] for o in Outcome.values)
    return counts


# ---------------------------------------------------------------------------------------------
# Review


@transaction.atomic
def decide_entry(
    entry_id: int, decision: str, *, actor: User, person_id: int | None = None
) -> RosterEntry:
    """An officer resolves a doubtful row: picks a candidate, rejects it, or marks it not in the register."""
    require_permission(actor, REVIEW)
    entry = get_visible(
        actor,
        RosterEntry.objects.select_for_update(of=("self",)).select_related("roster"),
        pk=entry_id,
    )
    if not entry.roster.is_current:
        raise errors.ROSTER_NOT_CURRENT()
    if decision not in {Decision.PICKED, Decision.REJECTED, Decision.NOT_IN_REGISTER}:
        raise errors.BAD_DECISION()
    before = {"decision": entry.decision, "person": entry.person_id}
    if decision == Decision.PICKED:
        allowed = {c.get("person") for c in entry.candidates}
        if person_id is None or person_id not in allowed:
            raise errors.NOT_A_CANDIDATE()
        get_visible(actor, Person.objects.all(), pk=person_id)
        entry.person_id = person_id
    else:
        entry.person_id = None
    entry.decision, entry.decided_by, entry.decided_at = decision, actor, timezone.now()
    entry.save(update_fields=["decision", "person", "decided_by", "decided_at"])
    refresh_flags(entry.roster.session)
    record("roster_entry.decide", actor=actor, unit=entry.roster.unit, obj=entry, before=before,
           after={"decision": entry.decision, "person": entry.person_id})  # fmt: skip
    return entry


def next_to_review(roster: Roster, *, after_row: int = 0) -> RosterEntry | None:
    doubtful = roster.entries.filter(outcome__in=[Outcome.REVIEW, Outcome.AMBIGUOUS], decision="")
    return (
        doubtful.filter(row__gt=after_row).order_by("row").first()
        or doubtful.order_by("row").first()
    )


def current_rosters(session: Session) -> list[Roster]:
    """Every current list of the session (one version each), in the order they were first sent."""
    order = {name: i for i, name in enumerate(list_names(session))}
    rosters = Roster.objects.filter(session=session, is_current=True)
    return sorted(rosters, key=lambda r: order.get(r.list_name, len(order)))


def rosters_visible(actor: User) -> Any:
    return visible_to(actor, Roster.objects.all())
