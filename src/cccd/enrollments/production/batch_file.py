"""The batch file a unit sends to the card production centre: one zip holding every dossier's
artefacts, `manifest.json` (every dossier's card data and the SHA-256 of each artefact) and
`manifest.sig`, the unit's Ed25519 signature over the manifest's exact bytes
(`docs/production-format.md`); each artefact with a file carries its capture provenance
(`provenance`). Each artefact is copied from storage in chunks and checked against
the hash taken at the desk, so a file changed in storage never reaches the centre.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import zipfile
from typing import IO, Any

from django.utils import timezone

from cccd.enrollments.models import Artefact, Enrollment, SigningKey, stored_name
from cccd.enrollments.production import errors
from cccd.enrollments.production.keys import sign
from cccd.enrollments.production.provenance import capture_provenance
from cccd.units.models import Unit

BATCH_FORMAT, BATCH_VERSION = "cccd-production-batch", 1
"""Version 1 still: members are only ever added to it (the artefacts' `capture`), and a reader
ignores members it does not know (docs/production-format.md#versions)."""
CHUNK = 1024 * 1024


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


def _copy_artefact(
    archive: zipfile.ZipFile,
    enrollment: Enrollment,
    artefact: Artefact,
    path: str,
    stamp: tuple[int, ...],
) -> None:
    """Copy one stored file into the zip in chunks, checking it against the SHA-256 taken at the
    desk: a file changed in the storage since must never reach the centre."""
    label = f"{artefact.get_kind_display().lower()} {artefact.slot or ''}".strip()
    info = zipfile.ZipInfo(path, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_STORED  # images are compressed already
    digest, size = hashlib.sha256(), 0
    try:
        source = artefact.file.storage.open(stored_name(artefact.file), "rb")
    except OSError:
        raise errors.ARTEFACT_MISSING(artefact=label, code=enrollment.code) from None
    with source, archive.open(info, "w", force_zip64=True) as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    if digest.hexdigest() != artefact.sha256 or size != artefact.size:
        raise errors.ARTEFACT_TAMPERED(artefact=label, code=enrollment.code)


def write_batch(
    target: IO[bytes],
    rows: list[Enrollment],
    *,
    code: str,
    unit: Unit,
    key: SigningKey,
    now: datetime.datetime,
) -> None:
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
                    item.update(
                        path=path,
                        format=artefact.format,
                        size=artefact.size,
                        sha256=artefact.sha256,
                        capture=capture_provenance(artefact),
                    )
                entry["artefacts"].append(item)
            dossiers.append(entry)
        manifest = {
            "format": BATCH_FORMAT,
            "version": BATCH_VERSION,
            "batch_code": code,
            "unit": {"code": unit.code, "name": unit.name},
            "created_at": now.isoformat(),
            "public_key": key.public_key,
            "count": len(dossiers),
            "dossiers": dossiers,
        }
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        archive.writestr(
            zipfile.ZipInfo("manifest.json", date_time=stamp),
            data,
            compress_type=zipfile.ZIP_DEFLATED,
        )
        archive.writestr(zipfile.ZipInfo("manifest.sig", date_time=stamp), sign(key, data))


def measure(temporary: IO[bytes]) -> tuple[int, str]:
    """The written file's size and SHA-256, read from its start; left at its start for saving."""
    temporary.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := temporary.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    temporary.seek(0)
    return size, digest.hexdigest()
