"""Dossiers (hồ sơ) from the intake desk on, their artefacts, proposed register corrections, and the
reference data the desk needs: fees, fee exemptions, public holidays and the deadline area of a
district."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cccd.campaigns.models import Campaign, PriorityGroup, Session
from cccd.notify.contacts import masked
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from cccd.units.models import Unit


def new_public_token() -> str:
    """The first slips' random link token (migration 0001 names it; see `legacy_link_sha256`)."""
    return secrets.token_urlsafe(16)


class Kind(models.TextChoices):
    """Kinds of application (cấp mới / cấp đổi / cấp lại, and CMND → CCCD).

    See docs/domain.md#kinds-of-application.
    """

    FIRST_ISSUE = "first_issue", _("First issue")
    EXCHANGE_AGE = "exchange_age", _("Exchange at a milestone age")
    EXCHANGE_CHANGE = "exchange_change", _("Exchange: card damaged or data changed")
    REISSUE = "reissue", _("Re-issue after loss")
    FROM_CMND = "from_cmnd", _("Change from the old ID (CMND)")


DEADLINE_KIND = {
    Kind.FIRST_ISSUE: "first_issue",
    Kind.EXCHANGE_AGE: "exchange",
    Kind.EXCHANGE_CHANGE: "exchange",
    Kind.REISSUE: "reissue",
    Kind.FROM_CMND: "exchange",  # [unverified]: cccd.core.deadlines treats CMND → CCCD as exchange
}
"""The kind as `cccd.core.deadlines` knows it."""


class Holiday(models.Model):
    """A public holiday: not a working day for return dates. Decided year by year (Tết follows the
    lunar calendar), so administrators edit this table; `data/holidays.json` seeds the years in use."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class Fee(models.Model):
    """The fee of one kind of application over a period, in đồng. Reference data: amounts after
    2024 are [unverified] (docs/domain.md#fees), so they live here, editable, not in code."""

    kind = models.CharField(_("kind of application"), max_length=16, choices=Kind.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    amount = models.PositiveIntegerField(_("amount (đồng)"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["kind", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="fee_once_per_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount:,} ₫ ({self.valid_from:%d/%m/%Y})"


class FeeExemption(models.Model):
    """A reason the fee is not charged (relatives of martyrs, poor households, an agency error …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=160)
    name_en = models.CharField(_("name in English"), max_length=160, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("fee exemption")
        verbose_name_plural = _("fee exemptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeadlineArea(models.Model):
    """How the 2014 law classes a district for return deadlines (city/town, mountain/island, other).

    A district not listed here counts as a city/town when its division type says so (thành phố,
    thị xã, quận) and as "other" otherwise; mountain, highland, border and island districts must be
    listed, since nothing in the unit data says so."""

    class Area(models.TextChoices):
        CITY_TOWN = "city_town", _("City or town")
        MOUNTAIN_ISLAND = "mountain_island", _("Mountain, highland, border or island district")
        OTHER = "other", _("Other area")

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="+", verbose_name=_("district"))
    area = models.CharField(_("area"), max_length=16, choices=Area.choices)

    class Meta:
        verbose_name = _("deadline area")
        verbose_name_plural = _("deadline areas")

    def __str__(self) -> str:
        return f"{self.unit}: {self.get_area_display()}"


class Enrollment(models.Model):
    """One application and its artefacts, from the desk to the card in the citizen's hand.

    A draft is opened when a number is called and belongs to that ticket; finishing the intake
    gives it its dossier code and return date and makes it `captured`. From there it moves only
    by the moves of `cccd.enrollments.dossiers.lifecycle`. At most one application per person is
    open at a time (a database constraint backs the service's check).
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Being taken at the desk")
        CAPTURED = "captured", _("Captured")
        RETURNED = "returned_for_correction", _("Returned for correction")
        COMPLETED = "completed", _("Completed")
        APPROVED = "approved", _("Approved")
        IN_PRODUCTION = "in_production", _("In production")
        PRODUCED = "produced", _("Produced")
        AT_UNIT = "at_unit", _("Card at the unit")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", pgettext_lazy("dossier state", "Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class ReturnMethod(models.TextChoices):
        OFFICE = "office", _("Collect at the police office")
        POST = "post", _("By post")

    class Delivery(models.TextChoices):
        HANDED_OVER = "handed_over", _("Handed over at the office")
        POSTED = "posted", _("Posted")

    CLOSED_STATES = (State.DELIVERED, State.REJECTED, State.CANCELLED)
    LATE_STATES = frozenset(
        {
            State.CAPTURED,
            State.RETURNED,
            State.COMPLETED,
            State.APPROVED,
            State.IN_PRODUCTION,
            State.PRODUCED,
        }
    )
    """Overdue when past the return date: the card is not yet at the unit for the citizen. The one
    definition: the deadline lists, the work queue and the dashboard's counters all read it."""

    code = models.CharField(_("dossier code"), max_length=32, unique=True, null=True, blank=True)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    campaign = models.ForeignKey(
        Campaign,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("campaign"),
    )
    session = models.ForeignKey(
        Session,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("session"),
    )
    ticket = models.ForeignKey(
        Ticket,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("queue number"),
    )
    person = models.ForeignKey(
        Person, models.PROTECT, related_name="enrollments", verbose_name=_("person")
    )
    kind = models.CharField(_("kind of application"), max_length=16, choices=Kind.choices)
    kind_reason = models.CharField(
        _("why (re-issue, exchange for damage or changed data)"), max_length=300, blank=True
    )
    group = models.ForeignKey(
        PriorityGroup,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("group"),
    )
    law = models.CharField(_("law"), max_length=4, choices=Campaign.Law.choices)
    fee = models.PositiveIntegerField(_("fee (đồng)"), null=True, blank=True)
    exemption = models.ForeignKey(
        FeeExemption,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fee exemption"),
    )
    return_method = models.CharField(
        _("return method"), max_length=8, choices=ReturnMethod.choices, default=ReturnMethod.OFFICE
    )
    post_address = models.CharField(_("postal address"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.DRAFT)
    state_changed_at = models.DateTimeField(_("state since"), default=timezone.now)
    state_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)  # of the last return/refusal
    return_date = models.DateField(_("return date"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Slips print a signed link (cccd.enrollments.public.links); the first slips carried a random
    # token, of which only the SHA-256 is kept, so their links still open (migration 0005).
    legacy_link_sha256 = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    batch = models.ForeignKey(
        "ProductionBatch",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
        verbose_name=_("production batch"),
    )
    card_issue_date = models.DateField(_("card issued on"), null=True, blank=True)
    card_expiry = models.DateField(_("card valid until"), null=True, blank=True)  # null: no expiry
    chip_serial = models.CharField(_("chip serial"), max_length=32, blank=True)
    delivery = models.CharField(
        _("delivered by"), max_length=12, choices=Delivery.choices, blank=True
    )
    tracking_number = models.CharField(_("postal tracking number"), max_length=40, blank=True)
    delivery_signature = models.FileField(
        _("receipt signature"), upload_to="delivery/%Y/%m/", blank=True
    )
    # Where to tell the citizen that the dossier was returned or the card arrived (issue 18): both
    # blank, or a channel of `cccd.notify` and its address (`cccd.enrollments.dossiers.notices`).
    notify_channel = models.CharField(
        _("notify by"), max_length=8, choices=Ticket.Channel.choices, blank=True
    )
    notify_address = models.CharField(_("notify at"), max_length=254, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-created_at"]
        permissions = [
            ("take_intake", _("Can take applications at the intake desk")),
            ("complete_dossier", _("Can complete dossiers and return them for correction")),
            ("approve_dossier", _("Can approve, reject and cancel dossiers")),
            ("send_production", _("Can send production batches and import their results")),
            ("deliver_card", _("Can record cards arriving and handed over")),
            ("view_dossier", _("Can look at dossiers")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=~Q(state__in=["delivered", "rejected", "cancelled"]),
                name="one_open_application_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "state"], name="enrollment_session_idx"),
            models.Index(fields=["unit", "state", "return_date"], name="enrollment_due_idx"),
        ]

    def __str__(self) -> str:
        return self.code or str(_("draft %(pk)s") % {"pk": self.pk})

    @property
    def notify_masked(self) -> str:
        """The contact as pages and lists show it: "84•••••5678", "a•••@example.vn", or ""."""
        return masked(self.notify_channel, self.notify_address)


class Artefact(models.Model):
    """A capture of the intake: the face photo, a fingerprint (slots 1–10, right thumb first), an
    iris (1 right, 2 left) or the signature. Either a file (stored through Django's storage, with
    its SHA-256) or marked impossible with a reason."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("Face photo")
        FINGERPRINT = "fingerprint", _("Fingerprint")
        IRIS = "iris", _("Iris")
        SIGNATURE = "signature", _("Signature")

    enrollment = models.ForeignKey(Enrollment, models.CASCADE, related_name="artefacts")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    slot = models.PositiveSmallIntegerField(_("slot"), default=0)
    file = models.FileField(_("file"), upload_to="intake/%Y/%m/%d/", blank=True)
    format = models.CharField(_("format"), max_length=16, blank=True)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    impossible_reason = models.CharField(_("why it cannot be captured"), max_length=200, blank=True)
    quality = models.JSONField(default=dict, blank=True)  # the photo check's measures
    captured_at = models.DateTimeField(default=timezone.now)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    scope_field = "enrollment__unit"

    class Meta:
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        ordering = ["enrollment", "kind", "slot"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "kind", "slot"], name="artefact_once"),
            models.CheckConstraint(
                condition=~Q(sha256="") | ~Q(impossible_reason=""), name="artefact_file_or_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.slot or ''}".strip()


class ProposedChange(models.Model):
    """A correction the person asks for at the desk: proposed to the register with its proof, never
    written into the register by the desk."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", pgettext_lazy("proposed change", "Rejected")

    enrollment = models.ForeignKey(Enrollment, models.CASCADE, related_name="changes")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+")
    field = models.CharField(_("field"), max_length=40)
    current_value = models.CharField(_("in the register"), max_length=300, blank=True)
    proposed_value = models.CharField(_("proposed"), max_length=300)
    proof = models.CharField(_("proof"), max_length=300)
    proof_file = models.FileField(_("proof document"), upload_to="proofs/%Y/%m/", blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=State.choices, default=State.PROPOSED
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    scope_field = "enrollment__unit"

    class Meta:
        verbose_name = _("proposed register change")
        verbose_name_plural = _("proposed register changes")
        ordering = ["enrollment", "proposed_at"]

    def __str__(self) -> str:
        return f"{self.field}: {self.current_value} → {self.proposed_value}"

    @property
    def field_label(self) -> str:
        """The field as the user reads it ("Họ và tên"), not its code (`full_name`)."""
        return person_field_label(self.field)


def person_field_label(name: str) -> str:
    """A register field's name in the active language, capitalised; the code if it is none."""
    try:
        field = Person._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(capfirst(field.verbose_name)) if isinstance(field, models.Field) else name


class SigningKey(models.Model):
    """An Ed25519 key pair: a unit's, which signs its production batches, or the card production
    centre's (`unit` empty), whose public half checks the result files. The private half of the
    centre's key is kept only where the centre is simulated (`cccd simulate_production`); a unit's
    private key is stored here as PKCS#8 PEM: [not production-grade] a real installation would keep
    it in an HSM or the OS key store."""

    unit = models.OneToOneField(
        Unit, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    is_centre = models.BooleanField(default=False)
    public_key = models.CharField(_("public key (hex)"), max_length=64)
    private_key_pem = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["is_centre"], condition=Q(is_centre=True), name="one_centre_key"
            ),
            models.CheckConstraint(
                condition=Q(is_centre=True, unit__isnull=True)
                | Q(is_centre=False, unit__isnull=False),
                name="centre_or_unit_key",
            ),
        ]

    def __str__(self) -> str:
        owner = self.unit or _("production centre")
        return f"{owner}: {self.public_key[:16]}…"


class ProductionBatch(models.Model):
    """Approved dossiers sent together to the card production centre as one signed file, and the
    centre's result for them (`docs/production-format.md`)."""

    class State(models.TextChoices):
        SENT = "sent", _("Sent to production")
        RESULT = "result", _("Result imported")

    code = models.CharField(_("batch code"), max_length=40, unique=True)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.SENT)
    file = models.FileField(_("batch file"), upload_to="batches/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(default=0)
    count = models.PositiveIntegerField(_("dossiers"), default=0)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    result_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    result_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    result_imported_at = models.DateTimeField(null=True, blank=True)
    result_imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_field = "unit"

    class Meta:
        verbose_name = _("production batch")
        verbose_name_plural = _("production batches")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code


class LookupAttempt(models.Model):
    """A wrong guess on the public status page, for its rate limit (`enrollments.public.services`).
    `key` is the SHA-256 of "ip:<address>" or "code:<dossier code>": no address or code is kept."""

    key = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("wrong status look-up")
        verbose_name_plural = _("wrong status look-ups")

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.at:%d/%m/%Y %H:%M}"


def stored_name(file: FieldFile) -> str:
    """The storage name of a file field that holds a file. Django types the name as optional (an
    empty field has none); these rows always hold one, so an empty one is a bug (ValueError)."""
    if not file.name:
        raise ValueError("the file field holds no file")
    return file.name
