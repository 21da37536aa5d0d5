"""Rosters uploaded for a session, their rows, and each row's pre-check against the register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.campaigns.models import Session
from cccd.registry.models import Person
from cccd.units.models import Unit


class Roster(models.Model):
    """One uploaded version of one of a session's lists.

    Schools send their lists class by class, so a session holds several lists, each named
    (`list_name`, e.g. "Lớp 12A1"). Each list has at most one current version; an upload either
    adds a list or, chosen explicitly, replaces one named list, and a version that would drop people
    from its list waits for a confirmation (`AWAITING`) before it becomes current.
    """

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        AWAITING = "awaiting", _("Waiting for confirmation")
        CHECKING = "checking", _("Pre-check running")
        CHECKED = "checked", _("Pre-checked")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Not used")

    session = models.ForeignKey(
        Session, models.PROTECT, related_name="rosters", verbose_name=_("session")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    list_name = models.CharField(_("list"), max_length=100, blank=True, default="")
    version = models.PositiveIntegerField(_("version"), default=1)  # within its list
    is_current = models.BooleanField(default=True)
    file = models.FileField(_("file"), upload_to="rosters/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(max_length=8)
    header_line = models.PositiveIntegerField(default=1)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.UPLOADED
    )
    error_message = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-uploaded_at"]
        permissions = [
            ("upload_roster", _("Can upload rosters")),
            ("review_roster", _("Can resolve pre-check results")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "list_name"],
                condition=models.Q(is_current=True),
                name="one_current_version_per_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} v{self.version}"

    @property
    def display_name(self) -> str:
        """The list's name, or the file's for a list made before lists had names."""
        return self.list_name or self.original_name

    @property
    def is_busy(self) -> bool:
        """Being read or pre-checked by the worker."""
        return self.state in {self.State.UPLOADED, self.State.CHECKING}


class Outcome(models.TextChoices):
    PENDING = "pending", _("Not checked yet")
    MATCHED = "matched", _("Matched")
    REVIEW = "review", _("To review")
    AMBIGUOUS = "ambiguous", _("Several candidates")
    NOT_FOUND = "not_found", _("Not found")
    UNREADABLE = "unreadable", _("Unreadable row")


class Decision(models.TextChoices):
    NONE = "", _("No decision")
    PICKED = "picked", _("Person picked")
    REJECTED = "rejected", _("Rejected")
    NOT_IN_REGISTER = "not_in_register", _("Not in the register")


class Flag(models.TextChoices):
    VALID_CARD = "valid_card", _("Already holds a valid card")
    OPEN_APPLICATION = "open_application", _("Already has an open application")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible on the session date")
    DUPLICATE_ROW = "duplicate_row", _("Duplicate row")


class RosterEntry(models.Model):
    """One data row of a roster, as read, and what the pre-check and the officer made of it."""

    roster = models.ForeignKey(Roster, models.CASCADE, related_name="entries")
    row = models.PositiveIntegerField(_("row"))
    line = models.PositiveIntegerField(_("line"))
    fingerprint = models.CharField(max_length=64, db_index=True)
    values = models.JSONField(_("values"), default=dict)
    problems = models.JSONField(default=list)
    full_name = models.CharField(_("full name"), max_length=120, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    personal_id = models.CharField(max_length=12, blank=True)
    class_name = models.CharField(_("class"), max_length=40, blank=True)
    details = models.JSONField(
        default=dict
    )  # the other fields of the row as read (addresses, parents …)

    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    person = models.ForeignKey(Person, models.SET_NULL, null=True, blank=True, related_name="+")
    candidates = models.JSONField(
        default=list
    )  # [{"person": id, "personal_id": "...", "probability": 0.97}]
    score = models.FloatField(null=True, blank=True)
    flags = models.JSONField(default=list)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    scope_field = "roster__unit"

    class Meta:
        verbose_name = _("roster row")
        verbose_name_plural = _("roster rows")
        ordering = ["roster", "row"]
        constraints = [models.UniqueConstraint(fields=["roster", "row"], name="roster_row_once")]

    def __str__(self) -> str:
        return f"{self.row}: {self.full_name}"

    @property
    def flag_labels(self) -> list[str]:
        return [str(Flag(f).label) for f in self.flags if f in Flag.values]

    @property
    def needs_review(self) -> bool:
        return self.outcome in {Outcome.REVIEW, Outcome.AMBIGUOUS} and not self.decision
