"""Production batches: approved dossiers sent to the card production centre as one signed zip, and
the centre's signed result read back (`docs/production-format.md` is the format, field by field).

A unit signs its batch's `manifest.json` with its Ed25519 key; the manifest carries the SHA-256 of
every artefact, so one signature covers the whole file. The centre signs its `result.json` with its
own key; the result names the batch and the SHA-256 of the batch file it was made from, and carries
a fresh `result_id`. Importing checks everything before changing anything, then moves every dossier
of the batch in one transaction: a result file is all imported or not at all.

`simulate_result` plays the centre (`cccd simulate_production`), for the demo and the tests.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import io
import json
import re
import secrets
import tempfile
import uuid
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from cccd import filebounds
from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.scoping import get_visible, visible_to
from cccd.core import validity
from cccd.enrollments import lifecycle
from cccd.enrollments import production_errors as errors
from cccd.enrollments.models import Artefact, Enrollment, ProductionBatch, SigningKey
from cccd.units.models import Unit

BATCH_FORMAT, BATCH_VERSION = "cccd-production-batch", 1
RESULT_FORMAT, RESULT_VERSION = "cccd-production-result", 1
BATCH_LIMIT = 2000  # dossiers in one batch: a day of a large district, one file of a few hundred MB
RESULT_MAX_MB = 8  # a result line is ~250 bytes: 2,000 dossiers make ~0.5 MB, so 8 MB is generous
RESULT_MEMBERS = ("result.json", "result.sig")
RESULT_MAX_PARTS = 16  # more than the two is refused by name (RESULT_MEMBERS); far more, unread
CHUNK = 1024 * 1024

S = Enrollment.State
_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SERIAL = re.compile(r"^[A-Z0-9]{4,32}$")
_CARD_NUMBER = re.compile(r"^\d{12}$")


# keys


def _new_key() -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return public.hex(), pem.decode()


def _get_or_make_key(lookup: dict[str, Any]) -> SigningKey:
    """The key, made on first use; two first uses at once keep the one that was saved first."""
    found = SigningKey.objects.filter(**lookup).first()
    if found is not None:
        return found
    public, pem = _new_key()
    try:
        with transaction.atomic():
            return SigningKey.objects.create(**lookup, public_key=public, private_key_pem=pem)
    except IntegrityError:
        return SigningKey.objects.get(**lookup)


def unit_key(unit: Unit) -> SigningKey:
    """The unit's Ed25519 key, which signs its batches (made on first use)."""
    return _get_or_make_key({"unit": unit, "is_centre": False})


def centre_key() -> SigningKey:
    """The simulated production centre's Ed25519 key, which signs result files (made on first use).
    A real installation would hold only the centre's public key."""
    return _get_or_make_key({"unit": None, "is_centre": True})


def _private(key: SigningKey) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(key.private_key_pem.encode(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)  # noqa: S101  (we only ever store Ed25519 keys)
    return loaded


def sign(key: SigningKey, data: bytes) -> bytes:
    """The base64 text of the Ed25519 signature of `data` (what goes in a `.sig` member)."""
    return base64.b64encode(_private(key).sign(data))


def signature_is_valid(public_key_hex: str, data: bytes, signature_b64: bytes) -> bool:
    """Whether `signature_b64` (base64, as in a `.sig` member) signs exactly `data`."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        public.verify(signature, data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True


# making a batch


def _artefact_path(code: str, artefact: Artefact) -> str:
    return f"dossiers/{code}/{artefact.kind}-{artefact.slot}.{artefact.format or 'bin'}"


def _dossier_entry(enrollment: Enrollment) -> dict[str, Any]:
    person = enrollment.person
    return {
        "code": enrollment.code,
        "personal_id": person.personal_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "birth_date_precision": person.birth_date_precision,
        "sex": person.sex,
        "hometown": person.hometown,
        "residence": person.permanent_address,
        "ethnicity": person.ethnicity,
        "religion": person.religion,
        "kind": enrollment.kind,
        "law": enrollment.law,
        "artefacts": [],
    }


def _copy_artefact(archive: zipfile.ZipFile, enrollment: Enrollment, artefact: Artefact,
                   path: str, stamp: tuple[int, ...]) -> None:  # fmt: skip
    """Copy one stored file into the zip in chunks, checking it against the SHA-256 taken at the
    desk: a file changed in the storage since must never reach the centre."""
    label = f"{artefact.get_kind_display().lower()} {artefact.slot or ''}".strip()
    info = zipfile.ZipInfo(path, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_STORED  # images are compressed already
    digest, size = hashlib.sha256(), 0
    try:
        source = artefact.file.storage.open(artefact.file.name, "rb")
    except OSError:
        raise errors.ARTEFACT_MISSING(artefact=label, code=enrollment.code) from None
    with source, archive.open(info, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    if digest.hexdigest() != artefact.sha256 or size != artefact.size:
        raise errors.ARTEFACT_TAMPERED(artefact=label, code=enrollment.code)


def _write_batch(target: IO[bytes], rows: list[Enrollment], *, code: str, unit: Unit,
                 key: SigningKey, now: datetime.datetime) -> None:  # fmt: skip
    """The batch zip: the artefacts, then `manifest.json` and its signature `manifest.sig`."""
    stamp = timezone.localtime(now).timetuple()[:6]
    dossiers = []
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for enrollment in rows:
            entry = _dossier_entry(enrollment)
            for artefact in enrollment.artefacts.all():
                item = {"kind": artefact.kind, "slot": artefact.slot}
                if not artefact.sha256:
                    item.update(path=None, impossible_reason=artefact.impossible_reason)
                else:
                    path = _artefact_path(enrollment.code or "", artefact)
                    _copy_artefact(archive, enrollment, artefact, path, stamp)
                    item.update(path=path, format=artefact.format, size=artefact.size,
                                sha256=artefact.sha256)  # fmt: skip
                entry["artefacts"].append(item)
            dossiers.append(entry)
        manifest = {
            "format": BATCH_FORMAT, "version": BATCH_VERSION, "batch_code": code,
            "unit": {"code": unit.code, "name": unit.name},
            "created_at": now.isoformat(), "public_key": key.public_key,
            "count": len(dossiers), "dossiers": dossiers,
        }  # fmt: skip
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        archive.writestr(zipfile.ZipInfo("manifest.json", date_time=stamp), data,
                         compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        archive.writestr(zipfile.ZipInfo("manifest.sig", date_time=stamp), sign(key, data))


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


def export_batch(*, actor: User, unit_id: int | None = None,
                 enrollment_ids: Iterable[int] | None = None) -> ProductionBatch:  # fmt: skip
    """Send approved dossiers to production as one signed file.

    The zip is written to a temporary file outside the transaction (reading every artefact takes
    the longest, and on SQLite a write transaction stops every desk); the transaction then locks
    the dossiers, checks they are still the approved ones the file holds, saves the batch row and
    moves them all. Any failure leaves no batch row, no file and no dossier moved."""
    require_permission(actor, lifecycle.PRODUCE)
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
            _write_batch(temporary, rows, code=code, unit=unit, key=key, now=now)
            size, digest = _measure(temporary)
            batch = ProductionBatch(code=code, unit=unit, sha256=digest, size=size,
                                    count=len(rows), created_at=now, created_by=actor)  # fmt: skip
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


def _measure(temporary: IO[bytes]) -> tuple[int, str]:
    temporary.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := temporary.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    temporary.seek(0)
    return size, digest.hexdigest()


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
    record("production.export_batch", actor=actor, unit=batch.unit, obj=batch,
           after={"code": batch.code, "count": batch.count, "sha256": batch.sha256})  # fmt: skip


def _lock(actor: User, rows: QuerySet[Enrollment]) -> QuerySet[Enrollment]:
    locked = rows.select_for_update(of=("self",)).select_related("unit", "person")
    return visible_to(actor, locked).order_by("pk")


def open_batch_file(batch_id: int, *, actor: User) -> tuple[ProductionBatch, IO[bytes]]:
    """The batch zip for download. It holds personal data of every dossier, so the download is
    audited like a look-up."""
    require_permission(actor, lifecycle.PRODUCE)
    batch = get_visible(actor, ProductionBatch.objects.select_related("unit"), pk=batch_id)
    handle = batch.file.storage.open(batch.file.name, "rb")
    record("production.download_batch", actor=actor, unit=batch.unit, obj=batch,
           after={"sha256": batch.sha256, "count": batch.count})  # fmt: skip
    return batch, handle


# the centre (simulated)


def read_batch(batch: ProductionBatch) -> tuple[dict[str, Any], str]:
    """What the centre does first: check the batch file's signature against the unit's key and
    every artefact against the manifest's SHA-256. Returns the manifest and the file's SHA-256."""
    key = SigningKey.objects.filter(unit=batch.unit, is_centre=False).first()
    digest = hashlib.sha256()
    with batch.file.storage.open(batch.file.name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                manifest = _verified_manifest(archive, batch, key)
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, TypeError, ValueError) as exc:
            raise errors.BATCH_FILE_DAMAGED(batch=batch.code, detail=type(exc).__name__) from None
    return manifest, digest.hexdigest()


def _verified_manifest(archive: zipfile.ZipFile, batch: ProductionBatch,
                       key: SigningKey | None) -> dict[str, Any]:  # fmt: skip
    data, signature = archive.read("manifest.json"), archive.read("manifest.sig")
    if key is None or not signature_is_valid(key.public_key, data, signature):
        raise errors.BATCH_SIGNATURE_INVALID(batch=batch.code)
    manifest = json.loads(data)
    expected = {"manifest.json", "manifest.sig"}
    for dossier in manifest["dossiers"]:
        for item in dossier["artefacts"]:
            if item["path"] is None:
                continue
            expected.add(item["path"])
            if _sha256_of_member(archive, item["path"]) != item["sha256"]:
                raise errors.BATCH_FILE_DAMAGED(batch=batch.code, detail=item["path"])
    if set(archive.namelist()) != expected:
        raise errors.BATCH_FILE_DAMAGED(batch=batch.code, detail="unexpected members")
    return manifest


def _sha256_of_member(archive: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with archive.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _produced(dossier: dict[str, Any], issued: datetime.date) -> dict[str, Any]:
    """One card as the centre makes it. In CCCD the card number is the personal ID number
    (DOMAIN.md, glossary); the expiry follows the law in force on the issue day."""
    born = datetime.date.fromisoformat(dossier["birth_date"])
    try:
        expiry = validity.card_expiry(born, issued, law=validity.law_for_date(issued))
    except validity.InvalidValidityInput as exc:
        return {"code": dossier["code"], "outcome": "rejected", "reason": str(exc)[:300]}
    return {
        "code": dossier["code"], "outcome": "produced", "card_number": dossier["personal_id"],
        "card_issue_date": issued.isoformat(),
        "card_expiry": expiry.isoformat() if expiry else None,
        "chip_serial": secrets.token_hex(8).upper(),
    }  # fmt: skip


def simulate_result(batch: ProductionBatch, *, reject: dict[str, str] | None = None,
                    when: datetime.datetime | None = None) -> bytes:  # fmt: skip
    """Play the production centre: read and check the batch file, make every card (or refuse
    those in `reject`, code → reason) and return the signed result zip."""
    reject = reject or {}
    manifest, file_sha256 = read_batch(batch)
    codes = [d["code"] for d in manifest["dossiers"]]
    strangers = sorted(set(reject) - set(codes))
    if strangers:
        raise errors.REJECT_NOT_IN_BATCH(batch=batch.code, codes=", ".join(strangers))
    when = when or timezone.now()
    issued = timezone.localtime(when).date()
    result = {
        "format": RESULT_FORMAT, "version": RESULT_VERSION, "result_id": uuid.uuid4().hex,
        "batch_code": manifest["batch_code"], "batch_sha256": file_sha256,
        "produced_at": when.isoformat(),
        "dossiers": [
            {"code": d["code"], "outcome": "rejected", "reason": reject[d["code"]]}
            if d["code"] in reject
            else _produced(d, issued)
            for d in manifest["dossiers"]
        ],
    }  # fmt: skip
    data = json.dumps(result, ensure_ascii=False, indent=1).encode()
    return pack_result(data, sign(centre_key(), data))


def pack_result(result_json: bytes, signature: bytes) -> bytes:
    """The result zip around its two members (the centre's side; tests use it to forge files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("result.json", result_json)
        archive.writestr("result.sig", signature)
    return buffer.getvalue()


# importing the result


@dataclass
class ImportSummary:
    """What an imported result did: counts for the page, the refused dossiers with their reason."""

    batch: ProductionBatch
    produced: int = 0
    rejected: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Outcome:
    code: str
    produced: bool
    card_number: str = ""
    issue_date: datetime.date | None = None
    expiry: datetime.date | None = None
    chip_serial: str = ""
    reason: str = ""


def _members(data: bytes) -> tuple[bytes, bytes]:
    """The two members of a result zip, read only once the archive is within `cccd.filebounds`'
    bounds (a few parts, at most RESULT_MAX_MB unpacked, no zip bomb, no unsafe names)."""
    buffer = io.BytesIO(data)
    filebounds.check_zip(
        buffer, max_unpacked=RESULT_MAX_MB * 1024 * 1024, max_parts=RESULT_MAX_PARTS
    )
    try:
        with zipfile.ZipFile(buffer) as archive:
            names = archive.namelist()
            if sorted(names) != sorted(RESULT_MEMBERS):
                raise errors.RESULT_MEMBERS(names=", ".join(n[:60] for n in names[:10]) or "—")
            return archive.read("result.json"), archive.read("result.sig")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, OSError):  # fmt: skip
        raise errors.RESULT_NOT_A_ZIP() from None


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _v in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("a key appears twice")
    return dict(pairs)


def _malformed(detail: str) -> Exception:
    return errors.RESULT_MALFORMED(detail=detail)


def _text(obj: dict[str, Any], key: str, pattern: re.Pattern[str] | None = None, *,
          where: str = "") -> str:  # fmt: skip
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip() or (pattern and not pattern.match(value)):
        raise _malformed(f"“{key}” {where}is missing or not valid")
    return value


def _day(
    obj: dict[str, Any], key: str, *, where: str, nullable: bool = False
) -> datetime.date | None:
    value = obj.get(key)
    if value is None and nullable and key in obj:
        return None
    if not isinstance(value, str) or not _DATE.match(value):
        raise _malformed(f"“{key}” {where}is not a date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise _malformed(f"“{key}” {where}is not a date (YYYY-MM-DD)") from None


_PRODUCED_KEYS = {"code", "outcome", "card_number", "card_issue_date", "card_expiry", "chip_serial"}
_REJECTED_KEYS = {"code", "outcome", "reason"}
_RESULT_KEYS = {"format", "version", "result_id", "batch_code", "batch_sha256", "produced_at",
                "dossiers"}  # fmt: skip


def _outcome(item: object, index: int) -> _Outcome:
    if not isinstance(item, dict):
        raise _malformed(f"dossier {index + 1} is not an object")
    where = f"of dossier {index + 1} "
    code = _text(item, "code", _CODE, where=where)
    where = f"of dossier {code} "
    outcome = item.get("outcome")
    if outcome == "produced" and set(item) == _PRODUCED_KEYS:
        return _Outcome(
            code, True, card_number=_text(item, "card_number", _CARD_NUMBER, where=where),
            issue_date=_day(item, "card_issue_date", where=where),
            expiry=_day(item, "card_expiry", where=where, nullable=True),
            chip_serial=_text(item, "chip_serial", _SERIAL, where=where),
        )  # fmt: skip
    if outcome == "rejected" and set(item) == _REJECTED_KEYS:
        reason = _text(item, "reason", where=where)
        return _Outcome(code, False, reason=" ".join(reason.split())[:300])
    if outcome not in ("produced", "rejected"):
        raise _malformed(f"the outcome {where}is neither “produced” nor “rejected”")
    raise _malformed(f"the fields {where}are not those of a “{outcome}” outcome")


def parse_result(result_json: bytes) -> tuple[dict[str, Any], list[_Outcome]]:
    """The result's header and outcomes, every field checked for its type and form."""
    try:
        header = json.loads(result_json.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError):
        raise _malformed("result.json is not valid JSON (UTF-8, no repeated keys)") from None
    if not isinstance(header, dict):
        raise _malformed("result.json is not an object")
    if header.get("format") != RESULT_FORMAT or header.get("version") != RESULT_VERSION:
        raise errors.RESULT_WRONG_FORMAT(
            format=str(header.get("format"))[:40], version=str(header.get("version"))[:10],
            expected=RESULT_FORMAT, expected_version=RESULT_VERSION,
        )  # fmt: skip
    if set(header) != _RESULT_KEYS:
        raise _malformed("result.json does not have exactly the fields of version 1")
    _text(header, "result_id", _CODE)
    _text(header, "batch_code", _CODE)
    _text(header, "batch_sha256", _HEX64)
    try:
        produced_at = datetime.datetime.fromisoformat(_text(header, "produced_at"))
    except ValueError:
        raise _malformed("“produced_at” is not a date and time") from None
    if produced_at.tzinfo is None:
        raise _malformed("“produced_at” has no time zone")
    header["produced_at"] = produced_at
    items = header["dossiers"]
    if not isinstance(items, list) or not items:
        raise _malformed("“dossiers” is not a list of dossiers")
    outcomes = [_outcome(item, i) for i, item in enumerate(items)]
    codes = [o.code for o in outcomes]
    twice = (
        sorted({c for c in codes if codes.count(c) > 1}) if len(set(codes)) != len(codes) else []
    )
    if twice:
        raise _malformed("dossier " + ", ".join(twice[:10]) + " is listed more than once")
    return header, outcomes


def _check_not_imported(actor: User, result_id: str, file_sha256: str) -> None:
    """A result file is imported once: by its id, and by its bytes (the same file renamed)."""
    seen = visible_to(actor, ProductionBatch.objects.all())
    seen = seen.filter(Q(result_id=result_id) | Q(result_sha256=file_sha256))
    seen = seen.order_by("result_imported_at").first()
    if seen is not None:
        raise _replayed(seen)


def _replayed(batch: ProductionBatch) -> Exception:
    when = timezone.localtime(batch.result_imported_at) if batch.result_imported_at else None
    return errors.RESULT_REPLAYED(date=f"{when:%d/%m/%Y %H:%M}" if when else "?", batch=batch.code)


def _short(codes: Iterable[str]) -> str:
    codes = list(codes)
    return ", ".join(codes[:10]) + (" …" if len(codes) > 10 else "")


def _check_dossiers(actor: User, batch: ProductionBatch, outcomes: list[_Outcome]) -> None:
    """Every dossier named is one of this batch, still in production, and the result covers the
    whole batch; card numbers are the persons' ID numbers and the dates make sense."""
    codes = [o.code for o in outcomes]
    known = {e.code: e for e in visible_to(actor, Enrollment.objects.filter(code__in=codes))
             .select_related("person", "batch")}  # fmt: skip
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise errors.RESULT_UNKNOWN_DOSSIERS(codes=_short(unknown))
    strangers = [f"{c} ({known[c].batch.code if known[c].batch else '—'})" for c in codes
                 if known[c].batch_id != batch.pk]  # fmt: skip
    if strangers:
        raise errors.RESULT_OTHER_BATCH(batch=batch.code, details=_short(strangers))
    stale = [f"{c} ({known[c].get_state_display().lower()})" for c in codes
             if known[c].state != S.IN_PRODUCTION]  # fmt: skip
    if stale:
        raise errors.RESULT_NOT_IN_PRODUCTION(details=_short(stale))
    expected = set(batch.enrollments.filter(state=S.IN_PRODUCTION).values_list("code", flat=True))
    missing = sorted(expected - set(codes))
    if missing:
        raise errors.RESULT_INCOMPLETE(got=len(codes), count=len(expected), batch=batch.code,
                                       codes=_short(missing))  # fmt: skip
    sent_on = timezone.localtime(batch.created_at).date()
    for o in outcomes:
        if o.produced:
            _check_card(o, known[o.code], sent_on)


def _check_card(outcome: _Outcome, enrollment: Enrollment, sent_on: datetime.date) -> None:
    if outcome.card_number != enrollment.person.personal_id:
        raise errors.RESULT_CARD_NUMBER(code=outcome.code)
    issued = outcome.issue_date
    assert issued is not None  # noqa: S101  (parse_result gives a produced card its date)
    if issued < sent_on or issued > timezone.localdate():
        raise errors.RESULT_BAD_DATES(code=outcome.code,
                                      detail=f"issued {issued:%d/%m/%Y}")  # fmt: skip
    if outcome.expiry is not None and outcome.expiry <= issued:
        raise errors.RESULT_BAD_DATES(code=outcome.code,
                                      detail=f"valid until {outcome.expiry:%d/%m/%Y}")  # fmt: skip


def _read_upload(data: bytes) -> tuple[bytes, bytes]:
    if not data:
        raise errors.RESULT_EMPTY()
    if len(data) > RESULT_MAX_MB * 1024 * 1024:
        raise errors.RESULT_TOO_LARGE(size=f"{len(data) / 1048576:.1f}", limit=RESULT_MAX_MB)
    return _members(data)


def import_result(data: bytes, *, actor: User) -> ImportSummary:
    """Read the centre's result for one batch: every check first (file, signature, form, batch,
    replay, dossiers), then, in one transaction with the rows locked, each dossier produced (card
    dates and chip serial) or refused by the centre (back to correction with the reason).

    Partial results are refused: a result covers every dossier of its batch, because the batch's
    replay guard (one result per batch) would otherwise leave the rest in production for ever."""
    require_permission(actor, lifecycle.PRODUCE)
    file_sha256 = hashlib.sha256(data).hexdigest()
    result_json, signature = _read_upload(data)
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


def _apply_result(batch: ProductionBatch, header: dict[str, Any], outcomes: list[_Outcome],
                  file_sha256: str, *, actor: User) -> ImportSummary:  # fmt: skip
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
            lifecycle.apply(rows[o.code], "produce", actor=actor, now=now,
                            card_issue_date=o.issue_date, card_expiry=o.expiry,
                            chip_serial=o.chip_serial)  # fmt: skip
            summary.produced += 1
        else:
            lifecycle.apply(rows[o.code], "refuse_at_centre", actor=actor, now=now,
                            reason=o.reason)  # fmt: skip
            summary.rejected[o.code] = o.reason
    locked.state = ProductionBatch.State.RESULT
    locked.result_id, locked.result_sha256 = header["result_id"], file_sha256
    locked.result_imported_at, locked.result_imported_by = now, actor
    locked.save(update_fields=["state", "result_id", "result_sha256", "result_imported_at",
                               "result_imported_by"])  # fmt: skip
    record("production.import_result", actor=actor, unit=locked.unit, obj=locked,
           before={"state": ProductionBatch.State.SENT},
           after={"state": locked.state, "result_id": locked.result_id,
                  "result_sha256": file_sha256, "produced": summary.produced,
                  "rejected": len(summary.rejected)})  # fmt: skip
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
