"""Uploading a session's roster, pre-checking it against the register, resolving doubtful rows."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.accounts.models import Role, User
from cccd.accounts.permissions import require_permission
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import Session
from cccd.core import validity
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.registry.tables import open_table, received_file
from cccd.rosters import errors, linkage
from cccd.rosters.models import Decision, Flag, Outcome, Roster, RosterEntry
from cccd.rosters.reading import RosterRow, detect_header, read_roster

_ENTRY_FIELDS = ("full_name", "birth_date", "birth_year", "sex", "personal_id", "class_name")


def _session_for(session_id: int, *, actor: User) -> Session:
    session = get_visible(
        actor, Session.objects.select_related("venue", "campaign", "unit"), pk=session_id
    )
    if actor.role == Role.LIAISON and session.venue.liaison_id != actor.pk:
        raise errors.NOT_YOUR_VENUE()
    return session


def upload_roster(
    session_id: int,
    upload: UploadedFile,
    *,
    actor: User,
    mapping: dict[str, int] | None = None,
    run_now: bool = False,
) -> Roster:
    """Keep the list and queue its reading and pre-check; a list without its header row is refused
    at once. Once read, it replaces the session's current roster; decisions already taken on rows
    that did not change are kept."""
    require_permission(actor, "rosters.upload_roster")
    session = _session_for(session_id, actor=actor)
    with received_file(upload) as path:
        if mapping is None:
            table = open_table(path)
            detect_header(enumerate(table.rows(), start=1))
        roster = _keep(session, path, upload.name or "roster", mapping, actor=actor)
    return _queue(roster, run_now=run_now)


def remap_roster(
    roster_id: int, mapping: dict[str, int], *, actor: User, run_now: bool = False
) -> Roster:
    """Read the kept file again with the columns the user chose, as a new version."""
    require_permission(actor, "rosters.upload_roster")
    old = get_visible(actor, Roster.objects.select_related("session"), pk=roster_id)
    _session_for(old.session_id, actor=actor)
    roster = _keep(old.session, Path(old.file.path), old.original_name, mapping, actor=actor)
    return _queue(roster, run_now=run_now)


@transaction.atomic
def _keep(
    session: Session, path: Path, name: str, mapping: dict[str, int] | None, *, actor: User
) -> Roster:
    last = Roster.objects.filter(session=session).order_by("-version").first()
    roster = Roster(session=session, unit=session.unit, version=(last.version + 1) if last else 1, is_current=False,
                    original_name=name[:255], mapping=mapping or {}, uploaded_by=actor)  # fmt: skip
    with path.open("rb") as handle:
        roster.file.save(Path(name).name[:100] or "roster", File(handle), save=False)
    roster.save()
    record("roster.upload", actor=actor, unit=session.unit, obj=roster,
           after={"file": roster.original_name, "version": roster.version})  # fmt: skip
    return roster


def process_roster(roster_id: int) -> Roster:
    """Read the kept list (the long part for a big file), make it current, then pre-check it."""
    roster = Roster.objects.select_related("session", "uploaded_by").get(pk=roster_id)
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
    _install(roster, content)
    return run_precheck(roster.pk)


@transaction.atomic
def _install(roster: Roster, content: Any) -> None:
    previous = (
        Roster.objects.select_for_update().filter(session=roster.session, is_current=True).first()
    )
    if previous is not None:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    roster.kind, roster.header_line = content.kind, content.header_line
    roster.headers, roster.mapping, roster.is_current = (
        list(content.headers),
        dict(content.mapping),
        True,
    )
    roster.save(update_fields=["kind", "header_line", "headers", "mapping", "is_current"])
    RosterEntry.objects.bulk_create([_entry(roster, row) for row in content.rows], batch_size=2000)
    carried = _carry_decisions(previous, roster) if previous is not None else 0
    record("roster.read", actor=roster.uploaded_by, unit=roster.unit, obj=roster,
           after={"rows": len(content.rows), "decisions_kept": carried})  # fmt: skip


def _entry(roster: Roster, row: RosterRow) -> RosterEntry:
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
    entry.fingerprint = _fingerprint(row)
    return entry


def _unreadable(row: RosterRow) -> bool:
    return not row.full_name or (row.birth_date is None and row.birth_year is None)


def _fingerprint(row: RosterRow) -> str:
    """Identifies a row's content, whatever its position, so a corrected list keeps decisions."""
    key = json.dumps(row.values, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()


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


def _queue(roster: Roster, *, run_now: bool) -> Roster:
    from cccd.rosters.tasks import process_roster_task

    if run_now:
        return process_roster(roster.pk)
    transaction.on_commit(lambda: process_roster_task.enqueue(roster.pk))
    return roster


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
    _flag(roster, entries)
    RosterEntry.objects.bulk_update(
        entries, ["outcome", "score", "candidates", "person", "flags"], batch_size=1000
    )
    roster.state, roster.checked_at = Roster.State.CHECKED, timezone.now()
    roster.save(update_fields=["state", "checked_at"])
    counts = summary(roster)
    record("roster.precheck", actor=roster.uploaded_by, unit=roster.unit, obj=roster, after=counts)
    return roster


def _with_open_application(person_ids: list[int]) -> set[int]:
    """People with a dossier received and not yet delivered: the desk would refuse a second one."""
    from cccd.enrollments.models import Enrollment  # downstream of rosters in the flow

    found: set[int] = set()
    for start in range(0, len(person_ids), 5000):
        found.update(
            Enrollment.objects.filter(person_id__in=person_ids[start : start + 5000])
            .exclude(state__in=[Enrollment.State.DRAFT, *Enrollment.CLOSED_STATES])
            .values_list("person_id", flat=True)
        )
    return found


def _flag(roster: Roster, entries: list[RosterEntry]) -> None:
    session = roster.session
    day = session.local_day
    people = Person.objects.in_bulk([e.person_id for e in entries if e.person_id])
    open_applications = _with_open_application(list(people))
    seen_people: dict[int, int] = {}
    seen_keys: dict[tuple[str, Any], int] = {}
    for entry in entries:
        flags = []
        person = people.get(entry.person_id) if entry.person_id else None
        if (
            person is not None
            and validity.status(person.card_expiry, day) == "valid"
            and person.card_issue_date
        ):
            flags.append(Flag.VALID_CARD)
        if person is not None and person.pk in open_applications:
            flags.append(Flag.OPEN_APPLICATION)
        born = person.birth_date if person is not None else entry.birth_date
        if born is not None and session.campaign.law == "2014" and validity.age_on(born, day) < 14:
            flags.append(Flag.NOT_ELIGIBLE)
        key = (entry.full_name.lower(), entry.birth_date or entry.birth_year)
        if (person is not None and person.pk in seen_people) or key in seen_keys:
            flags.append(Flag.DUPLICATE_ROW)
        if person is not None:
            seen_people.setdefault(person.pk, entry.row)
        seen_keys.setdefault(key, entry.row)
        entry.flags = [str(f) for f in flags]


def summary(roster: Roster) -> dict[str, int]:
    counts = dict.fromkeys(Outcome.values, 0)
    for outcome in roster.entries.values_list("outcome", flat=True):
        counts[outcome] += 1
    counts["to_review"] = roster.entries.filter(
        outcome__in=[Outcome.REVIEW, Outcome.AMBIGUOUS], decision=""
    ).count()
    counts["rows"] = sum(counts[o] for o in Outcome.values)
    return counts


@transaction.atomic
def decide_entry(
    entry_id: int, decision: str, *, actor: User, person_id: int | None = None
) -> RosterEntry:
    """An officer resolves a doubtful row: picks a candidate, rejects it, or marks it not in the register."""
    require_permission(actor, "rosters.review_roster")
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
    record("roster_entry.decide", actor=actor, unit=entry.roster.unit, obj=entry, before=before,
           after={"decision": entry.decision, "person": entry.person_id})  # fmt: skip
    return entry


def next_to_review(roster: Roster, *, after_row: int = 0) -> RosterEntry | None:
    doubtful = roster.entries.filter(outcome__in=[Outcome.REVIEW, Outcome.AMBIGUOUS], decision="")
    return (
        doubtful.filter(row__gt=after_row).order_by("row").first()
        or doubtful.order_by("row").first()
    )


def current_roster(session: Session) -> Roster | None:
    return Roster.objects.filter(session=session, is_current=True).first()


def rosters_visible(actor: User) -> Any:
    return visible_to(actor, Roster.objects.all())
