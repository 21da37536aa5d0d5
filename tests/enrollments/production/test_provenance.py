"""Each file of a batch carries where it came from (docs/production-format.md, `capture`): a device
capture its device, scores, time and SBI hash; an older row `file` and nulls; and nothing of
`Artefact.quality` beyond the documented members, whatever the desk keeps there."""

from __future__ import annotations

import datetime
import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cccd.accounts.models import User
from cccd.demo import card_centre
from cccd.enrollments.models import Artefact, Enrollment, ProductionBatch, SigningKey
from cccd.enrollments.production import keys
from cccd.enrollments.production import services as production
from cccd.enrollments.production.provenance import capture_provenance
from tests.builders import Tree

pytestmark = pytest.mark.django_db

DEVICE = {
    "provider": "CCCD Test SBI",
    "make": "Acme",
    "model": "FS-60",
    "serial_no": "SN-0042",
    "device_code": "b692b595-3523-slap-99fc-bd76e35f190f",
    "type": "Finger",
    "sub_type": "Slap",
    "provider_id": "CCCD-SIMULATOR",
}
FROM_DEVICE = {
    "source": "device",
    "device": {**DEVICE, "certificate": "MIIB-secret-cert", "holder": "Nguyễn Văn Đức"},
    "device_score": 72.5,
    "requested_score": 40.0,
    "device_time": "2021-03-06T02:14:08.930Z",
    "sbi_hash": "5E3B9F0A1C",
    "transaction_id": "tx-secret-0001",
    "signed": True,
    "tries": 3,
    "kept_reason": "Sẹo trên ngón",
    "score": 35,
    "measure": "cccd-ocl-1",
    "secret": "do-not-send",
}
STORED_AT = datetime.datetime(2021, 3, 6, 9, 14, 9, 512300, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
NOTHING_KNOWN = {
    "quality_score": None,
    "quality_by": None,
    "device": None,
    "device_time": None,
    "sbi_hash": None,
    "tries": None,
    "kept_reason": None,
}


def _set_quality(enrollment: Enrollment, kind: str, slot: int, quality: object) -> None:
    Artefact.objects.filter(enrollment=enrollment, kind=kind, slot=slot).update(
        quality=quality, captured_at=STORED_AT
    )


def _batch_manifest(batch: ProductionBatch) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(io.BytesIO(Path(batch.file.path).read_bytes())) as archive:
        return archive.read("manifest.json"), archive.read("manifest.sig")


def _artefacts(manifest: dict[str, Any], code: str) -> dict[tuple[str, int], dict[str, Any]]:
    dossier = next(d for d in manifest["dossiers"] if d["code"] == code)
    return {(a["kind"], a["slot"]): a for a in dossier["artefacts"]}


def test_each_file_carries_its_capture_provenance_and_nothing_else(
    approved: list[Enrollment], back_office_dakmil: User, tree: Tree
) -> None:
    student = approved[0]
    _set_quality(student, "fingerprint", 1, FROM_DEVICE)
    _set_quality(student, "photo", 0, {"source": "webcam", "width": 600, "sharpness": 120.5})
    _set_quality(student, "signature", 0, {})  # a row from before the desk recorded provenance
    scored = Artefact.objects.get(enrollment=student, kind="fingerprint", slot=2).quality

    batch = production.export_batch(actor=back_office_dakmil)
    data, signature = _batch_manifest(batch)

    key = SigningKey.objects.get(unit=tree.dakmil_police)
    assert keys.signature_is_valid(key.public_key, data, signature)
    assert card_centre.read_batch(batch)[0]["batch_code"] == batch.code  # the centre reads it
    manifest = json.loads(data)
    assert manifest["version"] == 1
    items = _artefacts(manifest, student.code or "")
    assert items["fingerprint", 1]["capture"] == {
        "source": "device",
        "captured_at": "2021-03-06T02:14:09.512300+00:00",
        "quality_score": 72.5,
        "quality_by": "device",
        "device": DEVICE,
        "device_time": "2021-03-06T02:14:08.930Z",
        "sbi_hash": "5E3B9F0A1C",
        "tries": 3,
        "kept_reason": "Sẹo trên ngón",
    }
    assert items["photo", 0]["capture"] == {
        "source": "webcam",
        "captured_at": "2021-03-06T02:14:09.512300+00:00",
        **NOTHING_KNOWN,
    }
    assert items["signature", 0]["capture"] == {
        "source": "file",
        "captured_at": "2021-03-06T02:14:09.512300+00:00",
        **NOTHING_KNOWN,
    }
    assert isinstance(scored["score"], int)
    assert items["fingerprint", 2]["capture"]["source"] == "file"
    assert (
        items["fingerprint", 2]["capture"]["quality_score"],
        items["fingerprint", 2]["capture"]["quality_by"],
    ) == (scored["score"], "cccd-ocl-1")
    assert "capture" not in items["fingerprint", 10]  # impossible: no file, no provenance
    for name in ("do-not-send", "tx-secret", "MIIB-secret", "requested_score", "signed", "sharp"):
        assert name not in data.decode(), name
    assert data.decode().count("Nguyễn Văn Đức") == 1  # the dossier's full_name, not the device's


def test_every_file_of_the_batch_has_all_capture_members(
    approved: list[Enrollment], back_office_dakmil: User
) -> None:
    batch = production.export_batch(actor=back_office_dakmil)
    manifest = json.loads(_batch_manifest(batch)[0])
    files = [a for d in manifest["dossiers"] for a in d["artefacts"] if a["path"]]
    assert len(files) == 22
    assert {tuple(a["capture"]) for a in files} == {
        (
            "source",
            "captured_at",
            "quality_score",
            "quality_by",
            "device",
            "device_time",
            "sbi_hash",
            "tries",
            "kept_reason",
        )
    }


def _capture_of(quality: object) -> dict[str, Any]:
    return capture_provenance(Artefact(kind="fingerprint", slot=1, quality=quality, sha256="0"))


@pytest.mark.parametrize(
    "quality",
    [
        {},
        [],
        "device",
        {
            "source": "scanner",
            "device": "Acme FS-60",
            "device_score": "high",
            "score": 50,  # without the measure that made it: not comparable, left out
            "device_time": 20210306,
            "sbi_hash": 123,
            "tries": True,
            "kept_reason": "",
        },
        {"source": None, "device_score": True, "score": "50", "measure": "cccd-ocl-1", "tries": 0},
    ],
)
def test_missing_or_malformed_provenance_is_a_file_with_nothing_known(quality: object) -> None:
    capture = _capture_of(quality)
    assert capture.pop("source") == "file"
    assert capture.pop("captured_at").endswith("+00:00")
    assert capture == NOTHING_KNOWN


@pytest.mark.parametrize("device_score", [math.nan, math.inf, -math.inf, False, None, "72"])
def test_a_device_score_that_is_not_a_finite_number_falls_back_to_our_own(
    device_score: object,
) -> None:
    capture = _capture_of({"device_score": device_score, "score": 35, "measure": "cccd-ocl-1"})
    assert (capture["quality_score"], capture["quality_by"]) == (35, "cccd-ocl-1")
    json.dumps(capture, allow_nan=False)  # the manifest stays valid JSON


def test_a_device_with_partial_or_odd_identity_keeps_only_its_named_strings() -> None:
    capture = _capture_of(
        {"source": "device", "device": {"make": "Acme", "model": 60, "firmware": "1.2"}}
    )
    assert capture["device"] == dict.fromkeys(DEVICE) | {"make": "Acme"}
