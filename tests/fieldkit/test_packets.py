"""Packets sealed on a kit and opened at the district (`cccd.fieldkit.packets`, `.envelope`).

Every key is real and every forgery is built the way an attacker would build it: with the kit's
own signing key where the point is that the signature alone does not catch it (a member changed
after signing, an unsafe name), with another key where it should.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from cccd.fieldkit import envelope, keys, packets
from cccd.fieldkit.packets import MANIFEST, SIGNATURE, ManifestFields, OpenedPacket, PacketLimits
from tests.fieldkit.refusals import refused

KIT_A = keys.new_party_keys()
KIT_B = keys.new_party_keys()
DISTRICT = keys.new_party_keys()
OTHER_DISTRICT = keys.new_party_keys()

KIT_A_SIGNER = keys.signing_private_key(KIT_A.signing.private_pem)
KIT_B_SIGNER = keys.signing_private_key(KIT_B.signing.private_pem)
DISTRICT_PUBLIC = keys.encryption_public_key(DISTRICT.encryption.public_hex)
DISTRICT_PRIVATE = keys.encryption_private_key(DISTRICT.encryption.private_pem)
KITS = {
    "kit-a": keys.signing_public_key(KIT_A.signing.public_hex),
    "kit-b": keys.signing_public_key(KIT_B.signing.public_hex),
}

MEMBERS = {
    "dossier.json": json.dumps({"full_name": "Nguyễn Văn Đức"}, ensure_ascii=False).encode(),
    "captures/photo-0.jpeg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "captures/fingerprint-1.iso19794-4": b"FIR\x00" + b"\x07" * 5000,
    "captures/note.txt": b"",
}


def fields(kit_id: str = "kit-a", packet_id: uuid.UUID | None = None) -> ManifestFields:
    return ManifestFields(
        packet_id=packet_id or uuid.uuid4(),
        kit_id=kit_id,
        session_id=4711,
        created_at=datetime(2026, 3, 6, 21, 5, 12, tzinfo=UTC),
    )


def sealed(members: dict[str, bytes] | None = None, **overrides: Any) -> bytes:
    return packets.seal(
        fields(**overrides), MEMBERS if members is None else members, KIT_A_SIGNER, DISTRICT_PUBLIC
    )


def opened(data: bytes, *, limits: PacketLimits = packets.LIMITS) -> OpenedPacket:
    return packets.open_packet(data, DISTRICT_PRIVATE, KITS, limits=limits)


def document(contents: dict[str, bytes], packet_id: uuid.UUID, /, **changes: Any) -> dict[str, Any]:
    """A manifest as the kit writes it, as a dict to change before signing."""
    listed = [
        packets.Member(name, len(data), hashlib.sha256(data).hexdigest())
        for name, data in contents.items()
    ]
    found: dict[str, Any] = json.loads(packets.manifest_bytes(fields(packet_id=packet_id), listed))
    found.update(changes)
    return found


def forged(
    manifest: bytes,
    records: list[tuple[str, bytes]],
    packet_id: uuid.UUID,
    signer: Ed25519PrivateKey = KIT_A_SIGNER,
) -> bytes:
    """A packet built by hand: `manifest` signed by `signer`, then `records`, sealed to the
    district under `packet_id`."""
    signature = base64.b64encode(signer.sign(manifest))
    body = packets.pack_body([(MANIFEST, manifest), (SIGNATURE, signature), *records])
    return envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)


def forged_from(
    doc: dict[str, Any], records: list[tuple[str, bytes]], packet_id: uuid.UUID
) -> bytes:
    """`doc` as the manifest, signed by kit A's own key."""
    return forged(json.dumps(doc).encode(), records, packet_id)


def body_of(data: bytes) -> tuple[uuid.UUID, list[tuple[str, bytes]]]:
    """What the district decrypts: the packet id and the records (an attacker holding the
    district's key could do the same; that is the case the hash check is for)."""
    inside = envelope.open_envelope(
        data, DISTRICT_PRIVATE, max_bytes=packets.LIMITS.max_envelope_bytes
    )
    return inside.packet_id, packets.unpack_body(inside.body)


# --- the round trip ------------------------------------------------------------------------------


def test_a_sealed_packet_opens_with_its_members_and_fields_as_the_kit_signed_them() -> None:
    made = fields()
    data = packets.seal(made, MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC)
    packet = opened(data)
    assert packet.fields == made
    assert packet.members == MEMBERS
    assert list(packet.members) == list(MEMBERS)  # the manifest's order
    assert packet.schema_version == 1
    KITS["kit-a"].verify(base64.b64decode(packet.signature), packet.manifest)
    manifest = json.loads(packet.manifest)
    assert manifest["format"] == "cccd-field-packet"
    assert manifest["packet_id"] == str(made.packet_id)
    assert manifest["created_at"] == "2026-03-06T21:05:12+00:00"
    assert manifest["members"][1] == {
        "name": "captures/photo-0.jpeg",
        "size": len(MEMBERS["captures/photo-0.jpeg"]),
        "sha256": hashlib.sha256(MEMBERS["captures/photo-0.jpeg"]).hexdigest(),
    }
    # the envelope's header, in the clear, as documented
    assert data[:8] == b"CCCD-PKT" and data[8] == 1
    assert data[9:25] == made.packet_id.bytes


def test_nothing_of_a_member_or_the_manifest_is_readable_in_the_envelope() -> None:
    data = sealed()
    for clear in (b"Nguy", "Đức".encode(), b"photo-0", b"kit-a", b"\x07" * 32, bytes(range(64))):
        assert clear not in data


def test_the_same_packet_sealed_twice_differs_but_opens_the_same() -> None:
    made = fields()
    one = packets.seal(made, MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC)
    two = packets.seal(made, MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC)
    assert one != two  # a fresh ephemeral key and nonce each time
    assert opened(one).members == opened(two).members


def test_a_packet_with_no_members_opens() -> None:
    assert opened(sealed({})).members == {}


def test_a_kit_left_out_of_the_keys_is_refused_as_unknown() -> None:
    """A revoked kit is one the district no longer passes in."""
    data = sealed()
    error = refused(
        "PACKET_KIT_UNKNOWN",
        lambda: packets.open_packet(data, DISTRICT_PRIVATE, {"kit-b": KITS["kit-b"]}),
    )
    assert error.params == {"kit": "kit-a"}


def test_a_kit_never_paired_is_refused_as_unknown() -> None:
    refused("PACKET_KIT_UNKNOWN", lambda: opened(sealed(kit_id="kit-z")))


# --- the envelope --------------------------------------------------------------------------------


def test_a_packet_sealed_for_another_district_cannot_be_decrypted() -> None:
    data = sealed()
    other = keys.encryption_private_key(OTHER_DISTRICT.encryption.private_pem)
    refused("PACKET_UNDECRYPTABLE", lambda: packets.open_packet(data, other, KITS))


@pytest.mark.parametrize(
    "offset",
    [9, 24, 25, 56, 57, 68, envelope.HEADER_BYTES, envelope.HEADER_BYTES + 100, -1],
    ids=[
        "id-first",
        "id-last",
        "key-first",
        "key-last",
        "nonce-first",
        "nonce-last",
        "ciphertext-first",
        "ciphertext",
        "tag-last",
    ],
)
def test_any_byte_changed_after_the_header_mark_cannot_be_decrypted(offset: int) -> None:
    data = bytearray(sealed())
    data[offset] ^= 0x01
    refused("PACKET_UNDECRYPTABLE", lambda: opened(bytes(data)))


def test_an_ephemeral_key_of_low_order_is_refused_not_a_crash() -> None:
    data = bytearray(sealed())
    data[25:57] = bytes(32)  # the all-zero point: X25519 gives an all-zero secret
    refused("PACKET_UNDECRYPTABLE", lambda: opened(bytes(data)))


@pytest.mark.parametrize(
    "data",
    [
        b"PK\x03\x04" + bytes(200),
        b"GIF89a" + bytes(200),
        b"cccd-pkt" + bytes(200),
        b"C" * 500,
        b"\x00",
    ],
    ids=["zip", "gif", "lower-case", "letters", "nul"],
)
def test_a_file_with_another_mark_is_not_a_packet(data: bytes) -> None:
    refused("PACKET_NOT_A_PACKET", lambda: opened(data))


def test_a_packet_of_another_version_is_refused_by_its_version() -> None:
    data = bytearray(sealed())
    data[8] = 2
    error = refused("PACKET_VERSION_UNSUPPORTED", lambda: opened(bytes(data)))
    assert error.params == {"version": 2, "supported": 1}


@pytest.mark.parametrize("length", [0, 3, 8, 9, 40, 69, 84])
def test_a_packet_cut_inside_its_header_is_truncated(length: int) -> None:
    data = sealed()[:length]
    error = refused("PACKET_TRUNCATED", lambda: opened(data))
    assert error.params == {"size": length}


@pytest.mark.parametrize("keep", [85, 200, -1])
def test_a_packet_cut_inside_its_ciphertext_cannot_be_decrypted(keep: int) -> None:
    data = sealed()[:keep]
    refused("PACKET_UNDECRYPTABLE", lambda: opened(data))


def test_an_oversized_envelope_is_refused_before_it_is_decrypted() -> None:
    """A valid packet over the limit is refused by its size, not opened: the district's key is
    never used on it. And a large run of bytes, whatever it holds, costs nothing to refuse."""
    data = sealed()
    small = PacketLimits(max_envelope_bytes=len(data) - 1)
    error = refused("PACKET_TOO_LARGE", lambda: opened(data, limits=small))
    assert error.status == 413
    huge = b"CCCD-PKT\x01" + bytes(packets.LIMITS.max_envelope_bytes)
    assert refused("PACKET_TOO_LARGE", lambda: opened(huge)).params == {"size": "64", "limit": "64"}


def test_the_kit_refuses_to_seal_a_packet_the_district_would_refuse_for_its_size() -> None:
    small = PacketLimits(max_envelope_bytes=4096)
    refused(
        "PACKET_TOO_LARGE",
        lambda: packets.seal(fields(), MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC, limits=small),
    )


# --- the signature -------------------------------------------------------------------------------


def test_a_packet_signed_by_another_kit_is_refused() -> None:
    """Kit B seals a packet that says it comes from kit A."""
    data = packets.seal(fields(kit_id="kit-a"), MEMBERS, KIT_B_SIGNER, DISTRICT_PUBLIC)
    error = refused("PACKET_SIGNATURE_INVALID", lambda: opened(data))
    assert error.params == {"kit": "kit-a"}


def test_a_manifest_changed_after_signing_breaks_the_signature() -> None:
    """The attacker changes a member and writes its new hash and size into the manifest, keeping
    the kit's signature: the signature no longer holds."""
    packet_id, records = body_of(sealed())
    manifest = json.loads(records[0][1])
    photo = b"another person's face"
    manifest["members"][1].update(size=len(photo), sha256=hashlib.sha256(photo).hexdigest())
    body = packets.pack_body(
        [
            (MANIFEST, json.dumps(manifest).encode()),
            records[1],
            records[2],
            ("captures/photo-0.jpeg", photo),
            *records[4:],
        ]
    )
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    refused("PACKET_SIGNATURE_INVALID", lambda: opened(data))


def test_a_signature_that_is_not_base64_of_the_right_length_is_damage() -> None:
    packet_id, records = body_of(sealed())
    for signature in (records[1][1][:-4], records[1][1] + b"AAAA", b"!" * 88):
        body = packets.pack_body([records[0], (SIGNATURE, signature), *records[2:]])
        data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
        code = "PACKET_SIGNATURE_INVALID" if len(signature) == 88 else "PACKET_DAMAGED"
        refused(code, lambda data=data: opened(data))


# --- the members against the signed manifest -----------------------------------------------------


def test_a_member_changed_after_signing_is_caught_by_its_hash() -> None:
    """Manifest and signature untouched, so the signature holds: only the hash check catches a
    member swapped for another of the same size, re-encrypted to the district."""
    packet_id, records = body_of(sealed())
    name, photo = records[3]
    assert name == "captures/photo-0.jpeg"
    swapped = bytes(reversed(photo))
    body = packets.pack_body([*records[:3], (name, swapped), *records[4:]])
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    error = refused("PACKET_MEMBER_HASH_MISMATCH", lambda: opened(data))
    assert error.params == {"name": name}


def test_a_member_of_another_size_is_caught_by_its_size() -> None:
    packet_id, records = body_of(sealed())
    body = packets.pack_body([*records[:3], (records[3][0], records[3][1] + b"\x00"), *records[4:]])
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    error = refused("PACKET_MEMBER_SIZE_MISMATCH", lambda: opened(data))
    assert error.params["size"] == error.params["expected"] + 1


def test_a_member_outside_the_manifest_is_refused() -> None:
    packet_id, records = body_of(sealed())
    for extra in (("captures/extra.jpeg", b"x"), records[3], (MANIFEST, records[0][1])):
        body = packets.pack_body([*records, extra])
        data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
        error = refused("PACKET_MEMBER_UNLISTED", lambda data=data: opened(data))
        assert error.params == {"name": extra[0]}


def test_a_listed_member_left_out_is_missing() -> None:
    packet_id, records = body_of(sealed())
    body = packets.pack_body([*records[:2], *records[3:]])
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    error = refused("PACKET_MEMBER_MISSING", lambda: opened(data))
    assert error.params == {"name": "dossier.json"}


def test_members_in_another_order_open_in_the_manifest_order() -> None:
    packet_id, records = body_of(sealed())
    body = packets.pack_body([*records[:2], *reversed(records[2:])])
    packet = opened(envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC))
    assert list(packet.members) == list(MEMBERS)


def test_a_signed_manifest_moved_under_another_packet_id_is_refused() -> None:
    _, records = body_of(sealed())
    data = envelope.seal_envelope(uuid.uuid4(), packets.pack_body(records), DISTRICT_PUBLIC)
    error = refused("PACKET_MANIFEST_INVALID", lambda: opened(data))
    assert error.params == {"field": "packet_id"}


# --- names ---------------------------------------------------------------------------------------

UNSAFE_NAMES = [
    "../x",
    "/etc/passwd",
    "captures/../../x",
    "captures/./x",
    ".hidden",
    "captures//x",
    "captures/",
    "C:\\Windows\\x",
    "captures\\..\\x",
    "ảnh.jpeg",
    "a b",
    "x\x00.jpeg",
    "-rf",
    "",
    "x" * 121,
    MANIFEST,
    SIGNATURE,
]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_the_kit_refuses_to_seal_an_unsafe_name(name: str) -> None:
    refused(
        "PACKET_MEMBER_NAME_UNSAFE",
        lambda: packets.seal(fields(), {name: b"x"}, KIT_A_SIGNER, DISTRICT_PUBLIC),
    )


@pytest.mark.parametrize("name", [n for n in UNSAFE_NAMES if n not in (MANIFEST, SIGNATURE)])
def test_the_district_refuses_an_unsafe_name_even_listed_and_signed(name: str) -> None:
    """The kit's own key signed a manifest listing the name, with its true hash: only the name
    rule refuses it."""
    packet_id = uuid.uuid4()
    members = {name: b"x"}
    data = forged_from(document(members, packet_id), list(members.items()), packet_id)
    refused("PACKET_MEMBER_NAME_UNSAFE", lambda: opened(data))


def test_names_that_differ_only_by_case_are_one_name_too_many() -> None:
    members = {"captures/Photo.jpeg": b"a", "captures/photo.jpeg": b"b"}
    refused(
        "PACKET_MEMBER_NAME_UNSAFE",
        lambda: packets.seal(fields(), members, KIT_A_SIGNER, DISTRICT_PUBLIC),
    )
    packet_id = uuid.uuid4()
    data = forged_from(document(members, packet_id), list(members.items()), packet_id)
    refused("PACKET_MEMBER_NAME_UNSAFE", lambda: opened(data))


def test_the_longest_safe_name_passes() -> None:
    name = "captures/" + "x" * (packets.MAX_NAME_LENGTH - len("captures/"))
    assert opened(sealed({name: b"x"})).members == {name: b"x"}


# --- bounds --------------------------------------------------------------------------------------


def test_too_many_members_are_refused_on_both_sides() -> None:
    many = {f"captures/{i}.bin": b"x" for i in range(packets.LIMITS.max_members + 1)}
    refused(
        "PACKET_TOO_MANY_MEMBERS",
        lambda: packets.seal(fields(), many, KIT_A_SIGNER, DISTRICT_PUBLIC),
    )
    packet_id = uuid.uuid4()
    # the records alone are too many: refused while the body is read, before the manifest
    data = forged(b"{}", list(many.items()), packet_id)
    refused("PACKET_TOO_MANY_MEMBERS", lambda: opened(data))
    # the signed manifest lists too many: refused before any member is compared
    data = forged_from(document(many, packet_id), [], packet_id)
    error = refused("PACKET_TOO_MANY_MEMBERS", lambda: opened(data))
    assert error.params == {"count": 65, "max": 64}


def test_exactly_the_most_members_pass() -> None:
    most = {f"captures/{i}.bin": bytes([i]) for i in range(packets.LIMITS.max_members)}
    assert opened(sealed(most)).members == most


def test_a_member_declared_too_large_is_refused_before_its_bytes_are_read() -> None:
    """The record says 2 GB and the body holds 10 bytes: the size is refused, not the body found
    short, so nothing was sliced on the record's word."""
    packet_id, records = body_of(sealed())
    body = packets.pack_body(records) + b"\x00\x04huge" + (2**31).to_bytes(4, "big") + bytes(10)
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    error = refused("PACKET_MEMBER_TOO_LARGE", lambda: opened(data))
    assert error.params["name"] == "huge"


def test_a_member_over_the_limit_is_refused_on_both_sides() -> None:
    small = PacketLimits(max_member_bytes=1000)
    refused(
        "PACKET_MEMBER_TOO_LARGE",
        lambda: packets.seal(fields(), MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC, limits=small),
    )
    refused("PACKET_MEMBER_TOO_LARGE", lambda: opened(sealed(), limits=small))


def test_a_name_longer_than_the_bound_is_refused_before_it_is_decoded() -> None:
    packet_id, records = body_of(sealed())
    body = packets.pack_body(records) + (60000).to_bytes(2, "big") + b"a" * 60000
    data = envelope.seal_envelope(packet_id, body, DISTRICT_PUBLIC)
    error = refused("PACKET_MEMBER_NAME_UNSAFE", lambda: opened(data))
    assert len(error.params["name"]) == 80


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00",
        b"\x00\x0dmanifest.json\x00\x00\x00\x10{}",  # says 16 bytes, holds 2
        b"\x00\x0dmanifest.json\x00\x00",  # cut inside the size
        b"\x00\x0dmanifest.js",  # cut inside the name
    ],
)
def test_a_body_cut_short_is_damaged(body: bytes) -> None:
    data = envelope.seal_envelope(uuid.uuid4(), body, DISTRICT_PUBLIC)
    refused("PACKET_DAMAGED", lambda: opened(data))


def test_a_body_that_does_not_start_with_the_manifest_and_signature_is_damaged() -> None:
    packet_id, records = body_of(sealed())
    for reordered in ([records[1], records[0], *records[2:]], records[2:], records[:1]):
        data = envelope.seal_envelope(packet_id, packets.pack_body(reordered), DISTRICT_PUBLIC)
        refused("PACKET_DAMAGED", lambda data=data: opened(data))


# --- the manifest, signed by the kit and still wrong ----------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"format": "cccd-production-batch"}, "PACKET_MANIFEST_INVALID"),
        ({"version": 2}, "PACKET_SCHEMA_UNSUPPORTED"),
        ({"version": "1"}, "PACKET_MANIFEST_INVALID"),
        ({"version": True}, "PACKET_MANIFEST_INVALID"),
        ({"packet_id": "not-a-uuid"}, "PACKET_MANIFEST_INVALID"),
        ({"session_id": "4711"}, "PACKET_MANIFEST_INVALID"),
        ({"session_id": True}, "PACKET_MANIFEST_INVALID"),
        ({"session_id": 0}, "PACKET_MANIFEST_INVALID"),
        ({"session_id": 2**70}, "PACKET_MANIFEST_INVALID"),
        ({"created_at": "2026-03-06T21:05:12"}, "PACKET_MANIFEST_INVALID"),
        ({"created_at": "yesterday"}, "PACKET_MANIFEST_INVALID"),
        ({"created_at": 1772831112}, "PACKET_MANIFEST_INVALID"),
        ({"kit_id": "../kit-a"}, "PACKET_MANIFEST_INVALID"),
        ({"kit_id": None}, "PACKET_MANIFEST_INVALID"),
        ({"members": {"dossier.json": 2}}, "PACKET_MANIFEST_INVALID"),
    ],
)
def test_a_manifest_field_of_the_wrong_type_or_value_is_refused(
    change: dict[str, Any], code: str
) -> None:
    packet_id = uuid.uuid4()
    data = forged_from(document(MEMBERS, packet_id, **change), list(MEMBERS.items()), packet_id)
    refused(code, lambda: opened(data))


@pytest.mark.parametrize(
    "member",
    [
        {"name": "dossier.json", "size": "10", "sha256": "0" * 64},
        {"name": "dossier.json", "size": -1, "sha256": "0" * 64},
        {"name": "dossier.json", "size": 10, "sha256": "A" * 64},
        {"name": "dossier.json", "size": 10},
        {"name": "dossier.json", "size": 10, "sha256": "0" * 64, "path": "/etc"},
        ["dossier.json", 10],
    ],
)
def test_a_member_entry_of_the_wrong_shape_is_refused(member: Any) -> None:
    packet_id = uuid.uuid4()
    data = forged_from(document({}, packet_id, members=[member]), [], packet_id)
    error = refused("PACKET_MANIFEST_INVALID", lambda: opened(data))
    assert error.params == {"field": "members"}


def test_a_field_the_reader_does_not_know_is_ignored() -> None:
    packet_id = uuid.uuid4()
    doc = document(MEMBERS, packet_id, officer_note="added in a later release")
    assert opened(forged_from(doc, list(MEMBERS.items()), packet_id)).members == MEMBERS


@pytest.mark.parametrize(
    "manifest",
    [
        b'{"kit_id": "kit-a", "kit_id": "kit-b"}',  # the kit and the district could read two kits
        b'{"kit_id": "kit-a", "x": NaN}',
        b"[1, 2]",
        b'{"kit_id": "kit-a"',
        '{"kit_id": "kit-a"}'.encode("utf-16"),
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["repeated-key", "nan", "array", "cut", "utf-16", "deep"],
)
def test_a_manifest_that_is_not_one_json_object_is_damaged(manifest: bytes) -> None:
    data = forged(manifest, [], uuid.uuid4())
    refused("PACKET_DAMAGED", lambda: opened(data))


def test_a_manifest_over_its_bound_is_refused_before_it_is_parsed() -> None:
    manifest = b" " * (packets.MAX_MANIFEST_BYTES + 1)
    data = forged(manifest, [], uuid.uuid4())
    refused("PACKET_MEMBER_TOO_LARGE", lambda: opened(data))


def test_the_kit_refuses_fields_it_cannot_sign() -> None:
    naive = ManifestFields(uuid.uuid4(), "kit-a", 1, datetime(2026, 3, 6, 21, 5))  # noqa: DTZ001
    for bad, field in (
        (naive, "created_at"),
        (fields(kit_id="kit a"), "kit_id"),
        (ManifestFields(uuid.uuid4(), "kit-a", 0, datetime.now(UTC)), "session_id"),
    ):
        error = refused(
            "PACKET_MANIFEST_INVALID",
            lambda bad=bad: packets.seal(bad, MEMBERS, KIT_A_SIGNER, DISTRICT_PUBLIC),
        )
        assert error.params == {"field": field}


def test_every_refusal_leaves_the_inputs_as_they_were() -> None:
    """Opening reads only: the same envelope opens again after a refusal with other keys."""
    data = sealed()
    snapshot = bytes(data)
    refused("PACKET_KIT_UNKNOWN", lambda: packets.open_packet(data, DISTRICT_PRIVATE, {}))
    assert data == snapshot and opened(data).members == MEMBERS
