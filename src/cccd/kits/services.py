"""What the district does with its kits: register one (and print its pairing code), let it join
with that code, revoke it, hear from it, and check a session back in.

The commands of `cccd kit` on the district and the kits' signed requests (`cccd.kits.api`) call
these; each is one transaction and audited. Registering and revoking are the administrator's
(`manage_kits`), at the command line with no user (`actor=None`, the audit names the command).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import KITS
from cccd.fieldkit import keys
from cccd.kits import errors
from cccd.kits.homevisits import Applied, KitVisit, apply_outcomes
from cccd.kits.keys import district_keys
from cccd.kits.models import Checkout, Kit, ReceivedPacket
from cccd.units.models import POLICE_ROOT, Unit

KIT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""The packet's own rule for a kit's id (docs/field-kit.md#manifestjson)."""


@dataclass(frozen=True)
class Registered:
    """A kit just registered and its one-time pairing code (shown once, never stored)."""

    kit: Kit
    pairing_code: str


@dataclass(frozen=True)
class Joined:
    """What a kit learns when it joins: its name and unit, and the district's public keys."""

    kit: Kit
    district: keys.PublicKeys


def _police_unit(code: str) -> Unit:
    unit = Unit.objects.filter(code=code, path__startswith=POLICE_ROOT).first()
    if unit is None:
        raise errors.KIT_UNIT_UNKNOWN(code=code[:32])
    return unit


def _check(actor: User | None) -> None:
    if actor is not None:
        require_permission(actor, KITS)


@transaction.atomic
def register_kit(name: str, *, unit_code: str, actor: User | None) -> Registered:
    """A new kit of the unit, waiting to join with the pairing code returned."""
    _check(actor)
    if not KIT_NAME.fullmatch(name):
        raise errors.KIT_NAME_MALFORMED()
    unit = _police_unit(unit_code)
    if Kit.objects.filter(name=name).exists():
        raise errors.KIT_NAME_TAKEN(name=name)
    code = keys.new_pairing_code()
    try:
        with transaction.atomic():
            kit = Kit.objects.create(
                name=name,
                unit=unit,
                pairing_code_sha256=keys.pairing_code_digest(code),
                registered_by=actor,
            )
    except IntegrityError:  # registered by someone else at the same moment
        raise errors.KIT_NAME_TAKEN(name=name) from None
    district_keys(unit)
    record("kit.register", actor=actor, unit=unit, obj=kit, after=snapshot(kit, ("name", "state")))
    return Registered(kit=kit, pairing_code=code)


@transaction.atomic
def revoke_kit(name: str, *, actor: User | None) -> Kit:
    """The kit is revoked for good: its requests and packets are refused from now on, and the
    sessions checked out to it can be checked out again to another kit."""
    _check(actor)
    kit = Kit.objects.select_for_update().filter(name=name).first()
    if kit is None:
        raise errors.KIT_UNKNOWN(name=name[:64])
    if kit.state == Kit.State.REVOKED:
        return kit
    before = snapshot(kit, ("state",))
    kit.state, kit.revoked_at, kit.revoked_by = Kit.State.REVOKED, timezone.now(), actor
    kit.pairing_code_sha256 = ""
    kit.save(update_fields=["state", "revoked_at", "revoked_by", "pairing_code_sha256"])
    Checkout.objects.filter(kit=kit, state=Checkout.State.OUT).update(
        state=Checkout.State.REVOKED_OUT
    )
    record(
        "kit.revoke", actor=actor, unit=kit.unit, obj=kit, before=before, after={"state": kit.state}
    )
    return kit


@transaction.atomic
def join_kit(code: str, public: keys.PublicKeys) -> Joined:
    """A kit joins with the code it was given and its own public keys. The code works once:
    a second join with it, or a wrong code, is refused alike (nothing says which)."""
    typed = keys.check_pairing_code(code)
    keys.signing_public_key(public.signing)  # each must read as a key
    keys.encryption_public_key(public.encryption)
    digest = keys.pairing_code_digest(typed)
    kit = (
        Kit.objects.select_for_update()
        .select_related("unit")
        .filter(state=Kit.State.REGISTERED, pairing_code_sha256=digest)
        .first()
    )
    if kit is None or not keys.pairing_code_matches(typed, kit.pairing_code_sha256):
        raise errors.PAIRING_CODE_UNKNOWN()
    kit.signing_public_key, kit.encryption_public_key = public.signing, public.encryption
    kit.state, kit.paired_at, kit.pairing_code_sha256 = Kit.State.PAIRED, timezone.now(), ""
    kit.last_contact_at = kit.paired_at
    kit.save()
    record(
        "kit.pair",
        actor=None,
        unit=kit.unit,
        obj=kit,
        after={"state": kit.state, "fingerprint": keys.fingerprint(public)},
    )
    own = district_keys(kit.unit)
    return Joined(
        kit=kit,
        district=keys.PublicKeys(
            signing=own.signing_public_key, encryption=own.encryption_public_key
        ),
    )


def heard_from(kit: Kit, *, kit_time: datetime) -> int:
    """Note a signed request from the kit: when, and how far its clock is from ours (seconds,
    positive when the kit is ahead). Returns that offset."""
    now = timezone.now()
    offset = round((kit_time - now).total_seconds())
    Kit.objects.filter(pk=kit.pk).update(last_contact_at=now, clock_offset_seconds=offset)
    kit.last_contact_at, kit.clock_offset_seconds = now, offset
    return offset


@transaction.atomic
def report_outbox(kit: Kit, *, waiting: int, oldest_waiting_at: datetime | None) -> None:
    """What the kit said of its outbox, for the district's page of kits."""
    Kit.objects.filter(pk=kit.pk).update(
        reported_waiting=waiting, reported_oldest_waiting_at=oldest_waiting_at
    )


@dataclass(frozen=True)
class CheckIn:
    """The district's answer to a check-in: done, or why not yet; and what became of the
    home-visit outcomes it carried (None when it carried none)."""

    checked_in: bool
    received: int
    expected: int
    missing: list[str]
    visits: Applied | None = None


@transaction.atomic
def check_in(
    kit: Kit,
    *,
    session_id: int,
    packet_ids: list[str],
    summary: Mapping[str, object],
    visits: Sequence[KitVisit] = (),
    clock_offset_seconds: int = 0,
) -> CheckIn:
    """The kit closed the session and lists every packet it made. The session is checked in when
    the district holds an answer for every one of them (accepted, conflict or refused) and the
    counts agree; otherwise the kit is told which are missing and keeps its slice. The home-visit
    outcomes it carries are applied either way, in this transaction (`cccd.kits.homevisits`),
    so the kit wipes its slice only once the district has them."""
    checkout = (
        Checkout.objects.select_for_update()
        .filter(kit=kit, session_id=session_id)
        .exclude(state=Checkout.State.REVOKED_OUT)
        .order_by("-checked_out_at")
        .first()
    )
    if checkout is None:
        raise errors.SESSION_NOT_CHECKED_OUT_TO_KIT(session=session_id)
    received = {
        str(pid)
        for pid in ReceivedPacket.objects.filter(kit=kit, session_id=session_id).values_list(
            "packet_id", flat=True
        )
    }
    missing = sorted(set(packet_ids) - received)
    applied = (
        apply_outcomes(
            kit, session_id=session_id, visits=visits, clock_offset_seconds=clock_offset_seconds
        )
        if visits
        else None
    )
    result = CheckIn(
        checked_in=not missing and len(received) == len(set(packet_ids)),
        received=len(received),
        expected=len(set(packet_ids)),
        missing=missing[:100],
        visits=applied,
    )
    if result.checked_in and checkout.state != Checkout.State.CHECKED_IN:
        checkout.state, checkout.checked_in_at = Checkout.State.CHECKED_IN, timezone.now()
        checkout.summary = dict(summary)
        checkout.save(update_fields=["state", "checked_in_at", "summary"])
        record(
            "kit.checkin",
            actor=None,
            unit=kit.unit,
            obj=checkout,
            after={"session": session_id, "packets": result.received},
        )
    return result
