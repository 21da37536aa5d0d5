"""The kit's work with its district: join, check a session out, push the outbox, check in.

`push` sends the packets one by one, oldest first. Each is sent from what the district says it
holds (so a cut upload continues, and a packet whose receipt was lost on the way is answered
again without being sent); each receipt is checked before the packet's bytes are deleted
(`outbox.mark_receipt`). A packet the district refuses is marked refused, with its reason, and the
next one goes: one bad packet never blocks the others. A district that cannot be reached ends
the round with nothing lost: the packets stay waiting (or sent) for the next round.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from cccd.errors import DomainError
from cccd.fieldkit import keys, requests
from cccd.kits import errors, outbox, unpack
from cccd.kits.client import District, Refused, Unreachable
from cccd.kits.homevisits import outcomes_of
from cccd.kits.models import HeldSession, KitIdentity, OutboxPacket

PART_BYTES = 4 * 1024 * 1024
"""Parts of a large packet; a usual intake's packet (about 1 MB) goes whole in one request."""


@dataclass(frozen=True)
class Counts:
    """The outbox in numbers, as `cccd kit push` and `cccd kit status` print them."""

    waiting: int
    sent: int
    acknowledged: int
    refused: int
    oldest_waiting_age_seconds: int | None

    @property
    def all_acknowledged(self) -> bool:
        return self.waiting == 0 and self.sent == 0 and self.refused == 0


def identity() -> KitIdentity:
    """This kit, once joined; `KIT_NOT_JOINED` before."""
    found = KitIdentity.objects.first()
    if found is None:
        raise errors.KIT_NOT_JOINED()
    return found


def district(kit: KitIdentity) -> District:
    return District(kit.district_url, kit=kit.name, signing_key_pem=kit.signing_private_key_pem)


def join(url: str, code: str) -> dict[str, Any]:
    """Make the kit's keys, join the district with the pairing code, and keep who we are."""
    if KitIdentity.objects.exists():
        raise errors.KIT_ALREADY_JOINED(name=KitIdentity.objects.get().name)
    keys.check_pairing_code(code)  # a typing mistake is caught here, before anything is sent
    made = keys.new_party_keys()
    with District(url) as server:
        answer = server.json(
            "POST",
            "/join",
            {
                "signing_public_key": made.signing.public_hex,
                "encryption_public_key": made.encryption.public_hex,
            },
            signed=False,
            headers={requests.PAIRING_HEADER: code},
        )
    KitIdentity.objects.create(
        name=answer["kit"],
        district_url=url.rstrip("/"),
        signing_private_key_pem=made.signing.private_pem,
        encryption_private_key_pem=made.encryption.private_pem,
        district_signing_public_key=answer["district_signing_public_key"],
        district_encryption_public_key=answer["district_encryption_public_key"],
        unit_code=answer["unit_code"],
        last_contact_at=timezone.now(),
    )
    return dict(answer)


def checkout(session_id: int) -> HeldSession:
    """Ask the district for the session's package and load it."""
    kit = identity()
    with district(kit) as server:
        package = server.raw("POST", f"/sessions/{session_id}/checkout")
    held = unpack.load_package(package, kit)
    KitIdentity.objects.filter(pk=kit.pk).update(last_contact_at=timezone.now())
    return held


def counts() -> Counts:
    found = outbox.outbox_counts()
    oldest = found.get("oldest_waiting_at")
    age = None if oldest is None else max(0, round((timezone.now() - oldest).total_seconds()))
    return Counts(
        waiting=int(found["waiting"]),
        sent=int(found["sent"]),
        acknowledged=int(found["acknowledged"]),
        refused=int(found["refused"]),
        oldest_waiting_age_seconds=age,
    )


def counts_json(found: Counts) -> dict[str, Any]:
    return asdict(found)


@dataclass(frozen=True)
class PushResult:
    counts: Counts
    unreachable: str = ""  # why the round stopped early, when the district could not be reached
    refusal: str = ""  # the district refused the kit itself (revoked, not paired)


def push(*, limit: int | None = None) -> PushResult:
    """Send every packet not yet acknowledged, oldest first (see the module)."""
    kit = identity()
    outbox.seal_pending()
    try:
        with district(kit) as server:
            _say_outbox(server)
            for packet_id in _to_send(limit):
                _send_one(server, packet_id)
            _say_outbox(server)
    except Unreachable as exc:
        return PushResult(counts=counts(), unreachable=str(exc))
    except Refused as exc:
        return PushResult(counts=counts(), refusal=str(exc))
    KitIdentity.objects.filter(pk=kit.pk).update(last_contact_at=timezone.now())
    return PushResult(counts=counts())


def _to_send(limit: int | None) -> list[uuid.UUID]:
    ids = [row.packet_id for row in outbox.pending()]
    return ids if limit is None else ids[:limit]


def _say_outbox(server: District) -> None:
    found = outbox.outbox_counts()
    oldest = found.get("oldest_waiting_at")
    server.json(
        "POST",
        "/contact",
        {
            "waiting": int(found["waiting"]) + int(found["sent"]),
            "oldest_waiting_at": oldest.isoformat() if oldest else None,
        },
    )


def _send_one(server: District, packet_id: uuid.UUID) -> None:
    row = OutboxPacket.objects.get(packet_id=packet_id)
    if row.envelope is None:
        return  # not sealed (its dossier is still being finished): the next round takes it
    envelope = outbox.envelope_of(row)
    outbox.mark_sent(row)
    held = server.json("GET", f"/packets/{packet_id}")
    receipt = held.get("receipt")
    offset = int(held.get("received") or 0) if held.get("length") == len(envelope) else 0
    while receipt is None:
        part = envelope[offset : offset + PART_BYTES]
        try:
            answer = server.json_bytes(
                "PATCH", f"/packets/{packet_id}?offset={offset}&length={len(envelope)}", part
            )
        except Refused as exc:
            if exc.code in ("UPLOAD_OFFSET_MISMATCH", "UPLOAD_LENGTH_MISMATCH"):
                held = server.json("GET", f"/packets/{packet_id}")
                receipt = held.get("receipt")
                offset = int(held.get("received") or 0)
                continue
            if exc.status in (401, 403):
                raise
            _mark_refused(row, exc)
            return
        receipt = answer.get("receipt")
        offset = int(answer.get("received") or 0)
    try:
        outbox.mark_receipt(OutboxPacket.objects.get(pk=row.pk), receipt.encode("ascii"))
    except DomainError:
        pass  # a receipt that does not check: the packet stays sent (`last_error` says why)


def _mark_refused(row: OutboxPacket, refusal: Refused) -> None:
    """A refusal without a receipt (the envelope could not even be read): kept, marked, and the
    next packet goes."""
    OutboxPacket.objects.filter(pk=row.pk).update(
        state=OutboxPacket.State.REFUSED, outcome="refused", reason=str(refusal)[:1000]
    )


@dataclass(frozen=True)
class CheckInResult:
    checked_in: bool
    missing: list[str]
    counts: Counts
    home_visits: dict[str, Any] | None = None  # what the district did with the round's outcomes


def checkin() -> CheckInResult:
    """Close the held session: push what is left, tell the district every packet made and, for a
    home-visit round, every outcome recorded (`cccd.kits.homevisits`); when the district
    confirms, wipe the session's slice from the kit."""
    kit = identity()
    held = HeldSession.objects.filter(
        state__in=[HeldSession.State.OPEN, HeldSession.State.CLOSED]
    ).first()
    if held is None:
        raise errors.KIT_HOLDS_NO_SESSION()
    HeldSession.objects.filter(pk=held.pk).update(state=HeldSession.State.CLOSED)
    result = push()
    if result.unreachable:
        return CheckInResult(checked_in=False, missing=[], counts=result.counts)
    made = [
        str(p)
        for p in OutboxPacket.objects.filter(session_id=held.session_id).values_list(
            "packet_id", flat=True
        )
    ]
    found = result.counts
    body: dict[str, Any] = {
        "session_id": held.session_id,
        "packet_ids": made,
        "summary": {
            "packets": len(made),
            "acknowledged": found.acknowledged,
            "refused": found.refused,
        },
    }
    if visits := outcomes_of(held.session_id):
        body["home_visits"] = visits
    with district(kit) as server:
        answer = server.json("POST", "/checkin", body)
    applied = answer.get("home_visits")
    if not answer["checked_in"]:
        return CheckInResult(
            checked_in=False, missing=list(answer["missing"]), counts=found, home_visits=applied
        )
    with transaction.atomic():
        unpack.wipe_session(held)
        HeldSession.objects.filter(pk=held.pk).update(state=HeldSession.State.CHECKED_IN)
    return CheckInResult(checked_in=True, missing=[], counts=counts(), home_visits=applied)
