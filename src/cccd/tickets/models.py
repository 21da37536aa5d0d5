"""A session's queue: its counter row, its desks and the numbers handed out (số thứ tự)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.campaigns.models import PriorityGroup, Session
from cccd.registry.models import Person
from cccd.rosters.models import RosterEntry


def new_public_token() -> str:
    return secrets.token_urlsafe(16)


class SessionQueue(models.Model):
    """The one row per session that every change to its queue locks first.

    `last_number` is the last number handed out; `priority_run` counts the priority numbers
    called in a row, for the rule that never starves regular numbers (`services.PRIORITY_RUN`);
    `desks_made` spares every lock a look at the desks table.
    """

    session = models.OneToOneField(
        Session, models.CASCADE, primary_key=True, related_name="queue", verbose_name=_("session")
    )
    last_number = models.PositiveIntegerField(default=0)
    priority_run = models.PositiveIntegerField(default=0)
    desks_made = models.PositiveSmallIntegerField(default=0)  # desks 1..n exist (lock_queue)

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")

    def __str__(self) -> str:
        return f"{self.session} #{self.last_number}"


class Desk(models.Model):
    """One intake desk of a session (bàn 1..session.desks) and the officer working at it."""

    session = models.ForeignKey(
        Session, models.CASCADE, related_name="queue_desks", verbose_name=_("session")
    )
    number = models.PositiveSmallIntegerField(_("desk"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    is_open = models.BooleanField(_("open"), default=False)

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="desk_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="desk_number_positive"),
        ]

    def __str__(self) -> str:
        return str(_("Desk %(number)s") % {"number": self.number})


class Ticket(models.Model):
    """A queue number of one session, handed out in advance from the roster or at the door.

    waiting → called → serving (its intake is open) → done; a called number nobody answers is
    skipped and goes back in line when recalled. A number sent to another desk waits for that desk
    only. Closing the session hands the numbers still waiting on to a later session (moved) or
    marks them not served.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped (did not come)")
        MOVED = "moved", _("Handed on to a later session")
        UNSERVED = "unserved", _("Not served (session closed)")
        CANCELLED = "cancelled", _("Cancelled (booking cancelled or moved)")

    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Handed out in advance")
        WALK_IN = "walk_in", _("Walk-in")
        BOOKED = "booked", _("Booked online")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        ZNS = "zns", _("Zalo")

    session = models.ForeignKey(
        Session, models.PROTECT, related_name="tickets", verbose_name=_("session")
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    roster_entry = models.ForeignKey(
        RosterEntry,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("roster row"),
    )
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    class_name = models.CharField(_("class"), max_length=40, blank=True)
    group = models.ForeignKey(
        PriorityGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.WAITING
    )
    slot_start = models.DateTimeField(_("slot starts at"), null=True, blank=True)
    line_at = models.DateTimeField(_("in line since"))  # the order of the line: slot or arrival
    desk = models.ForeignKey(
        Desk, models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("desk")
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    calls = models.PositiveSmallIntegerField(_("calls"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    public_token = models.CharField(max_length=32, unique=True, default=new_public_token)
    # Where to tell the holder that the number is coming up (booked online, or asked at the door):
    # both blank, or a channel of `cccd.notify` and its address.
    notify_channel = models.CharField(
        _("notify by"), max_length=8, choices=Channel.choices, blank=True
    )
    notify_address = models.CharField(_("notify at"), max_length=254, blank=True)

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("queue number")
        verbose_name_plural = _("queue numbers")
        ordering = ["session", "number"]
        permissions = [
            ("issue_ticket", _("Can hand out queue numbers")),
            ("operate_desk", _("Can call numbers at a desk")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="ticket_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ticket_number_positive"),
        ]
        indexes = [models.Index(fields=["session", "state", "line_at"], name="ticket_line_idx")]

    def __str__(self) -> str:
        return self.display

    @property
    def display(self) -> str:
        """The number as printed and shown on the board: four digits, "0123"."""
        return f"{self.number:04d}"

    @property
    def is_priority(self) -> bool:
        return self.group is not None and self.group.served_first
