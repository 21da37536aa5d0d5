"""Uploading a session's lists, confirming or discarding a new version, resolving doubtful rows.

Schools send their lists class by class, so a session holds several lists, each named. An upload
either adds a list or, chosen explicitly, replaces one named list; a list is replaced only by a new
version of itself. A new version that would drop people from its list waits for a confirmation
(checked here, not only in the form) before it becomes current. The request keeps the file after
cheap, bounded checks (size, kind by its first bytes); reading it, which takes seconds for a big
workbook, and the pre-check happen in the worker (`precheck`, queued through `tasks`).
"""

from __future__ import annotations

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
from cccd.accounts.roles import REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import Session
from cccd.core import names
from cccd.jobs import leases, queues
from cccd.registry import errors as register_errors
from cccd.registry.models import Person
from cccd.registry.tables import open_table, received_file
from cccd.rosters import errors
from cccd.rosters.models import Decision, Outcome, Roster, RosterEntry
from cccd.rosters.precheck import process_roster, refresh_flags, run_precheck
from cccd.rosters.tasks import ROSTER_JOB
from cccd.rosters.versions import install, list_names

# A class list is a few hundred rows (~100 KB as xlsx); the request refuses anything far bigger
# before keeping it, so a hostile file never reaches the worker's reader either.
MAX_ROSTER_MB = 20


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
    upload: UploadedFile[bytes],
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
    if not run_now:
        queues.ensure_reachable()  # before the file is kept: a broker that is down saves nothing
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
    if not run_now:
        queues.ensure_reachable()
    old = get_visible(actor, Roster.objects.select_related("session"), pk=roster_id)
    session = _session_for(old.session_id, actor=actor)
    roster = _keep(
        session, old.list_name, Path(old.file.path), old.original_name, mapping, actor=actor
    )
    return _queue(roster, run_now=run_now)


def clean_list_name(name: str) -> str:
    """A list's name as typed, spaces tidied (the name users see and choose)."""
    return " ".join(name.split())[:100]


def _same_name(a: str, b: str) -> bool:
    return names.fold(a) == names.fold(b)


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
    roster = Roster(
        session=session,
        unit=session.unit,
        list_name=list_name,
        version=(last["v"] or 0) + 1,
        is_current=False,
        original_name=name[:255],
        mapping=mapping or {},
        uploaded_by=actor,
    )
    with path.open("rb") as handle:
        roster.file.save(Path(name).name[:100] or "roster", File(handle), save=False)
    roster.save()
    record(
        "roster.upload",
        actor=actor,
        unit=session.unit,
        obj=roster,
        after={"file": roster.original_name, "list": list_name, "version": roster.version},
    )
    return roster


def _queue(roster: Roster, *, run_now: bool) -> Roster:
    if run_now:
        return process_roster(roster.pk)
    _queue_job(roster)
    return roster


def _queue_precheck(roster: Roster, *, run_now: bool) -> Roster:
    if run_now:
        return run_precheck(roster.pk)
    _queue_job(roster)  # the roster's task goes on to the pre-check of a list made current
    return roster


def _queue_job(roster: Roster) -> None:
    """Queue the roster's task through its job (after the commit), so a task the queue lost —
    Redis restarted, or unreachable at that moment — is sent again by any worker's recovery."""
    leases.queue(leases.job_for(ROSTER_JOB, roster.pk, unit=roster.unit))


def confirm_replacement(
    roster_id: int, *, against: int, actor: User, run_now: bool = False
) -> Roster:
    """The user saw what this version adds and drops against the current version `against`, and
    confirms: it becomes current and is pre-checked. Refused when the list's current version has
    changed since (another upload, a confirmation in another tab): the user looks again."""
    require_permission(actor, UPLOAD)
    if not run_now:
        queues.ensure_reachable()
    roster = get_visible(actor, Roster.objects.select_related("session"), pk=roster_id)
    _session_for(roster.session_id, actor=actor)
    with transaction.atomic():
        roster = Roster.objects.select_for_update().select_related("session").get(pk=roster.pk)
        if roster.state != Roster.State.AWAITING:
            raise errors.NOT_AWAITING()
        install(roster, actor=actor, confirmed_against=against)
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
    record(
        "roster.discard",
        actor=actor,
        unit=roster.unit,
        obj=roster,
        before={"state": "awaiting"},
        after={"state": "discarded"},
    )
    return roster


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
    record(
        "roster_entry.decide",
        actor=actor,
        unit=entry.roster.unit,
        obj=entry,
        before=before,
        after={"decision": entry.decision, "person": entry.person_id},
    )
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
