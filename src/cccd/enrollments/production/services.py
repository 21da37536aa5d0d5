"""Production batches, what the back office does: send approved dossiers to the card production
centre as one signed file (`export_batch`), download it, import the centre's signed result
(`import_result`) and record the cards arrived at the unit (`cards_arrived`).
`docs/production-format.md` is the format, field by field.

A unit signs its batch's `manifest.json` with its Ed25519 key (`keys`, `batch_file`); the manifest
carries the SHA-256 of every artefact, so one signature covers the whole file. The centre signs its
`result.json` with its own key; the result names the batch and the SHA-256 of the batch file it was
made from, and carries a fresh `result_id` (`result_file` reads it). Importing checks everything
before changing anything, then moves every dossier of the batch in one transaction: a result file
is all imported or not at all.

The centre itself is simulated apart, in `cccd.demo.card_centre` (`cccd simulate_production`), for
the demo and the tests; nothing here imports it.
"""

from __future__ import annotations

import datetime
import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import PRODUCE
from cccd.accounts.scoping import get_visible, visible_to
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment, ProductionBatch, stored_name
from cccd.enrollments.production import errors
from cccd.enrollments.production.batch_file import measure, write_batch
from cccd.enrollments.production.keys import centre_key, signature_is_valid, unit_key
from cccd.enrollments.production.result_file import Outcome, parse_result, read_result_zip
from cccd.units.models import Unit

BATCH_LIMIT = 2000  # dossiers in one batch: a day of a large district, one file of a few hundred MB

S = Enrollment.State


# making a batch


def _batch_unit(actor: User, unit_id: int | None) -> Unit:
    if unit_id is None:
        if actor.unit is None:
            raise errors.NOTHING_TO_SEND()
        return actor.unit
    return get_visible(actor, Unit.objects.all(), pk=unit_id)


def _candidates(actor: User, unit: Unit, enrollment_ids: Iterable[int] | None) -> list[int]:
    """The dossiers to send: the chosen ones (all approved and visible, or a refusal naming those
    that are not), else the oldest approved dossiers of the unit's subtree, up to the limit."""
    scoped = visible_to(actor, Enrollment.objects.all()).filter(unit__path__startswith=unit.path)
    if enrollment_ids is None:
        approved = scoped.filter(state=S.APPROVED).order_by("return_date", "pk")
        ids = list(approved.values_list("pk", flat=True)[:BATCH_LIMIT])
        if not ids:
            raise errors.NOTHING_TO_SEND()
        return ids
    wanted = sorted({int(i) for i in enrollment_ids})
    if not wanted:
        raise errors.NOTHING_TO_SEND()
    if len(wanted) > BATCH_LIMIT:
        raise errors.BATCH_TOO_LARGE(limit=BATCH_LIMIT, count=len(wanted))
    found = {e.pk: e for e in scoped.filter(pk__in=wanted).only("pk", "code", "state")}
    blocked = [
        f"{found[i].code} ({found[i].get_state_display().lower()})"
        if i in found
        else f"#{i} ({_not_found()})"
        for i in wanted
        if i not in found or found[i].state != S.APPROVED
    ]
    if blocked:
        raise errors.CANNOT_SEND(
            details=", ".join(blocked[:10]) + (" …" if len(blocked) > 10 else "")
        )
    return wanted


def _not_found() -> str:
    return gettext("not found, or not in your unit")


def _next_code(unit: Unit, now: datetime.datetime) -> str:
    prefix = f"{unit.code}-L{timezone.localtime(now):%y%m%d}-"
    return f"{prefix}{ProductionBatch.objects.filter(code__startswith=prefix).count() + 1}"


def export_batch(
    *, actor: User, unit_id: int | None = None, enrollment_ids: Iterable[int] | None = None
) -> ProductionBatch:
    """Send approved dossiers to production as one signed file.

    The zip is written to a temporary file outside the transaction (reading every artefact takes
    the longest, and on SQLite a write transaction stops every desk); the transaction then locks
    the dossiers, checks they are still the approved ones the file holds, saves the batch row and
    moves them all. Any failure leaves no batch row, no file and no dossier moved."""
    require_permission(actor, PRODUCE)
    unit = _batch_unit(actor, unit_id)
    ids = _candidates(actor, unit, enrollment_ids)
    now = timezone.now()
    code = _next_code(unit, now)
    key = unit_key(unit)
    rows = list(
        Enrollment.objects.filter(pk__in=ids)
        .select_related("person")
        .prefetch_related("artefacts")
        .order_by("code")
    )
    stored = None
    try:
        with tempfile.TemporaryFile() as temporary:
            write_batch(temporary, rows, code=code, unit=unit, key=key, now=now)
            size, digest = measure(temporary)
            batch = ProductionBatch(
                code=code,
                unit=unit,
                sha256=digest,
                size=size,
                count=len(rows),
                created_at=now,
                created_by=actor,
            )
            batch.file.save(f"{code}.zip", File(temporary, name=f"{code}.zip"), save=False)
            stored = batch.file.name
        with transaction.atomic():
            _send(batch, ids, actor=actor, now=now)
    except IntegrityError:
        _delete(stored)
        raise errors.BATCH_CHANGED() from None
    except BaseException:
        _delete(stored)
        raise
    return batch


def _delete(name: str | None) -> None:
    if name:
        from django.core.files.storage import default_storage

        default_storage.delete(name)


def _send(batch: ProductionBatch, ids: list[int], *, actor: User, now: datetime.datetime) -> None:
    locked = list(_lock(actor, Enrollment.objects.filter(pk__in=ids)))
    if len(locked) != len(ids) or any(e.state != S.APPROVED for e in locked):
        raise errors.BATCH_CHANGED()
    batch.save()
    for enrollment in locked:
        lifecycle.apply(enrollment, "send", actor=actor, now=now, batch=batch)
    record(
        "production.export_batch",
        actor=actor,
        unit=batch.unit,
        obj=batch,
        after={"code": batch.code, "count": batch.count, "sha256": batch.sha256},
    )


def _lock(actor: User, rows: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    locked = rows.select_for_update(of=("self",)).select_related("unit", "person")
    return visible_to(actor, locked).order_by("pk")


def open_batch_file(batch_id: int, *, actor: User) -> tuple[ProductionBatch, IO[bytes]]:
    """The batch zip for download. It holds personal data of every dossier, so the download is
    audited like a look-up."""
    require_permission(actor, PRODUCE)
    batch = get_visible(actor, ProductionBatch.objects.select_related("unit"), pk=batch_id)
    handle = batch.file.storage.open(stored_name(batch.file), "rb")
    record(
        "production.download_batch",
        actor=actor,
        unit=batch.unit,
        obj=batch,
        after={"sha256": batch.sha256, "count": batch.count},
    )
    return batch, handle


# importing the result


@dataclass
class ImportSummary:
    """What an imported result did: counts for the page, the refused dossiers with their reason."""

    batch: ProductionBatch
    produced: int = 0
    rejected: dict[str, str] = field(default_factory=dict)


def _check_not_imported(actor: User, result_id: str, file_sha256: str) -> None:
    """A result file is imported once: by its id, and by its bytes (the same file renamed)."""
    batches = visible_to(actor, ProductionBatch.objects.all())
    batches = batches.filter(Q(result_id=result_id) | Q(result_sha256=file_sha256))
    seen = batches.order_by("result_imported_at").first()
    if seen is not None:
        raise _replayed(seen)


def _replayed(batch: ProductionBatch) -> Exception:
    when = timezone.localtime(batch.result_imported_at) if batch.result_imported_at else None
    return errors.RESULT_REPLAYED(date=f"{when:%d/%m/%Y %H:%M}" if when else "?", batch=batch.code)


def _short(codes: Iterable[str]) -> str:
    codes = list(codes)
    return ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")


def _check_dossiers(actor: User, batch: ProductionBatch, outcomes: list[Outcome]) -> None:
    """Every dossier named is one of this batch, still in production, and the result covers the
    whole batch; card numbers are the persons' ID numbers and the dates make sense."""
    codes = [o.code for o in outcomes]
    known = {
        e.code: e
        for e in visible_to(actor, Enrollment.objects.filter(code__in=codes)).select_related(
            "person", "batch"
        )
    }
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise errors.RESULT_UNKNOWN_DOSSIERS(codes=_short(unknown))
    strangers = [
        f"{c} ({b.code if (b := known[c].batch) else '—'})"
        for c in codes
        if known[c].batch_id != batch.pk
    ]
    if strangers:
        raise errors.RESULT_OTHER_BATCH(batch=batch.code, details=_short(strangers))
    stale = [
        f"{c} ({known[c].get_state_display().lower()})"
        for c in codes
        if known[c].state != S.IN_PRODUCTION
    ]
    if stale:
        raise errors.RESULT_NOT_IN_PRODUCTION(details=_short(stale))
    in_production = batch.enrollments.filter(state=S.IN_PRODUCTION)
    expected = {c for c in in_production.values_list("code", flat=True) if c is not None}
    missing = sorted(expected - set(codes))
    if missing:
        raise errors.RESULT_INCOMPLETE(
            got=len(codes), count=len(expected), batch=batch.code, codes=_short(missing)
        )
    sent_on = timezone.localtime(batch.created_at).date()
    for o in outcomes:
        if o.produced:
            _check_card(o, known[o.code], sent_on)


def _check_card(outcome: Outcome, enrollment: Enrollment, sent_on: datetime.date) -> None:
    if outcome.card_number != enrollment.person.personal_id:
        raise errors.RESULT_CARD_NUMBER(code=outcome.code)
    issued = outcome.issue_date
    assert issued is not None  # noqa: S101  (parse_result gives a produced card its date)
    if issued < sent_on or issued > timezone.localdate():
        raise errors.RESULT_BAD_DATES(code=outcome.code, detail=f"issued {issued:%d/%m/%Y}")
    if outcome.expiry is not None and outcome.expiry <= issued:
        raise errors.RESULT_BAD_DATES(
            code=outcome.code, detail=f"valid until {outcome.expiry:%d/%m/%Y}"
        )


def import_result(data: bytes, *, actor: User) -> ImportSummary:
    """Read the centre's result for one batch: every check first (file, signature, form, batch,
    replay, dossiers), then, in one transaction with the rows locked, each dossier produced (card
    dates and chip serial) or refused by the centre (back to correction with the reason).

    Partial results are refused: a result covers every dossier of its batch, because the batch's
    replay guard (one result per batch) would otherwise leave the rest in production for ever."""
    require_permission(actor, PRODUCE)
    file_sha256 = hashlib.sha256(data).hexdigest()
    result_json, signature = read_result_zip(data)
    if not signature_is_valid(centre_key().public_key, result_json, signature):
        raise errors.RESULT_SIGNATURE_INVALID()
    header, outcomes = parse_result(result_json)
    _check_not_imported(actor, header["result_id"], file_sha256)
    batch = (
        visible_to(actor, ProductionBatch.objects.select_related("unit"))
        .filter(code=header["batch_code"])
        .first()
    )
    if batch is None:
        raise errors.RESULT_BATCH_UNKNOWN(batch=header["batch_code"])
    if batch.state != ProductionBatch.State.SENT:
        raise _replayed(batch)
    if header["batch_sha256"] != batch.sha256:
        raise errors.RESULT_BATCH_MISMATCH(batch=batch.code)
    _check_dossiers(actor, batch, outcomes)
    try:
        with transaction.atomic():
            return _apply_result(batch, header, outcomes, file_sha256, actor=actor)
    except IntegrityError:  # the same result imported at this very moment by someone else
        raise _replayed(ProductionBatch.objects.get(pk=batch.pk)) from None


def _apply_result(
    batch: ProductionBatch,
    header: dict[str, Any],
    outcomes: list[Outcome],
    file_sha256: str,
    *,
    actor: User,
) -> ImportSummary:
    locked = ProductionBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.state != ProductionBatch.State.SENT:
        raise _replayed(locked)
    rows = {e.code: e for e in _lock(actor, Enrollment.objects.filter(batch=locked))}
    if any(rows.get(o.code) is None or rows[o.code].state != S.IN_PRODUCTION for o in outcomes):
        raise errors.RESULT_NOT_IN_PRODUCTION(details=_short(o.code for o in outcomes))
    now = timezone.now()
    summary = ImportSummary(batch=locked)
    for o in outcomes:
        if o.produced:
            lifecycle.apply(
                rows[o.code],
                "produce",
                actor=actor,
                now=now,
                card_issue_date=o.issue_date,
                card_expiry=o.expiry,
                chip_serial=o.chip_serial,
            )
            summary.produced += 1
        else:
            lifecycle.apply(rows[o.code], "refuse_at_centre", actor=actor, now=now, reason=o.reason)
            summary.rejected[o.code] = o.reason
    locked.state = ProductionBatch.State.RESULT
    locked.result_id, locked.result_sha256 = header["result_id"], file_sha256
    locked.result_imported_at, locked.result_imported_by = now, actor
    locked.save(
        update_fields=[
            "state",
            "result_id",
            "result_sha256",
            "result_imported_at",
            "result_imported_by",
        ]
    )
    record(
        "production.import_result",
        actor=actor,
        unit=locked.unit,
        obj=locked,
        before={"state": ProductionBatch.State.SENT},
        after={
            "state": locked.state,
            "result_id": locked.result_id,
            "result_sha256": file_sha256,
            "produced": summary.produced,
            "rejected": len(summary.rejected),
        },
    )
    return summary


# cards arriving


def cards_arrived(batch_id: int, *, actor: User) -> list[Enrollment]:
    """The centre's parcel is at the unit: every produced card of the batch becomes "at the unit",
    in one transaction (in chunks of the bulk move's limit)."""
    batch = get_visible(actor, ProductionBatch.objects.all(), pk=batch_id)
    ids = list(
        visible_to(actor, batch.enrollments.filter(state=S.PRODUCED)).values_list("pk", flat=True)
    )
    if not ids:
        raise errors.NOTHING_ARRIVED(batch=batch.code)
    moved: list[Enrollment] = []
    with transaction.atomic():
        for start in range(0, len(ids), lifecycle.BULK_LIMIT):
            chunk = ids[start : start + lifecycle.BULK_LIMIT]
            moved += lifecycle.move_many(chunk, "arrive", actor=actor)
    return moved
