"""The population register: households and people, and the imports that fill it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.core import validity
from cccd.jobs.models import Job
from cccd.units.models import Unit


class Household(models.Model):
    """A household registration (hộ khẩu): a code, where it lives, its members."""

    code = models.CharField(_("household code"), max_length=32, unique=True)
    residence_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="households", verbose_name=_("commune")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)

    scope_field = "residence_unit"

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code


class Person(models.Model):
    """One person of the register, as the national population database holds them.

    A birth date known only as a year is stored as 1 January of that year with
    `birth_date_precision = "year"` (the rule of `cccd.core.validity.assumed_birth_date`), so
    date arithmetic stays possible and pages still show the year alone.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        YEAR = "year", _("Year only")

    class Status(models.TextChoices):
        ALIVE = "alive", _("Alive")
        DEAD = "dead", _("Dead")
        EMIGRATED = "emigrated", _("Emigrated")

    class CardKind(models.TextChoices):
        """The card a person holds, as the register records it (`cccd.core.eligibility`)."""

        NONE = "", _("No card")
        CMND = "cmnd", _("Identity card (CMND)")
        CCCD_BARCODE = "cccd_barcode", _("Citizen identity card with a barcode")
        CCCD_CHIP = "cccd_chip", _("Chip citizen identity card")
        CARD_2024 = "card_2024", _("Identity card (2024)")

    class Relation(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GRANDCHILD = "grandchild", _("Grandchild")
        SIBLING = "sibling", _("Sibling")
        OTHER = "other", _("Other")

    personal_id = models.CharField(_("personal ID number"), max_length=12, unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    name_folded = models.CharField(max_length=120, db_index=True)
    family_folded = models.CharField(max_length=40)
    given_folded = models.CharField(max_length=40)
    birth_date = models.DateField(_("date of birth"))
    birth_date_precision = models.CharField(
        max_length=4, choices=Precision.choices, default=Precision.DAY
    )
    birth_year = models.PositiveSmallIntegerField(_("year of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_province_code = models.CharField(_("birth registration province"), max_length=3)
    hometown = models.CharField(_("hometown"), max_length=300, blank=True)
    residence_unit = models.ForeignKey(
        Unit, models.PROTECT, related_name="residents", verbose_name=_("commune")
    )
    permanent_address = models.CharField(_("permanent address"), max_length=300, blank=True)
    village = models.CharField(_("village"), max_length=80, blank=True, db_default="")
    residence_since = models.DateField(_("living here since"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=40, blank=True)
    religion = models.CharField(_("religion"), max_length=40, blank=True)
    old_id_number = models.CharField(_("old ID number"), max_length=12, blank=True)
    father_name = models.CharField(_("father's name"), max_length=120, blank=True)
    mother_name = models.CharField(_("mother's name"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ALIVE
    )
    household = models.ForeignKey(
        Household,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relation_to_head = models.CharField(
        _("relation to head"), max_length=10, choices=Relation.choices, blank=True
    )
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    card_kind = models.CharField(
        _("card held"), max_length=12, choices=CardKind.choices, blank=True, db_default=""
    )
    card_number = models.CharField(_("card number"), max_length=12, blank=True, db_default="")
    card_issue_date = models.DateField(_("card issue date"), null=True, blank=True)
    card_expiry = models.DateField(_("card expiry"), null=True, blank=True)
    last_import = models.ForeignKey(
        "RegisterImport", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_import_row = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    scope_field = "residence_unit"

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        permissions = [
            ("look_up_person", _("Can look people up in the register")),
            ("import_register", _("Can import register files")),
        ]
        indexes = [
            models.Index(fields=["given_folded", "birth_year"], name="person_given_year_idx"),
            models.Index(fields=["family_folded", "birth_year"], name="person_family_year_idx"),
            models.Index(fields=["birth_year", "birth_date"], name="person_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def has_card(self) -> bool:
        return self.card_issue_date is not None

    def card_status(self, today: datetime.date | None = None) -> str:
        """valid / expires_soon / expired from `cccd.core.validity`, or "none" without a card."""
        if self.card_issue_date is None:
            return "none"
        return validity.status(self.card_expiry, today or timezone.localdate())


class GivenName(models.Model):
    """Every folded given name the register holds: the vocabulary in which a look-up whose given
    name is nobody's finds the names it may have meant (`cccd.registry.similar`).

    Kept by database triggers on `Person` (migration 0004), so the import's bulk upsert and every
    other write path fill it alike; a name nobody bears any more stays, which costs nothing but a
    row. PostgreSQL indexes it with pg_trgm; a few thousand rows need nothing more on SQLite.
    """

    name = models.CharField(max_length=40, primary_key=True)

    def __str__(self) -> str:
        return self.name


class ResidenceRecord(models.Model):
    """Where a person lived before their current permanent residence, or lives temporarily.

    The person's row holds the current permanent residence (`residence_unit`, `village`, since
    `residence_since`); these rows hold the rest, so the eligible population of a past day counts
    each person where they lived that day (`cccd.reach.eligible`). The rule (docs/reach.md): a
    temporary residence in force on the day wins over the permanent one; a person is never
    counted twice. A permanent record always has an `end` (the day before the move); a temporary
    one may have none (still in force).
    """

    class Kind(models.TextChoices):
        PERMANENT = "permanent", _("Permanent residence")
        TEMPORARY = "temporary", _("Temporary residence")

    person = models.ForeignKey(Person, models.CASCADE, related_name="residences")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("commune"))
    village = models.CharField(_("village"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    start = models.DateField(_("from"), null=True, blank=True)
    end = models.DateField(_("until"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        ordering = ["person", "start"]
        indexes = [models.Index(fields=["unit", "kind"], name="residence_unit_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(start__isnull=True) | Q(end__gte=F("start")),
                name="residence_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(kind="temporary") | Q(end__isnull=False),
                name="residence_past_permanent_ends",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.unit_id} {self.start}–{self.end}"


class RegisterImport(models.Model):
    """One register file being (or having been) imported, with its progress and its rejects.

    Rows are committed in batches together with `rows_done`, so an interrupted import resumes after
    its last committed batch, and re-importing a file changes nothing that is already right. Its
    `job` carries the lease of the worker running it (`cccd.jobs`): while `state` is "queued" or
    "running", the job says whether anyone really runs it (`status`).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="register-imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows in file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("people added"), default=0)
    updated = models.PositiveIntegerField(_("people updated"), default=0)
    unchanged = models.PositiveIntegerField(_("people unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    job = models.OneToOneField(Job, models.SET_NULL, null=True, blank=True, related_name="+")

    scope_field = "unit"

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def status(self) -> str:
        """What the pages and the API show: done or failed as the import ended; otherwise its job's
        state, which is "stopped" when the worker that ran it died (its lease expired)."""
        if self.state in {self.State.DONE, self.State.FAILED} or self.job is None:
            return self.state
        return self.job.status

    @property
    def status_label(self) -> str:
        return str(dict(Job.State.choices).get(self.status) or self.get_state_display())

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, int(100 * self.rows_done / self.total_rows)) if self.total_rows else 0


class RejectedRow(models.Model):
    """A row the import could not take, with the reason, listed in the downloadable xlsx."""

    register_import = models.ForeignKey(
        RegisterImport, models.CASCADE, related_name="rejected_rows"
    )
    row_number = models.PositiveIntegerField(_("row"))
    code = models.CharField(_("reason code"), max_length=40)
    message = models.CharField(_("reason"), max_length=300)
    values = models.JSONField(_("values"))

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["register_import", "row_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["register_import", "row_number"], name="rejected_row_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.code}"
