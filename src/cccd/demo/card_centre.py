"""The card production centre, simulated, for the demo and the tests (`cccd simulate_production`):
it reads a unit's batch file as the real centre would (the unit's signature over the manifest,
every artefact against its SHA-256), makes every card or refuses the dossiers it is told to, and
signs its result file with the centre's key (`docs/production-format.md`).

It lives in `cccd.demo`, which production settings do not install: production code
(`cccd.enrollments.production`) never imports it, and only reads what a centre sends back.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import secrets
import uuid
import zipfile
import zlib
from typing import Any

from django.utils import timezone

from cccd.core import validity
from cccd.enrollments.models import ProductionBatch, SigningKey, stored_name
from cccd.enrollments.production import errors
from cccd.enrollments.production.batch_file import CHUNK
from cccd.enrollments.production.keys import centre_key, sign, signature_is_valid
from cccd.enrollments.production.result_file import RESULT_FORMAT, RESULT_VERSION


def read_batch(batch: ProductionBatch) -> tuple[dict[str, Any], str]:
    """What the centre does first: check the batch file's signature against the unit's key and
    every artefact against the manifest's SHA-256. Returns the manifest and the file's SHA-256."""
    key = SigningKey.objects.filter(unit=batch.unit, is_centre=False).first()
    digest = hashlib.sha256()
    with batch.file.storage.open(stored_name(batch.file), "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
        handle.seek(0)
        try:
            with zipfile.ZipFile(handle) as archive:
                manifest = _verified_manifest(archive, batch, key)
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError, TypeError, ValueError) as exc:
            raise errors.BATCH_FILE_DAMAGED(batch=batch.code, detail=type(exc).__name__) from None
    return manifest, digest.hexdigest()


def _verified_manifest(
    archive: zipfile.ZipFile, batch: ProductionBatch, key: SigningKey | None
) -> dict[str, Any]:
    data, signature = archive.read("manifest.json"), archive.read("manifest.sig")
    if key is None or not signature_is_valid(key.public_key, data, signature):
        raise errors.BATCH_SIGNATURE_INVALID(batch=batch.code)
    manifest: dict[str, Any] = json.loads(data)
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
    (docs/domain.md#glossary); the expiry follows the law in force on the issue day."""
    born = datetime.date.fromisoformat(dossier["birth_date"])
    try:
        expiry = validity.card_expiry(born, issued, law=validity.law_for_date(issued))
    except validity.InvalidValidityInput as exc:
        return {"code": dossier["code"], "outcome": "rejected", "reason": str(exc)[:300]}
    return {
        "code": dossier["code"],
        "outcome": "produced",
        "card_number": dossier["personal_id"],
        "card_issue_date": issued.isoformat(),
        "card_expiry": expiry.isoformat() if expiry else None,
        "chip_serial": secrets.token_hex(8).upper(),
    }


def simulate_result(
    batch: ProductionBatch,
    *,
    reject: dict[str, str] | None = None,
    when: datetime.datetime | None = None,
) -> bytes:
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
        "format": RESULT_FORMAT,
        "version": RESULT_VERSION,
        "result_id": uuid.uuid4().hex,
        "batch_code": manifest["batch_code"],
        "batch_sha256": file_sha256,
        "produced_at": when.isoformat(),
        "dossiers": [
            {"code": d["code"], "outcome": "rejected", "reason": reject[d["code"]]}
            if d["code"] in reject
            else _produced(d, issued)
            for d in manifest["dossiers"]
        ],
    }
    data = json.dumps(result, ensure_ascii=False, indent=1).encode()
    return pack_result(data, sign(centre_key(), data))


def pack_result(result_json: bytes, signature: bytes) -> bytes:
    """The result zip around its two members (the centre's side; tests use it to forge files)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("result.json", result_json)
        archive.writestr("result.sig", signature)
    return buffer.getvalue()
