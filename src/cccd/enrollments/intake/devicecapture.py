"""A capture the desk's page took from the device service (MOSIP SBI Registration Capture) and
sent on as the service answered it: read, held to the spec and to what was asked, before anything
is written.

The page asks the device (it sits on the desk computer, which the server cannot reach), then posts
the answer's bytes untouched with what it asked for: the sub-device (which slap), the transactionId,
the previousHash and the exceptions (fingers marked missing before the capture). Here each entry
must be one that was asked for, of the right bioType, carry the request's transactionId, be signed
by the certificate it carries (`sbi.signed_by_own_certificate`, not yet a device provider's chain:
docs/devices.md#what-is-not-done-yet) and chain from the previousHash (`sbi.chain_holds`). A
device-level error (unplugged 106, not ready 110, busy 111 …) or a finger the scanner did not see
(101) refuses the whole capture, so a slap is kept whole or not at all.

What each capture keeps beside its bytes (`Taken.provenance`, into `Artefact.quality`): the
device's identity from its signed digitalId, its score and the score asked for, its own timestamp,
the chain hash and the transactionId — what docs/production-format.md lists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.devices import sbi
from cccd.enrollments import errors
from cccd.enrollments.intake import rules
from cccd.enrollments.models import Artefact
from cccd.errors import DomainError

BIO_TYPES: Final[Mapping[str, sbi.BioType]] = {
    Artefact.Kind.PHOTO: "Face",
    Artefact.Kind.FINGERPRINT: "Finger",
    Artefact.Kind.IRIS: "Iris",
}
FINGER_SLOTS: Final[Mapping[str, int]] = {
    "Right Thumb": 1,
    "Right IndexFinger": 2,
    "Right MiddleFinger": 3,
    "Right RingFinger": 4,
    "Right LittleFinger": 5,
    "Left Thumb": 6,
    "Left IndexFinger": 7,
    "Left MiddleFinger": 8,
    "Left RingFinger": 9,
    "Left LittleFinger": 10,
}
"""SBI's bioSubType names to the ISO/IEC 19794-4 finger positions our slots use."""
IRIS_SLOTS: Final[Mapping[str, int]] = {"Right": 1, "Left": 2}
SUB_IDS: Final[Mapping[str, tuple[int, ...]]] = {
    Artefact.Kind.PHOTO: (0,),
    Artefact.Kind.FINGERPRINT: tuple(sbi.SLAPS),
    Artefact.Kind.IRIS: tuple(sbi.IRIS_SUB_IDS),
}
ANSWER_MAX_MB: Final = 24
"""A slap's four images (or a 19794 record each) as base64 in signed JWTs; a face photo."""
HEX64: Final = re.compile(r"[0-9A-Fa-f]{64}")

DEVICES: Final[Mapping[str, Any]] = {
    Artefact.Kind.PHOTO: gettext_lazy("camera"),
    Artefact.Kind.FINGERPRINT: gettext_lazy("fingerprint scanner"),
    Artefact.Kind.IRIS: gettext_lazy("iris camera"),
}
WHY: Final[Mapping[int, Any]] = {
    100: gettext_lazy("it is not registered"),
    101: gettext_lazy("nothing was on the glass or in front of the lens"),
    103: gettext_lazy("it reports being tampered with; call the technician"),
    104: gettext_lazy("it cannot reach its management server"),
    105: gettext_lazy("the picture was upside down or turned"),
    106: gettext_lazy("it is not connected: check its cable"),
    107: gettext_lazy("its key has expired; call the technician"),
    109: gettext_lazy("it cannot take that many at once"),
    110: gettext_lazy("it is not ready yet: wait a moment"),
    111: gettext_lazy("it is busy with another capture: wait a moment"),
}


@dataclass(frozen=True)
class Asked:
    """What the page asked the device for, as it says; held against the answer."""

    kind: str
    sub_id: int
    transaction_id: str
    previous_hash: str
    exceptions: tuple[str, ...]


@dataclass(frozen=True)
class Taken:
    """One slot's capture: its bytes as the device returned them, or None for an exception."""

    slot: int
    data: bytes | None
    provenance: dict[str, Any]


def _malformed(detail: str) -> DomainError:
    return errors.DEVICE_ANSWER_MALFORMED(detail=detail)


def asked(
    kind: str, *, sub_id: str, transaction_id: str, previous_hash: str, exceptions: Sequence[str]
) -> Asked:
    """The page's description of its request, each part checked as the spec writes it."""
    if kind not in BIO_TYPES:
        raise _malformed(_("no such capture"))
    if not sub_id.isdigit() or int(sub_id) not in SUB_IDS[kind]:
        raise _malformed("deviceSubId")
    if not sbi.TRANSACTION_ID.fullmatch(transaction_id):
        raise _malformed("transactionId")
    if not HEX64.fullmatch(previous_hash):
        raise _malformed("previousHash")
    bio_type = BIO_TYPES[kind]
    allowed = sbi.EXCEPTIONS[bio_type] if kind != Artefact.Kind.PHOTO else ()
    if any(name not in allowed for name in exceptions) or len(set(exceptions)) != len(exceptions):
        raise _malformed("exception")
    return Asked(kind, int(sub_id), transaction_id, previous_hash.upper(), tuple(exceptions))


def slot_of(kind: str, sub_type: str) -> int:
    if kind == Artefact.Kind.FINGERPRINT:
        return FINGER_SLOTS[sub_type]
    if kind == Artefact.Kind.IRIS:
        return IRIS_SLOTS[sub_type]
    return 0


def slot_name(kind: str, sub_type: str) -> str:
    if kind == Artefact.Kind.FINGERPRINT:
        return str(rules.FINGER_NAMES[FINGER_SLOTS[sub_type]])
    if kind == Artefact.Kind.IRIS:
        return str(rules.IRIS_NAMES[IRIS_SLOTS[sub_type]])
    return str(DEVICES[kind])


def _parsed(answer: bytes) -> tuple[list[Mapping[str, Any]], list[sbi.Biometric]]:
    try:
        body = json.loads(answer)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):  # nested beyond reason
        raise _malformed(_("not JSON")) from None
    try:
        biometrics = sbi.parse_rcapture(body)
    except sbi.SBIError:
        raise _malformed(_("not a Registration Capture answer")) from None
    return list(body["biometrics"]), biometrics


def _refusal(kind: str, failed: sbi.Biometric) -> DomainError:
    why = WHY.get(failed.error_code)
    text = str(why) if why is not None else _("error %(code)s") % {"code": failed.error_code}
    return errors.DEVICE_REFUSED(device=str(DEVICES[kind]), why=text)


def _provenance(capture: sbi.Biometric, asked_for: Asked) -> dict[str, Any]:
    digital = capture.digital_id
    return {
        "source": "device",
        "device": {
            "provider": str(digital.get("deviceProvider", "")),
            "provider_id": str(digital.get("deviceProviderId", "")),
            "make": str(digital.get("make", "")),
            "model": str(digital.get("model", "")),
            "serial_no": str(digital.get("serialNo", "")),
            "device_code": capture.device_code,
            "type": str(digital.get("type", "")),
            "sub_type": str(digital.get("deviceSubType", "")),
        },
        "device_score": capture.quality_score,
        "requested_score": capture.requested_score,
        "device_time": capture.timestamp,
        "sbi_hash": capture.hash.upper(),
        "transaction_id": asked_for.transaction_id,
        "signed": True,
        "device_sub_id": asked_for.sub_id,
    }


def read(asked_for: Asked, answer: bytes) -> list[Taken]:
    """Every slot the capture fills, in the order asked; refuses the whole answer on any flaw."""
    raw, biometrics = _parsed(answer)
    kind, bio_type = asked_for.kind, BIO_TYPES[asked_for.kind]
    if not biometrics:
        raise _malformed(_("no capture in it"))
    expected = sbi.expected_sub_types(bio_type, asked_for.sub_id, asked_for.exceptions)
    if len(biometrics) > len(expected) + len(asked_for.exceptions):  # before any is verified
        raise _malformed(_("a capture that was not asked for"))
    by_sub_type: dict[str, sbi.Biometric] = {}
    for entry, capture in zip(raw, biometrics, strict=True):
        if not capture.ok:
            if capture.error_code == 101 and capture.bio_sub_type in expected and expected != ("",):
                raise errors.DEVICE_NOT_SEEN(finger=slot_name(kind, capture.bio_sub_type))
            raise _refusal(kind, capture)
        sub_type = capture.bio_sub_type if bio_type != "Face" else ""
        if capture.bio_type != bio_type or sub_type not in expected or sub_type in by_sub_type:
            raise _malformed(_("a capture that was not asked for"))
        if capture.transaction_id != asked_for.transaction_id:
            raise _malformed("transactionId")
        if not capture.bio_value:
            raise _malformed("bioValue")
        data = entry.get("data")
        if not isinstance(data, str) or not sbi.signed_by_own_certificate(data):
            raise errors.DEVICE_NOT_SIGNED()
        by_sub_type[sub_type] = capture
    missing = [s for s in expected if s not in by_sub_type]
    if missing:
        raise errors.DEVICE_NOT_SEEN(finger=slot_name(kind, missing[0]))
    if not sbi.chain_holds(asked_for.previous_hash, biometrics):
        raise errors.DEVICE_NOT_SIGNED()
    taken = [
        Taken(slot_of(kind, s), by_sub_type[s].bio_value, _provenance(by_sub_type[s], asked_for))
        for s in expected
    ]
    taken += [Taken(slot_of(kind, s), None, {}) for s in asked_for.exceptions]
    return taken
