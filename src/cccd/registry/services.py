"""What officers and administrators do with the register: look people up, import files."""

from __future__ import annotations

from pathlib import Path

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import IMPORT, LOOK_UP
from cccd.accounts.scoping import get_visible, visible_to
from cccd.core import qrpayload
from cccd.jobs import leases, queues
from cccd.jobs.models import Job
from cccd.registry import errors, search
from cccd.registry.importing import IMPORT_JOB, read_header
from cccd.registry.models import Person, RegisterImport
from cccd.registry.tables import open_table, received_file
from cccd.rule_messages import explain


def search_people(text: str, *, actor: User) -> list[search.Match]:
    """A look-up in the register; audited with what was asked and how many were found."""
    require_permission(actor, LOOK_UP)
    people = visible_to(actor, Person.objects.all())
    if (card := _scanned_card(text)) is not None:
        matches, asked = search.find_card(people, card), f"card QR {card.personal_id}"
    else:
        if (typed := search.id_digits_typed(text)) is not None:
            raise errors.ID_NUMBER_LENGTH(count=typed)
        query = search.parse_query(text)
        if not query.is_usable:
            raise errors.PERSON_QUERY_TOO_SHORT()
        matches, asked = search.find(people, query), text[:200]
    found = [m.person.pk for m in matches]
    record("person.search", actor=actor, unit=actor.unit, after={"query": asked, "found": found})
    return matches


def _scanned_card(text: str) -> qrpayload.CardQR | None:
    try:
        return search.card_qr(text)
    except qrpayload.InvalidCardQR as exc:
        raise errors.CARD_QR_UNREADABLE(reason=explain(exc)) from None


def view_person(person_id: int, *, actor: User) -> Person:
    require_permission(actor, LOOK_UP)
    person = get_visible(
        actor,
        Person.objects.select_related("residence_unit", "household", "household__residence_unit"),
        pk=person_id,
    )
    record("person.view", actor=actor, unit=person.residence_unit, obj=person)
    return person


def start_import(
    upload: UploadedFile[bytes], *, actor: User, run_now: bool = False
) -> RegisterImport:
    """Keep the uploaded file, check its header at once, and queue the import as a task."""
    require_permission(actor, IMPORT)
    if not run_now:
        queues.ensure_reachable()  # before the file is kept: a broker that is down saves nothing
    with received_file(upload) as path:
        read_header(open_table(path))  # refuse a file without the columns before keeping it
        register_import = _create_import(path, upload.name or "register", actor=actor)
    return _queue(register_import, run_now=run_now)


def import_file(path: Path, *, actor: User | None, unit_path: str | None = None) -> RegisterImport:
    """The command-line import: the same checks and writer, run in this process by the caller."""
    if actor is not None:
        require_permission(actor, IMPORT)
    read_header(open_table(path))
    return _create_import(path, path.name, actor=actor, unit_path=unit_path)


@transaction.atomic
def _create_import(
    path: Path, name: str, *, actor: User | None, unit_path: str | None = None
) -> RegisterImport:
    from cccd.units.models import Unit

    unit = actor.unit if actor is not None else Unit.objects.get(path=unit_path or "/ca/")
    register_import = RegisterImport(
        original_name=name[:255], size=path.stat().st_size, unit=unit, actor=actor
    )
    with path.open("rb") as handle:
        register_import.file.save(Path(name).name[:100] or "register", File(handle), save=False)
    register_import.save()
    register_import.job = leases.job_for(IMPORT_JOB, register_import.pk, unit=unit)
    register_import.save(update_fields=["job"])
    record(
        "register_import.create",
        actor=actor,
        unit=unit,
        obj=register_import,
        after={"file": register_import.original_name, "size": register_import.size},
    )
    return register_import


def _queue(register_import: RegisterImport, *, run_now: bool) -> RegisterImport:
    from cccd.registry.importing import run_import

    if run_now:
        return run_import(register_import)
    leases.queue(register_import.job)  # type: ignore[arg-type]  # made with the import
    return register_import


@transaction.atomic
def resume_import(import_id: int, *, actor: User) -> RegisterImport:
    """Queue again an import that stopped (its worker died, or an error stopped it): it goes on
    after its last committed batch. One that is queued, running or finished is refused."""
    require_permission(actor, IMPORT)
    register_import = get_visible(
        actor, RegisterImport.objects.select_related("job", "unit"), pk=import_id
    )
    status = register_import.status
    if status in {RegisterImport.State.DONE, RegisterImport.State.FAILED}:
        raise errors.IMPORT_FINISHED()
    if status == RegisterImport.State.QUEUED:
        raise errors.IMPORT_QUEUED()
    if status != Job.State.STOPPED:
        raise errors.IMPORT_RUNNING()
    if not leases.queue(register_import.job, by_person=True):  # type: ignore[arg-type]
        raise errors.IMPORT_RUNNING()  # a worker took it up a moment ago
    record(
        "register_import.resume",
        actor=actor,
        unit=register_import.unit,
        obj=register_import,
        before={"status": status, "rows_done": register_import.rows_done},
        after={"status": "queued"},
    )
    return register_import
