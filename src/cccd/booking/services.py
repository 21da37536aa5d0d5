"""Online booking: the organiser's plan, a citizen's booking, its cancel and move through the link,
and the sweep that marks arrivals, releases no-shows and queues the day-before reminders.

docs/booking.md holds the rules; in short:

- **A place** is taken with one conditional UPDATE of the slot's counter row
  (`booked = booked + 1 WHERE booked < places`, `take_place`): the database decides, row by row,
  so a slot never holds more than its places on SQLite (IMMEDIATE transactions: one writer at a
  time) or PostgreSQL (the UPDATE waits for the row and checks the condition again). The booking,
  its queue number and the counter are written in one transaction: a refusal leaves nothing.
- **Identity**: the ID number, the folded full name and the birth date must all match the
  register; anything else (and an unknown number) gets one refusal that says what to bring to a
  walk-in, never which field was wrong, never any data.
- **Limits**: `ADDRESS_LIMIT` well-formed attempts per client address per hour, and
  `ID_FAILURE_LIMIT` failed identity checks per ID number per day; counted in `BookingAttempt`
  rows under an HMAC of the key, so the table holds no address and no ID number.
- **The link** carries an unguessable token; only its SHA-256 is stored.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import PLAN
from cccd.accounts.scoping import get_visible
from cccd.booking import errors
from cccd.booking.models import (
    SLOT_MINUTES_MAX,
    SLOT_MINUTES_MIN,
    Booking,
    BookingAttempt,
    BookingPlan,
    BookingSlot,
)
from cccd.campaigns.models import Session
from cccd.core import birthdates, idnumber, names
from cccd.errors import DomainError
from cccd.notify import services as notify
from cccd.notify.models import Channel
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Ticket

log = logging.getLogger(__name__)

ADDRESS_LIMIT = 10
ADDRESS_WINDOW = datetime.timedelta(hours=1)
ID_FAILURE_LIMIT = 5
ID_FAILURE_WINDOW = datetime.timedelta(days=1)
NO_SHOW_GRACE = datetime.timedelta(minutes=30)  # after the slot's end
FIELD_MAX_LENGTH = 254
NAME_MAX_LENGTH = 120
OPEN_STATES = (Session.State.PLANNED, Session.State.OPEN)
SERVED = (Ticket.State.SERVING, Ticket.State.DONE)
GONE = (Ticket.State.UNSERVED, Ticket.State.MOVED, Ticket.State.CANCELLED)

_SPACES = re.compile(r"[\s.-]+")


# --- what the citizen typed ----------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """What the citizen typed, cleaned: the ID number, the folded name and the birth date (a
    whole date, or only a year for a register date known by its year)."""

    personal_id: str
    name_folded: str
    born_on: datetime.date | None = None
    born_in: int | None = None

    def matches(self, person: Person) -> bool:
        """ID, folded name and birth date all agree with the register (a year alone matches only
        a year-only register date, and a whole date a whole date; the year of a whole date typed
        for a year-only person matches too)."""
        if person.personal_id != self.personal_id or person.name_folded != self.name_folded:
            return False
        if person.status != Person.Status.ALIVE:
            return False
        if person.birth_date_precision == Person.Precision.YEAR:
            year = self.born_in if self.born_in is not None else self.born_on and self.born_on.year
            return year == person.birth_year
        return self.born_on is not None and self.born_on == person.birth_date


def _text(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip()


def clean_personal_id(value: str | None) -> str:
    """12 ASCII digits with a known province code; spaces, dots and dashes between are dropped
    and full-width digits read as ASCII."""
    text = _SPACES.sub("", _text(value))
    if not text or len(text) > 20:
        raise errors.BOOKING_ID_NEEDED()
    try:
        idnumber.parse(text)
    except idnumber.InvalidPersonalId:
        raise errors.BOOKING_ID_NEEDED() from None
    return text


def clean_name(value: str | None) -> str:
    """The folded name (`cccd.core.names.fold`): capitals, missing diacritics and old or new
    tone placement all match. Refuses a blank name, one too long, or one without a letter."""
    text = _text(value)
    if not text or len(text) > NAME_MAX_LENGTH or not any(ch.isalpha() for ch in text):
        raise errors.BOOKING_NAME_NEEDED()
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise errors.BOOKING_NAME_NEEDED()
    return names.fold(text)[:NAME_MAX_LENGTH]


def parse_birth_date(
    value: str | None, *, today: datetime.date
) -> tuple[datetime.date | None, int | None]:
    """dd/mm/yyyy (or with '.' or '-'), or yyyy alone; the impossible and the future refused."""
    try:
        return birthdates.parse_typed(_text(value), today=today)
    except birthdates.TypedBirthDateError:
        raise errors.BOOKING_BIRTH_DATE_NEEDED() from None


def clean_contact(value: str | None) -> tuple[str, str]:
    """(channel, address): an e-mail when it holds "@", otherwise a Vietnamese mobile number by
    SMS; normalised as `cccd.notify` stores it."""
    text = _text(value)
    if not text or len(text) > FIELD_MAX_LENGTH:
        raise errors.BOOKING_CONTACT_NEEDED()
    channel = Channel.EMAIL if "@" in text else Channel.SMS
    try:
        return channel, notify.normalized_address(channel, text)
    except DomainError:
        raise errors.BOOKING_CONTACT_NEEDED() from None


def identity(
    personal_id: str | None, full_name: str | None, birth_date: str | None, *, today: datetime.date
) -> Identity:
    """Every field checked, in the order of the form; the first malformed one is refused."""
    pid = clean_personal_id(personal_id)
    folded = clean_name(full_name)
    born_on, born_in = parse_birth_date(birth_date, today=today)
    return Identity(pid, folded, born_on, born_in)


# --- limits ----------------------------------------------------------------------------------------


def attempt_key(kind: str, value: str) -> str:
    """An HMAC under the server's key: an ID number has too few possible values for a bare hash
    to hide it."""
    return salted_hmac("cccd.booking.limits", f"{kind}:{value}", algorithm="sha256").hexdigest()


def _over(key: str, limit: int, window: datetime.timedelta, now: datetime.datetime) -> bool:
    recent = BookingAttempt.objects.filter(key=key, at__gt=now - window)
    return recent.count() >= limit


def _count(key: str, now: datetime.datetime) -> None:
    """One row per attempt, in its own transaction (a refusal that follows still counts); rows
    past the longest window are deleted on the way."""
    with transaction.atomic():
        BookingAttempt.objects.filter(at__lt=now - max(ADDRESS_WINDOW, ID_FAILURE_WINDOW)).delete()
        BookingAttempt.objects.create(key=key, at=now)


# --- the organiser's plan --------------------------------------------------------------------------


def slot_times(session: Session, minutes: int) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The slots of `minutes` from the session's start that end by its end."""
    step = datetime.timedelta(minutes=minutes)
    times, start = [], session.starts_at
    while start + step <= session.ends_at:
        times.append((start, start + step))
        start += step
    return times


def plan_for(session: Session) -> BookingPlan:
    """The session's plan, or an unsaved closed one."""
    plan = BookingPlan.objects.filter(session=session).first()
    return plan or BookingPlan(session=session, is_open=False, slot_minutes=30, places_per_slot=0)


@transaction.atomic
def save_plan(
    session_id: int, *, is_open: bool, slot_minutes: int, places_per_slot: int, actor: User
) -> BookingPlan:
    """Open or close the session to online booking, and set its slots and places.

    Slot rows are made for the whole session. Their places change in place; the slot length may
    change only while the session has no booking at all (cancelled ones included: they keep
    their slot). The slots' rows are locked first, so a booking at the same moment waits.
    """
    require_permission(actor, PLAN)
    session = get_visible(actor, Session.objects.select_related("unit"), pk=session_id)
    if session.state not in OPEN_STATES or session.kind != Session.Kind.VENUE:
        raise errors.BOOKING_SESSION_ENDED()
    bounds = {"low": SLOT_MINUTES_MIN, "high": SLOT_MINUTES_MAX}
    if not SLOT_MINUTES_MIN <= slot_minutes <= SLOT_MINUTES_MAX or places_per_slot < 0:
        raise errors.BOOKING_PLAN_INVALID(**bounds)
    if places_per_slot > 32767 or (is_open and places_per_slot < 1):
        raise errors.BOOKING_PLAN_INVALID(**bounds)
    times = slot_times(session, slot_minutes)
    total = len(times) * places_per_slot
    if total > session.capacity or (is_open and not times):
        raise errors.BOOKING_PLAN_OVER_CAPACITY(
            slots=len(times), places=places_per_slot, total=total, capacity=session.capacity
        )
    BookingPlan.objects.select_for_update().filter(session=session).first()
    slots = list(BookingSlot.objects.select_for_update().filter(session=session))
    plan = plan_for(session)
    before = snapshot(plan, ("is_open", "slot_minutes", "places_per_slot")) if plan.pk else None
    most = max((s.booked for s in slots), default=0)
    if most > places_per_slot:
        raise errors.BOOKING_PLAN_HAS_BOOKINGS(booked=most)
    if slots and plan.slot_minutes != slot_minutes:
        if Booking.objects.filter(session=session).exists():
            raise errors.BOOKING_PLAN_HAS_BOOKINGS(booked=most)
        BookingSlot.objects.filter(session=session).delete()
        slots = []
    if slots:
        BookingSlot.objects.filter(session=session).update(places=places_per_slot)
    else:
        BookingSlot.objects.bulk_create(
            BookingSlot(session=session, starts_at=s, ends_at=e, places=places_per_slot)
            for s, e in times
        )
    plan.is_open, plan.slot_minutes, plan.places_per_slot = is_open, slot_minutes, places_per_slot
    plan.updated_by = actor
    plan.save()
    record(
        "booking.plan",
        actor=actor,
        unit=session.unit,
        obj=session,
        before=before,
        after=snapshot(plan, ("is_open", "slot_minutes", "places_per_slot")),
    )
    return plan


# --- what the public sees --------------------------------------------------------------------------


def bookable_slots(now: datetime.datetime | None = None) -> QuerySet[BookingSlot]:
    """Slots still ahead, with a free place, of sessions open to booking."""
    now = now or timezone.now()
    return (
        BookingSlot.objects.filter(
            session__booking_plan__is_open=True,
            session__state__in=OPEN_STATES,
            session__kind=Session.Kind.VENUE,
            starts_at__gt=now,
            booked__lt=F("places"),
        )
        .select_related("session__venue__commune")
        .order_by("session__starts_at", "session_id", "starts_at")
    )


def _bookable(slot: BookingSlot, now: datetime.datetime) -> None:
    session = slot.session
    plan = BookingPlan.objects.filter(session=session).first()
    open_now = plan is not None and plan.is_open and session.state in OPEN_STATES
    if not open_now or session.kind != Session.Kind.VENUE or slot.starts_at <= now:
        raise errors.BOOKING_SLOT_UNAVAILABLE()


def slot_for_booking(slot_id: int, now: datetime.datetime | None = None) -> BookingSlot:
    """The slot as the form shows it, refused when it is not open to booking."""
    slot = (
        BookingSlot.objects.select_related("session__venue", "session__unit")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None:
        raise errors.BOOKING_SLOT_UNAVAILABLE()
    _bookable(slot, now or timezone.now())
    return slot


def take_place(slot_id: int) -> bool:
    """Take one place of the slot if one is free: ONE conditional UPDATE, decided by the database
    (see the module). True when a place was taken."""
    return bool(
        BookingSlot.objects.filter(pk=slot_id, booked__lt=F("places")).update(
            booked=F("booked") + 1
        )
    )


def give_back_place(slot_id: int) -> None:
    BookingSlot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


# --- booking -------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def manage_path(token: str) -> str:
    return reverse("booking:manage", args=[token])


def slot_text(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "H:i d/m/Y")


def book(
    slot_id: int,
    *,
    personal_id: str | None,
    full_name: str | None,
    birth_date: str | None,
    contact: str | None,
    client_key: str,
    link_base: str = "",
) -> tuple[Booking, str]:
    """Book a place in the slot for the person the typed details identify; returns the booking
    and the token of its link (shown once, never stored).

    Order: malformed input is refused before anything is counted; then the limits; then the
    attempt is counted against the address; an identity that does not match counts against the
    ID number and gets the one generic refusal; then place, number, booking and its
    confirmation message in one transaction. `link_base` ("https://host") makes the confirmation's link absolute.
    """
    now = timezone.now()
    who = identity(personal_id, full_name, birth_date, today=timezone.localdate(now))
    channel, address = clean_contact(contact)
    slot_for_booking(slot_id, now)
    by_address = attempt_key("ip", client_key)
    by_id = attempt_key("id", who.personal_id)
    if _over(by_address, ADDRESS_LIMIT, ADDRESS_WINDOW, now) or _over(
        by_id, ID_FAILURE_LIMIT, ID_FAILURE_WINDOW, now
    ):
        raise errors.BOOKING_TOO_MANY_ATTEMPTS()
    _count(by_address, now)
    person = Person.objects.filter(personal_id=who.personal_id).first()
    if person is None or not who.matches(person):
        _count(by_id, now)
        raise errors.BOOKING_NOT_MATCHED()
    try:
        with transaction.atomic():
            booking, token = _take(slot_id, person, channel, address, now)
            _confirm(booking, token, link_base)
    except IntegrityError:  # the same person booking twice at the same moment
        raise errors.BOOKING_ALREADY_BOOKED() from None
    return booking, token


def _take(
    slot_id: int,
    person: Person,
    channel: str,
    address: str,
    now: datetime.datetime,
) -> tuple[Booking, str]:
    """Inside the caller's transaction: the place, the number and the booking."""
    slot = BookingSlot.objects.select_related("session__unit", "session__venue").get(pk=slot_id)
    _bookable(slot, now)
    if Booking.objects.filter(person=person, state=Booking.State.ACTIVE).exists():
        raise errors.BOOKING_ALREADY_BOOKED()
    if tickets.walk_in_problem(slot.session, person) is not None:  # the door's own guard
        raise errors.BOOKING_NOT_NEEDED()
    if not take_place(slot.pk):
        raise errors.BOOKING_SLOT_FULL()
    ticket = tickets.issue_booked(
        slot.session,
        person=person,
        slot_start=slot.starts_at,
        notify_channel=channel,
        notify_address=address,
    )
    token = secrets.token_urlsafe(24)
    booking = Booking.objects.create(
        session=slot.session,
        slot=slot,
        slot_start=slot.starts_at,
        person=person,
        ticket=ticket,
        token_hash=token_hash(token),
        channel=channel,
        address=address,
        created_at=now,
        changed_at=now,
    )
    record(
        "booking.create",
        actor=None,
        unit=slot.session.unit,
        obj=booking,
        after={
            "session": slot.session_id,
            "slot": slot.starts_at.isoformat(),
            "ticket": ticket.number,
        },
        object_repr=booking.code,
    )
    return booking, token


def _confirm(booking: Booking, token: str, link_base: str) -> None:
    """Queue `booking_confirmed` in the booking's transaction (`cccd.notify` sends it after the
    commit, so a booking rolled back sends nothing, and one committed never loses its message). A
    message that cannot be queued (no template, an address the channel refuses) rolls back only
    its own savepoint, not the booking: the booking's page shows everything the message would."""
    session = booking.session
    context = {
        "venue": session.venue.name,
        "slot": slot_text(booking.slot_start),
        "booking": booking.code,
    }
    if booking.channel != Channel.ZNS:
        context["link"] = link_base + manage_path(token)
    try:
        with transaction.atomic():
            notify.queue(
                unit=session.unit,
                channel=booking.channel,
                address=booking.address,
                template_code="booking_confirmed",
                context=context,
                event_key=f"booking:{booking.pk}:confirmed",
            )
    except DomainError as exc:
        log.warning("booking %s: confirmation not queued (%s)", booking.pk, exc.code)


# --- through the link ------------------------------------------------------------------------------


def _by_token(token: str, *, lock: bool = False) -> Booking:
    token = (token or "")[:100]
    found = Booking.objects.select_related(
        "session__venue", "session__unit", "ticket", "slot"
    ).filter(token_hash=token_hash(token))
    if lock:
        found = found.select_for_update(of=("self",))
    booking = found.first()
    if booking is None:
        raise errors.BOOKING_LINK_UNKNOWN()
    return booking


def _settle(booking: Booking, now: datetime.datetime) -> Booking:
    """An active booking whose number was served is arrived; read paths and the sweep call this."""
    if booking.state != Booking.State.ACTIVE:
        return booking
    ticket_state = Ticket.objects.filter(pk=booking.ticket_id).values_list("state", flat=True)[0]
    if ticket_state in SERVED:
        _mark(booking, Booking.State.ARRIVED, now, action="booking.arrive")
    return booking


def _mark(booking: Booking, state: str, now: datetime.datetime, action: str) -> bool:
    """Move an active booking to `state`; False when another request moved it first."""
    with transaction.atomic():
        moved = Booking.objects.filter(pk=booking.pk, state=Booking.State.ACTIVE).update(
            state=state, changed_at=now
        )
        if moved:
            record(
                action,
                actor=None,
                unit=booking.session.unit,
                obj=booking,
                before={"state": Booking.State.ACTIVE},
                after={"state": state},
                object_repr=booking.code,
            )
    if moved:
        booking.state, booking.changed_at = state, now
    return bool(moved)


def open_booking(token: str) -> Booking:
    """The booking its link names, audited (no actor: the public; no personal data)."""
    booking = _settle(_by_token(token), timezone.now())
    record(
        "booking.open",
        actor=None,
        unit=booking.session.unit,
        obj=booking,
        after={"state": booking.state},
        object_repr=booking.code,
    )
    return booking


def _active(booking: Booking) -> None:
    if booking.state != Booking.State.ACTIVE:
        raise errors.BOOKING_NOT_ACTIVE(state=booking.get_state_display().lower())


@transaction.atomic
def cancel(token: str, *, confirmed: bool) -> Booking:
    """Cancel through the link, once confirmed: the place freed, the number out of the line."""
    if not confirmed:
        raise errors.BOOKING_CONFIRM_CANCEL()
    now = timezone.now()
    booking = _settle(_by_token(token, lock=True), now)
    _active(booking)
    if tickets.cancel_booked(booking.ticket_id, reason="booking cancelled") is None:
        raise errors.BOOKING_AT_DESK()
    give_back_place(booking.slot_id)
    Booking.objects.filter(pk=booking.pk).update(state=Booking.State.CANCELLED, changed_at=now)
    booking.state = Booking.State.CANCELLED
    record(
        "booking.cancel",
        actor=None,
        unit=booking.session.unit,
        obj=booking,
        before={"state": Booking.State.ACTIVE},
        after={"state": booking.state},
        object_repr=booking.code,
    )
    return booking


def move(token: str, slot_id: int, *, link_base: str = "") -> Booking:
    """Move through the link to another slot (of this session or another): in one transaction
    the new place is taken and the old one freed, the old number cancelled and a new number
    issued in the new slot's session (a new number, in line at the new slot: see docs/booking.md),
    and a new booking takes over the link; the old one is `moved`."""
    now = timezone.now()
    try:
        with transaction.atomic():
            new = _move(token, slot_id, now)
            _confirm(new, token, link_base)
    except IntegrityError:
        raise errors.BOOKING_ALREADY_BOOKED() from None
    return new


def _move(token: str, slot_id: int, now: datetime.datetime) -> Booking:
    old = _settle(_by_token(token, lock=True), now)
    _active(old)
    target = BookingSlot.objects.select_related("session").filter(pk=slot_id).first()
    if target is None:
        raise errors.BOOKING_SLOT_UNAVAILABLE()
    _bookable(target, now)
    if target.pk == old.slot_id:
        raise errors.BOOKING_SAME_SLOT()
    for slot_pk in sorted({old.slot_id, target.pk}):  # one lock order for every move
        if slot_pk == target.pk and not take_place(slot_pk):
            raise errors.BOOKING_SLOT_FULL()
        if slot_pk == old.slot_id:
            give_back_place(slot_pk)
    for session in sorted({old.session, target.session}, key=lambda s: s.pk):
        tickets.lock_queue(session)
    if tickets.cancel_booked(old.ticket_id, reason="booking moved") is None:
        raise errors.BOOKING_AT_DESK()
    Booking.objects.filter(pk=old.pk).update(
        state=Booking.State.MOVED, changed_at=now, token_hash=None
    )
    new = _take_moved(old, target, token, now)
    Booking.objects.filter(pk=old.pk).update(moved_to=new)
    record(
        "booking.move",
        actor=None,
        unit=old.session.unit,
        obj=old,
        before={"session": old.session_id, "slot": old.slot_start.isoformat()},
        after={"booking": new.pk, "session": new.session_id, "slot": new.slot_start.isoformat()},
        object_repr=old.code,
    )
    return new


def _take_moved(old: Booking, target: BookingSlot, token: str, now: datetime.datetime) -> Booking:
    """The new booking of a move: its place is already taken by `_move`."""
    session = Session.objects.select_related("unit", "venue").get(pk=target.session_id)
    ticket = tickets.issue_booked(
        session,
        person=old.person,
        slot_start=target.starts_at,
        notify_channel=old.channel,
        notify_address=old.address,
    )
    new = Booking.objects.create(
        session=session,
        slot=target,
        slot_start=target.starts_at,
        person_id=old.person_id,
        ticket=ticket,
        token_hash=token_hash(token),
        channel=old.channel,
        address=old.address,
        created_at=now,
        changed_at=now,
    )
    record(
        "booking.create",
        actor=None,
        unit=session.unit,
        obj=new,
        after={
            "session": session.pk,
            "slot": target.starts_at.isoformat(),
            "ticket": ticket.number,
            "moved_from": old.pk,
        },
        object_repr=new.code,
    )
    return new


# --- the sweep -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    arrived: int
    no_shows: int
    reminders: int


def sweep(now: datetime.datetime | None = None) -> SweepResult:
    """What `cccd booking_sweep` does, safe to run every few minutes and from two cron jobs at
    once: each booking changes in its own small transaction, only from active."""
    now = now or timezone.now()
    arrived = mark_arrivals(now)
    no_shows = release_no_shows(now)
    return SweepResult(arrived, no_shows, queue_reminders(now))


def mark_arrivals(now: datetime.datetime) -> int:
    """Active bookings whose number is being or has been served become arrived."""
    served = Booking.objects.filter(state=Booking.State.ACTIVE, ticket__state__in=SERVED)
    count = 0
    for booking in served.select_related("session__unit").iterator():
        count += _mark(booking, Booking.State.ARRIVED, now, action="booking.arrive")
    return count


def release_no_shows(now: datetime.datetime) -> int:
    """Active bookings whose slot ended more than `NO_SHOW_GRACE` ago and whose number was not
    served: no_show, the number cancelled if still waiting or skipped (a late comer takes a
    number at the door), the person free to book again. A number at a desk right now is left."""
    due = Booking.objects.filter(
        state=Booking.State.ACTIVE, slot__ends_at__lt=now - NO_SHOW_GRACE
    ).exclude(ticket__state__in=(Ticket.State.CALLED, *SERVED))
    count = 0
    for booking in due.select_related("session__unit").iterator():
        with transaction.atomic():
            if tickets.cancel_booked(booking.ticket_id, reason="no show") is None:
                state = Ticket.objects.get(pk=booking.ticket_id).state
                if state not in GONE:  # called or served meanwhile: not a no-show
                    continue
            count += _mark(booking, Booking.State.NO_SHOW, now, action="booking.no_show")
    return count


def queue_reminders(now: datetime.datetime) -> int:
    """`booking_reminder` for active bookings whose slot is tomorrow (local time), once each
    (`reminded_at`, and the event key booking:<id>:reminder). A booking made today is not
    reminded: its confirmation is hours old."""
    today = timezone.localdate(now)
    start_of = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    tomorrow = start_of + datetime.timedelta(days=1)
    due = Booking.objects.filter(
        Q(reminded_at__isnull=True),
        state=Booking.State.ACTIVE,
        slot_start__gte=tomorrow,
        slot_start__lt=tomorrow + datetime.timedelta(days=1),
        created_at__lt=start_of,
    ).select_related("session__venue", "session__unit")
    count = 0
    for booking in due.iterator():
        with transaction.atomic():
            if not Booking.objects.filter(pk=booking.pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            try:
                with transaction.atomic():
                    notify.queue(
                        unit=booking.session.unit,
                        channel=booking.channel,
                        address=booking.address,
                        template_code="booking_reminder",
                        context={
                            "venue": booking.session.venue.name,
                            "slot": slot_text(booking.slot_start),
                            "booking": booking.code,
                        },
                        event_key=f"booking:{booking.pk}:reminder",
                    )
            except DomainError as exc:
                log.warning("booking %s: reminder not queued (%s)", booking.pk, exc.code)
                continue
            count += 1
    return count
