"""The district's side of a packet: check it, take the intake in once, answer with a receipt
(docs/field-kit.md#what-the-district-does-with-a-packet).

`receive_packet(envelope, kit_name=…, clock_offset_seconds=…)` is the one call the transport makes
per packet; it returns the signed receipt to send back. It never raises for a bad packet — a
refusal is a receipt too — except for an envelope so broken that not even its packet id can be read
(`read_packet_id`), which raises the packet library's `DomainError` for the caller to answer 4xx.

The packet id is the key (`ReceivedPacket.packet_id`, unique): a packet decided before (accepted
or conflict) gets a `duplicate` receipt and creates nothing. A packet **refused** before is decided
again, because a refusal may be lifted (a session checked out again, a kit re-paired) and because
the packet id travels in the clear: a stranger's garbage under a real packet's id must not make
the true packet a "duplicate" that the kit would then delete.

Everything a packet creates — the person if new, the dossier, its captures, its number, its audit
events, the `kit.packet_received` event, the dashboard's counters (through
`events.IntakeFinished`) and the `ReceivedPacket` row — is written in one transaction; a check that
fails rolls all of it back and deletes any capture file already written. Two deliveries of one
packet at once: the second waits on (PostgreSQL) or is serialised behind (SQLite) the first's
`ReceivedPacket` insert, fails on its unique key and is decided again, as a duplicate.

The duplicate guard is the district's own data: a person with an open application (a draft or any
dossier not delivered, rejected or cancelled: taken at the office, or received from another kit)
gets no second one. The packet is kept, as a file beside its `ReceivedPacket` row, for someone to
review, and the kit is told `conflict`.

The kit's clock may be wrong by hours. Its times are read, not trusted: when the transport measured
it more than `CLOCK_TOLERANCE` away from the server's (`clock_offset_seconds`, the kit's time minus
the server's), every time of the intake (the dossier's, its captures', its number's and its audit
events') is stored corrected by that offset, each audit event keeps the kit's own time in
`after["_kit"]["at"]`, and the `ReceivedPacket` row says so in its `reason`.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Campaign, PriorityGroup, Session
from cccd.core import names
from cccd.enrollments import events
from cccd.enrollments.models import Artefact, Enrollment, FeeExemption, Kind, stored_name
from cccd.errors import DomainError
from cccd.fieldkit import envelope as envelope_format
from cccd.fieldkit import errors as packet_errors
from cccd.fieldkit import keys, packets, receipts
from cccd.kits import errors
from cccd.kits.models import Checkout, DistrictKeys, Kit, NewPerson, ReceivedPacket
from cccd.registry.models import Person
from cccd.tickets.models import SessionQueue, Ticket
from cccd.units.models import Unit

logger = logging.getLogger(__name__)

CLOCK_TOLERANCE = datetime.timedelta(minutes=5)
"""A kit's clock this far from the server's is left alone; beyond it, its times are corrected."""
MAX_DOSSIER_BYTES = 256 * 1024
MAX_AUDIT_BYTES = 4 * 1024 * 1024
MAX_AUDIT_EVENTS = 2000
MAX_QUALITY_BYTES = 16 * 1024
MAX_ARTEFACTS = 32
CHECKIN_COUNT_KEY = "dossiers"
"""The key of a check-in summary (`Checkout.summary`) holding how many dossiers the kit finished in
the session: after check-in, packets are taken until that many have been received."""
KIT_OBJECT_TYPES = frozenset(
    {"enrollments.enrollment", "enrollments.artefact", "tickets.ticket", "registry.person"}
)
_ACTION = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
_PERSONAL_ID = re.compile(r"[0-9]{12}")
_FORMAT = re.compile(r"[a-z0-9]{1,16}")
_USERNAME_MAX = 150


# ---------------------------------------------------------------- the entry point


def read_packet_id(envelope: bytes) -> uuid.UUID:
    """The packet id of the envelope's header, or the library's refusal when there is no header
    to read it from (too large, not a packet, cut short, another version)."""
    limit = packets.LIMITS.max_envelope_bytes
    if len(envelope) > limit:
        raise packet_errors.PACKET_TOO_LARGE(
            size=envelope_format.megabytes(len(envelope)), limit=envelope_format.megabytes(limit)
        )
    magic = envelope_format.MAGIC
    if envelope[: len(magic)] != magic[: len(envelope)]:
        raise packet_errors.PACKET_NOT_A_PACKET()
    if len(envelope) < envelope_format.HEADER_BYTES + envelope_format.TAG_BYTES:
        raise packet_errors.PACKET_TRUNCATED(size=len(envelope))
    if envelope[len(magic)] != envelope_format.VERSION:
        raise packet_errors.PACKET_VERSION_UNSUPPORTED(
            version=envelope[len(magic)], supported=envelope_format.VERSION
        )
    start = len(magic) + 1
    return uuid.UUID(bytes=bytes(envelope[start : start + 16]))


def receive_packet(
    envelope: bytes, *, kit_name: str | None = None, clock_offset_seconds: int = 0
) -> bytes:
    """Decide on one packet and return the signed receipt (see the module's docstring).

    `kit_name`: the kit the transport authenticated the request as (its packets must be its own);
    None tries every unit's keys. `clock_offset_seconds`: the kit's clock minus the server's, as
    the transport measured it on this request."""
    packet_id = read_packet_id(envelope)
    try:
        return _receive(envelope, packet_id, kit_name, clock_offset_seconds)
    except IntegrityError:
        # another delivery of this packet (or an intake of this person at the office) committed
        # first: decided again, it is now a duplicate (or a conflict)
        return _receive(envelope, packet_id, kit_name, clock_offset_seconds)


def _receive(envelope: bytes, packet_id: uuid.UUID, kit_name: str | None, offset: int) -> bytes:
    decided = ReceivedPacket.objects.filter(packet_id=packet_id).exclude(
        outcome=ReceivedPacket.Outcome.REFUSED
    )
    if decided.exists():
        return _duplicate(decided.select_related("kit__unit").get())
    candidates = _candidate_keys(kit_name)
    opened: packets.OpenedPacket | None = None
    signer = candidates[0]
    refusal: DomainError | None = None
    for district in candidates:
        signer = district
        try:
            opened = packets.open_packet(
                envelope,
                keys.encryption_private_key(district.encryption_private_key_pem),
                _paired_kits(district.unit_id),
            )
            refusal = None
            break
        except DomainError as exc:
            refusal = exc
            if exc.code != packet_errors.PACKET_UNDECRYPTABLE.code:
                break
    if opened is None:
        assert refusal is not None  # noqa: S101  (no key opened it: one refusal at least)
        return _refuse(packet_id, envelope, signer, refusal, kit=None, session_id=None)
    kit = Kit.objects.select_related("unit").get(name=opened.fields.kit_id)
    try:
        if kit_name is not None and kit_name != kit.name:
            raise errors.PACKET_KIT_MISMATCH(named=kit.name, sender=kit_name)
        with transaction.atomic():
            return _take(envelope, opened, kit, signer, offset)
    except DomainError as exc:
        return _refuse(
            packet_id, envelope, signer, exc, kit=kit, session_id=opened.fields.session_id
        )


def _candidate_keys(kit_name: str | None) -> list[DistrictKeys]:
    found = DistrictKeys.objects.order_by("pk")
    if kit_name is not None:
        unit_id = Kit.objects.filter(name=kit_name).values_list("unit_id", flat=True).first()
        found = found.filter(unit_id=unit_id) if unit_id is not None else found.none()
    candidates = list(found)
    if not candidates:
        raise errors.PACKET_NO_DISTRICT_KEYS()
    return candidates


def _paired_kits(unit_id: int) -> dict[str, Any]:
    """The signing keys of the unit's paired kits: a revoked or unpaired kit is left out, so its
    packets are refused as from an unknown kit."""
    paired = Kit.objects.filter(unit_id=unit_id, state=Kit.State.PAIRED).exclude(
        signing_public_key=""
    )
    return {kit.name: keys.signing_public_key(kit.signing_public_key) for kit in paired}


def _signing_key(district: DistrictKeys) -> Any:
    return keys.signing_private_key(district.signing_private_key_pem)


def duplicate_receipt(row: ReceivedPacket) -> bytes:
    """A fresh signed `duplicate` receipt for a packet decided before (accepted or conflict): the
    answer to a kit whose first receipt was lost on the way."""
    return _duplicate(row)


def _duplicate(row: ReceivedPacket) -> bytes:
    district = DistrictKeys.objects.get(unit_id=row.kit.unit_id) if row.kit else None
    if district is None:  # pragma: no cover  (accepted and conflict rows always name their kit)
        raise errors.PACKET_NO_DISTRICT_KEYS()
    return receipts.receipt(row.packet_id, receipts.Outcome.DUPLICATE, "", _signing_key(district))


def _reason(exc: DomainError) -> str:
    return f"{exc.code}: {exc.message}"[: receipts.MAX_REASON_LENGTH]


def _refuse(
    packet_id: uuid.UUID,
    envelope: bytes,
    district: DistrictKeys,
    exc: DomainError,
    *,
    kit: Kit | None,
    session_id: int | None,
) -> bytes:
    """A refusal, recorded (a refused row never blocks the packet sent again) and signed."""
    reason = _reason(exc)
    receipt = receipts.receipt(packet_id, receipts.Outcome.REFUSED, reason, _signing_key(district))
    session = Session.objects.filter(pk=session_id).first() if session_id else None
    with transaction.atomic():
        row = ReceivedPacket.objects.select_for_update().filter(packet_id=packet_id).first()
        if row is not None and row.outcome != ReceivedPacket.Outcome.REFUSED:
            return _duplicate(row)  # decided meanwhile by another delivery
        row = row or ReceivedPacket(packet_id=packet_id)
        row.kit, row.session, row.outcome = kit, session, ReceivedPacket.Outcome.REFUSED
        row.reason_code, row.reason = exc.code, reason
        row.received_at, row.size = timezone.now(), len(envelope)
        row.sha256, row.receipt = hashlib.sha256(envelope).hexdigest(), receipt
        row.save()
    logger.info("packet %s refused: %s", packet_id, exc.code)
    return receipt


# ---------------------------------------------------------------- taking a packet in


@dataclass
class _Context:
    """What one packet's ingestion has found so far, and the files it wrote (to delete on a
    rollback)."""

    opened: packets.OpenedPacket
    kit: Kit
    session: Session
    offset: datetime.timedelta
    written: list[str]

    def kit_time(self, moment: datetime.datetime) -> datetime.datetime:
        """A time of the kit's clock, corrected when that clock was off by more than the
        tolerance."""
        return moment - self.offset


def _take(
    envelope: bytes,
    opened: packets.OpenedPacket,
    kit: Kit,
    district: DistrictKeys,
    offset_seconds: int,
) -> bytes:
    """The packet taken in, in the caller's transaction: accepted, or a conflict kept for review.
    A refusal raises (`DomainError`) and rolls everything back."""
    packet_id = opened.fields.packet_id
    row = ReceivedPacket.objects.select_for_update().filter(packet_id=packet_id).first()
    if row is not None and row.outcome != ReceivedPacket.Outcome.REFUSED:
        return _duplicate(row)
    if row is None:  # the unique key: a second delivery now waits here, then fails and retries
        row = ReceivedPacket.objects.create(
            packet_id=packet_id, outcome=ReceivedPacket.Outcome.REFUSED, kit=kit
        )
    offset = datetime.timedelta(seconds=offset_seconds)
    if abs(offset) <= CLOCK_TOLERANCE:
        offset = datetime.timedelta(0)
    session = _checked_out_session(opened, kit)
    context = _Context(opened=opened, kit=kit, session=session, offset=offset, written=[])
    storage = Artefact._meta.get_field("file").storage
    try:
        dossier = read_dossier(opened.members.get("dossier.json"))
        trail = read_audit(opened.members.get("audit.json"))
        _check_code(dossier, context)
        outcome, reason, enrollment = _create(dossier, trail, context, packet_id)
        if outcome == ReceivedPacket.Outcome.CONFLICT:  # kept, as sent, for the review
            row.envelope.save(f"{packet_id}.pkt", ContentFile(envelope), save=False)
            context.written.append(stored_name(row.envelope))
        receipt = receipts.receipt(
            packet_id,
            receipts.Outcome(outcome),
            reason if outcome == ReceivedPacket.Outcome.CONFLICT else "",
            _signing_key(district),
        )
        row.kit, row.session, row.outcome, row.enrollment = kit, session, outcome, enrollment
        row.reason_code = errors.PACKET_CONFLICT_OPEN_DOSSIER.code if enrollment is None else ""
        row.reason = reason
        row.received_at, row.kit_created_at = timezone.now(), opened.fields.created_at
        row.size, row.sha256 = len(envelope), hashlib.sha256(envelope).hexdigest()
        row.manifest, row.manifest_signature = opened.manifest, opened.signature.decode("ascii")
        row.receipt = receipt
        row.save()
    except BaseException:  # nothing half-written: the rows roll back, the files go now
        for name in context.written:
            storage.delete(name)
        raise
    return receipt


def _checked_out_session(opened: packets.OpenedPacket, kit: Kit) -> Session:
    """The packet's session, which must have been checked out to this kit (now or before its
    check-in: a packet finished before check-in may arrive after it)."""
    session_id = opened.fields.session_id
    if not Checkout.objects.filter(kit=kit, session_id=session_id).exists():
        raise errors.PACKET_SESSION_NOT_CHECKED_OUT(session=session_id, kit=kit.name)
    return Session.objects.select_related("unit", "campaign").get(pk=session_id)


def _check_code(dossier: Dossier, context: _Context) -> None:
    """The code is the session's unit's, within a block this kit was given for this session; a
    packet after that checkout's check-in only while the kit's count allows."""
    session, kit = context.session, context.kit
    if dossier.session_id != session.pk:
        raise errors.PACKET_DOSSIER_INVALID(field="session_id")
    if dossier.unit != session.unit.code:
        raise errors.PACKET_DOSSIER_INVALID(field="unit")
    match = re.fullmatch(re.escape(session.unit.code) + r"-([0-9]{6})-([0-9]{6,12})", dossier.code)
    if match is None:
        raise errors.PACKET_DOSSIER_INVALID(field="code")
    number = int(match.group(2))
    checkout = Checkout.objects.filter(
        kit=kit,
        session=session,
        code_block_start__lte=number,
        code_block_end__gte=number,
    ).first()
    if checkout is None:
        raise errors.PACKET_CODE_OUTSIDE_BLOCK(code=dossier.code, session=session.pk)
    if checkout.state == Checkout.State.CHECKED_IN:
        _check_after_checkin(checkout)


def _check_after_checkin(checkout: Checkout) -> None:
    count = (checkout.summary or {}).get(CHECKIN_COUNT_KEY)
    if not isinstance(count, int) or isinstance(count, bool):
        return  # the kit said nothing countable: a finished intake is never turned away for it
    taken = ReceivedPacket.objects.filter(
        kit=checkout.kit,
        session=checkout.session,
        outcome__in=[ReceivedPacket.Outcome.ACCEPTED, ReceivedPacket.Outcome.CONFLICT],
        received_at__gte=checkout.checked_out_at,
    ).count()
    if taken >= count:
        raise errors.PACKET_AFTER_CHECKIN(session=checkout.session_id, count=count)


def _create(
    dossier: Dossier, trail: list[AuditEntry], context: _Context, packet_id: uuid.UUID
) -> tuple[str, str, Enrollment | None]:
    """The person, then the duplicate guard, then the dossier and all that comes with it."""
    person, created = _person(dossier, context, packet_id)
    if not created:
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one intake at a time
        other = (
            Enrollment.objects.filter(person=person)
            .exclude(state__in=Enrollment.CLOSED_STATES)
            .first()
        )
        if other is not None:
            exc = errors.PACKET_CONFLICT_OPEN_DOSSIER(code=other.code or _("a draft"))
            record(
                "kit.packet_conflict",
                actor=None,
                unit=context.session.unit,
                obj=other,
                after={"packet_id": str(packet_id), "kit": context.kit.name},
            )
            return ReceivedPacket.Outcome.CONFLICT, _reason(exc), None
    if Enrollment.objects.filter(code=dossier.code).exists():
        raise errors.PACKET_CODE_TAKEN(code=dossier.code)
    users = _users(dossier, trail)
    ticket = _ticket(dossier, person, users, context)
    enrollment = _enrollment(dossier, person, ticket, users, context)
    artefacts = _artefacts(dossier, enrollment, users, context)
    _replay(trail, enrollment, ticket, person, artefacts, users, context)
    offset = int(context.offset.total_seconds())
    record(
        "kit.packet_received",
        actor=None,
        unit=context.session.unit,
        obj=enrollment,
        after={
            "packet_id": str(packet_id),
            "kit": context.kit.name,
            "clock_offset_seconds": offset,
            "new_person": created,
        },
    )
    events.emit(events.IntakeFinished(enrollment))
    reason = ""
    if offset:
        reason = _(
            "The kit's clock was %(seconds)s seconds off the district's (kit minus district): "
            "the intake's times were corrected."
        ) % {"seconds": offset}
    return ReceivedPacket.Outcome.ACCEPTED, reason, enrollment


def _person(dossier: Dossier, context: _Context, packet_id: uuid.UUID) -> tuple[Person, bool]:
    """The register's person by ID number; a new person the kit captured, made here (to be
    checked against the population database: `NewPerson`)."""
    found = Person.objects.filter(personal_id=dossier.person.personal_id).first()
    if found is not None:
        return found, False
    new = dossier.person
    if not new.new_person or new.record is None:
        raise errors.PACKET_PERSON_UNKNOWN()
    data = new.record
    family, _middle, given = names.split(data["full_name"])
    person = Person.objects.create(
        personal_id=new.personal_id,
        name_folded=names.fold(data["full_name"]),
        family_folded=names.fold(family)[:40],
        given_folded=names.fold(given)[:40],
        birth_year=data["birth_date"].year,
        **data,
    )
    NewPerson.objects.create(
        person=person,
        packet_id=packet_id,
        created_at=context.kit_time(dossier.created_at),
        created_by=User.objects.filter(username=dossier.created_by).first(),
    )
    return person, True


def _users(dossier: Dossier, trail: list[AuditEntry]) -> dict[str, User]:
    """The district's users the packet names, by username (one named but unknown here is left
    empty; the audit events keep the name)."""
    wanted = {dossier.created_by, dossier.received_by, *(e.actor_username for e in trail)}
    wanted |= {a.captured_by for a in dossier.artefacts}
    if dossier.ticket is not None:
        wanted.add(dossier.ticket.issued_by)
    wanted.discard("")
    return {user.username: user for user in User.objects.filter(username__in=wanted)}


def _ticket(
    dossier: Dossier, person: Person, users: dict[str, User], context: _Context
) -> Ticket | None:
    """The number at the district, done: the package's (same id) or the kit's walk-in, made here
    with the kit's number when it is free in the session, else the next free one."""
    entry, session = dossier.ticket, context.session
    if entry is None:
        return None
    done_at = context.kit_time(entry.done_at or dossier.received_at)
    if entry.id is not None:  # a number of the package (`from_package`): the district's row
        ticket = (
            Ticket.objects.select_for_update()
            .filter(pk=entry.id, session=session, number=entry.number)
            .first()
        )
        if ticket is None:
            raise errors.PACKET_TICKET_UNKNOWN(number=f"{entry.number:04d}", session=session.pk)
        ticket.state, ticket.done_at = Ticket.State.DONE, done_at
        ticket.person = ticket.person or person
        ticket.save(update_fields=["state", "done_at", "person"])
        return ticket
    queue = SessionQueue.objects.select_for_update().filter(session=session).first()
    number = entry.number
    if Ticket.objects.filter(session=session, number=number).exists():
        highest = Ticket.objects.filter(session=session).order_by("-number").first()
        number = max(highest.number if highest else 0, queue.last_number if queue else 0) + 1
    ticket = Ticket.objects.create(
        session=session,
        number=number,
        kind=entry.kind,
        group=_group(entry.group, "ticket.group"),
        person=person,
        class_name=entry.class_name,
        state=Ticket.State.DONE,
        line_at=context.kit_time(entry.issued_at),
        issued_at=context.kit_time(entry.issued_at),
        issued_by=users.get(entry.issued_by),
        called_at=context.kit_time(entry.called_at) if entry.called_at else None,
        done_at=done_at,
    )
    if queue is not None and number > queue.last_number:
        queue.last_number = number
        queue.save(update_fields=["last_number"])
    return ticket


def _group(code: str | None, field: str) -> PriorityGroup | None:
    if code is None:
        return None
    group = PriorityGroup.objects.filter(code=code).first()
    if group is None:
        raise errors.PACKET_DOSSIER_INVALID(field=field)
    return group


def _enrollment(
    dossier: Dossier,
    person: Person,
    ticket: Ticket | None,
    users: dict[str, User],
    context: _Context,
) -> Enrollment:
    exemption = None
    if dossier.exemption is not None:
        exemption = FeeExemption.objects.filter(code=dossier.exemption).first()
        if exemption is None:
            raise errors.PACKET_DOSSIER_INVALID(field="exemption")
    received_at = context.kit_time(dossier.received_at)
    return Enrollment.objects.create(
        code=dossier.code,
        unit=context.session.unit,
        campaign=context.session.campaign,
        session=context.session,
        ticket=ticket,
        person=person,
        kind=dossier.kind,
        kind_reason=dossier.kind_reason,
        group=_group(dossier.group, "group"),
        law=dossier.law,
        fee=dossier.fee,
        exemption=exemption,
        return_method=dossier.return_method,
        post_address=dossier.post_address,
        state=Enrollment.State.CAPTURED,
        state_changed_at=received_at,
        state_changed_by=users.get(dossier.received_by),
        return_date=dossier.return_date,
        created_at=context.kit_time(dossier.created_at),
        created_by=users.get(dossier.created_by),
        received_at=received_at,
        received_by=users.get(dossier.received_by),
    )


def _artefacts(
    dossier: Dossier, enrollment: Enrollment, users: dict[str, User], context: _Context
) -> dict[tuple[str, int], Artefact]:
    """The captures, each file byte for byte as the kit signed it and as its entry describes it
    (size and SHA-256), saved through the default storage. Every capture member is one entry's."""
    members = context.opened.members
    captures = {name for name in members if name not in ("dossier.json", "audit.json")}
    made: dict[tuple[str, int], Artefact] = {}
    for entry in dossier.artefacts:
        if (entry.kind, entry.slot) in made:
            raise errors.PACKET_DOSSIER_INVALID(field="artefacts")
        artefact = Artefact(
            enrollment=enrollment,
            kind=entry.kind,
            slot=entry.slot,
            format=entry.format,
            impossible_reason=entry.impossible_reason,
            quality=entry.quality,
            captured_at=context.kit_time(entry.captured_at),
            captured_by=users.get(entry.captured_by),
        )
        if entry.member is not None:
            data = members.get(entry.member)
            if (
                data is None
                or entry.member not in captures
                or len(data) != entry.size
                or hashlib.sha256(data).hexdigest() != entry.sha256
            ):
                raise errors.PACKET_CAPTURE_INVALID(name=entry.member)
            captures.discard(entry.member)
            artefact.size, artefact.sha256 = entry.size, entry.sha256
            name = f"{enrollment.code}-{entry.kind}-{entry.slot}-{entry.sha256[:12]}.{entry.format}"
            artefact.file.save(name, ContentFile(data), save=False)
            context.written.append(stored_name(artefact.file))
        elif not entry.impossible_reason:
            raise errors.PACKET_DOSSIER_INVALID(field="artefacts.impossible_reason")
        made[(entry.kind, entry.slot)] = artefact
    if captures:
        raise errors.PACKET_CAPTURE_INVALID(name=sorted(captures)[0])
    Artefact.objects.bulk_create(made.values())
    return made


def _replay(
    trail: list[AuditEntry],
    enrollment: Enrollment,
    ticket: Ticket | None,
    person: Person,
    artefacts: dict[tuple[str, int], Artefact],
    users: dict[str, User],
    context: _Context,
) -> None:
    """The kit's audit events, written again with their own time (corrected if the kit's clock
    was off), actor and content; each names the district's object and keeps the kit's own id and
    time in `after["_kit"]`."""
    objects: dict[str, tuple[str, str]] = {
        "enrollments.enrollment": (str(enrollment.pk), str(enrollment)),
        "registry.person": (str(person.pk), f"#{person.pk}"),
    }
    if ticket is not None:
        objects["tickets.ticket"] = (str(ticket.pk), ticket.display)
    packet_id = str(context.opened.fields.packet_id)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=context.kit_time(entry.at),
            actor=users.get(entry.actor_username),
            actor_username=entry.actor_username,
            action=entry.action,
            object_type=entry.object_type,
            object_id=objects.get(entry.object_type, ("", ""))[0],
            object_repr=objects.get(entry.object_type, ("", ""))[1],
            unit=context.session.unit,
            before=entry.before,
            after={
                **(entry.after or {}),
                "_kit": {
                    "at": entry.at.isoformat(),
                    "object_id": entry.object_id,
                    "source": entry.source,
                    "packet_id": packet_id,
                },
            },
            source=f"kit:{context.kit.name}"[:100],
        )
        for entry in trail
    )


# ---------------------------------------------------------------- reading dossier.json, audit.json


@dataclass(frozen=True)
class TicketEntry:
    id: int | None
    from_package: bool
    number: int
    kind: str
    group: str | None
    class_name: str
    issued_at: datetime.datetime
    issued_by: str
    called_at: datetime.datetime | None
    done_at: datetime.datetime | None


@dataclass(frozen=True)
class PersonEntry:
    personal_id: str
    new_person: bool
    record: dict[str, Any] | None  # a new person's fields, ready for `Person(**record)`


@dataclass(frozen=True)
class ArtefactEntry:
    member: str | None
    kind: str
    slot: int
    format: str
    size: int
    sha256: str
    impossible_reason: str
    quality: dict[str, Any]
    captured_at: datetime.datetime
    captured_by: str


@dataclass(frozen=True)
class Dossier:
    code: str
    unit: str
    session_id: int
    kind: str
    kind_reason: str
    group: str | None
    law: str
    fee: int | None
    exemption: str | None
    return_method: str
    post_address: str
    return_date: datetime.date
    received_at: datetime.datetime
    received_by: str
    created_at: datetime.datetime
    created_by: str
    ticket: TicketEntry | None
    person: PersonEntry
    artefacts: list[ArtefactEntry]


@dataclass(frozen=True)
class AuditEntry:
    at: datetime.datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    source: str


class _Fields:
    """One JSON object of the packet, read field by field: every value of the type and within the
    bounds the district's columns take, or `error(field=…)` naming it."""

    def __init__(self, data: object, path: str, error: Any) -> None:
        if not isinstance(data, dict):
            raise error(field=path or "(document)")
        self.data, self.path, self.error = data, path, error

    def fail(self, key: str) -> DomainError:
        return self.error(field=f"{self.path}.{key}" if self.path else key)  # type: ignore[no-any-return]

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        if key not in self.data:
            raise self.fail(key)
        return self.data[key]

    def text(self, key: str, max_length: int, *, blank: bool = True) -> str:
        value = self.raw(key)
        if not isinstance(value, str) or len(value) > max_length or (not blank and not value):
            raise self.fail(key)
        if any(ord(c) < 32 for c in value):
            raise self.fail(key)
        return value

    def optional_text(self, key: str, max_length: int) -> str | None:
        if self.raw(key) is None:
            return None
        return self.text(key, max_length, blank=False)

    def choice(self, key: str, choices: list[str] | frozenset[str]) -> str:
        value = self.raw(key)
        if value not in choices:
            raise self.fail(key)
        return str(value)

    def integer(self, key: str, low: int, high: int) -> int:
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(key)
        return value

    def optional_integer(self, key: str, low: int, high: int) -> int | None:
        return None if self.raw(key) is None else self.integer(key, low, high)

    def boolean(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key)
        return value

    def moment(self, key: str) -> datetime.datetime:
        value = self.raw(key)
        if not isinstance(value, str) or len(value) > 40:
            raise self.fail(key)
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(key) from None
        if parsed.utcoffset() is None or not 2000 <= parsed.year <= 2200:
            raise self.fail(key)
        return parsed

    def optional_moment(self, key: str) -> datetime.datetime | None:
        return None if self.raw(key) is None else self.moment(key)

    def day(self, key: str) -> datetime.date:
        value = self.raw(key)
        if not isinstance(value, str) or len(value) != 10:
            raise self.fail(key)
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise self.fail(key) from None

    def json_object(self, key: str, max_bytes: int, *, nullable: bool = False) -> Any:
        value = self.raw(key)
        if value is None and nullable:
            return None
        if not isinstance(value, dict):
            raise self.fail(key)
        if len(json.dumps(value, ensure_ascii=False)) > max_bytes:
            raise self.fail(key)
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self.raw(key), f"{self.path}.{key}" if self.path else key, self.error)


def _parse(data: bytes | None, limit: int, name: str, error: Any) -> Any:
    """JSON as the manifest is read: UTF-8, one value, no key given twice, no NaN, bounded."""
    if data is None or len(data) > limit:
        raise error(field=name)

    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found = dict(pairs)
        if len(found) != len(pairs):
            raise error(field=name)
        return found

    def no_constants(_: str) -> Any:
        raise error(field=name)

    try:
        return json.loads(
            data.decode("utf-8"), object_pairs_hook=no_repeats, parse_constant=no_constants
        )
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise error(field=name) from None


def read_dossier(data: bytes | None) -> Dossier:
    """`dossier.json`, every field checked (PACKET_DOSSIER_INVALID names the first wrong one)."""
    error = errors.PACKET_DOSSIER_INVALID
    fields = _Fields(_parse(data, MAX_DOSSIER_BYTES, "dossier.json", error), "", error)
    if fields.raw("format") != "cccd-field-dossier":
        raise fields.fail("format")
    if fields.raw("version") != 1:
        raise fields.fail("version")
    ticket = None if fields.raw("ticket") is None else _read_ticket(fields.child("ticket"))
    artefacts = fields.raw("artefacts")
    if not isinstance(artefacts, list) or len(artefacts) > MAX_ARTEFACTS:
        raise fields.fail("artefacts")
    return Dossier(
        code=fields.text("code", 32, blank=False),
        unit=fields.text("unit", 16, blank=False),
        session_id=fields.integer("session_id", 1, 2**63 - 1),
        kind=fields.choice("kind", Kind.values),
        kind_reason=fields.text("kind_reason", 300),
        group=fields.optional_text("group", 32),
        law=fields.choice("law", Campaign.Law.values),
        fee=fields.optional_integer("fee", 0, 100_000_000),
        exemption=fields.optional_text("exemption", 40),
        return_method=fields.choice("return_method", Enrollment.ReturnMethod.values),
        post_address=fields.text("post_address", 300),
        return_date=fields.day("return_date"),
        received_at=fields.moment("received_at"),
        received_by=fields.text("received_by", _USERNAME_MAX),
        created_at=fields.moment("created_at"),
        created_by=fields.text("created_by", _USERNAME_MAX),
        ticket=ticket,
        person=_read_person(fields.child("person")),
        artefacts=[
            _read_artefact(_Fields(item, f"artefacts.{i}", error))
            for i, item in enumerate(artefacts)
        ],
    )


def _read_ticket(fields: _Fields) -> TicketEntry:
    from_package = fields.boolean("from_package")
    ticket_id = fields.integer("id", 1, 2**63 - 1) if from_package else None
    return TicketEntry(
        id=ticket_id,
        from_package=from_package,
        number=fields.integer("number", 1, 999_999),
        kind=fields.choice("kind", Ticket.Kind.values),
        group=fields.optional_text("group", 32),
        class_name=fields.text("class_name", 40),
        issued_at=fields.moment("issued_at"),
        issued_by=fields.text("issued_by", _USERNAME_MAX),
        called_at=fields.optional_moment("called_at"),
        done_at=fields.optional_moment("done_at"),
    )


_PERSON_TEXT = {
    "full_name": 120,
    "hometown": 300,
    "permanent_address": 300,
    "ethnicity": 40,
    "religion": 40,
    "old_id_number": 12,
    "father_name": 120,
    "mother_name": 120,
}


def _read_person(fields: _Fields) -> PersonEntry:
    personal_id = fields.text("personal_id", 12, blank=False)
    if not _PERSONAL_ID.fullmatch(personal_id):
        raise fields.fail("personal_id")
    new_person = fields.boolean("new_person")
    if not new_person:
        return PersonEntry(personal_id=personal_id, new_person=False, record=None)
    record_: dict[str, Any] = {key: fields.text(key, n) for key, n in _PERSON_TEXT.items()}
    if not record_["full_name"].strip():
        raise fields.fail("full_name")
    province = fields.text("birth_province_code", 3, blank=False)
    if not province.isdigit():
        raise fields.fail("birth_province_code")
    unit = Unit.objects.filter(path=fields.text("residence_unit", 120, blank=False)).first()
    if unit is None:
        raise fields.fail("residence_unit")
    record_.update(
        birth_date=fields.day("birth_date"),
        birth_date_precision=fields.choice("birth_date_precision", Person.Precision.values),
        sex=fields.choice("sex", Person.Sex.values),
        birth_province_code=province,
        residence_unit=unit,
    )
    return PersonEntry(personal_id=personal_id, new_person=True, record=record_)


def _read_artefact(fields: _Fields) -> ArtefactEntry:
    member = fields.optional_text("member", packets.MAX_NAME_LENGTH)
    file_format = fields.text("format", 16)
    sha256 = fields.text("sha256", 64)
    if member is not None and (
        not _FORMAT.fullmatch(file_format) or not re.fullmatch(r"[0-9a-f]{64}", sha256)
    ):
        raise fields.fail("member")
    return ArtefactEntry(
        member=member,
        kind=fields.choice("kind", Artefact.Kind.values),
        slot=fields.integer("slot", 0, 10),
        format=file_format,
        size=fields.integer("size", 0, packets.LIMITS.max_member_bytes),
        sha256=sha256,
        impossible_reason=fields.text("impossible_reason", 200),
        quality=fields.json_object("quality", MAX_QUALITY_BYTES),
        captured_at=fields.moment("captured_at"),
        captured_by=fields.text("captured_by", _USERNAME_MAX),
    )


def read_audit(data: bytes | None) -> list[AuditEntry]:
    """`audit.json`: a list of the kit's audit events, each checked (PACKET_AUDIT_INVALID)."""
    error = errors.PACKET_AUDIT_INVALID
    document = _parse(data, MAX_AUDIT_BYTES, "audit.json", error)
    if not isinstance(document, list) or len(document) > MAX_AUDIT_EVENTS:
        raise error(field="audit.json")
    entries = []
    for i, item in enumerate(document):
        fields = _Fields(item, f"event {i}", error)
        action = fields.text("action", 64, blank=False)
        if not _ACTION.fullmatch(action):
            raise fields.fail("action")
        entries.append(
            AuditEntry(
                at=fields.moment("at"),
                actor_username=fields.text("actor_username", _USERNAME_MAX),
                action=action,
                object_type=fields.choice("object_type", KIT_OBJECT_TYPES),
                object_id=fields.text("object_id", 64),
                before=fields.json_object("before", MAX_QUALITY_BYTES, nullable=True),
                after=fields.json_object("after", MAX_QUALITY_BYTES, nullable=True),
                source=fields.text("source", 100),
            )
        )
    return entries
