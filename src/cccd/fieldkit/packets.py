"""Packets: one finished intake on a kit, signed by the kit and encrypted to the district
(docs/field-kit.md#packets).

A packet is a manifest (UTF-8 JSON: who made it, for which session, and each member file's name,
size and SHA-256), the kit's Ed25519 signature of the manifest's exact bytes, and the member files
themselves (captures, and whatever else the intake hands over, as bytes). The three are laid end
to end as the **body**, a list of named records, and the body travels in an envelope
(`cccd.fieldkit.envelope`) that only the district can open.

`seal` makes a packet on the kit; `open_packet` reads one at the district and refuses it, with a
`DomainError`, unless every check holds: the envelope (size first, then magic, version,
decryption), the records' bounds, the manifest, the signature by the kit it names, and every member
against the manifest (listed, present, its size and its hash). `pack_body`, `unpack_body` and
`manifest_bytes` are the layers of the two, public so that tests (and tools) can build a packet by
hand.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from cccd.fieldkit import errors
from cccd.fieldkit.envelope import MB, megabytes, open_envelope, seal_envelope

FORMAT = "cccd-field-packet"
SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
RESERVED = frozenset({MANIFEST, SIGNATURE})

MAX_MANIFEST_BYTES = 256 * 1024
"""A manifest lists at most `max_members` members of ~150 bytes each: 256 KB is ample."""
MAX_NAME_LENGTH = 120
SIGNATURE_B64_BYTES = 88  # a 64-byte Ed25519 signature in base64, padded

_NAME_LENGTH = 2  # bytes of a record's name length (big-endian)
_SIZE_LENGTH = 4  # bytes of a record's size (big-endian)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
_KIT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class PacketLimits:
    """How much of a packet is read. An intake's captures at the desk's own limits (a 10 MB photo,
    ten 2 MB fingerprints, two 5 MB irises, a 2 MB signature) come to 42 MB at worst and a few
    MB in practice: these bounds pass every real packet and stop a forged one early."""

    max_envelope_bytes: int = 64 * MB
    max_members: int = 64
    max_member_bytes: int = 16 * MB


LIMITS = PacketLimits()


@dataclass(frozen=True)
class ManifestFields:
    """What the kit says about a packet, besides its members.

    `packet_id` is made once per intake and kept by the outbox: sending the same packet twice
    sends the same id, which is how the district knows it has it already. `created_at` is the kit's
    clock, which may be wrong: the district reads it, it does not trust it."""

    packet_id: uuid.UUID
    kit_id: str
    session_id: int
    created_at: datetime


@dataclass(frozen=True)
class Member:
    """One member as the manifest lists it."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class OpenedPacket:
    """A packet the district has opened and checked: every field and member is as the kit signed.

    `manifest` and `signature` are the exact bytes signed and the signature (base64), kept so the
    district can archive the proof beside what it creates."""

    fields: ManifestFields
    schema_version: int
    members: dict[str, bytes] = field(repr=False)  # by name, in the manifest's order
    manifest: bytes = field(repr=False)
    signature: bytes = field(repr=False)


# --- sealing, on the kit ------------------------------------------------------------------------


def seal(
    manifest_fields: ManifestFields,
    members: Mapping[str, bytes],
    kit_signing_key: Ed25519PrivateKey,
    district_public_key: X25519PublicKey,
    *,
    limits: PacketLimits = LIMITS,
) -> bytes:
    """The envelope of a packet holding `members` (by name, in the order given), its manifest
    signed with `kit_signing_key` and the whole encrypted to `district_public_key`.

    A packet the district would refuse is refused here instead, with the same code: an unsafe or
    reserved name, too many or too large members, or an envelope over the limit."""
    _check_member_count(len(members), limits)
    listed = []
    for name, data in members.items():
        _check_name(name)
        _check_member_size(name, len(data), limits)
        listed.append(Member(name=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()))
    _check_unique(m.name for m in listed)
    manifest = manifest_bytes(manifest_fields, listed)
    signature = base64.b64encode(kit_signing_key.sign(manifest))
    body = pack_body([(MANIFEST, manifest), (SIGNATURE, signature), *members.items()])
    envelope = seal_envelope(manifest_fields.packet_id, body, district_public_key)
    if len(envelope) > limits.max_envelope_bytes:
        raise errors.PACKET_TOO_LARGE(
            size=megabytes(len(envelope)), limit=megabytes(limits.max_envelope_bytes)
        )
    return envelope


def manifest_bytes(fields: ManifestFields, members: Iterable[Member]) -> bytes:
    """The manifest as signed: UTF-8 JSON, keys in the documented order."""
    kit_id = _checked_kit_id(fields.kit_id)
    if not _is_session_id(fields.session_id):
        raise errors.PACKET_MANIFEST_INVALID(field="session_id")
    if fields.created_at.utcoffset() is None:
        raise errors.PACKET_MANIFEST_INVALID(field="created_at")
    document = {
        "format": FORMAT,
        "version": SCHEMA_VERSION,
        "packet_id": str(fields.packet_id),
        "kit_id": kit_id,
        "session_id": fields.session_id,
        "created_at": fields.created_at.astimezone(UTC).isoformat(),
        "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in members],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def pack_body(records: Iterable[tuple[str, bytes]]) -> bytes:
    """Records laid end to end: for each, its name's length (2 bytes, big-endian), the name, its
    size (4 bytes, big-endian) and its bytes. Names are written as UTF-8 so that a test can write
    any name; a reader accepts only a safe name, which is ASCII."""
    parts = []
    for name, data in records:
        encoded = name.encode("utf-8")
        parts += [len(encoded).to_bytes(_NAME_LENGTH, "big"), encoded]
        parts += [len(data).to_bytes(_SIZE_LENGTH, "big"), data]
    return b"".join(parts)


# --- opening, at the district -------------------------------------------------------------------


def open_packet(
    envelope: bytes,
    district_private_key: X25519PrivateKey,
    kit_public_keys_by_id: Mapping[str, Ed25519PublicKey],
    *,
    limits: PacketLimits = LIMITS,
) -> OpenedPacket:
    """The packet in `envelope`, every check passed, or a `DomainError` saying which failed.

    `kit_public_keys_by_id` holds the signing keys of the kits the district accepts packets from:
    a revoked kit is left out, so its packets are refused as from an unknown kit. The checks run
    cheapest first and nothing is trusted before it is checked: the envelope's size before it is
    read, each record's size before its bytes, the signature before the manifest's content, and
    the manifest before the members."""
    opened = open_envelope(envelope, district_private_key, max_bytes=limits.max_envelope_bytes)
    records = unpack_body(opened.body, limits)
    if len(records) < 2 or records[0][0] != MANIFEST or records[1][0] != SIGNATURE:
        raise errors.PACKET_DAMAGED()
    (_, manifest), (_, signature) = records[:2]
    if len(signature) != SIGNATURE_B64_BYTES:  # the manifest's size was bounded by unpack_body
        raise errors.PACKET_DAMAGED()
    document = _parse_json(manifest)
    kit_id = _checked_kit_id(document.get("kit_id"))
    key = kit_public_keys_by_id.get(kit_id)
    if key is None:
        raise errors.PACKET_KIT_UNKNOWN(kit=kit_id)
    if not _signature_holds(key, manifest, signature):
        raise errors.PACKET_SIGNATURE_INVALID(kit=kit_id)
    fields, listed = _read_manifest(document, limits)
    if fields.packet_id != opened.packet_id:  # a signed manifest moved under another envelope
        raise errors.PACKET_MANIFEST_INVALID(field="packet_id")
    return OpenedPacket(
        fields=fields,
        schema_version=SCHEMA_VERSION,
        members=_checked_members(listed, records[2:]),
        manifest=manifest,
        signature=signature,
    )


def unpack_body(body: bytes, limits: PacketLimits = LIMITS) -> list[tuple[str, bytes]]:
    """The records of a body, each bound checked before its bytes are taken: at most
    `max_members` records besides the manifest and signature, names at most `MAX_NAME_LENGTH`
    bytes of safe ASCII, sizes at most `max_member_bytes`, and nothing past the last record."""
    view = memoryview(body)
    records: list[tuple[str, bytes]] = []
    position = 0
    while position < len(view):
        if len(records) >= limits.max_members + len(RESERVED):
            raise errors.PACKET_TOO_MANY_MEMBERS(
                count=f"> {limits.max_members}", max=limits.max_members
            )
        name_length = _read_int(view, position, _NAME_LENGTH)
        position += _NAME_LENGTH
        if name_length > MAX_NAME_LENGTH:
            raise errors.PACKET_MEMBER_NAME_UNSAFE(
                name=_shown(view[position:]), max=MAX_NAME_LENGTH
            )
        name = _read_name(view, position, name_length)
        position += name_length
        size = _read_int(view, position, _SIZE_LENGTH)
        position += _SIZE_LENGTH
        _check_member_size(name, size, limits)
        if position + size > len(view):
            raise errors.PACKET_DAMAGED()
        records.append((name, bytes(view[position : position + size])))
        position += size
    return records


def _read_int(view: memoryview, position: int, length: int) -> int:
    if position + length > len(view):
        raise errors.PACKET_DAMAGED()
    return int.from_bytes(view[position : position + length], "big")


def _read_name(view: memoryview, position: int, length: int) -> str:
    raw = bytes(view[position : position + length])
    if len(raw) < length:
        raise errors.PACKET_DAMAGED()
    try:
        name = raw.decode("ascii")
    except UnicodeDecodeError:
        raise errors.PACKET_MEMBER_NAME_UNSAFE(name=_shown(raw), max=MAX_NAME_LENGTH) from None
    if name not in RESERVED:
        _check_name(name)
    return name


def _parse_json(manifest: bytes) -> dict[str, Any]:
    """The manifest's object. A key given twice is refused: the kit and the district must not read
    two different manifests from the same signed bytes."""

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise errors.PACKET_DAMAGED()
        return dict(pairs)

    def no_constants(name: str) -> Any:  # NaN, Infinity: not JSON
        raise errors.PACKET_DAMAGED()

    try:
        document = json.loads(
            manifest.decode("utf-8"), object_pairs_hook=no_repeats, parse_constant=no_constants
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise errors.PACKET_DAMAGED() from None
    if not isinstance(document, dict):
        raise errors.PACKET_DAMAGED()
    return document


def _signature_holds(key: Ed25519PublicKey, manifest: bytes, signature_b64: bytes) -> bool:
    try:
        key.verify(base64.b64decode(signature_b64, validate=True), manifest)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _read_manifest(
    document: dict[str, Any], limits: PacketLimits
) -> tuple[ManifestFields, list[Member]]:
    """The manifest's fields and members, each checked for type and range. Fields the reader does
    not know are ignored (they may be added within a version); the members are read strictly."""
    if document.get("format") != FORMAT:
        raise errors.PACKET_MANIFEST_INVALID(field="format")
    version = document.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise errors.PACKET_MANIFEST_INVALID(field="version")
    if version != SCHEMA_VERSION:
        raise errors.PACKET_SCHEMA_UNSUPPORTED(version=version, supported=SCHEMA_VERSION)
    fields = ManifestFields(
        packet_id=_read_uuid(document.get("packet_id")),
        kit_id=_checked_kit_id(document.get("kit_id")),
        session_id=_read_session_id(document.get("session_id")),
        created_at=_read_time(document.get("created_at")),
    )
    return fields, _read_members(document.get("members"), limits)


def _read_uuid(value: object) -> uuid.UUID:
    if not isinstance(value, str) or len(value) != 36:
        raise errors.PACKET_MANIFEST_INVALID(field="packet_id")
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        raise errors.PACKET_MANIFEST_INVALID(field="packet_id") from None
    if str(parsed) != value:  # one spelling only: lower case, with dashes
        raise errors.PACKET_MANIFEST_INVALID(field="packet_id")
    return parsed


def _read_session_id(value: object) -> int:
    if not _is_session_id(value):
        raise errors.PACKET_MANIFEST_INVALID(field="session_id")
    assert isinstance(value, int)  # noqa: S101  (for mypy: _is_session_id said so)
    return value


def _is_session_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _read_time(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise errors.PACKET_MANIFEST_INVALID(field="created_at")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise errors.PACKET_MANIFEST_INVALID(field="created_at") from None
    if parsed.utcoffset() is None:
        raise errors.PACKET_MANIFEST_INVALID(field="created_at")
    return parsed


def _read_members(value: object, limits: PacketLimits) -> list[Member]:
    if not isinstance(value, list):
        raise errors.PACKET_MANIFEST_INVALID(field="members")
    _check_member_count(len(value), limits)
    members = []
    for item in value:
        if not isinstance(item, dict) or set(item) != {"name", "size", "sha256"}:
            raise errors.PACKET_MANIFEST_INVALID(field="members")
        name, size, sha256 = item["name"], item["size"], item["sha256"]
        if not isinstance(name, str):
            raise errors.PACKET_MANIFEST_INVALID(field="members")
        _check_name(name)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise errors.PACKET_MANIFEST_INVALID(field="members")
        _check_member_size(name, size, limits)
        if not isinstance(sha256, str) or not _SHA256.fullmatch(sha256):
            raise errors.PACKET_MANIFEST_INVALID(field="members")
        members.append(Member(name=name, size=size, sha256=sha256))
    _check_unique(m.name for m in members)
    return members


def _checked_members(listed: list[Member], records: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """The members' bytes by name, in the manifest's order, once every record is a listed member
    given once, every listed member is there, and each has the size and SHA-256 signed."""
    expected = {member.name: member for member in listed}
    received: dict[str, bytes] = {}
    for name, data in records:
        if name not in expected or name in received:
            raise errors.PACKET_MEMBER_UNLISTED(name=name)
        received[name] = data
    for member in listed:
        if member.name not in received:
            raise errors.PACKET_MEMBER_MISSING(name=member.name)
        data = received[member.name]
        if len(data) != member.size:
            raise errors.PACKET_MEMBER_SIZE_MISMATCH(
                name=member.name, size=len(data), expected=member.size
            )
        if hashlib.sha256(data).hexdigest() != member.sha256:
            raise errors.PACKET_MEMBER_HASH_MISMATCH(name=member.name)
    return {member.name: received[member.name] for member in listed}


# --- the rules both sides share -----------------------------------------------------------------


def _check_name(name: str) -> None:
    """A member's name: a relative path of ASCII letters, digits, `.`, `_` and `-`, no part
    starting with a dot (so no `..`, no hidden file), at most MAX_NAME_LENGTH characters, and not
    a reserved name. ASCII only, so no two names can look alike or normalise to the same."""
    if len(name) > MAX_NAME_LENGTH or not _SAFE_NAME.fullmatch(name) or name in RESERVED:
        raise errors.PACKET_MEMBER_NAME_UNSAFE(name=_shown(name), max=MAX_NAME_LENGTH)


def _check_unique(names: Iterable[str]) -> None:
    """No two names that differ only by case: they would be one file on Windows or macOS."""
    seen = set()
    for name in names:
        if name.casefold() in seen:
            raise errors.PACKET_MEMBER_NAME_UNSAFE(name=name, max=MAX_NAME_LENGTH)
        seen.add(name.casefold())


def _check_member_count(count: int, limits: PacketLimits) -> None:
    if count > limits.max_members:
        raise errors.PACKET_TOO_MANY_MEMBERS(count=count, max=limits.max_members)


def _check_member_size(name: str, size: int, limits: PacketLimits) -> None:
    limit = MAX_MANIFEST_BYTES if name == MANIFEST else limits.max_member_bytes
    if size > limit:
        raise errors.PACKET_MEMBER_TOO_LARGE(
            name=_shown(name), size=megabytes(size), limit=megabytes(limit)
        )


def _checked_kit_id(value: object) -> str:
    if not isinstance(value, str) or not _KIT_ID.fullmatch(value):
        raise errors.PACKET_MANIFEST_INVALID(field="kit_id")
    return value


def _shown(name: str | bytes | memoryview) -> str:
    """A name fit for a message: at most 80 characters, anything but printable ASCII as `?`."""
    text = name if isinstance(name, str) else bytes(name[:80]).decode("ascii", "replace")
    return "".join(c if " " <= c <= "~" else "?" for c in text[:80])
