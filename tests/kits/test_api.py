"""/api/v1/kits as a kit speaks to it (district side, in one process): the join with its
one-time code, signed requests, resumable uploads, receipts again after a lost answer, check-in —
and every malformed or hostile request a 4xx that changes nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from cccd.errors import DomainError
from cccd.fieldkit import keys, receipts, requests
from cccd.kits import services, unpack
from cccd.kits.models import Checkout, HeldSession, Kit, PacketUpload, ReceivedPacket
from tests.hostile import make_corpus
from tests.kits.conftest import KIT_NAME, Sides
from tests.kits.test_ingest import sent as sent  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
API = "/api/v1/kits"


class KitClient:
    """The test client, signing as a kit does (`cccd.kits.client`)."""

    def __init__(self, name: str, party: keys.PartyKeys) -> None:
        self.client = Client()
        self.name = name
        self.key = keys.signing_private_key(party.signing.private_pem)

    def send(self, method: str, path: str, body: bytes = b"", **headers: str) -> Any:
        full = f"{API}{path}"
        signed = requests.sign(method, full, body, kit=self.name, key=self.key)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in {**signed, **headers}.items()}
        return self.client.generic(
            method, full, body, content_type="application/octet-stream", **extra
        )


@pytest.fixture
def kit(sides: Sides) -> KitClient:
    return KitClient(KIT_NAME, sides.kit_keys)


def _part(kit: KitClient, packet: uuid.UUID, data: bytes, offset: int, length: int) -> Any:
    return kit.send("PATCH", f"/packets/{packet}?offset={offset}&length={length}", data)


def _receipt(sides: Sides, answer: dict[str, Any], packet: uuid.UUID) -> receipts.Receipt:
    key = keys.signing_public_key(sides.district.signing.public_hex)
    return receipts.check_receipt(answer["receipt"].encode("ascii"), key, packet)


def _packet_id(envelope: bytes) -> uuid.UUID:
    return uuid.UUID(bytes=envelope[9:25])


# ---------------------------------------------------------------- registration and the join


def test_register_then_join_once_with_the_code(sides: Sides) -> None:
    made = services.register_kit("hall-kit-2", unit_code=sides.kit.unit.code, actor=None)
    party = keys.new_party_keys()
    body = {
        "signing_public_key": party.signing.public_hex,
        "encryption_public_key": party.encryption.public_hex,
    }
    client = Client()
    joined = client.post(
        f"{API}/join",
        body,
        content_type="application/json",
        HTTP_X_CCCD_PAIRING_CODE=made.pairing_code,
    )
    assert joined.status_code == 200, joined.json()
    assert joined.json()["kit"] == "hall-kit-2"
    assert joined.json()["district_signing_public_key"] == sides.district.signing.public_hex
    kit = Kit.objects.get(name="hall-kit-2")
    assert kit.state == Kit.State.PAIRED and kit.pairing_code_sha256 == ""
    again = client.post(
        f"{API}/join",
        body,
        content_type="application/json",
        HTTP_X_CCCD_PAIRING_CODE=made.pairing_code,
    )
    assert again.status_code == 403 and again.json()["code"] == "PAIRING_CODE_UNKNOWN"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("", "NOT_AUTHENTICATED"),
        ("KG5H-YX9F", "PAIRING_CODE_MALFORMED"),
        ("KG5H-YX9F-SSM7-5Q7Q-ZD2H", "PAIRING_CODE_MISTYPED"),
    ],
)
def test_a_join_without_a_good_code_is_refused(sides: Sides, code: str, expected: str) -> None:
    party = keys.new_party_keys()
    body = {
        "signing_public_key": party.signing.public_hex,
        "encryption_public_key": party.encryption.public_hex,
    }
    extra = {"HTTP_X_CCCD_PAIRING_CODE": code} if code else {}
    answer = Client().post(f"{API}/join", body, content_type="application/json", **extra)
    assert 400 <= answer.status_code < 500 and answer.json()["code"] == expected


def test_a_join_with_keys_that_are_not_keys_changes_nothing(sides: Sides) -> None:
    made = services.register_kit("hall-kit-3", unit_code=sides.kit.unit.code, actor=None)
    body = {"signing_public_key": "zz" * 32, "encryption_public_key": "00" * 31}
    answer = Client().post(
        f"{API}/join",
        body,
        content_type="application/json",
        HTTP_X_CCCD_PAIRING_CODE=made.pairing_code,
    )
    assert answer.status_code == 400 and answer.json()["code"] == "KIT_KEY_UNREADABLE"
    assert Kit.objects.get(name="hall-kit-3").state == Kit.State.REGISTERED


def test_register_refuses_a_bad_name_an_unknown_unit_and_a_second_kit_of_one_name(
    sides: Sides,
) -> None:
    for name, unit, code in [
        ("../etc", sides.kit.unit.code, "KIT_NAME_MALFORMED"),
        ("hall-kit-9", "99999", "KIT_UNIT_UNKNOWN"),
        (KIT_NAME, sides.kit.unit.code, "KIT_NAME_TAKEN"),
    ]:
        with pytest.raises(DomainError) as caught:
            services.register_kit(name, unit_code=unit, actor=None)
        assert caught.value.code == code


# ---------------------------------------------------------------- signed requests


def test_requests_without_a_kits_signature_are_refused(sides: Sides, kit: KitClient) -> None:
    unsigned = Client().post(f"{API}/contact", b"{}", content_type="application/json")
    assert unsigned.status_code == 401 and unsigned.json()["code"] == "KIT_REQUEST_UNSIGNED"
    stranger = KitClient(KIT_NAME, keys.new_party_keys()).send("POST", "/contact", b"{}")
    assert stranger.status_code == 401
    assert stranger.json()["code"] == "KIT_REQUEST_SIGNATURE_INVALID"
    unknown = KitClient("nobody", sides.kit_keys).send("POST", "/contact", b"{}")
    assert unknown.status_code == 403 and unknown.json()["code"] == "KIT_NOT_PAIRED"


def test_contact_reads_the_kits_clock_and_outbox(sides: Sides, kit: KitClient) -> None:
    answer = kit.send("POST", "/contact", json.dumps({"waiting": 7}).encode())
    assert answer.status_code == 200 and abs(answer.json()["clock_offset_seconds"]) < 60
    sides.kit.refresh_from_db()
    assert sides.kit.reported_waiting == 7 and sides.kit.last_contact_at is not None
    for body in (b"{", b'{"waiting": -1}', b'{"waiting": "many"}', b"[]"):
        refused = kit.send("POST", "/contact", body)
        assert refused.status_code == 422, body


def test_a_revoked_kit_is_refused_and_its_session_freed(sides: Sides, kit: KitClient) -> None:
    services.revoke_kit(KIT_NAME, actor=None)
    answer = kit.send("POST", "/contact", b"{}")
    assert answer.status_code == 403 and answer.json()["code"] == "KIT_REVOKED"
    assert Checkout.objects.get(pk=sides.checkout.pk).state == Checkout.State.REVOKED_OUT


# ---------------------------------------------------------------- uploads


def test_a_packet_in_parts_resumes_from_what_the_district_holds(
    sides: Sides,
    kit: KitClient,
    sent: bytes,  # noqa: F811
) -> None:
    packet, length = _packet_id(sent), len(sent)
    first = _part(kit, packet, sent[:1000], 0, length)
    assert first.status_code == 200 and first.json() == {
        "received": 1000,
        "length": length,
        "receipt": None,
    }
    wrong = _part(kit, packet, sent[500:1500], 500, length)  # the kit thought it held less
    assert wrong.status_code == 409 and wrong.json()["code"] == "UPLOAD_OFFSET_MISMATCH"
    held = kit.send("GET", f"/packets/{packet}").json()
    assert held["received"] == 1000 and held["receipt"] is None
    changed = _part(kit, packet, sent[1000:2000], 1000, length + 1)
    assert changed.status_code == 409 and changed.json()["code"] == "UPLOAD_LENGTH_MISMATCH"
    last = _part(kit, packet, sent[1000:], 1000, length)
    assert last.status_code == 200
    assert _receipt(sides, last.json(), packet).outcome == receipts.Outcome.ACCEPTED
    assert not PacketUpload.objects.exists()
    # the answer was lost: the kit asks, and hears the packet was taken; sent again, nothing more
    again = kit.send("GET", f"/packets/{packet}").json()
    assert _receipt(sides, again, packet).outcome == receipts.Outcome.DUPLICATE
    whole = _part(kit, packet, sent, 0, length)
    assert _receipt(sides, whole.json(), packet).outcome == receipts.Outcome.DUPLICATE
    assert ReceivedPacket.objects.count() == 1


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("offset=0&length=0", b"x"),
        ("offset=-1&length=10", b"x"),
        ("offset=5&length=10", b"0123456789"),  # past the end
        ("offset=0", b"x"),  # no length
        ("offset=zero&length=1", b"x"),
    ],
)
def test_malformed_parts_are_refused(sides: Sides, kit: KitClient, query: str, body: bytes) -> None:
    answer = kit.send("PATCH", f"/packets/{uuid.uuid4()}?{query}", body)
    assert 400 <= answer.status_code < 500
    assert not PacketUpload.objects.exists() and not ReceivedPacket.objects.exists()


def test_bytes_that_are_not_the_named_packet_are_refused(
    sides: Sides,
    kit: KitClient,
    sent: bytes,  # noqa: F811
) -> None:
    other = uuid.uuid4()
    answer = _part(kit, other, sent, 0, len(sent))
    assert answer.status_code == 400 and answer.json()["code"] == "UPLOAD_PACKET_ID_MISMATCH"
    junk = _part(kit, other, b"not a packet at all", 0, 19)
    assert junk.status_code == 400 and junk.json()["code"] == "PACKET_NOT_A_PACKET"
    assert not ReceivedPacket.objects.exists() and not PacketUpload.objects.exists()


def test_a_part_larger_than_allowed_is_refused_before_it_is_read(
    sides: Sides, kit: KitClient, settings: Any
) -> None:
    big = b"\0" * (8 * 1024 * 1024 + 1)
    answer = _part(kit, uuid.uuid4(), big, 0, len(big))
    assert answer.status_code == 400 and answer.json()["code"] == "UPLOAD_LENGTH_INVALID"


# ---------------------------------------------------------------- check-in


def test_check_in_waits_for_every_packet_then_marks_the_session(
    sides: Sides,
    kit: KitClient,
    sent: bytes,  # noqa: F811
) -> None:
    packet = _packet_id(sent)
    body = {
        "session_id": sides.checkout.session_id,
        "packet_ids": [str(packet)],
        "summary": {"dossiers": 1},
    }
    early = kit.send("POST", "/checkin", json.dumps(body).encode())
    assert early.status_code == 200
    assert early.json() == {
        "checked_in": False,
        "received": 0,
        "expected": 1,
        "missing": [str(packet)],
    }
    assert Checkout.objects.get(pk=sides.checkout.pk).state == Checkout.State.OUT
    _part(kit, packet, sent, 0, len(sent))
    done = kit.send("POST", "/checkin", json.dumps(body).encode())
    assert done.json()["checked_in"] is True
    assert Checkout.objects.get(pk=sides.checkout.pk).state == Checkout.State.CHECKED_IN
    other = {**body, "session_id": sides.checkout.session_id + 999}
    refused = kit.send("POST", "/checkin", json.dumps(other).encode())
    assert refused.status_code == 409 and refused.json()["code"] == "SESSION_NOT_CHECKED_OUT_TO_KIT"


# ---------------------------------------------------------------- the hostile corpus


@pytest.mark.parametrize("name", sorted(make_corpus.CORPUS))
def test_every_hostile_file_sent_as_a_packet_is_refused_and_nothing_kept(
    sides: Sides, kit: KitClient, name: str, settings: Any
) -> None:
    """The packets' upload point meets the corpus (tests/hostile): each file, sent whole under a
    packet id, is refused with a 4xx and a sentence before anything is opened or kept."""
    data = make_corpus.build(name)
    answer = _part(kit, uuid.uuid4(), data, 0, len(data))
    assert 400 <= answer.status_code < 500 and answer.json()["message"], name
    assert not PacketUpload.objects.exists() and not ReceivedPacket.objects.exists()
    assert not list((Path(settings.DATA_DIR) / "kit-uploads").glob("*"))


@pytest.mark.parametrize("name", sorted(make_corpus.CORPUS))
def test_every_hostile_file_taken_as_a_checkout_package_is_refused(sides: Sides, name: str) -> None:
    """The kit's other input point: a package that is not one is refused, nothing loaded."""
    held = HeldSession.objects.count()
    with pytest.raises(DomainError) as caught:
        unpack.load_package(make_corpus.build(name), sides.identity)
    assert 400 <= caught.value.status < 500 and caught.value.message
    assert HeldSession.objects.count() == held
