"""The dossier's life after the intake: the only moves a dossier can make, who may make them, and
what each one records.

    captured ─complete─► completed ─approve─► approved ─send─► in_production ─produce─► produced
        ▲                    │                    │                  │                     │
        └─resubmit─ returned_for_correction ◄─return─┘      refuse_at_centre            arrive
                                                                                          ▼
    reject / cancel (with a reason) from captured, returned, completed, approved    at_unit ─deliver─► delivered

Each move is a row of `MOVES`: the states it starts from, the state it leads to, the permissions
that may make it (any one of them; `cccd.accounts.roles` gives them to roles) and whether it needs
a reason. A move locks the dossier's row, checks state, permission and unit (the dossier must be
in the actor's subtree), stamps `state_changed_at/by`, and writes one audit event
`enrollment.<move>` with the state before and after, so the audit trail of a dossier reads as its
history. `send`, `produce` and `refuse_at_centre` are made only by `cccd.enrollments.production`
(a batch file and the centre's result), never by hand.

An irreversible move carries what proves it, checked here whatever the path: a reason for
`reject`, `cancel` and `return`; for `deliver` the citizen's signature or the post's tracking
number (`needs_proof`). A move that needs proof has its own entry (`deliver`) and page; the
generic `move`/`move_many` refuse it, so no one-click button can make it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Field, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import APPROVE, COMPLETE, DELIVER, INTAKE, PRODUCE
from cccd.accounts.scoping import visible_to
from cccd.enrollments import errors, events
from cccd.enrollments.intake import captures
from cccd.enrollments.intake.rules import missing_captures
from cccd.enrollments.models import Enrollment, ProposedChange, stored_name
from cccd.errors import NOT_FOUND, PERMISSION_DENIED

BULK_LIMIT = 500  # dossiers in one bulk move: one screen's worth, one transaction of a few seconds

S = Enrollment.State
OPEN_STATES = (
    S.CAPTURED,
    S.RETURNED,
    S.COMPLETED,
    S.APPROVED,
    S.IN_PRODUCTION,
    S.PRODUCED,
    S.AT_UNIT,
)
"""After the intake and before the end: the dossiers a unit still owes someone a card for."""
LATE_STATES = Enrollment.LATE_STATES
"""Overdue when past the return date: the card is not yet at the unit for the citizen."""


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    permissions: tuple[str, ...]
    needs_reason: bool = False
    by_file: bool = False
    needs_proof: bool = False
    """Made only through its own entry, which brings the proof (`deliver`); `apply` checks it."""


MOVES: dict[str, Move] = {
    m.name: m
    for m in (
        Move("complete", _("complete"), (S.CAPTURED,), S.COMPLETED, (COMPLETE,)),
        Move("return", _("return for correction"), (S.CAPTURED, S.COMPLETED, S.APPROVED),
             S.RETURNED, (COMPLETE, APPROVE), needs_reason=True),
        Move("resubmit", _("send back corrected"), (S.RETURNED,), S.CAPTURED, (INTAKE, COMPLETE)),
        Move("approve", _("approve"), (S.COMPLETED,), S.APPROVED, (APPROVE,)),
        Move("reject", _("reject"), (S.CAPTURED, S.RETURNED, S.COMPLETED, S.APPROVED), S.REJECTED,
             (APPROVE,), needs_reason=True),
        Move("cancel", _("cancel"), (S.CAPTURED, S.RETURNED, S.COMPLETED, S.APPROVED), S.CANCELLED,
             (APPROVE,), needs_reason=True),
        Move("send", _("send to production"), (S.APPROVED,), S.IN_PRODUCTION, (PRODUCE,),
             by_file=True),
        Move("produce", _("record as produced"), (S.IN_PRODUCTION,), S.PRODUCED, (PRODUCE,),
             by_file=True),
        Move("refuse_at_centre", _("record the centre's refusal"), (S.IN_PRODUCTION,), S.RETURNED,
             (PRODUCE,), needs_reason=True, by_file=True),
        Move("arrive", _("record the card as arrived"), (S.PRODUCED,), S.AT_UNIT, (DELIVER,)),
        Move("deliver", _("record as delivered"), (S.AT_UNIT,), S.DELIVERED, (DELIVER,),
             needs_proof=True),
    )
}  # fmt: skip
_STAMPED = ("state", "reason", "state_changed_at", "state_changed_by")


def moves_from(state: str, actor: User) -> list[Move]:
    """The one-click moves the screen offers for a dossier in `state` to this actor: by hand, and
    not those that need a proof (they have their own page)."""
    return [
        m
        for m in MOVES.values()
        if state in m.sources
        and not m.by_file
        and not m.needs_proof
        and any(actor.has_perm(p) for p in m.permissions)
    ]


def _move(name: str) -> Move:
    move = MOVES.get(name)
    if move is None:
        raise errors.UNKNOWN_MOVE(move=name[:40])
    return move


def _require_any(actor: User, permissions: Iterable[str]) -> None:
    if not any(actor.is_active and actor.has_perm(p) for p in permissions):
        raise PERMISSION_DENIED()


def _clean_reason(move: Move, reason: str) -> str:
    reason = " ".join(reason.split())[:300]
    if move.needs_reason and not reason:
        raise errors.MOVE_REASON_NEEDED()
    return reason if move.needs_reason else ""


def _by_hand(name: str) -> Move:
    """A move the generic entries (`move`, `move_many`) may make: neither a production file's nor
    one that needs a proof, which only its own entry brings."""
    step = _move(name)
    if step.by_file:
        raise errors.MOVE_BY_FILE_ONLY(move=step.label)
    if step.needs_proof:
        raise errors.MOVE_NEEDS_PROOF(move=step.label)
    return step


def _require_proof(move: Move, fields: dict[str, object]) -> None:
    """The proof of a move that needs one, whoever calls `apply`: a card delivered was either
    handed over against a stored signature or posted with a tracking number."""
    if move.name != "deliver":
        return
    delivery = fields.get("delivery")
    signed = bool(fields.get("delivery_signature"))
    tracked = bool(str(fields.get("tracking_number") or "").strip())
    if (delivery == Enrollment.Delivery.HANDED_OVER and signed) or (
        delivery == Enrollment.Delivery.POSTED and tracked
    ):
        return
    raise errors.DELIVERY_PROOF_NEEDED()


def _not_allowed(enrollment: Enrollment, move: Move) -> Exception:
    return errors.MOVE_NOT_ALLOWED(
        code=enrollment.code or enrollment.pk,
        state=enrollment.get_state_display().lower(),
        move=move.label,
    )


def completion_gaps(enrollment: Enrollment) -> list[str]:
    """What the back office must still fix before completing: captures, the person's fields that
    go on the card, and proposed register changes not yet reviewed."""
    day = (
        timezone.localdate(enrollment.received_at)
        if enrollment.received_at
        else timezone.localdate()
    )
    gaps = list(missing_captures(enrollment, day))
    person = enrollment.person
    for field in ("full_name", "hometown", "permanent_address"):
        if not str(getattr(person, field) or "").strip():
            meta = person._meta.get_field(field)
            gaps.append(str(meta.verbose_name) if isinstance(meta, Field) else field)
    if enrollment.changes.filter(state=ProposedChange.State.PROPOSED).exists():
        gaps.append(str(_("proposed register changes to review")))
    return gaps


def apply(
    enrollment: Enrollment,
    name: str,
    *,
    actor: User,
    reason: str = "",
    now: datetime.datetime | None = None,
    **fields: object,
) -> Enrollment:
    """Make one move on a dossier whose row the caller has locked, in the caller's transaction.
    `fields` are the move's own data (card number and dates for `produce`, the batch for `send`)."""
    move = _move(name)
    _require_any(actor, move.permissions)
    if enrollment.state not in move.sources:
        raise _not_allowed(enrollment, move)
    reason = _clean_reason(move, reason)
    if move.needs_proof:
        _require_proof(move, fields)
    if move.name == "complete":
        gaps = completion_gaps(enrollment)
        if gaps:
            raise errors.NOT_COMPLETE(code=enrollment.code, missing="; ".join(gaps))
    before = snapshot(enrollment, _STAMPED + tuple(fields))
    enrollment.state, enrollment.reason = move.target, reason
    enrollment.state_changed_at, enrollment.state_changed_by = now or timezone.now(), actor
    for key, value in fields.items():
        setattr(enrollment, key, value)
    enrollment.save(update_fields=[*_STAMPED, *fields])
    events.emit(events.StateMoved(enrollment, before["state"], enrollment.state_changed_at))
    record(
        f"enrollment.{move.name}",
        actor=actor,
        unit=enrollment.unit,
        obj=enrollment,
        before=before,
        after=snapshot(enrollment, _STAMPED + tuple(fields)),
    )
    return enrollment


def _locked(actor: User, ids: Iterable[int]) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.select_for_update(of=("self",)).select_related("unit", "person")
    return visible_to(actor, rows).filter(pk__in=list(ids)).order_by("pk")


def move(enrollment_id: int, name: str, *, actor: User, reason: str = "") -> Enrollment:
    """One dossier, one move by hand: the dossier's row is locked for the check and the change.
    A move that needs a proof is refused here: it has its own entry (`deliver`)."""
    _by_hand(name)
    with transaction.atomic():
        enrollment = _locked(actor, [enrollment_id]).first()
        if enrollment is None:
            raise NOT_FOUND()
        return apply(enrollment, name, actor=actor, reason=reason)


def move_many(ids: Iterable[int], name: str, *, actor: User, reason: str = "") -> list[Enrollment]:
    """The same move on many dossiers (the commander's bulk approval): all of them, or none and a
    list of those that cannot, so a stale screen never half-approves a selection."""
    step = _by_hand(name)
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        raise errors.NOTHING_CHOSEN()
    if len(wanted) > BULK_LIMIT:
        raise errors.TOO_MANY_CHOSEN(limit=BULK_LIMIT, count=len(wanted))
    _require_any(actor, step.permissions)
    with transaction.atomic():
        rows = list(_locked(actor, wanted))
        if len(rows) != len(wanted):
            raise NOT_FOUND()
        blocked = []
        for enrollment in rows:
            if enrollment.state not in step.sources:
                blocked.append(f"{enrollment.code} ({enrollment.get_state_display().lower()})")
            elif step.name == "complete" and completion_gaps(enrollment):
                blocked.append(f"{enrollment.code} ({_('incomplete')})")
        if blocked:
            raise errors.BULK_REFUSED(
                count=len(blocked),
                move=step.label,
                details=", ".join(blocked[:10]) + (" …" if len(blocked) > 10 else ""),
            )
        now = timezone.now()
        return [apply(e, name, actor=actor, reason=reason, now=now) for e in rows]


def deliver(
    enrollment_id: int,
    *,
    actor: User,
    delivery: str,
    signature: bytes | None = None,
    tracking_number: str = "",
) -> Enrollment:
    """The card in the citizen's hand: handed over against their signature (a pad image or the
    canvas, checked like the intake's), or posted with the post's tracking number."""
    tracking_number = " ".join(tracking_number.split())[:40]
    if delivery not in Enrollment.Delivery.values:
        raise errors.DELIVERY_PROOF_NEEDED()
    handed = delivery == Enrollment.Delivery.HANDED_OVER
    if (handed and not signature) or (not handed and not tracking_number):
        raise errors.DELIVERY_PROOF_NEEDED()
    checked = captures.check_signature(signature) if handed and signature else None
    with transaction.atomic():
        enrollment = _locked(actor, [enrollment_id]).first()
        if enrollment is None:
            raise NOT_FOUND()
        if checked is not None:
            if enrollment.state not in MOVES["deliver"].sources:
                raise _not_allowed(enrollment, MOVES["deliver"])
            name = f"{enrollment.pk}-receipt-{checked.sha256[:12]}.{checked.format}"
            enrollment.delivery_signature.save(name, ContentFile(checked.data), save=False)
            stored = enrollment.delivery_signature
            try:
                return apply(
                    enrollment, "deliver", actor=actor, delivery=delivery, delivery_signature=stored
                )
            except Exception:
                stored.storage.delete(stored_name(stored))
                raise
        return apply(
            enrollment, "deliver", actor=actor, delivery=delivery, tracking_number=tracking_number
        )


@transaction.atomic
def review_change(change_id: int, *, actor: User, accept: bool) -> ProposedChange:
    """The back office accepts or rejects a correction proposed at the desk. Accepting records the
    decision for the register's keepers; the register itself is changed by its own import."""
    require_permission(actor, COMPLETE)
    change = (
        visible_to(actor, ProposedChange.objects.select_for_update(of=("self",)))
        .select_related("enrollment__unit")
        .filter(pk=change_id)
        .first()
    )
    if change is None:
        raise NOT_FOUND()
    if change.state != ProposedChange.State.PROPOSED:
        raise errors.CHANGE_ALREADY_REVIEWED()
    change.state = ProposedChange.State.ACCEPTED if accept else ProposedChange.State.REJECTED
    change.save(update_fields=["state"])
    record(
        "person.review_change",
        actor=actor,
        unit=change.enrollment.unit,
        obj=change,
        before={"state": "proposed"},
        after={"state": change.state, "field": change.field},
    )
    return change
