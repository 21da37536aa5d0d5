"""Users with a unit and a role, API tokens, and the audit trail."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from cccd.units.models import Unit


class Role(models.TextChoices):
    OFFICER = "officer", _("Intake officer")
    TEAM_LEADER = "team_leader", _("Team leader")
    COMMANDER = "commander", _("Commander")
    BACK_OFFICE = "back_office", _("Back-office officer")
    LIAISON = "liaison", _("Liaison (school/commune)")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A person who logs in. Works in one police unit and sees only that unit's subtree.

    The role is kept on the row for display and filtering and mirrored as membership of the Django
    group of the same name, which carries the permissions (see `cccd.accounts.roles`).
    """

    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.OFFICER)

    scope_field = "unit"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", _("Can manage users of their unit's subtree"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family (and middle) names first, given name last."""
        return f"{self.last_name} {self.first_name}".strip()


class LoginSession(AbstractBaseSession):
    """A logged-in browser's session, kept in the database as Django's own, with the user's id in a
    column too, so that every request loads its session, its user and the user's unit in one query
    (`cccd.accounts.sessions`) instead of two. Deleting a user ends their sessions."""

    user = models.ForeignKey(
        "accounts.User", models.CASCADE, null=True, blank=True, related_name="+", db_index=True
    )


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def password_stamp(user: User) -> str:
    """A keyed digest of the user's password hash: it changes with every new password, whoever
    sets it and however (the pages, the admin site, `cccd changepassword`), as Django's own check
    of a session against the password does."""
    return salted_hmac(
        "cccd.accounts.ApiToken.password_stamp", user.password, algorithm="sha256"
    ).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, the key is shown once.

    A token works until it is revoked, until `expires_at` (settings.CCCD_API_TOKEN_DAYS after it
    was made), or until its user's password changes (`password_stamp` no longer matches).
    """

    class State(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")
        PASSWORD_CHANGED = "password_changed", _("ended by a password change")

    user = models.ForeignKey(
        User, models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    password_stamp = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now: Any = None) -> State:
        """Why the token does or does not work now (its user must be loaded)."""
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= (now or timezone.now()):
            return self.State.EXPIRED
        if not constant_time_compare(self.password_stamp, password_stamp(self.user)):
            return self.State.PASSWORD_CHANGED
        return self.State.ACTIVE


class AuditEvent(models.Model):
    """One change of state or one look-up of personal data: who, when, what, before/after, from where.

    Written by services in the same transaction as the change; never updated or deleted. `unit` is
    the unit the touched object belongs to, so a commander reads the trail of their subtree. On
    PostgreSQL the table is partitioned by month of `at` (`cccd.accounts.partitions`), its database
    key (id, at); nothing may point at it with a foreign key.
    """

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("actor")
    )
    actor_username = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    source = models.CharField(_("from"), max_length=100, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        permissions = [("view_audit_trail", _("Can read the audit trail of their unit's subtree"))]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")
