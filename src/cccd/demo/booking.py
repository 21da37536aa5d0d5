"""The demo's online booking: the commune hall of Thuận An in five days' time, open to booking in
half-hour slots of 10 places (the rest of its 120 for the lists and walk-ins), and a few people of
Thuận An already booked through the same service the public page calls, with an e-mail address
(their confirmations land in the demo's mail catcher, var/mail/new) or a phone (SMS: the log)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cccd.accounts.models import User
from cccd.booking import services as booking
from cccd.booking.models import Booking, BookingSlot
from cccd.campaigns.models import Session, Venue
from cccd.demo.seed import demo_session
from cccd.enrollments.models import Enrollment
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from cccd.units.models import Unit

PUBLIC_SESSION = 6  # DEMO_SESSIONS[6]: Hội trường UBND xã Thuận An, five days ahead, a morning
COMMUNE = "/hc/L67/663/24682/"  # Xã Thuận An
SLOT_MINUTES = 30
PLACES_PER_SLOT = 10
BOOKED = 8
CLIENT = "demo seed"
LINK_BASE = "http://127.0.0.1:8000"  # `make demo`'s address, for the links in the mails


@dataclass(frozen=True)
class SeededBooking:
    session_id: int | None
    booked: int


def seed_booking() -> SeededBooking:
    """Open the session to booking and book a few people (once: a second seed books no more)."""
    session = demo_session(PUBLIC_SESSION)
    if session is None or session.starts_at <= timezone.now():
        return SeededBooking(None, 0)
    commune = Unit.objects.filter(path=COMMUNE).first()
    if commune is not None:  # the venue is in the commune: its people find it by their commune
        Venue.objects.filter(pk=session.venue_id, commune__isnull=True).update(commune=commune)
    planner = User.objects.get(username="totruong.dakmil")
    booking.save_plan(
        session.pk,
        is_open=True,
        slot_minutes=SLOT_MINUTES,
        places_per_slot=PLACES_PER_SLOT,
        actor=planner,
    )
    if Booking.objects.filter(session=session).exists():
        return SeededBooking(session.pk, 0)
    slots = list(BookingSlot.objects.filter(session=session).order_by("starts_at"))
    booked = 0
    for turn, person in enumerate(_people(session, commune)):
        slot = slots[turn % min(len(slots), 3)]
        contact = f"0{912_000_100 + turn}" if turn % 3 == 2 else f"nguoidan{turn + 1}@example.vn"
        booking.book(
            slot.pk,
            personal_id=person.personal_id,
            full_name=person.full_name,
            birth_date=person.birth_date.strftime("%d/%m/%Y"),
            contact=contact,
            client_key=f"{CLIENT} {turn // 5}",  # within the per-address limit, as real phones are
            link_base=LINK_BASE,
        )
        booked += 1
    return SeededBooking(session.pk, booked)


def _people(session: Session, commune: Unit | None) -> list[Person]:
    """Adults of Thuận An, then of the rest of Đắk Mil, with no dossier and no number yet, born on
    a known day."""
    if commune is None:
        return []
    eighteen = timezone.localdate() - datetime.timedelta(days=18 * 366)
    free = (
        Person.objects.filter(
            residence_unit__path__startswith=commune.path.rsplit("/", 2)[0] + "/",
            status=Person.Status.ALIVE,
            birth_date__isnull=False,
            birth_date_precision=Person.Precision.DAY,
            birth_date__lte=eighteen,
        )
        .exclude(Exists(Enrollment.objects.filter(person=OuterRef("pk"))))
        .exclude(Exists(Ticket.objects.filter(person=OuterRef("pk"))))
    )
    here = list(free.filter(residence_unit=commune).order_by("pk")[:BOOKED])
    return here + list(free.exclude(residence_unit=commune).order_by("pk")[: BOOKED - len(here)])
