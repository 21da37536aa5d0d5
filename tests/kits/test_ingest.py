"""The district takes a kit's packet in: once, whole or not at all, never a second open dossier
for one person, and always with a signed receipt."""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.models import Sum

from cccd.accounts.models import AuditEvent, User
from cccd.enrollments.models import Artefact, Enrollment, Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference
from cccd.errors import DomainError
from cccd.fieldkit import keys, packets, receipts
from cccd.kits import ingest
from cccd.kits.models import KIT_CODE_BASE, Checkout, Kit, NewPerson, ReceivedPacket
from cccd.registry.models import Person
from cccd.reports.models import DailyCount
from cccd.tickets.models import Ticket
from tests.enrollments.conftest import another_captured
from tests.kits.conftest import (
    KIT_NAME,
    Sides,
    as_package_ticket,
    finish_on_kit,
    forget_on_kit,
    new_kit,
)

pytestmark = pytest.mark.django_db
DELIVERIES = 4


@pytest.fixture
def sent(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> bytes:
    """A walk-in's intake finished on the kit, its packet as it leaves the kit; from here on the
    test is the district."""
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    envelope = forget_on_kit(row)
    sides.at_district()
    return envelope


def check(sides: Sides, receipt: bytes, packet_id: uuid.UUID) -> receipts.Receipt:
    return receipts.check_receipt(
        receipt, keys.signing_public_key(sides.district.signing.public_hex), packet_id
    )


def receive(sides: Sides, envelope: bytes, **options: Any) -> receipts.Receipt:
    options.setdefault("kit_name", KIT_NAME)
    return check(sides, ingest.receive_packet(envelope, **options), ingest.read_packet_id(envelope))


def open_as_district(sides: Sides, envelope: bytes) -> packets.OpenedPacket:
    return packets.open_packet(
        envelope,
        keys.encryption_private_key(sides.district.encryption.private_pem),
        {KIT_NAME: keys.signing_public_key(sides.kit_keys.signing.public_hex)},
    )


def reseal(
    sides: Sides,
    envelope: bytes,
    *,
    dossier: Callable[[dict[str, Any]], None] | None = None,
    members: Callable[[dict[str, bytes]], None] | None = None,
    signer: keys.PartyKeys | None = None,
    kit_id: str = KIT_NAME,
) -> bytes:
    """The packet's content, changed, sealed again as a (new) packet by `signer`."""
    packet = open_as_district(sides, envelope)
    contents = dict(packet.members)
    if dossier is not None:
        document = json.loads(contents["dossier.json"])
        dossier(document)
        contents["dossier.json"] = json.dumps(document).encode()
    if members is not None:
        members(contents)
    fields = packets.ManifestFields(
        packet_id=uuid.uuid4(),
        kit_id=kit_id,
        session_id=packet.fields.session_id,
        created_at=packet.fields.created_at,
    )
    return packets.seal(
        fields,
        contents,
        keys.signing_private_key((signer or sides.kit_keys).signing.private_pem),
        keys.encryption_public_key(sides.district.encryption.public_hex),
    )


def captured_count(sides: Sides) -> int:
    rows = DailyCount.objects.filter(unit=sides.kit.unit, event="captured")
    return rows.aggregate(n=Sum("count"))["n"] or 0


def media_files(settings: Any) -> set[Path]:
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return {path for path in root.rglob("*") if path.is_file()}


def state(settings: Any) -> tuple[int, int, int, int, set[Path]]:
    return (
        Enrollment.objects.count(),
        Artefact.objects.count(),
        AuditEvent.objects.count(),
        Ticket.objects.count(),
        media_files(settings),
    )


# ---------------------------------------------------------------- accepted, once


def test_a_packet_makes_exactly_one_dossier_with_its_captures_and_trail(
    sides: Sides, sent: bytes, portrait: bytes, student: Person
) -> None:
    kit_trail = json.loads(open_as_district(sides, sent).members["audit.json"])
    before = captured_count(sides)
    receipt = receive(sides, sent)
    assert receipt.outcome == receipts.Outcome.ACCEPTED and receipt.reason == ""
    dossier = Enrollment.objects.get(person=student)
    assert dossier.state == Enrollment.State.CAPTURED
    assert dossier.code == f"{dossier.unit.code}-210306-{KIT_CODE_BASE}"
    assert dossier.received_by is not None and dossier.received_by.username == "canbo.dakmil"
    photo = Artefact.objects.get(enrollment=dossier, kind="photo")
    with photo.file.open("rb") as handle:
        assert handle.read() == portrait
    assert photo.sha256 == hashlib.sha256(portrait).hexdigest()
    assert Artefact.objects.filter(enrollment=dossier).count() == 12  # photo, 10 fingers, sig.
    missing = Artefact.objects.get(enrollment=dossier, kind="fingerprint", slot=10)
    assert missing.impossible_reason == "Mất ngón" and not missing.file
    # the walk-in handed out on the kit is a done number at the district, with the kit's number
    assert dossier.ticket is not None
    assert dossier.ticket.state == Ticket.State.DONE and dossier.ticket.kind == "walk_in"
    replayed = AuditEvent.objects.filter(source=f"kit:{KIT_NAME}").order_by("at", "id")
    assert [(e.action, e.at.isoformat()) for e in replayed] == [
        (e["action"], e["at"]) for e in kit_trail
    ]
    receive_event = replayed.get(action="enrollment.receive")
    assert receive_event.object_id == str(dossier.pk) and receive_event.actor_username
    assert receive_event.actor is not None and receive_event.actor.username == "canbo.dakmil"
    received = AuditEvent.objects.get(action="kit.packet_received")
    assert received.object_id == str(dossier.pk) and received.actor is None
    assert captured_count(sides) == before + 1  # the dashboard counted it, once
    row = ReceivedPacket.objects.get()
    assert row.outcome == "accepted" and row.enrollment == dossier and row.kit == sides.kit
    assert row.manifest and len(row.manifest_signature) == 88 and row.kit_created_at
    assert row.sha256 == hashlib.sha256(sent).hexdigest() and not row.envelope


def test_the_same_packet_three_times_is_one_dossier_then_duplicates(
    sides: Sides, sent: bytes, student: Person
) -> None:
    assert receive(sides, sent).outcome == receipts.Outcome.ACCEPTED
    counted = captured_count(sides)
    after_first = state(sides.settings)
    assert receive(sides, sent).outcome == receipts.Outcome.DUPLICATE
    assert receive(sides, sent).outcome == receipts.Outcome.DUPLICATE
    assert state(sides.settings) == after_first and captured_count(sides) == counted
    assert Enrollment.objects.filter(person=student).count() == 1
    assert ReceivedPacket.objects.get().outcome == "accepted"


def test_a_package_number_is_the_districts_own_row(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    as_package_ticket(called)
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    envelope = forget_on_kit(row)
    sides.at_district()
    tickets_before = Ticket.objects.count()
    assert receive(sides, envelope).outcome == receipts.Outcome.ACCEPTED
    called.refresh_from_db()
    assert called.state == Ticket.State.DONE
    assert Enrollment.objects.get().ticket_id == called.pk
    assert Ticket.objects.count() == tickets_before


def test_a_kit_walk_in_whose_number_is_taken_gets_the_next_free_one(
    sides: Sides, sent: bytes, called: Ticket, session: Any
) -> None:
    kit_number = json.loads(open_as_district(sides, sent).members["dossier.json"])["ticket"]
    Ticket.objects.create(
        session=session, number=kit_number["number"], kind="walk_in", line_at=called.line_at
    )
    assert receive(sides, sent).outcome == receipts.Outcome.ACCEPTED
    ticket = Enrollment.objects.get().ticket
    assert ticket is not None
    assert ticket.number == kit_number["number"] + 1 and ticket.state == Ticket.State.DONE


def test_a_new_person_is_made_and_flagged_to_check(
    sides: Sides, sent: bytes, student: Person
) -> None:
    student_record = {
        "full_name": "Hờ A Dính",
        "birth_date": "2005-07-01",
        "birth_date_precision": "day",
        "sex": "M",
        "birth_province_code": "067",
        "hometown": "Xã Đắk Lao",
        "permanent_address": "Thôn 3, Xã Đắk Lao",
        "ethnicity": "H'Mông",
        "religion": "",
        "old_id_number": "",
        "father_name": "",
        "mother_name": "",
        "residence_unit": student.residence_unit.path,
    }

    def as_new(document: dict[str, Any]) -> None:
        document["person"] = {"personal_id": "067205009999", "new_person": True, **student_record}

    envelope = reseal(sides, sent, dossier=as_new)
    assert receive(sides, envelope).outcome == receipts.Outcome.ACCEPTED
    person = Person.objects.get(personal_id="067205009999")
    assert person.full_name == "Hờ A Dính" and person.birth_year == 2005
    flagged = NewPerson.objects.get(person=person)
    assert flagged.packet_id == ingest.read_packet_id(envelope) and flagged.checked_at is None
    assert Enrollment.objects.get().person == person


# ---------------------------------------------------------------- refused


def refusal(sides: Sides, envelope: bytes, **options: Any) -> str:
    before = state(sides.settings)
    receipt = receive(sides, envelope, **options)
    assert receipt.outcome == receipts.Outcome.REFUSED
    assert state(sides.settings) == before  # nothing half-written, no file left behind
    return receipt.reason.partition(":")[0]


def test_a_changed_byte_is_refused_and_does_not_block_the_true_packet(
    sides: Sides, sent: bytes
) -> None:
    tampered = bytearray(sent)
    tampered[len(sent) // 2] ^= 0x01
    assert refusal(sides, bytes(tampered)) == "PACKET_UNDECRYPTABLE"
    assert ReceivedPacket.objects.get().outcome == "refused"
    assert receive(sides, sent).outcome == receipts.Outcome.ACCEPTED  # decided again
    assert ReceivedPacket.objects.get().outcome == "accepted"


def test_packets_of_another_kit_a_revoked_kit_or_an_unchecked_session_are_refused(
    sides: Sides, sent: bytes, session: Any
) -> None:
    _, stranger = new_kit("dakmil-kit-2", sides.kit.unit_id)
    assert refusal(sides, reseal(sides, sent, signer=stranger)) == "PACKET_SIGNATURE_INVALID"
    other = reseal(sides, sent, signer=stranger, kit_id="dakmil-kit-2")
    assert refusal(sides, other) == "PACKET_KIT_MISMATCH"
    # kit 2 is paired, signs its own packet, but the session was never checked out to it
    assert refusal(sides, other, kit_name="dakmil-kit-2") == "PACKET_SESSION_NOT_CHECKED_OUT"
    Kit.objects.filter(pk=sides.kit.pk).update(state=Kit.State.REVOKED)
    assert refusal(sides, sent) == "PACKET_KIT_UNKNOWN"
    # one row per packet id: a packet refused again is decided again, its row says the last reason
    refused = ReceivedPacket.objects.filter(outcome="refused")
    assert sorted(refused.values_list("reason_code", flat=True)) == [
        "PACKET_KIT_UNKNOWN",
        "PACKET_SESSION_NOT_CHECKED_OUT",
        "PACKET_SIGNATURE_INVALID",
    ]


def test_an_envelope_without_a_header_raises_for_the_transport(sides: Sides, sent: bytes) -> None:
    for broken, code in (
        (b"not a packet at all", "PACKET_NOT_A_PACKET"),
        (sent[:40], "PACKET_TRUNCATED"),
        (sent[:8] + b"\x07" + sent[9:], "PACKET_VERSION_UNSUPPORTED"),
    ):
        with pytest.raises(DomainError) as caught:
            ingest.receive_packet(broken, kit_name=KIT_NAME)
        assert caught.value.code == code
    assert not ReceivedPacket.objects.exists()


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("fee", "free", "PACKET_DOSSIER_INVALID"),
        ("fee", True, "PACKET_DOSSIER_INVALID"),
        ("kind", "first_issue_x", "PACKET_DOSSIER_INVALID"),
        ("received_at", "yesterday", "PACKET_DOSSIER_INVALID"),
        ("received_at", "2021-03-06T20:30:00", "PACKET_DOSSIER_INVALID"),  # naive
        ("return_date", KeyError, "PACKET_DOSSIER_INVALID"),
        ("post_address", "x" * 100_000, "PACKET_DOSSIER_INVALID"),
        ("kind_reason", "a\x00b", "PACKET_DOSSIER_INVALID"),
        ("person.personal_id", "12345", "PACKET_DOSSIER_INVALID"),
        ("person.personal_id", "067999999999", "PACKET_PERSON_UNKNOWN"),
        ("group", "no-such-group", "PACKET_DOSSIER_INVALID"),
        ("ticket.number", -3, "PACKET_DOSSIER_INVALID"),
        ("artefacts", [{}] * 40, "PACKET_DOSSIER_INVALID"),
        ("artefacts.0.slot", 99, "PACKET_DOSSIER_INVALID"),
        ("artefacts.0.quality", {"x": "y" * 20_000}, "PACKET_DOSSIER_INVALID"),
        ("code", f"663-210306-{KIT_CODE_BASE + 5000}", "PACKET_CODE_OUTSIDE_BLOCK"),
        ("code", "663-210306-000012", "PACKET_CODE_OUTSIDE_BLOCK"),
        ("code", "999-210306-1000000000", "PACKET_DOSSIER_INVALID"),
        ("unit", "999", "PACKET_DOSSIER_INVALID"),
        ("session_id", 987654, "PACKET_DOSSIER_INVALID"),
        ("format", "zip", "PACKET_DOSSIER_INVALID"),
    ],
)
def test_a_malformed_dossier_is_refused_and_nothing_is_written(
    sides: Sides, sent: bytes, path: str, value: Any, code: str
) -> None:
    assert refusal(sides, reseal(sides, sent, dossier=_set(path, value))) == code


def test_a_capture_that_is_not_as_described_is_refused_after_files_were_written(
    sides: Sides, sent: bytes
) -> None:
    def wrong_signature(document: dict[str, Any]) -> None:
        last = document["artefacts"][-1]
        assert last["kind"] == "signature"  # written after the fingerprints and the photo
        last["sha256"] = "0" * 64

    assert refusal(sides, reseal(sides, sent, dossier=wrong_signature)) == "PACKET_CAPTURE_INVALID"

    def extra(contents: dict[str, bytes]) -> None:
        contents["captures/iris-1.png"] = b"\x89PNG"

    assert refusal(sides, reseal(sides, sent, members=extra)) == "PACKET_CAPTURE_INVALID"


@pytest.mark.parametrize(
    "audit",
    [
        b"{}",
        b"[1]",
        b'[{"at": "x"}]',
        b"not json",
        b'[{"at": 1, "at": 2}]',
    ],
)
def test_a_malformed_trail_is_refused(sides: Sides, sent: bytes, audit: bytes) -> None:
    def replace(contents: dict[str, bytes]) -> None:
        contents["audit.json"] = audit

    assert refusal(sides, reseal(sides, sent, members=replace)) == "PACKET_AUDIT_INVALID"


def test_after_check_in_packets_are_taken_up_to_the_kits_count(sides: Sides, sent: bytes) -> None:
    Checkout.objects.update(state=Checkout.State.CHECKED_IN, summary={"dossiers": 0})
    assert refusal(sides, sent) == "PACKET_AFTER_CHECKIN"
    Checkout.objects.update(summary={"dossiers": 1})
    assert receive(sides, sent).outcome == receipts.Outcome.ACCEPTED


# ---------------------------------------------------------------- conflicts


def test_a_person_with_a_dossier_taken_at_the_office_is_a_conflict(
    sides: Sides,
    sent: bytes,
    student: Person,
    session: Any,
    desks: Any,
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
) -> None:
    office = another_captured(session, desks[0], officer_dakmil, leader, portrait, student)
    before = state(sides.settings)
    receipt = receive(sides, sent)
    assert receipt.outcome == receipts.Outcome.CONFLICT
    assert (
        receipt.reason.startswith("PACKET_CONFLICT_OPEN_DOSSIER")
        and str(office.code) in receipt.reason
    )
    assert Enrollment.objects.filter(person=student).get() == office
    row = ReceivedPacket.objects.get()
    assert row.outcome == "conflict" and row.enrollment is None
    with row.envelope.open("rb") as handle:
        assert handle.read() == sent  # kept as sent, for the review
    assert receive(sides, sent).outcome == receipts.Outcome.DUPLICATE
    assert Enrollment.objects.count() == before[0]


def test_a_person_captured_on_two_kits_gets_one_dossier(
    sides: Sides, sent: bytes, student: Person
) -> None:
    assert receive(sides, sent).outcome == receipts.Outcome.ACCEPTED
    Checkout.objects.update(state=Checkout.State.CHECKED_IN)
    kit_b, keys_b = new_kit("dakmil-kit-2", sides.kit.unit_id)
    start = KIT_CODE_BASE + 1000
    Checkout.objects.create(
        kit=kit_b, session=sides.checkout.session, code_block_start=start, code_block_end=start + 9
    )
    from_b = reseal(
        sides,
        sent,
        signer=keys_b,
        kit_id="dakmil-kit-2",
        dossier=_set("code", f"663-210306-{start}"),
    )
    assert receive(sides, from_b, kit_name="dakmil-kit-2").outcome == receipts.Outcome.CONFLICT
    assert Enrollment.objects.filter(person=student).count() == 1


# ---------------------------------------------------------------- the kit's clock


def test_a_kit_clock_three_hours_ahead_is_corrected_and_its_times_kept(
    sides: Sides, sent: bytes
) -> None:
    kit_trail = json.loads(open_as_district(sides, sent).members["audit.json"])
    kit_dossier = json.loads(open_as_district(sides, sent).members["dossier.json"])
    ahead = 3 * 3600
    assert receive(sides, sent, clock_offset_seconds=ahead).outcome == receipts.Outcome.ACCEPTED
    dossier = Enrollment.objects.get()
    kit_received = datetime.datetime.fromisoformat(kit_dossier["received_at"])
    assert dossier.received_at == kit_received - datetime.timedelta(hours=3)
    receive_event = AuditEvent.objects.get(action="enrollment.receive", source__startswith="kit:")
    kit_event = next(e for e in kit_trail if e["action"] == "enrollment.receive")
    assert receive_event.after is not None and receive_event.after["_kit"]["at"] == kit_event["at"]
    assert receive_event.at == datetime.datetime.fromisoformat(
        kit_event["at"]
    ) - datetime.timedelta(hours=3)
    assert "10800" in ReceivedPacket.objects.get().reason


def test_a_kit_clock_within_five_minutes_is_left_alone(sides: Sides, sent: bytes) -> None:
    kit_dossier = json.loads(open_as_district(sides, sent).members["dossier.json"])
    receive(sides, sent, clock_offset_seconds=240)
    assert Enrollment.objects.get().received_at == datetime.datetime.fromisoformat(
        kit_dossier["received_at"]
    )
    assert ReceivedPacket.objects.get().reason == ""


# ---------------------------------------------------------------- two deliveries at once


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_make_one_dossier_and_a_duplicate(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    load_reference(Fee, FeeExemption, Holiday)
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    envelope = forget_on_kit(row)
    sides.at_district()
    start = threading.Barrier(DELIVERIES)
    outcomes: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def deliver() -> None:
        try:
            start.wait()
            receipt = ingest.receive_packet(envelope, kit_name=KIT_NAME)
            with lock:
                outcomes.append(check(sides, receipt, row.packet_id).outcome.value)
        except Exception as exc:  # noqa: BLE001 - every failure fails the test
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(outcomes) == ["accepted"] + ["duplicate"] * (DELIVERIES - 1)
    assert Enrollment.objects.filter(state=Enrollment.State.CAPTURED).count() == 1
