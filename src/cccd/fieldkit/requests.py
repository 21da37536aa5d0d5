"""Requests from a kit to its district, signed with the kit's Ed25519 key
(docs/field-kit.md#requests).

A kit has no password and no token: it proves who it is by signing each request. The signed text
names the method, the path with its query, the kit's clock and the SHA-256 of the body, so a
signature cannot be moved to another request. The kit's clock is sent, not trusted: the district
reads from it how wrong the kit's clock is (a kit may be hours off after a night on a battery) and
never refuses a request for it. A replayed request repeats something that is already idempotent:
an upload at an offset already received, a checkout the kit asked for (encrypted to the kit
alone), a check-in already made.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cccd.fieldkit import errors

KIT_HEADER = "X-Cccd-Kit"
TIME_HEADER = "X-Cccd-Kit-Time"
SIGNATURE_HEADER = "X-Cccd-Kit-Signature"
LABEL = b"cccd field kit: request v1\n"
HEADERS = (KIT_HEADER, TIME_HEADER, SIGNATURE_HEADER)
PAIRING_HEADER = "X-Cccd-Pairing-Code"
"""The join's one credential: the one-time pairing code (the kit has no key the district knows yet)."""
MAX_NAME = 64
MAX_TIME = 40
MAX_SIGNATURE = 100


@dataclass(frozen=True)
class SignedRequest:
    """What a kit's signed request claims: the kit's name and its clock when it signed."""

    kit: str
    kit_time: datetime


def signed_text(method: str, path: str, kit: str, kit_time: str, body: bytes) -> bytes:
    """The exact bytes a kit signs for one request."""
    digest = hashlib.sha256(body).hexdigest()
    return LABEL + "\n".join((method.upper(), path, kit, kit_time, digest)).encode("utf-8")


def sign(
    method: str,
    path: str,
    body: bytes,
    *,
    kit: str,
    key: Ed25519PrivateKey,
    now: datetime | None = None,
) -> dict[str, str]:
    """The headers that sign one request (`path` with its query string, as sent)."""
    kit_time = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
    signature = key.sign(signed_text(method, path, kit, kit_time, body))
    return {
        KIT_HEADER: kit,
        TIME_HEADER: kit_time,
        SIGNATURE_HEADER: base64.b64encode(signature).decode("ascii"),
    }


def claimed(headers: dict[str, str]) -> SignedRequest:
    """The kit and time a request claims, read before its signature is checked (to find the
    kit's key); `KIT_REQUEST_UNSIGNED` when a header is missing or unreadable."""
    kit = headers.get(KIT_HEADER, "")
    kit_time = headers.get(TIME_HEADER, "")
    if not kit or len(kit) > MAX_NAME or not kit_time or len(kit_time) > MAX_TIME:
        raise errors.KIT_REQUEST_UNSIGNED()
    try:
        when = datetime.fromisoformat(kit_time)
    except ValueError:
        raise errors.KIT_REQUEST_UNSIGNED() from None
    if when.utcoffset() is None:
        raise errors.KIT_REQUEST_UNSIGNED()
    return SignedRequest(kit=kit, kit_time=when)


def verify(
    method: str, path: str, body: bytes, headers: dict[str, str], key: Ed25519PublicKey
) -> SignedRequest:
    """The request's claim once its signature holds for `key`; `KIT_REQUEST_SIGNATURE_INVALID`
    otherwise (another kit's key, or any of method, path, time or body changed)."""
    claim = claimed(headers)
    signature = headers.get(SIGNATURE_HEADER, "")
    if not signature or len(signature) > MAX_SIGNATURE:
        raise errors.KIT_REQUEST_UNSIGNED()
    text = signed_text(method, path, claim.kit, headers[TIME_HEADER], body)
    try:
        key.verify(base64.b64decode(signature, validate=True), text)
    except (InvalidSignature, binascii.Error, ValueError):
        raise errors.KIT_REQUEST_SIGNATURE_INVALID() from None
    return claim
