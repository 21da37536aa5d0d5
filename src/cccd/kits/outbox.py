"""The kit's outbox: one packet per finished intake, sealed once, deleted only on a receipt
(docs/field-kit.md#packets-of-a-finished-intake).

In field mode (`settings.CCCD_FIELD_MODE`) `install()` — called by `KitsConfig.ready()` — turns
two hooks of the dossiers, which may not import this floor:

- `numbering.register(next_dossier_number)`: a dossier finished on the kit takes the next number of
  its held session's block, under that row's lock, so its code (printed on the slip) is final and
  never meets a code of the district or of another kit;
- `events.connect(on_dossier_event)`: `IntakeFinished` makes the `OutboxPacket` row in the
  intake's own transaction (a power cut leaves both or neither), and asks for it to be sealed once
  that transaction has committed.

Sealing after the commit is what puts the whole intake in the packet: `finish_intake` emits the
event before it writes its own `enrollment.receive` event and finishes the number. A packet the
commit hook could not seal (the process stopped, the kit has not joined) is sealed by
`seal_pending()`, which the sender calls before each push. Either way a packet is sealed under its
row's lock and at most once: the envelope's bytes never change after, so a packet sent twice is the
same packet byte for byte.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, User
from cccd.enrollments import events
from cccd.enrollments.intake import numbering
from cccd.enrollments.models import Artefact, Enrollment
from cccd.errors import DomainError
from cccd.fieldkit import keys, packets, receipts
from cccd.kits import errors
from cccd.kits.mode import field_mode
from cccd.kits.models import HeldSession, KitIdentity, NewPerson, OutboxPacket
from cccd.registry.models import Person
from cccd.tickets.models import Ticket

logger = logging.getLogger(__name__)

DOSSIER = "dossier.json"
AUDIT = "audit.json"
DOSSIER_FORMAT = "cccd-field-dossier"
DOSSIER_VERSION = 1
PERSON_FIELDS = (
    "full_name",
    "birth_date",
    "birth_date_precision",
    "sex",
    "birth_province_code",
    "hometown",
    "permanent_address",
    "ethnicity",
    "religion",
    "old_id_number",
    "father_name",
    "mother_name",
)
"""A new person's record as the packet carries it (besides the ID number and the commune)."""
KIT_ISSUE_ACTIONS = ("ticket.issue",)
"""A number with one of these events in the kit's trail was handed out on the kit (a walk-in);
any other came in the session's package and has the district's id."""


def install() -> None:
    """Turn the dossiers' hooks to the kit's (field mode only; see the module's docstring)."""
    numbering.register(next_dossier_number)
    events.connect(on_dossier_event)


# ---------------------------------------------------------------- numbering


def next_dossier_number(enrollment: Enrollment) -> int:
    """The next number of the held session's block, taken under the row's lock (the caller is the
    finishing transaction: a finish refused later gives the number back with its rollback)."""
    locked = HeldSession.objects.select_for_update()
    held = (
        locked.filter(session_id=enrollment.session_id).first() if enrollment.session_id else None
    )
    if held is None or held.state != HeldSession.State.OPEN:
        raise errors.KIT_SESSION_NOT_HELD()
    number = max(held.next_code, held.code_block_start)
    if number > held.code_block_end:
        raise errors.KIT_CODE_BLOCK_USED_UP(count=held.code_block_end - held.code_block_start + 1)
    held.next_code = number + 1
    held.save(update_fields=["next_code"])
    return number


# ---------------------------------------------------------------- the packet row


def on_dossier_event(event: events.DossierEvent) -> None:
    """An intake finished on the kit: its packet row now, its envelope after the commit."""
    if not field_mode() or not isinstance(event, events.IntakeFinished):
        return
    enrollment = event.enrollment
    if enrollment.session_id is None:  # pragma: no cover  (every intake belongs to a session)
        return
    row = OutboxPacket.objects.create(enrollment=enrollment, session_id=enrollment.session_id)
    transaction.on_commit(_sealer(row.pk))


def _sealer(pk: int) -> Callable[[], None]:
    """Seal the packet once the intake has committed; a failure (the kit has not joined, the
    process stops) only delays it: `seal_pending` seals it before the next push."""

    def seal_after_commit() -> None:
        try:
            seal_one(pk)
        except Exception as exc:  # noqa: BLE001 - the intake has committed: never fail it here
            logger.warning(
                "outbox packet row %s not sealed yet (%s)", pk, getattr(exc, "code", type(exc))
            )

    return seal_after_commit


def seal_one(pk: int) -> OutboxPacket:
    """Seal the packet `pk` if it is not sealed yet, under its row's lock: exactly once."""
    with transaction.atomic():
        row = OutboxPacket.objects.select_for_update().get(pk=pk)
        if row.envelope is not None or row.state != OutboxPacket.State.WAITING:
            return row
        identity = KitIdentity.objects.first()
        if identity is None:
            raise errors.KIT_NOT_JOINED()
        fields, members = packet_members(row, kit_name=identity.name)
        envelope = packets.seal(
            fields,
            members,
            keys.signing_private_key(identity.signing_private_key_pem),
            keys.encryption_public_key(identity.district_encryption_public_key),
        )
        row.envelope, row.size = envelope, len(envelope)
        row.save(update_fields=["envelope", "size"])
        return row


def seal_pending() -> int:
    """Seal every packet still waiting without its envelope (before a push); how many were."""
    pending = OutboxPacket.objects.filter(state=OutboxPacket.State.WAITING, envelope__isnull=True)
    sealed = 0
    for pk in pending.values_list("pk", flat=True):
        if seal_one(pk).envelope is not None:
            sealed += 1
    return sealed


def envelope_of(row: OutboxPacket) -> bytes:
    """The sealed bytes (bytes, whatever the database driver hands back)."""
    if row.envelope is None:
        raise errors.KIT_NOT_JOINED()
    return bytes(row.envelope)


# ---------------------------------------------------------------- the packet's members


def packet_members(
    row: OutboxPacket, *, kit_name: str
) -> tuple[packets.ManifestFields, dict[str, bytes]]:
    """What the packet of `row`'s dossier holds (docs/field-kit.md#packets-of-a-finished-intake):
    `dossier.json`, each capture's bytes unchanged as `captures/<kind>-<slot>.<ext>`, and
    `audit.json`. Everything by natural keys (codes, numbers, ID numbers, usernames): the kit's own
    row ids mean nothing at the district."""
    if row.enrollment_id is None:  # pragma: no cover  (a packet row always has its dossier)
        raise errors.KIT_NOT_JOINED()
    enrollment = Enrollment.objects.select_related(
        "unit", "group", "exemption", "ticket", "ticket__group", "person", "person__residence_unit"
    ).get(pk=row.enrollment_id)
    artefacts = list(Artefact.objects.filter(enrollment=enrollment).order_by("kind", "slot"))
    captures: dict[str, bytes] = {}
    listed = []
    for artefact in artefacts:
        name = None
        if artefact.file:
            name = f"captures/{artefact.kind}-{artefact.slot}.{artefact.format or 'bin'}"
            with artefact.file.open("rb") as handle:
                captures[name] = handle.read()
        listed.append(_artefact_entry(artefact, name))
    new_person = NewPerson.objects.filter(person_id=enrollment.person_id).exists()
    dossier = _dossier_entry(enrollment, listed, new_person=new_person)
    trail = _audit_entries(enrollment, artefacts, new_person=new_person)
    members = {DOSSIER: _json(dossier), **captures, AUDIT: _json(trail)}
    fields = packets.ManifestFields(
        packet_id=row.packet_id,
        kit_id=kit_name,
        session_id=int(row.session_id),
        created_at=row.created_at,
    )
    return fields, members


def _json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _username(user: User | None) -> str:
    return user.username if user is not None else ""


def _dossier_entry(
    enrollment: Enrollment, artefacts: list[dict[str, Any]], *, new_person: bool
) -> dict[str, Any]:
    ticket = enrollment.ticket
    return {
        "format": DOSSIER_FORMAT,
        "version": DOSSIER_VERSION,
        "code": enrollment.code,
        "unit": enrollment.unit.code,
        "session_id": enrollment.session_id,
        "kind": enrollment.kind,
        "kind_reason": enrollment.kind_reason,
        "group": enrollment.group.code if enrollment.group else None,
        "law": enrollment.law,
        "fee": enrollment.fee,
        "exemption": enrollment.exemption.code if enrollment.exemption else None,
        "return_method": enrollment.return_method,
        "post_address": enrollment.post_address,
        "return_date": enrollment.return_date.isoformat() if enrollment.return_date else None,
        "received_at": _iso(enrollment.received_at),
        "received_by": _username(enrollment.received_by),
        "created_at": _iso(enrollment.created_at),
        "created_by": _username(enrollment.created_by),
        "ticket": _ticket_entry(ticket) if ticket is not None else None,
        "person": _person_entry(enrollment.person, new_person=new_person),
        "artefacts": artefacts,
    }


def made_on_kit(ticket: Ticket) -> bool:
    """Whether the number was handed out on this kit (a walk-in: a kit row id, unknown at the
    district) rather than loaded from the session's package (the district's id): the kit's own
    trail says so, since the package carries numbers and not their audit events."""
    return AuditEvent.objects.filter(
        object_type=Ticket._meta.label_lower, object_id=str(ticket.pk), action__in=KIT_ISSUE_ACTIONS
    ).exists()


def _ticket_entry(ticket: Ticket) -> dict[str, Any]:
    from_package = not made_on_kit(ticket)
    return {
        "id": ticket.pk if from_package else None,
        "from_package": from_package,
        "number": ticket.number,
        "kind": ticket.kind,
        "group": ticket.group.code if ticket.group else None,
        "class_name": ticket.class_name,
        "issued_at": _iso(ticket.issued_at),
        "issued_by": _username(ticket.issued_by),
        "called_at": _iso(ticket.called_at),
        "done_at": _iso(ticket.done_at),
    }


def _person_entry(person: Person, *, new_person: bool) -> dict[str, Any]:
    """The person by ID number; a new person (not in the package's slice) with their record."""
    entry: dict[str, Any] = {"personal_id": person.personal_id, "new_person": new_person}
    if new_person:
        for name in PERSON_FIELDS:
            value = getattr(person, name)
            entry[name] = value.isoformat() if hasattr(value, "isoformat") else value
        entry["residence_unit"] = person.residence_unit.path
    return entry


def _artefact_entry(artefact: Artefact, member: str | None) -> dict[str, Any]:
    return {
        "member": member,
        "kind": artefact.kind,
        "slot": artefact.slot,
        "format": artefact.format,
        "size": artefact.size,
        "sha256": artefact.sha256,
        "impossible_reason": artefact.impossible_reason,
        "quality": artefact.quality,
        "captured_at": _iso(artefact.captured_at),
        "captured_by": _username(artefact.captured_by),
    }


def _audit_entries(
    enrollment: Enrollment, artefacts: list[Artefact], *, new_person: bool
) -> list[dict[str, Any]]:
    """The kit's audit events of the dossier, its captures, its number and (for a new person) the
    person, oldest first, as `record` wrote them."""
    objects = Q(object_type=Enrollment._meta.label_lower, object_id=str(enrollment.pk))
    if artefacts:
        objects |= Q(
            object_type=Artefact._meta.label_lower,
            object_id__in=[str(a.pk) for a in artefacts],
        )
    if enrollment.ticket_id is not None:
        objects |= Q(object_type=Ticket._meta.label_lower, object_id=str(enrollment.ticket_id))
    if new_person:
        objects |= Q(object_type=Person._meta.label_lower, object_id=str(enrollment.person_id))
    found = AuditEvent.objects.filter(objects).order_by("at", "id")
    return [
        {
            "at": event.at.isoformat(),
            "actor_username": event.actor_username,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "before": event.before,
            "after": event.after,
            "source": event.source,
        }
        for event in found
    ]


# ---------------------------------------------------------------- sending and receipts


def pending() -> list[OutboxPacket]:
    """The packets to send, oldest first (sealed or not: `seal_pending` first)."""
    return list(
        OutboxPacket.objects.filter(
            state__in=[OutboxPacket.State.WAITING, OutboxPacket.State.SENT]
        ).order_by("created_at", "id")
    )


def mark_sent(row: OutboxPacket, *, error: str = "") -> None:
    """One try to send (`error`: why it failed, without personal data; empty: it went)."""
    row.attempts += 1
    row.last_attempt_at = timezone.now()
    row.last_error = error[:300]
    fields = ["attempts", "last_attempt_at", "last_error"]
    if not error and row.state == OutboxPacket.State.WAITING:
        row.state = OutboxPacket.State.SENT
        fields.append("state")
    row.save(update_fields=fields)


def mark_receipt(row: OutboxPacket, receipt_bytes: bytes) -> receipts.Receipt:
    """The district's answer to `row`, checked against its signing key and the packet's id.

    Accepted, duplicate or conflict: the district holds the packet, so its bytes go and the row is
    acknowledged. Refused: the row says why and keeps its bytes, for the team leader to act on.
    A receipt that does not check (`RECEIPT_*`) changes nothing but `last_error`, and is raised."""
    identity = KitIdentity.objects.first()
    if identity is None:
        raise errors.KIT_NOT_JOINED()
    district = keys.signing_public_key(identity.district_signing_public_key)
    try:
        found = receipts.check_receipt(receipt_bytes, district, row.packet_id)
    except DomainError as exc:
        OutboxPacket.objects.filter(pk=row.pk).update(last_error=exc.code)
        raise
    with transaction.atomic():
        locked = OutboxPacket.objects.select_for_update().select_related("session__unit")
        row = locked.get(pk=row.pk)
        row.outcome, row.reason, row.receipt = found.outcome.value, found.reason, receipt_bytes
        row.last_error = ""
        if found.outcome == receipts.Outcome.REFUSED:
            row.state = OutboxPacket.State.REFUSED
        else:
            row.state, row.envelope = OutboxPacket.State.ACKNOWLEDGED, None
            row.acknowledged_at = timezone.now()
        row.save()
        record(
            "kit.packet_receipt",
            actor=None,
            unit=row.session.unit,
            obj=row,
            after={"outcome": row.outcome, "reason": row.reason},
        )
    return found


def outbox_counts() -> dict[str, Any]:
    """How many packets are in each state, and since when the oldest not yet acknowledged has
    waited (`oldest_waiting_at`: waiting or sent without a receipt; None when there is none)."""
    counts = dict.fromkeys(OutboxPacket.State.values, 0)
    for state, count in (
        OutboxPacket.objects.order_by().values_list("state").annotate(count=Count("id"))
    ):
        counts[state] = count
    oldest = OutboxPacket.objects.filter(
        state__in=[OutboxPacket.State.WAITING, OutboxPacket.State.SENT]
    ).aggregate(oldest=Min("created_at"))["oldest"]
    return {**counts, "oldest_waiting_at": oldest}


def envelope_sha256(row: OutboxPacket) -> str:
    """The SHA-256 of the sealed envelope (the transport's resumable upload names it)."""
    return hashlib.sha256(envelope_of(row)).hexdigest()
