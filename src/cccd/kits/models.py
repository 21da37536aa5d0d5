"""Field kits (docs/field-kit.md): both sides of the same code.

At the district: the kits of a unit (`Kit`), the sessions checked out to them (`Checkout`), the
packets received from them (`ReceivedPacket`) and the uploads still in progress (`PacketUpload`).
On a kit (field mode, `settings.CCCD_FIELD_MODE`): who the kit is (`KitIdentity`, one row), the
session it holds (`HeldSession`) and its outbox (`OutboxPacket`). A district never has a
`KitIdentity`; a kit never has a `Kit`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.registry.models import Person
from cccd.units.models import Unit

KIT_CODE_BASE = 1_000_000_000
"""Dossier codes made on kits take their row number from blocks at and above this number; the
district's own codes use the dossier's row id, far below it (docs/field-kit.md#dossier-codes)."""


# ---------------------------------------------------------------- the district's side


class DistrictKeys(models.Model):
    """The unit's field-kit keys (docs/field-kit.md#keys-and-pairing): Ed25519 to sign checkout
    packages and receipts, X25519 to receive packets. Made when the unit's first kit is
    registered. [not production-grade] the private halves are kept here as PKCS#8 PEM, as a
    unit's production `SigningKey` is; a real installation would keep them in an HSM."""

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="+", verbose_name=_("unit"))
    signing_public_key = models.CharField(max_length=64)
    signing_private_key_pem = models.TextField()
    encryption_public_key = models.CharField(max_length=64)
    encryption_private_key_pem = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("field-kit keys of a unit")
        verbose_name_plural = _("field-kit keys of units")

    def __str__(self) -> str:
        return f"{self.unit}: {self.signing_public_key[:16]}…"


class Kit(models.Model):
    """A field laptop registered to a unit. Registered with a one-time pairing code (only its
    SHA-256 kept); paired when the kit joins with that code and its public keys; revoked for good."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("Waiting for the kit to join")
        PAIRED = "paired", _("Paired")
        REVOKED = "revoked", _("Revoked")

    name = models.SlugField(_("name"), max_length=64, unique=True)
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.REGISTERED
    )
    pairing_code_sha256 = models.CharField(max_length=64, blank=True)
    signing_public_key = models.CharField(_("signing key (hex)"), max_length=64, blank=True)
    encryption_public_key = models.CharField(_("encryption key (hex)"), max_length=64, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paired_at = models.DateTimeField(_("paired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    reported_waiting = models.PositiveIntegerField(_("packets waiting"), default=0)
    reported_oldest_waiting_at = models.DateTimeField(null=True, blank=True)
    clock_offset_seconds = models.IntegerField(
        _("kit clock ahead by (seconds)"), null=True, blank=True
    )

    scope_field = "unit"

    class Meta:
        verbose_name = _("field kit")
        verbose_name_plural = _("field kits")
        ordering = ["name"]
        permissions = [("manage_kits", _("Can register, revoke and check sessions out to kits"))]

    def __str__(self) -> str:
        return self.name


class Checkout(models.Model):
    """A session checked out to a kit, with the block of dossier row numbers reserved for it.
    A session is out to at most one kit at a time."""

    class State(models.TextChoices):
        OUT = "out", _("Checked out")
        CHECKED_IN = "checked_in", _("Checked in")
        REVOKED_OUT = "revoked", _("Ended: the kit was revoked")

    kit = models.ForeignKey(Kit, models.PROTECT, related_name="checkouts")
    session = models.ForeignKey(Session, models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.OUT)
    code_block_start = models.PositiveBigIntegerField()
    code_block_end = models.PositiveBigIntegerField()  # inclusive
    checked_out_at = models.DateTimeField(default=timezone.now)
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    package_sha256 = models.CharField(max_length=64, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)  # what the kit said at check-in

    scope_field = "kit__unit"

    class Meta:
        verbose_name = _("checked-out session")
        verbose_name_plural = _("checked-out sessions")
        ordering = ["-checked_out_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session"], condition=Q(state="out"), name="one_kit_per_session"
            ),
            models.UniqueConstraint(fields=["code_block_start"], name="code_block_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} → {self.kit_id}"


class ReceivedPacket(models.Model):
    """A packet the district has decided on: the packet id is the key, so a packet sent again
    finds this row and gets the same answer (a `duplicate` receipt), creating nothing."""

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", pgettext_lazy("packet", "Accepted")
        REFUSED = "refused", pgettext_lazy("packet", "Refused")
        CONFLICT = "conflict", pgettext_lazy("packet", "Conflict to review")

    packet_id = models.UUIDField(unique=True)
    kit = models.ForeignKey(Kit, models.PROTECT, null=True, blank=True, related_name="packets")
    session = models.ForeignKey(Session, models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason_code = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=1000, blank=True)
    enrollment = models.ForeignKey(
        Enrollment, models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    kit_created_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)  # of the envelope
    envelope = models.FileField(upload_to="kit-packets/%Y/%m/", blank=True)  # kept for review
    manifest = models.BinaryField(blank=True, default=b"")  # the signed bytes, as proof
    manifest_signature = models.CharField(max_length=100, blank=True)
    receipt = models.BinaryField(blank=True, default=b"")
    resolved_at = models.DateTimeField(null=True, blank=True)  # a conflict, once reviewed
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_field = "kit__unit"

    class Meta:
        verbose_name = _("received packet")
        verbose_name_plural = _("received packets")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return str(self.packet_id)


class PacketUpload(models.Model):
    """An upload in progress: the bytes received so far are in `staged` (a file); a cut upload
    continues from `received`."""

    packet_id = models.UUIDField(unique=True)
    kit = models.ForeignKey(Kit, models.CASCADE, related_name="+")
    length = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.packet_id} {self.received}/{self.length}"


# ---------------------------------------------------------------- the kit's side


class KitIdentity(models.Model):
    """Who this kit is (one row, on a kit only): its name, its private keys (in the kit's
    encrypted database, never in a file beside it) and the district it answers to."""

    name = models.SlugField(max_length=64, unique=True)
    district_url = models.URLField(max_length=300)
    signing_private_key_pem = models.TextField()
    encryption_private_key_pem = models.TextField()
    district_signing_public_key = models.CharField(max_length=64)
    district_encryption_public_key = models.CharField(max_length=64)
    unit_code = models.CharField(max_length=32, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    last_contact_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name


class HeldSession(models.Model):
    """A session checked out to this kit: the district's session (same id here), the block of
    dossier row numbers reserved for it and the next one to use."""

    class State(models.TextChoices):
        OPEN = "open", _("Working")
        CLOSED = "closed", _("Closed, waiting for check-in")
        CHECKED_IN = "checked_in", _("Checked in")

    session = models.OneToOneField(Session, models.PROTECT, related_name="+")
    code_block_start = models.PositiveBigIntegerField()
    code_block_end = models.PositiveBigIntegerField()
    next_code = models.PositiveBigIntegerField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    checked_out_at = models.DateTimeField(default=timezone.now)
    package_sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return str(self.session_id)


class OutboxPacket(models.Model):
    """One finished intake waiting to reach the district. Created in the intake's own transaction
    (so a power cut leaves both or neither); sealed once (the same bytes on every try); its bytes
    are deleted only on the district's signed receipt."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        SENT = "sent", _("Sent, no receipt yet")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REFUSED = "refused", pgettext_lazy("packet", "Refused")

    packet_id = models.UUIDField(default=uuid.uuid4, unique=True)
    enrollment = models.OneToOneField(
        Enrollment, models.PROTECT, null=True, blank=True, related_name="+"
    )
    session = models.ForeignKey(Session, models.PROTECT, related_name="+")
    state = models.CharField(
        max_length=14, choices=State.choices, default=State.WAITING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    envelope = models.BinaryField(null=True, blank=True)  # sealed once; None after the receipt
    size = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=12, blank=True)  # the receipt's
    reason = models.CharField(max_length=1000, blank=True)
    receipt = models.BinaryField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.packet_id)


# ---------------------------------------------------------------- both sides


class NewPerson(models.Model):
    """A person not in the register who walked in and was captured with the population-data form
    (DC01). On a kit: made there, sent in the packet with `new_person: true`. At the district: made
    from that packet, to be checked against the population database before the dossier goes on
    (`checked_at`)."""

    person = models.OneToOneField(Person, models.CASCADE, related_name="+")
    packet_id = models.UUIDField(null=True, blank=True)  # at the district: the packet it came in
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("person to check")
        verbose_name_plural = _("people to check")

    def __str__(self) -> str:
        return f"#{self.person_id}"
