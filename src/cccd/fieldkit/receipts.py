"""Receipts: the district's signed word on one packet (docs/field-kit.md#receipts).

The kit deletes a packet only on a receipt it has checked, so a receipt must be the district's
(signed with its Ed25519 key) and for that packet (its id inside the signed bytes). A receipt is
two lines of ASCII-safe text: the receipt's JSON, which is what is signed, byte for byte, then the
base64 signature of that line; each line ends with a line feed. JSON written without indentation
never holds a line feed, so the first one ends the signed bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cccd.fieldkit import errors

FORMAT = "cccd-field-receipt"
VERSION = 1
MAX_REASON_LENGTH = 1000
MAX_RECEIPT_BYTES = 16 * 1024
"""A receipt is a few hundred bytes; a reason of MAX_REASON_LENGTH characters escaped as JSON
(`\\uXXXX` each at worst) still fits."""


class Outcome(StrEnum):
    """What the district did with a packet."""

    ACCEPTED = "accepted"
    """Taken: what the packet holds now exists at the district."""
    DUPLICATE = "duplicate"
    """This packet id was received before: nothing was created again."""
    REFUSED = "refused"
    """Not taken, for the reason given (a check failed): nothing was created."""
    CONFLICT = "conflict"
    """Taken as a conflict for someone to review (the person was captured elsewhere too)."""


NEEDS_REASON = frozenset({Outcome.REFUSED, Outcome.CONFLICT})


@dataclass(frozen=True)
class Receipt:
    packet_id: uuid.UUID
    outcome: Outcome
    reason: str
    issued_at: datetime


def receipt(
    packet_id: uuid.UUID,
    outcome: Outcome,
    reason: str,
    district_signing_key: Ed25519PrivateKey,
    *,
    issued_at: datetime | None = None,
) -> bytes:
    """The signed receipt for `packet_id`. A refusal and a conflict must say why (`reason`, at
    most MAX_REASON_LENGTH characters; for a refusal, its error code and sentence)."""
    if outcome in NEEDS_REASON and not reason.strip():
        raise ValueError(f"a receipt with the outcome {outcome} needs a reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValueError(f"a receipt's reason has at most {MAX_REASON_LENGTH} characters")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "packet_id": str(packet_id),
        "outcome": Outcome(outcome).value,
        "reason": reason,
        "issued_at": (issued_at or datetime.now(UTC)).astimezone(UTC).isoformat(),
    }
    signed = json.dumps(document, ensure_ascii=True).encode("ascii")
    return signed + b"\n" + base64.b64encode(district_signing_key.sign(signed)) + b"\n"


def check_receipt(
    data: bytes, district_public_key: Ed25519PublicKey, packet_id: uuid.UUID
) -> Receipt:
    """The receipt in `data` once it is known to be the district's and for `packet_id`;
    otherwise `RECEIPT_INVALID`, `RECEIPT_SIGNATURE_INVALID` or `RECEIPT_OTHER_PACKET`."""
    if len(data) > MAX_RECEIPT_BYTES:
        raise errors.RECEIPT_INVALID()
    lines = data.split(b"\n")
    if len(lines) != 3 or lines[2]:
        raise errors.RECEIPT_INVALID()
    signed, signature = lines[0], lines[1]
    try:
        district_public_key.verify(base64.b64decode(signature, validate=True), signed)
    except (InvalidSignature, binascii.Error, ValueError):
        raise errors.RECEIPT_SIGNATURE_INVALID() from None
    found = _read(signed)
    if found.packet_id != packet_id:
        raise errors.RECEIPT_OTHER_PACKET(received=found.packet_id, expected=packet_id)
    return found


def _read(signed: bytes) -> Receipt:
    """The signed line's fields. Signed by the district, so only a faulty district writes it
    wrong: every field is still checked, so a fault is a refusal and never a crash."""
    try:
        document: Any = json.loads(signed.decode("ascii"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ValueError("not a receipt")
        if document.get("version") != VERSION:
            raise ValueError("another version")
        reason = document["reason"]
        if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
            raise ValueError("reason")
        issued_at = datetime.fromisoformat(document["issued_at"])
        if issued_at.utcoffset() is None:
            raise ValueError("issued_at")
        return Receipt(
            packet_id=uuid.UUID(document["packet_id"]),
            outcome=Outcome(document["outcome"]),
            reason=reason,
            issued_at=issued_at,
        )
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        raise errors.RECEIPT_INVALID() from None
