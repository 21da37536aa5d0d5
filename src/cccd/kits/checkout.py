"""Checking a session out to a kit, at the district (docs/field-kit.md#the-checkout-package)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import KITS
from cccd.accounts.scoping import unit_is_visible
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.errors import PERMISSION_DENIED
from cccd.kits import errors
from cccd.kits.models import KIT_CODE_BASE, Checkout, Kit
from cccd.kits.package import build_package

MANAGE_KITS = KITS
CLOSED_STATUSES = (Session.Status.OVER, Session.Status.CLOSED, Session.Status.CANCELLED)


def checkout_session(session_id: int, *, kit: Kit, actor: User | None) -> tuple[Checkout, bytes]:
    """Check the session out to `kit` and return the checkout and its package (the envelope's
    bytes, for the kit to download and load).

    Refused unless the kit is paired, the session is of the kit's unit subtree, not over, closed or
    cancelled, has no dossier yet (its intakes would be split between two databases), and is not
    out to another kit. Asked again by the same kit while the session is out (a lost download), it
    gives a fresh package with the same block of dossier codes. `actor` is None for the command
    line; a user needs `kits.manage_kits` and the kit's unit in their scope."""
    with transaction.atomic():
        kit = Kit.objects.select_for_update().select_related("unit").get(pk=kit.pk)
        _check_actor(actor, kit)
        session = _checked_session(session_id, kit)
        checkout = Checkout.objects.filter(session=session, state=Checkout.State.OUT).first()
        again = checkout is not None
        if checkout is None:
            checkout = _new_checkout(session, kit, actor)
        elif checkout.kit_id != kit.pk:
            raise errors.KIT_CHECKOUT_SESSION_OUT(session=session.pk, kit=checkout.kit.name)
        checkout.kit = kit
        checkout.session = session
        envelope = build_package(checkout)
        checkout.package_sha256 = hashlib.sha256(envelope).hexdigest()
        checkout.save(update_fields=["package_sha256"])
        record(
            "kit.checkout",
            actor=actor,
            unit=session.unit,
            obj=checkout,
            after={
                "kit": kit.name,
                "session": session.pk,
                "code_block": [checkout.code_block_start, checkout.code_block_end],
                "package_sha256": checkout.package_sha256,
                "again": again,
            },
        )
    return checkout, envelope


def _check_actor(actor: User | None, kit: Kit) -> None:
    if actor is None:
        return
    require_permission(actor, MANAGE_KITS)
    if not unit_is_visible(actor, kit.unit.path):
        raise PERMISSION_DENIED()


def _checked_session(session_id: int, kit: Kit) -> Session:
    if kit.state != Kit.State.PAIRED:
        raise errors.KIT_CHECKOUT_KIT_NOT_PAIRED(kit=kit.name, state=kit.get_state_display())
    session = (
        Session.objects.select_for_update().select_related("unit").filter(pk=session_id).first()
    )
    if session is None:
        raise errors.KIT_CHECKOUT_SESSION_UNKNOWN(session=session_id)
    if not session.unit.path.startswith(kit.unit.path):
        raise errors.KIT_CHECKOUT_SESSION_OUTSIDE_UNIT(session=session.pk, kit=kit.name)
    status = session.status
    if status in CLOSED_STATUSES:
        raise errors.KIT_CHECKOUT_SESSION_ENDED(session=session.pk, status=status.label)
    if Enrollment.objects.filter(session=session).exists():
        raise errors.KIT_CHECKOUT_SESSION_STARTED(session=session.pk)
    return session


def _new_checkout(session: Session, kit: Kit, actor: User | None) -> Checkout:
    """A checkout with the next block of dossier codes: right after the highest block ever given
    (checked in or not, so a code made on a kit is never made again), from `KIT_CODE_BASE`. Two
    checkouts at once compute the same block; the unique block start refuses the second."""
    last = Checkout.objects.aggregate(end=Max("code_block_end"))["end"]
    start = KIT_CODE_BASE if last is None else last + 1
    size: int = settings.CCCD_KIT_CODE_BLOCK
    try:
        with transaction.atomic():
            return Checkout.objects.create(
                kit=kit,
                session=session,
                code_block_start=start,
                code_block_end=start + size - 1,
                checked_out_by=actor if actor is not None and actor.pk else None,
            )
    except IntegrityError:
        other = Checkout.objects.filter(session=session, state=Checkout.State.OUT).first()
        if other is not None and other.kit_id != kit.pk:
            raise errors.KIT_CHECKOUT_SESSION_OUT(session=session.pk, kit=other.kit.name) from None
        raise errors.KIT_CHECKOUT_BUSY() from None
