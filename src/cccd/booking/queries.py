"""What the public booking pages list: communes and venues with a free slot ahead, and the
sessions with their free slots. Nothing personal."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from cccd.booking.models import Booking, BookingSlot
from cccd.booking.services import bookable_slots
from cccd.campaigns.models import Session, Venue
from cccd.units.models import Unit

MAX_SLOTS_SHOWN = 400


@dataclass
class Offer:
    """One session open to booking and its free slots."""

    session: Session
    slots: list[BookingSlot] = field(default_factory=list)


@dataclass(frozen=True)
class Choices:
    communes: list[Unit]
    venues: list[Venue]


def choices(now: datetime.datetime | None = None) -> Choices:
    """The communes and venues that have a free slot ahead, for the pickers."""
    slots = bookable_slots(now).values_list("session__venue_id", flat=True).distinct()
    venues = list(Venue.objects.filter(pk__in=slots).select_related("commune").order_by("name"))
    communes = {v.commune.pk: v.commune for v in venues if v.commune is not None}
    return Choices(sorted(communes.values(), key=lambda u: u.name), venues)


def offers(
    *,
    commune_id: int | None = None,
    venue_id: int | None = None,
    except_slot_id: int | None = None,
    now: datetime.datetime | None = None,
) -> list[Offer]:
    """Upcoming sessions open to booking with their free slots, at a venue or in a commune."""
    slots = bookable_slots(now or timezone.now())
    if venue_id is not None:
        slots = slots.filter(session__venue_id=venue_id)
    elif commune_id is not None:
        slots = slots.filter(session__venue__commune_id=commune_id)
    if except_slot_id is not None:
        slots = slots.exclude(pk=except_slot_id)
    by_session: dict[int, Offer] = {}
    for slot in slots[:MAX_SLOTS_SHOWN]:
        by_session.setdefault(slot.session_id, Offer(slot.session)).slots.append(slot)
    return list(by_session.values())


def slot_counts(session: Session) -> list[tuple[BookingSlot, int]]:
    """The organiser's view: each slot and its active bookings (the counter holds every place
    taken, arrivals and no-shows included)."""
    slots = list(BookingSlot.objects.filter(session=session).order_by("starts_at"))
    active: dict[int, int] = {}
    for slot_id in Booking.objects.filter(session=session, state=Booking.State.ACTIVE).values_list(
        "slot_id", flat=True
    ):
        active[slot_id] = active.get(slot_id, 0) + 1
    return [(slot, active.get(slot.pk, 0)) for slot in slots]
