"""Campaigns and their targets, venues, teams and the mobile intake sessions they plan."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cccd.units.models import Unit


class PriorityGroup(models.Model):
    """A group of people a campaign counts and a queue may serve first (reference data).

    Loaded from `campaigns/data/priority_groups.json` by `cccd load_groups`; an administrator may
    rename, reorder or deactivate groups. Lower `priority` is served earlier.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), default=90)
    served_first = models.BooleanField(_("served first in the queue"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["priority", "code"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """An enrollment campaign of one unit, under one edition of the law."""

    class Law(models.TextChoices):
        LAW_2014 = "2014", _("Law on CCCD 2014")
        LAW_2023 = "2023", _("Law on Identification 2023")

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="campaigns", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    law = models.CharField(_("law"), max_length=4, choices=Law.choices, default=Law.LAW_2014)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "name"]
        permissions = [
            ("manage_campaigns", _("Can create campaigns and set targets")),
            ("plan_sessions", _("Can register venues and teams and plan sessions")),
        ]

        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1


class Target(models.Model):
    """How many intakes a unit must reach in a campaign, for one group or (group empty) in all."""

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="targets", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    group = models.ForeignKey(
        PriorityGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    total = models.PositiveIntegerField(_("total"))
    per_day = models.PositiveIntegerField(_("per day"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [  # one per group, and one for "all groups" (no group)
            models.UniqueConstraint(
                fields=["campaign", "unit", "group"],
                condition=Q(group__isnull=False),
                name="target_once_per_group",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit"],
                condition=Q(group__isnull=True),
                name="target_once_in_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.group or '*'}: {self.total}"


class Venue(models.Model):
    """A place where a session is held: a school, a commune hall, a cultural house, a home."""

    class Kind(models.TextChoices):
        SCHOOL = "school", _("School")
        COMMUNE_HALL = "commune_hall", _("Commune hall")
        CULTURAL_HOUSE = "cultural_house", _("Cultural house")
        OFFICE = "office", _("Police office")
        HOME = "home", _("A person's home")

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="venues", verbose_name=_("unit"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("commune")
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("liaison"),
    )

    scope_field = "unit"

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A mobile team (tổ công tác lưu động): a leader and members."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="teams", verbose_name=_("unit"))
    name = models.CharField(_("name"), max_length=120)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="led_teams", verbose_name=_("leader")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="teams", blank=True, verbose_name=_("members")
    )

    scope_field = "unit"

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """One intake session at a venue. It may run in the evening or cross midnight.

    `state` records what people did: planned, open (a desk has opened: the team may start before
    the hour), closed by the team leader, cancelled. What a user reads is `status`, derived from the
    state and the clock, so a session under way never shows as planned and one whose hours are over
    but nobody closed says so.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Status(models.TextChoices):
        """What the pages and the API show (never stored: it changes with the clock)."""

        SCHEDULED = "scheduled", pgettext_lazy("session status", "Scheduled")
        RUNNING = "running", pgettext_lazy("session status", "Running")
        OVER = "over", pgettext_lazy("session status", "Over, not closed yet")
        CLOSED = "closed", pgettext_lazy("session status", "Closed")
        CANCELLED = "cancelled", pgettext_lazy("session status", "Cancelled")

    class Kind(models.TextChoices):
        """At a venue people come to, or a round of homes the team goes to (`cccd.reach`)."""

        VENUE = "venue", _("At a venue")
        HOME_VISITS = "home_visits", _("Home visits")

    ENDED = (State.CLOSED, State.CANCELLED)  # the queue of such a session is frozen

    campaign = models.ForeignKey(
        Campaign, models.PROTECT, related_name="sessions", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="sessions", verbose_name=_("unit"))
    venue = models.ForeignKey(
        Venue, models.PROTECT, related_name="sessions", verbose_name=_("venue")
    )
    team = models.ForeignKey(Team, models.PROTECT, related_name="sessions", verbose_name=_("team"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.VENUE)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    desks = models.PositiveSmallIntegerField(_("desks"), default=2)
    capacity = models.PositiveIntegerField(_("capacity"), default=100)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PLANNED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["unit", "starts_at"], name="session_unit_start_idx")]

    def __str__(self) -> str:
        return f"{self.venue} {timezone.localtime(self.starts_at):%d/%m/%Y %H:%M}"

    @property
    def local_day(self) -> datetime.date:
        """The day a session counts for: the local date it starts on, even when it ends after midnight."""
        return timezone.localtime(self.starts_at).date()

    @property
    def crosses_midnight(self) -> bool:
        return timezone.localtime(self.ends_at).date() > self.local_day

    @property
    def is_night(self) -> bool:
        start = timezone.localtime(self.starts_at).time()
        return start >= datetime.time(19) or self.crosses_midnight

    @property
    def is_weekend(self) -> bool:
        return self.local_day.weekday() >= 5

    @property
    def hours(self) -> str:
        """The hours as people write them: 06/03/2021 19:00–23:30, with both dates when the
        session crosses midnight."""
        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        if end.date() == start.date():
            return f"{start:%d/%m/%Y %H:%M}–{end:%H:%M}"
        return f"{start:%d/%m/%Y %H:%M}–{end:%d/%m/%Y %H:%M}"

    def has_started(self, now: datetime.datetime | None = None) -> bool:
        """Started: its start time has passed, or a desk of it has been opened (`state` open: the
        team may begin before the hour). A closed session had started. A session that has not
        started cannot be closed: its numbers handed out in advance belong to people who have not
        had their evening yet."""
        if self.state in (self.State.OPEN, self.State.CLOSED):
            return True
        return self.starts_at <= (now or timezone.now())

    def status_at(self, now: datetime.datetime | None = None) -> Session.Status:
        now = now or timezone.now()
        if self.state == self.State.CANCELLED:
            return self.Status.CANCELLED
        if self.state == self.State.CLOSED:
            return self.Status.CLOSED
        if now >= self.ends_at:
            return self.Status.OVER
        return self.Status.RUNNING if self.has_started(now) else self.Status.SCHEDULED

    @property
    def status(self) -> Session.Status:
        """Scheduled, running, over (its hours are past but nobody closed it), closed, cancelled."""
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(self.status.label)

    def overlapping(self) -> models.Q:
        """Sessions whose hours overlap this one's (aware times, so a night past midnight counts
        on both sides of it). Half-open: one ending at 19:00 and one starting at 19:00 do not."""
        return Q(starts_at__lt=self.ends_at, ends_at__gt=self.starts_at)
