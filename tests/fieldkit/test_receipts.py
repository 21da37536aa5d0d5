"""The district's signed receipts (`cccd.fieldkit.receipts`): the kit deletes a packet only on a
receipt that is the district's and for that packet."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from cccd.fieldkit import keys, receipts
from cccd.fieldkit.receipts import Outcome
from tests.fieldkit.refusals import refused

DISTRICT = keys.new_party_keys()
IMPOSTOR = keys.new_party_keys()
SIGNER = keys.signing_private_key(DISTRICT.signing.private_pem)
IMPOSTOR_SIGNER = keys.signing_private_key(IMPOSTOR.signing.private_pem)
PUBLIC = keys.signing_public_key(DISTRICT.signing.public_hex)


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (Outcome.ACCEPTED, ""),
        (Outcome.DUPLICATE, ""),
        (Outcome.REFUSED, "PACKET_SIGNATURE_INVALID: Chữ ký số của gói dữ liệu không khớp"),
        (Outcome.CONFLICT, "Người này đã được thu nhận tại bộ kit-b"),
    ],
)
def test_a_receipt_reads_back_as_written(outcome: Outcome, reason: str) -> None:
    packet_id = uuid.uuid4()
    when = datetime(2026, 3, 7, 6, 30, tzinfo=UTC)
    data = receipts.receipt(packet_id, outcome, reason, SIGNER, issued_at=when)
    found = receipts.check_receipt(data, PUBLIC, packet_id)
    assert found == receipts.Receipt(packet_id, outcome, reason, when)
    signed, signature, end = data.split(b"\n")
    assert end == b"" and data.isascii()  # two lines, the Vietnamese escaped
    PUBLIC.verify(base64.b64decode(signature), signed)
    assert json.loads(signed)["outcome"] == outcome.value


def test_a_receipt_signed_by_anyone_but_the_district_is_refused() -> None:
    packet_id = uuid.uuid4()
    forged = receipts.receipt(packet_id, Outcome.ACCEPTED, "", IMPOSTOR_SIGNER)
    refused("RECEIPT_SIGNATURE_INVALID", lambda: receipts.check_receipt(forged, PUBLIC, packet_id))


def test_a_receipt_changed_after_signing_is_refused() -> None:
    """A refusal turned into an acceptance on the way would make the kit delete the packet."""
    packet_id = uuid.uuid4()
    data = receipts.receipt(packet_id, Outcome.REFUSED, "PACKET_KIT_UNKNOWN", SIGNER)
    changed = data.replace(b'"refused"', b'"accepted"')
    assert changed != data
    refused("RECEIPT_SIGNATURE_INVALID", lambda: receipts.check_receipt(changed, PUBLIC, packet_id))


def test_a_true_receipt_for_another_packet_is_refused() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    data = receipts.receipt(other, Outcome.ACCEPTED, "", SIGNER)
    error = refused("RECEIPT_OTHER_PACKET", lambda: receipts.check_receipt(data, PUBLIC, mine))
    assert error.params == {"received": other, "expected": mine}


@pytest.mark.parametrize(
    ("damage", "code"),
    [
        (lambda d: b"", "RECEIPT_INVALID"),
        (lambda d: d[:-1], "RECEIPT_INVALID"),  # no final line feed
        (lambda d: d + b"\n", "RECEIPT_INVALID"),  # a third line
        (lambda d: d.split(b"\n")[0] + b"\n", "RECEIPT_INVALID"),  # no signature line
        (lambda d: d + b" " * receipts.MAX_RECEIPT_BYTES, "RECEIPT_INVALID"),
        (lambda d: d.replace(b"\n", b"\r\n"), "RECEIPT_SIGNATURE_INVALID"),  # signed bytes differ
    ],
    ids=["empty", "unterminated", "extra-line", "unsigned", "oversized", "crlf"],
)
def test_a_receipt_not_laid_out_as_two_lines_is_refused(
    damage: Callable[[bytes], bytes], code: str
) -> None:
    packet_id = uuid.uuid4()
    data = damage(receipts.receipt(packet_id, Outcome.ACCEPTED, "", SIGNER))
    refused(code, lambda: receipts.check_receipt(data, PUBLIC, packet_id))


@pytest.mark.parametrize(
    "document",
    [
        {"format": "cccd-field-packet"},
        {"outcome": "deleted"},
        {"version": 2},
        {"issued_at": "2026-03-07T06:30:00"},
        {"reason": 7},
        {"packet_id": "nope"},
    ],
)
def test_a_signed_receipt_with_a_wrong_field_is_unreadable(document: dict[str, object]) -> None:
    """Signed by the district's own key: only the field checks catch it, and as a refusal."""
    packet_id = uuid.uuid4()
    fields: dict[str, object] = {
        "format": "cccd-field-receipt",
        "version": 1,
        "packet_id": str(packet_id),
        "outcome": "accepted",
        "reason": "",
        "issued_at": "2026-03-07T06:30:00+00:00",
        **document,
    }
    signed = json.dumps(fields).encode()
    data = signed + b"\n" + base64.b64encode(SIGNER.sign(signed)) + b"\n"
    refused("RECEIPT_INVALID", lambda: receipts.check_receipt(data, PUBLIC, packet_id))


def test_a_refusal_or_a_conflict_must_say_why() -> None:
    for outcome in (Outcome.REFUSED, Outcome.CONFLICT):
        with pytest.raises(ValueError, match="needs a reason"):
            receipts.receipt(uuid.uuid4(), outcome, " ", SIGNER)
    with pytest.raises(ValueError, match="at most"):
        receipts.receipt(uuid.uuid4(), Outcome.REFUSED, "x" * 1001, SIGNER)


def test_the_longest_reason_fits_the_bound_even_escaped() -> None:
    packet_id = uuid.uuid4()
    data = receipts.receipt(packet_id, Outcome.REFUSED, "Đ" * receipts.MAX_REASON_LENGTH, SIGNER)
    assert len(data) <= receipts.MAX_RECEIPT_BYTES
    assert receipts.check_receipt(data, PUBLIC, packet_id).reason == "Đ" * 1000
