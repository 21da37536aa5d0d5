"""What the intake officer does with the number at their desk: open the dossier, capture, propose
corrections, finish (dossier code, return date, slip); and what the team leader does at the end of
the evening: close the session.

Every intake action is keyed by the ticket at the desk. The first one opens the draft dossier
(`start_intake`), so calling a number and looking at the pre-filled screen writes nothing, and a
double click on any button finds the draft already there.

Locks: each action locks its ticket's row (`select_for_update`), so a double-clicked "finish" finds
the first one done and two tabs never write one slot twice; opening a draft also locks the
person's row, so two desks never open two dossiers for one person. Desk actions in
`cccd.tickets.services` lock the session's queue and then the ticket, in that order; intake never
waits for the queue lock, so there is no cycle, and captures at twenty desks of one session do not
queue behind each other. (On SQLite the project's IMMEDIATE transactions serialise all writers.)

Each action writes its audit rows together, in one INSERT (`audit.batched`).

What the desk decides before writing (kind, fee, return date, captures due, the duplicate guard)
is in `rules`; what the screens read is in `queries`.
"""

from __future__ import annotations

import datetime
import functools

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import batched, record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import INTAKE, ISSUE
from cccd.accounts.scoping import get_visible
from cccd.campaigns.models import PriorityGroup, Session
from cccd.campaigns.queries import hand_on_targets
from cccd.core import kinds as core_kinds
from cccd.enrollments import errors, events
from cccd.enrollments.intake import captures, devicecapture, kinds, numbering, thresholds
from cccd.enrollments.intake.queries import SessionCounts, session_counts, ticket_dossiers
from cccd.enrollments.intake.rules import (
    FINGERS,
    IRISES,
    biometrics_due,
    compute_return_date,
    default_group,
    eligibility_problem,
    missing_captures,
    open_application_problem,
    quote_fee,
    suggest_kind,
)
from cccd.enrollments.models import Artefact, Enrollment, FeeExemption, ProposedChange, stored_name
from cccd.errors import NOT_FOUND, DomainError
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket

CORRECTABLE = (
    "full_name",
    "birth_date",
    "sex",
    "hometown",
    "permanent_address",
    "ethnicity",
    "religion",
    "father_name",
    "mother_name",
    "old_id_number",
)
_INTAKE_FIELDS = (
    "kind",
    "kind_reason",
    "group",
    "fee",
    "exemption",
    "return_method",
    "post_address",
)


# ---------------------------------------------------------------- opening the dossier


_TICKET_RELATED = (
    "session__venue",
    "session__campaign",
    "session__unit",
    "group",
    "desk",
    "person",
)


def _locked_ticket(ticket_id: int, *, actor: User) -> Ticket:
    """The ticket, its row locked until the transaction ends (see the module's docstring)."""
    require_permission(actor, INTAKE)
    locked = Ticket.objects.select_for_update(of=("self",)).select_related(*_TICKET_RELATED)
    return get_visible(actor, locked, pk=ticket_id)


def _cancel_stale_drafts(person: Person, ticket: Ticket, *, actor: User) -> None:
    stale = Enrollment.objects.filter(person=person, state=Enrollment.State.DRAFT).exclude(
        ticket=ticket
    )
    for draft in stale:
        draft.state = Enrollment.State.CANCELLED
        draft.save(update_fields=["state"])
        record(
            "enrollment.cancel",
            actor=actor,
            unit=draft.unit,
            obj=draft,
            before={"state": "draft"},
            after={"state": "cancelled", "reason": "stale draft"},
        )


def _open_draft(ticket: Ticket, *, actor: User) -> Enrollment:
    """The ticket's draft, opened now if it has none (the caller holds the ticket's lock)."""
    return _draft(ticket, actor=actor)[0]


def _draft(ticket: Ticket, *, actor: User) -> tuple[Enrollment, bool]:
    """`_open_draft`, and whether it opened the draft now (a new draft has no captures to read)."""
    done, draft = ticket_dossiers(ticket)
    if done is not None:
        raise errors.ALREADY_FINISHED(number=ticket.display, code=done.code)
    if draft is not None:
        return draft, False
    if ticket.state not in tickets.AT_DESK or ticket.desk_id is None:
        raise errors.TICKET_NOT_AT_DESK(number=ticket.display)
    if ticket.person is None:
        raise errors.NO_PERSON()
    Person.objects.select_for_update().filter(pk=ticket.person.pk).first()  # one desk per person
    session = ticket.session
    today = timezone.localdate()
    problem = open_application_problem(ticket.person, ticket) or eligibility_problem(
        ticket.person, session.campaign.law, today
    )
    if problem is not None:
        problem.raise_()
    _cancel_stale_drafts(ticket.person, ticket, actor=actor)
    kind = suggest_kind(ticket.person, today, session.campaign.law)
    enrollment = Enrollment(
        unit=session.unit,
        campaign=session.campaign,
        session=session,
        ticket=ticket,
        person=ticket.person,
        kind=kind,
        group=default_group(ticket),
        law=session.campaign.law,
        fee=quote_fee(kind, today, None),
        created_by=actor,
        # the number's "tell me" contact, if one was left at the door or with the booking
        notify_channel=ticket.notify_channel if ticket.notify_address else "",
        notify_address=ticket.notify_address if ticket.notify_channel else "",
    )
    try:  # no savepoint: the refusal below rolls the caller's whole transaction back anyway
        with transaction.atomic(savepoint=False):
            enrollment.save()
    except IntegrityError as exc:  # the database's own guard, should another path get here first
        raise errors.OPEN_APPLICATION(
            name=ticket.person.full_name, code="?", state="?", date="?"
        ) from exc
    tickets.serve_ticket(ticket, actor=actor)
    record(
        "enrollment.open",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        after=snapshot(enrollment, ("ticket", "person", "state") + _INTAKE_FIELDS),
    )
    return enrollment, True


@transaction.atomic
@batched()
def start_intake(ticket_id: int, *, actor: User) -> Enrollment:
    """Open (or find) the draft dossier of the number at the desk."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    return _open_draft(ticket, actor=actor)


@transaction.atomic
def set_ticket_person(ticket_id: int, person_id: int, *, actor: User) -> Ticket:
    """A walk-in was found in the register at the desk: the number is now theirs."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    if any(ticket_dossiers(ticket)):
        raise errors.NOT_DRAFT(code=ticket.display)
    person = get_visible(actor, Person.objects.all(), pk=person_id)
    before = snapshot(ticket, ("person",))
    ticket.person = person
    ticket.save(update_fields=["person"])
    record(
        "ticket.person",
        actor=actor,
        unit=ticket.session.unit,
        obj=ticket,
        before=before,
        after=snapshot(ticket, ("person",)),
    )
    return ticket


# ---------------------------------------------------------------- at the desk


@transaction.atomic
@batched()
def update_intake(
    ticket_id: int,
    *,
    actor: User,
    kind: str,
    group_id: int | None,
    exemption_id: int | None,
    return_method: str,
    post_address: str = "",
    kind_reason: str = "",
    contact: tuple[str, str] | None = None,
) -> Enrollment:
    """The officer confirms or changes kind, group, exemption and return method; the fee follows
    from the kind, which the person's card and age must allow (`cccd.core.kinds`). `contact` is
    where to tell the citizen (`cccd.notify.contacts.contact_of`, checked); None keeps it."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment = _open_draft(ticket, actor=actor)
    today = timezone.localdate()
    kind_reason = " ".join(kind_reason.split())[:300]
    kinds.require_kind(enrollment.person, kind, law=enrollment.law, today=today, reason=kind_reason)
    group = exemption = None
    if group_id is not None:
        group = PriorityGroup.objects.filter(pk=group_id, is_active=True).first()
        if group is None:
            raise NOT_FOUND()
    if exemption_id is not None:
        exemption = FeeExemption.objects.filter(pk=exemption_id, is_active=True).first()
        if exemption is None:
            raise NOT_FOUND()
    if return_method not in Enrollment.ReturnMethod.values:
        raise NOT_FOUND()
    post_address = " ".join(post_address.split())[:300]
    if return_method == Enrollment.ReturnMethod.POST and not post_address:
        raise errors.POST_ADDRESS_NEEDED()
    before = snapshot(enrollment, _INTAKE_FIELDS)
    enrollment.kind, enrollment.group, enrollment.exemption = kind, group, exemption
    enrollment.kind_reason = kind_reason if kind in core_kinds.REASON_KINDS else ""
    enrollment.fee = quote_fee(kind, today, exemption)
    enrollment.return_method = return_method
    enrollment.post_address = post_address if return_method == Enrollment.ReturnMethod.POST else ""
    told_before = enrollment.notify_channel
    if contact is not None:
        enrollment.notify_channel, enrollment.notify_address = contact
    enrollment.save(
        update_fields=[
            "kind",
            "kind_reason",
            "group",
            "exemption",
            "fee",
            "return_method",
            "post_address",
            "notify_channel",
            "notify_address",
        ]
    )
    record(  # the contact's channel only: the trail keeps no phone number or e-mail
        "enrollment.update",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        before={**before, "notify_channel": told_before},
        after={**snapshot(enrollment, _INTAKE_FIELDS), "notify_channel": enrollment.notify_channel},
    )
    return enrollment


_CHECKS = {
    Artefact.Kind.PHOTO: captures.check_photo,
    Artefact.Kind.FINGERPRINT: captures.check_fingerprint,
    Artefact.Kind.IRIS: captures.check_iris,
    Artefact.Kind.SIGNATURE: captures.check_signature,
}


def _check_slot(enrollment: Enrollment, kind: str, slot: int) -> None:
    if kind == Artefact.Kind.FINGERPRINT:
        valid = slot in FINGERS
    elif kind == Artefact.Kind.IRIS:
        person, today = enrollment.person, timezone.localdate()
        if not biometrics_due(enrollment.law, person.birth_date, today)[1]:
            raise errors.IRIS_NOT_TAKEN()
        valid = slot in IRISES
    else:
        valid = kind in Artefact.Kind.values and slot == 0
    if not valid:
        raise errors.CAPTURE_BAD_SLOT(slot=f"{kind} {slot}")


def _prepared(
    enrollment: Enrollment, kind: str, slot: int, *, data: bytes | None = None, reason: str = ""
) -> tuple[Artefact, bytes | None]:
    """The slot's new capture, checked and not yet written: a file's bytes, or the reason it
    cannot be taken."""
    _check_slot(enrollment, kind, slot)
    artefact = Artefact(enrollment=enrollment, kind=kind, slot=slot)
    if data is not None:
        checked = _CHECKS[kind](data)  # type: ignore[index]
        artefact.format, artefact.size, artefact.sha256 = (
            checked.format,
            len(checked.data),
            checked.sha256,
        )
        artefact.quality = checked.quality
        return artefact, checked.data
    artefact.impossible_reason = " ".join(reason.split())[:200]
    if not artefact.impossible_reason:
        raise errors.REASON_NEEDED()
    return artefact, None


def _replace_artefacts(
    enrollment: Enrollment,
    kind: str,
    new: list[tuple[Artefact, bytes | None]],
    *,
    actor: User,
    held: dict[int, Artefact] | None = None,
) -> list[Artefact]:
    """Write checked captures into their slots in one go, replacing earlier ones, with one audit
    event. A replaced file goes once the change has committed, so a rollback never leaves a
    dossier pointing at a deleted file; a file written for rows that could not be saved goes at
    once, so it never outlives them. `held`: the kind's captures the caller read already under
    the ticket's lock, by slot (not read again)."""
    if not new:
        return []
    slots = [artefact.slot for artefact, _ in new]
    if held is None:
        old = list(
            Artefact.objects.filter(enrollment=enrollment, kind=kind, slot__in=slots).order_by()
        )
    else:
        old = [held[slot] for slot in slots if slot in held]
    written: list[Artefact] = []
    try:
        for artefact, data in new:
            artefact.captured_by = actor
            if data is not None:
                name = f"{enrollment.pk}-{kind}-{artefact.slot}-{artefact.sha256[:12]}.{artefact.format}"
                artefact.file.save(name, ContentFile(data), save=False)
                written.append(artefact)
        if old:
            Artefact.objects.filter(pk__in=[o.pk for o in old]).delete()
        Artefact.objects.bulk_create([artefact for artefact, _ in new])
        record(
            "enrollment.capture",
            actor=actor,
            unit=enrollment.unit,
            obj=enrollment,
            before={"kind": kind, "slots": [_audited(o) for o in old]} if old else None,
            after={"kind": kind, "slots": [_audited(a) for a, _ in new]},
        )
    except Exception:
        for artefact in written:
            artefact.file.storage.delete(stored_name(artefact.file))
        raise
    for stale in old:
        if stale.file:
            transaction.on_commit(
                functools.partial(stale.file.storage.delete, stored_name(stale.file))
            )
    return [artefact for artefact, _ in new]


def _audited(artefact: Artefact) -> dict[str, object]:
    device = artefact.quality.get("device")
    return {
        "slot": artefact.slot,
        "sha256": artefact.sha256,
        "size": artefact.size,
        "impossible_reason": artefact.impossible_reason,
        "source": artefact.quality.get("source", "file") if artefact.sha256 else "",
        "device_serial": device.get("serial_no", "") if isinstance(device, dict) else "",
    }


@transaction.atomic
@batched()
def capture(ticket_id: int, kind: str, slot: int, data: bytes, *, actor: User) -> Artefact:
    """Check a capture and store it in its slot; a refused capture changes nothing."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment, opened = _draft(ticket, actor=actor)
    prepared = [_prepared(enrollment, kind, slot, data=data)]
    held: dict[int, Artefact] | None = {} if opened else None  # a new draft holds no capture
    return _replace_artefacts(enrollment, kind, prepared, actor=actor, held=held)[0]


@transaction.atomic
@batched()
def mark_impossible(ticket_id: int, kind: str, slot: int, reason: str, *, actor: User) -> Artefact:
    """A capture that cannot be taken (a missing finger, a bandage), with its reason."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment = _open_draft(ticket, actor=actor)
    return _replace_artefacts(
        enrollment, kind, [_prepared(enrollment, kind, slot, reason=reason)], actor=actor
    )[0]


@transaction.atomic
@batched()
def capture_slots(
    ticket_id: int, kind: str, *, actor: User, files: dict[int, bytes], reasons: dict[int, str]
) -> list[Artefact]:
    """Several slots at once (the scanner's ten files): every slot is checked before anything is
    written, so all are stored or none; a refusal names its slot (`exc.slot`). A slot with a file
    ignores its reason."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment = _open_draft(ticket, actor=actor)
    old = {a.slot: a for a in Artefact.objects.filter(enrollment=enrollment, kind=kind)}
    prepared = []
    for slot in sorted(set(files) | set(reasons)):
        try:
            prepared.append(
                _prepared(
                    enrollment, kind, slot, data=files.get(slot), reason=reasons.get(slot, "")
                )
            )
        except Exception as exc:
            exc.slot = slot  # type: ignore[attr-defined]  # for the screen: which finger was refused
            raise
    for artefact, data in prepared:
        if data is not None:
            _counted(old.get(artefact.slot), artefact)
    return _replace_artefacts(enrollment, kind, prepared, actor=actor, held=old)


def _counted(old: Artefact | None, new: Artefact) -> None:
    """Number the try: a retake of a capture below its threshold is the next try of that slot;
    anything else starts again at one."""
    count = 1
    if old is not None and old.sha256 and thresholds.judge(old.kind, old.quality).low:
        count = thresholds.tries(old.quality) + 1
    new.quality = {**new.quality, "tries": count}
    _mark_kept(new)


def _mark_kept(artefact: Artefact) -> None:
    """A capture still below its threshold once the tries allowed are spent is kept, with why."""
    judged = thresholds.judge(artefact.kind, artefact.quality)
    spent = thresholds.tries(artefact.quality) >= thresholds.thresholds().tries
    if judged.low and spent:
        artefact.quality["kept_reason"] = (
            f"best of {thresholds.tries(artefact.quality)} captures, all below "
            f"the threshold {judged.threshold:g} (score {judged.score:g})"
        )
    else:
        artefact.quality.pop("kept_reason", None)


def _better_kept(old: Artefact | None, new: Artefact) -> bool:
    """Whether a low retake loses to the low capture already in the slot (the best is kept)."""
    if old is None or not old.sha256:
        return False
    before, after = (thresholds.judge(a.kind, a.quality) for a in (old, new))
    return before.low and after.low and (before.score or 0) >= (after.score or 0)


def _keep_old(enrollment: Enrollment, old: Artefact, tried: Artefact, *, actor: User) -> None:
    """The retake scored no better: the slot keeps its capture and counts the try."""
    before = dict(old.quality)
    old.quality = {**old.quality, "tries": thresholds.tries(tried.quality)}
    _mark_kept(old)
    old.save(update_fields=["quality"])
    record(
        "enrollment.capture_kept",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        before={"kind": old.kind, "slot": old.slot, "tries": thresholds.tries(before)},
        after={
            "kind": old.kind,
            "slot": old.slot,
            "tries": thresholds.tries(old.quality),
            "sha256": old.sha256,
            "discarded_sha256": tried.sha256,
        },
    )


@transaction.atomic
@batched()
def capture_from_device(
    ticket_id: int,
    asked: devicecapture.Asked,
    answer: bytes,
    *,
    reasons: dict[int, str],
    actor: User,
) -> list[Artefact]:
    """What the device service answered (`devicecapture.read`), checked as a file would be, then
    stored slot by slot as it came, with the device's identity and scores. A slot below its
    threshold keeps the better of its tries; exceptions (fingers marked missing before the capture)
    are stored as impossible with their reason. All or nothing."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment = _open_draft(ticket, actor=actor)
    kind = asked.kind
    taken = devicecapture.read(asked, answer)
    old = {
        a.slot: a
        for a in Artefact.objects.filter(
            enrollment=enrollment, kind=kind, slot__in=[t.slot for t in taken]
        )
    }
    replaced: list[tuple[Artefact, bytes | None]] = []
    kept: list[tuple[Artefact, Artefact]] = []
    for one in taken:
        try:
            if one.data is None:
                replaced.append(
                    _prepared(enrollment, kind, one.slot, reason=reasons.get(one.slot, ""))
                )
                continue
            artefact, data = _prepared(enrollment, kind, one.slot, data=one.data)
        except Exception as exc:
            exc.slot = one.slot  # type: ignore[attr-defined]  # for the screen: which finger
            raise
        artefact.quality = {**artefact.quality, **one.provenance}
        _counted(old.get(one.slot), artefact)
        previous = old.get(one.slot)
        if previous is not None and _better_kept(previous, artefact):
            kept.append((previous, artefact))
        else:
            replaced.append((artefact, data))
    for previous, tried in kept:
        _keep_old(enrollment, previous, tried, actor=actor)
    stored = _replace_artefacts(enrollment, kind, replaced, actor=actor, held=old)
    return stored + [previous for previous, _ in kept]


@transaction.atomic
def propose_change(
    ticket_id: int,
    field_name: str,
    value: str,
    proof: str,
    *,
    actor: User,
    proof_file: bytes | None = None,
) -> ProposedChange:
    """A correction the person asks for, recorded with its proof for the register's keepers; the
    register itself is not touched."""
    if field_name not in CORRECTABLE:
        raise errors.FIELD_NOT_CORRECTABLE(field=field_name)
    value, proof = " ".join(value.split())[:300], " ".join(proof.split())[:300]
    if not proof:
        raise errors.PROOF_NEEDED()
    scan = check_proof_scan(proof_file) if proof_file is not None else None
    ticket = _locked_ticket(ticket_id, actor=actor)
    enrollment = _open_draft(ticket, actor=actor)
    person = enrollment.person
    current = getattr(person, field_name)
    current_text = (
        current.strftime("%d/%m/%Y") if isinstance(current, datetime.date) else str(current)
    )
    if value == current_text:
        raise errors.SAME_VALUE()
    change = ProposedChange(
        enrollment=enrollment,
        person=person,
        field=field_name,
        current_value=current_text,
        proposed_value=value,
        proof=proof,
        proposed_by=actor,
    )
    if scan is not None:
        name = f"{enrollment.pk}-{field_name}-{scan.sha256[:12]}.{scan.format}"
        change.proof_file.save(name, ContentFile(scan.data), save=False)
    try:
        change.save()
        record(
            "person.propose_change",
            actor=actor,
            unit=enrollment.unit,
            obj=change,
            after={
                "person": person.pk,
                "field": field_name,
                "proof": proof,
                "proof_sha256": scan.sha256 if scan else "",
            },
        )
    except Exception:
        if scan is not None:  # the row was not written: its file must not outlive it
            change.proof_file.storage.delete(stored_name(change.proof_file))
        raise
    return change


def check_proof_scan(data: bytes) -> captures.Capture:
    """The scan or photo of the document that proves a correction, checked like the captures'
    images (`captures.check_signature`: JPEG, PNG or BMP, pixels bounded before decoding, decoded
    in full, not blank), so a proof file is never arbitrary bytes stored beside the dossier."""
    try:
        return captures.check_signature(data)
    except DomainError as exc:
        if exc.code == "BAD_SIGNATURE":
            raise errors.PROOF_FILE_NOT_AN_IMAGE() from None
        if exc.code == "BLANK_SIGNATURE":
            raise errors.PROOF_FILE_BLANK() from None
        raise


# ---------------------------------------------------------------- finishing


def dossier_code(enrollment: Enrollment, day: datetime.date) -> str:
    """Unit code, local date and the row's number: unique by construction, readable on the phone.
    The number is the row id, or on a field kit the next of its held session's block
    (`numbering`)."""
    return f"{enrollment.unit.code}-{day:%y%m%d}-{numbering.number_for(enrollment):06d}"


@transaction.atomic
@batched()
def finish_intake(ticket_id: int, *, actor: User) -> Enrollment:
    """The intake is complete: the dossier gets its code and return date, the number is done."""
    ticket = _locked_ticket(ticket_id, actor=actor)
    done, enrollment = ticket_dossiers(ticket)
    if done is not None:  # a double click: the first one finished it
        raise errors.ALREADY_FINISHED(number=ticket.display, code=done.code)
    if enrollment is None:
        raise errors.INCOMPLETE(missing=_("everything: nothing has been captured yet"))
    now = timezone.now()
    today = timezone.localdate(now)
    prefetch_related_objects([enrollment], "artefacts")  # read once for what is missing and retakes
    missing = missing_captures(enrollment, today)
    if missing:
        raise errors.INCOMPLETE(missing="; ".join(missing))
    kinds.require_kind(
        enrollment.person,
        enrollment.kind,
        law=enrollment.law,
        today=today,
        reason=enrollment.kind_reason,
    )
    before = snapshot(enrollment, ("state", "code", "return_date", "fee"))
    enrollment.fee = quote_fee(enrollment.kind, today, enrollment.exemption)
    enrollment.state, enrollment.received_at, enrollment.received_by = (
        Enrollment.State.CAPTURED,
        now,
        actor,
    )
    enrollment.code = dossier_code(enrollment, today)
    enrollment.return_date = compute_return_date(enrollment, today)
    enrollment.save(
        update_fields=["state", "received_at", "received_by", "code", "return_date", "fee"]
    )
    events.emit(events.IntakeFinished(enrollment))
    record(
        "enrollment.receive",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        before=before,
        after=snapshot(enrollment, ("state", "code", "return_date", "fee")),
    )
    tickets.complete_ticket(ticket, actor=actor)
    return enrollment


# ---------------------------------------------------------------- closing the session


@transaction.atomic
def close_session(
    session_id: int,
    *,
    actor: User,
    confirm: bool = False,
    expected_left: int | None = None,
    hand_on_to: int | None = None,
) -> SessionCounts:
    """End the evening: numbers still waiting or skipped go to `hand_on_to` (one of
    `campaigns.queries.hand_on_targets`: a later session of the unit, not over, keeping their
    order) or are marked not served; drafts left open are cancelled; the desks close.

    Irreversible, so it asks for what the page showed: only a session that has started
    (`Session.has_started`); only with `confirm`; and, when `expected_left` is given (the page
    sends how many numbers it listed), only while that many are left, so a number issued since is
    never marked unserved unseen. The state is read again under the queue lock: a double click or
    a replayed request finds the session closed and changes nothing (SESSION_ALREADY_CLOSED).
    """
    require_permission(actor, ISSUE)
    session = get_visible(actor, Session.objects.select_related("unit"), pk=session_id)
    tickets.lock_queue(session)
    session.refresh_from_db(fields=["state"])
    if session.state == Session.State.CLOSED:
        raise errors.SESSION_ALREADY_CLOSED()
    tickets.running(session)
    now = timezone.now()
    if not session.has_started(now):
        start = timezone.localtime(session.starts_at)
        raise errors.SESSION_NOT_STARTED(start=f"{start:%H:%M %d/%m/%Y}")
    at_desk = Ticket.objects.filter(session=session, state__in=tickets.AT_DESK).first()
    if at_desk is not None:
        raise errors.SESSION_BUSY(
            number=at_desk.display, desk=at_desk.desk.number if at_desk.desk else ""
        )
    if not confirm:
        raise errors.CLOSE_NOT_CONFIRMED()
    left = Ticket.objects.filter(session=session, state__in=tickets.LEFT_AT_CLOSE).count()
    if expected_left is not None and expected_left != left:
        raise errors.CLOSE_LINE_CHANGED(left=left, expected=expected_left)
    target = None
    if hand_on_to is not None:
        target = hand_on_targets(actor, session, now=now).filter(pk=hand_on_to).first()
        if target is None:
            raise errors.BAD_NEXT_SESSION()
    moved = tickets.close_queue(session, actor=actor, hand_on_to=target)
    drafts = Enrollment.objects.filter(session=session, state=Enrollment.State.DRAFT)
    cancelled = list(drafts.values_list("pk", flat=True))
    drafts.update(state=Enrollment.State.CANCELLED)
    open_desks = Desk.objects.filter(session=session, is_open=True)
    desks = list(open_desks.values_list("number", flat=True))
    open_desks.update(is_open=False)
    before = snapshot(session, ("state",))
    session.state = Session.State.CLOSED
    session.save(update_fields=["state"])
    counts = session_counts(session)
    record(
        "session.close",
        actor=actor,
        unit=session.unit,
        obj=session,
        before=before,
        after={
            "state": "closed",
            "handed_on_to": target.pk if target else None,
            "moved": moved,
            "unserved": left - moved,
            "cancelled_drafts": cancelled,
            "desks_closed": desks,
            "served": counts.served,
            "received": counts.received,
            "no_shows": counts.no_shows,
        },
    )
    return counts
