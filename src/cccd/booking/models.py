"""A session's booking plan, its slots' counters, the bookings and the limits' attempt rows.

A slot's places are taken with one conditional UPDATE of its `BookingSlot` row
(`booked = booked + 1 WHERE booked < places`, `services.take_place`), so capacity holds under
concurrent booking on SQLite and PostgreSQL alike; the check constraint is the last guard.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cccd.campaigns.models import Session
from cccd.registry.models import Person
from cccd.tickets.models import Ticket

SLOT_MINUTES_MIN = 5
SLOT_MINUTES_MAX = 240


class BookingPlan(models.Model):
    """What the session's organiser opens to online booking: slots of `slot_minutes` from the
    session's start, `places_per_slot` in each. The rest of the session's capacity stays for the
    lists and walk-ins (`services.save_plan` refuses a plan that takes more than the capacity)."""

    session = models.OneToOneField(
        Session,
        models.CASCADE,
        primary_key=True,
        related_name="booking_plan",
        verbose_name=_("session"),
    )
    is_open = models.BooleanField(_("open to online booking"), default=False)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    places_per_slot = models.PositiveSmallIntegerField(_("places per slot"), default=0)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("booking plan")
        verbose_name_plural = _("booking plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=SLOT_MINUTES_MIN, slot_minutes__lte=SLOT_MINUTES_MAX),
                name="booking_plan_slot_minutes",
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} ({self.slot_minutes} min × {self.places_per_slot})"


class BookingSlot(models.Model):
    """One time slot of a session and its counter of places taken."""

    session = models.ForeignKey(
        Session, models.CASCADE, related_name="booking_slots", verbose_name=_("session")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    places = models.PositiveSmallIntegerField(_("places"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("booking slot")
        verbose_name_plural = _("booking slots")
        ordering = ["session", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "starts_at"], name="booking_slot_once"),
            models.CheckConstraint(
                condition=Q(booked__gte=0, booked__lte=F("places")),
                name="booking_slot_within_places",
            ),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%H:%M} {self.booked}/{self.places}"

    @property
    def free(self) -> int:
        return max(self.places - self.booked, 0)


class Booking(models.Model):
    """A person's place in one slot, with its queue number (`ticket`).

    active → cancelled (through the link), moved (to another slot: a new booking takes over the
    link), no_show (the slot passed and nobody came: `services.release_no_shows`) or arrived (the
    number was served). One active booking per person, held by a partial unique constraint.
    """

    class State(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("booking state", "Active")
        CANCELLED = "cancelled", pgettext_lazy("booking state", "Cancelled")
        MOVED = "moved", pgettext_lazy("booking state", "Moved to another slot")
        NO_SHOW = "no_show", pgettext_lazy("booking state", "Did not come")
        ARRIVED = "arrived", pgettext_lazy("booking state", "Came")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    session = models.ForeignKey(
        Session, models.PROTECT, related_name="bookings", verbose_name=_("session")
    )
    slot = models.ForeignKey(
        BookingSlot, models.PROTECT, related_name="bookings", verbose_name=_("time slot")
    )
    slot_start = models.DateTimeField(_("slot starts at"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="+", verbose_name=_("person"))
    ticket = models.OneToOneField(
        Ticket, models.PROTECT, related_name="booking", verbose_name=_("queue number")
    )
    # SHA-256 of the manage link's token; the token itself is only in the link. Null once the
    # booking is moved (the new booking holds it).
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    channel = models.CharField(_("contact by"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("contact"), max_length=254)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ACTIVE)
    moved_to = models.OneToOneField(
        "self", models.SET_NULL, null=True, blank=True, related_name="moved_from"
    )
    created_at = models.DateTimeField(_("booked at"), default=timezone.now)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="active"),
                name="booking_one_active_per_person",
            )
        ]
        indexes = [models.Index(fields=["state", "slot_start"], name="booking_state_slot_idx")]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        """The booking's code in messages and on its page: no personal data."""
        return f"DL{self.pk:06d}"

    @property
    def slot_end(self) -> datetime.datetime:
        return self.slot.ends_at


class BookingAttempt(models.Model):
    """One counted attempt for the limits (`services.LIMITS`): `key` is an HMAC of the kind and
    the client's address or the ID number typed, so the table holds neither."""

    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("booking attempt")
        verbose_name_plural = _("booking attempts")
        indexes = [models.Index(fields=["key", "at"], name="booking_attempt_key_at")]

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.at:%d/%m/%Y %H:%M}"
