"""The kit's outbox: codes from the held block, one packet per finished intake sealed once with
everything the intake wrote, receipts that acknowledge or refuse."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.enrollments.intake import services
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.fieldkit import keys, packets, receipts
from cccd.kits import outbox
from cccd.kits.models import KIT_CODE_BASE, HeldSession, KitIdentity, OutboxPacket
from cccd.tickets.models import Ticket
from tests.kits.conftest import KIT_NAME, Sides, finish_on_kit

pytestmark = pytest.mark.django_db


def opened(sides: Sides, row: OutboxPacket) -> packets.OpenedPacket:
    return packets.open_packet(
        outbox.envelope_of(row),
        keys.encryption_private_key(sides.district.encryption.private_pem),
        {KIT_NAME: keys.signing_public_key(sides.kit_keys.signing.public_hex)},
    )


def district_receipt(sides: Sides, row: OutboxPacket, outcome: str, reason: str = "") -> bytes:
    signer = keys.signing_private_key(sides.district.signing.private_pem)
    return receipts.receipt(row.packet_id, receipts.Outcome(outcome), reason, signer)


def test_a_dossier_finished_on_the_kit_takes_its_code_from_the_block(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    done = row.enrollment
    assert done is not None
    assert done.code == f"{done.unit.code}-210306-{KIT_CODE_BASE}"
    assert HeldSession.objects.get().next_code == KIT_CODE_BASE + 1


def test_a_used_up_block_or_a_session_not_held_refuses_the_finish(
    sides: Sides, called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    from tests.enrollments.conftest import capture_everything

    capture_everything(called, officer_dakmil, portrait)
    HeldSession.objects.update(next_code=KIT_CODE_BASE + 1000)
    with pytest.raises(DomainError) as caught:
        services.finish_intake(called.pk, actor=officer_dakmil)
    assert caught.value.code == "KIT_CODE_BLOCK_USED_UP" and "1000" in caught.value.message
    HeldSession.objects.update(next_code=KIT_CODE_BASE, state=HeldSession.State.CLOSED)
    with pytest.raises(DomainError) as caught:
        services.finish_intake(called.pk, actor=officer_dakmil)
    assert caught.value.code == "KIT_SESSION_NOT_HELD"
    assert Enrollment.objects.get().state == Enrollment.State.DRAFT
    assert not OutboxPacket.objects.exists()


def test_the_packet_holds_the_dossier_its_captures_and_its_whole_trail(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    assert row.state == OutboxPacket.State.WAITING and row.size == len(outbox.envelope_of(row))
    packet = opened(sides, row)
    assert packet.fields.packet_id == row.packet_id and packet.fields.kit_id == KIT_NAME
    done = row.enrollment
    assert done is not None
    dossier = json.loads(packet.members["dossier.json"])
    assert dossier["code"] == done.code and dossier["received_by"] == "canbo.dakmil"
    assert dossier["person"] == {"personal_id": done.person.personal_id, "new_person": False}
    assert dossier["ticket"]["number"] == called.number
    assert dossier["ticket"]["from_package"] is False  # a walk-in handed out on the kit
    photo = packet.members["captures/photo-0.jpeg"]
    assert photo == portrait
    entries = {(a["kind"], a["slot"]): a for a in dossier["artefacts"]}
    assert entries[("photo", 0)]["sha256"] == hashlib.sha256(portrait).hexdigest()
    assert entries[("fingerprint", 10)]["member"] is None
    assert entries[("fingerprint", 10)]["impossible_reason"] == "Mất ngón"
    trail = json.loads(packet.members["audit.json"])
    actions = [event["action"] for event in trail]
    # written after IntakeFinished was emitted: there because the packet is sealed after commit
    assert "enrollment.receive" in actions and "ticket.finish" in actions
    assert actions[:2] == ["ticket.issue", "ticket.call"]
    assert all(event["at"] and "actor_username" in event for event in trail)


def test_a_packet_is_sealed_once_and_never_changes(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    first = outbox.envelope_of(row)
    assert outbox.seal_pending() == 0
    assert outbox.envelope_of(outbox.seal_one(row.pk)) == first


def test_a_packet_the_commit_hook_could_not_seal_is_sealed_before_sending(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    KitIdentity.objects.all().delete()  # the hook fails (and is only logged)
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    assert row.envelope is None and outbox.outbox_counts()["waiting"] == 1
    with pytest.raises(DomainError) as caught:
        outbox.seal_pending()
    assert caught.value.code == "KIT_NOT_JOINED"
    sides.identity.pk = None
    sides.identity.save()
    assert outbox.seal_pending() == 1
    row.refresh_from_db()
    assert opened(sides, row).fields.packet_id == row.packet_id


def test_the_district_mode_makes_no_packet(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sides.at_district()
    from tests.enrollments.conftest import capture_everything

    capture_everything(called, officer_dakmil, portrait)
    done = services.finish_intake(called.pk, actor=officer_dakmil)
    assert done.code == f"{done.unit.code}-210306-{done.pk:06d}"
    assert not OutboxPacket.objects.exists()


@pytest.mark.parametrize("outcome", ["accepted", "duplicate", "conflict"])
def test_a_receipt_that_the_district_holds_it_deletes_the_bytes(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
    outcome: str,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    reason = "PACKET_CONFLICT_OPEN_DOSSIER: …" if outcome == "conflict" else ""
    outbox.mark_receipt(row, district_receipt(sides, row, outcome, reason))
    row.refresh_from_db()
    assert row.state == OutboxPacket.State.ACKNOWLEDGED and row.envelope is None
    assert row.outcome == outcome and row.acknowledged_at is not None
    counts = outbox.outbox_counts()
    assert counts["acknowledged"] == 1 and counts["oldest_waiting_at"] is None
    assert AuditEvent.objects.filter(action="kit.packet_receipt").count() == 1


def test_a_refusal_keeps_the_bytes_and_says_why(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    sealed = outbox.envelope_of(row)
    outbox.mark_sent(row)
    assert outbox.outbox_counts()["sent"] == 1
    outbox.mark_receipt(row, district_receipt(sides, row, "refused", "PACKET_X: no"))
    row.refresh_from_db()
    assert row.state == OutboxPacket.State.REFUSED and row.reason == "PACKET_X: no"
    assert outbox.envelope_of(row) == sealed
    assert outbox.outbox_counts() == {
        "waiting": 0,
        "sent": 0,
        "acknowledged": 0,
        "refused": 1,
        "oldest_waiting_at": None,
    }


def test_a_false_receipt_changes_nothing(
    sides: Sides,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    django_capture_on_commit_callbacks: Any,
) -> None:
    row = finish_on_kit(called, officer_dakmil, portrait, django_capture_on_commit_callbacks)
    stranger = keys.signing_private_key(keys.new_party_keys().signing.private_pem)
    forged = receipts.receipt(row.packet_id, receipts.Outcome.ACCEPTED, "", stranger)
    other = receipts.receipt(
        uuid.uuid4(),
        receipts.Outcome.ACCEPTED,
        "",
        keys.signing_private_key(sides.district.signing.private_pem),
    )
    for receipt, code in ((forged, "RECEIPT_SIGNATURE_INVALID"), (other, "RECEIPT_OTHER_PACKET")):
        with pytest.raises(DomainError) as caught:
            outbox.mark_receipt(row, receipt)
        assert caught.value.code == code
    row.refresh_from_db()
    assert row.state == OutboxPacket.State.WAITING and row.envelope is not None
    assert row.last_error == "RECEIPT_OTHER_PACKET"
    counts = outbox.outbox_counts()
    assert counts["waiting"] == 1 and counts["oldest_waiting_at"] == row.created_at
