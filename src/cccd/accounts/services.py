"""What an administrator does with users and what any user does with their API tokens."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.accounts import errors
from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import ApiToken, Role, User, hash_token, password_stamp
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import USERS
from cccd.accounts.scoping import get_visible, unit_is_visible
from cccd.labels import clean_label
from cccd.units.models import Unit

USER_FIELDS = ("username", "first_name", "last_name", "email", "unit", "role", "is_active")


def _check_unit(unit: Unit, *, actor: User) -> None:
    if unit.category != Unit.Category.POLICE:
        raise errors.UNIT_NOT_POLICE()
    if not unit_is_visible(actor, unit.path):
        raise errors.UNIT_OUTSIDE_SCOPE()


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise errors.WEAK_PASSWORD(reasons=" ".join(exc.messages)) from None


def _set_role_group(user: User) -> None:
    user.groups.set([Group.objects.get(name=user.role)])


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    unit: Unit,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    actor: User,
) -> User:
    require_permission(actor, USERS)
    _check_unit(unit, actor=actor)
    if User.objects.filter(username__iexact=username).exists():
        raise errors.USERNAME_TAKEN(username=username)
    user = User(
        username=username,
        unit=unit,
        role=Role(role),
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    _set_role_group(user)
    record("user.create", actor=actor, unit=unit, obj=user, after=snapshot(user, USER_FIELDS))
    return user


@transaction.atomic
def update_user(user_id: int, *, actor: User, **changes: object) -> User:
    """Change a user's name, e-mail, unit, role or active flag; every change is audited."""
    require_permission(actor, USERS)
    user = get_visible(actor, User.objects.select_for_update(), pk=user_id)
    if user.pk == actor.pk and {"unit", "role", "is_active"} & changes.keys():
        raise errors.CANNOT_CHANGE_SELF()
    before = snapshot(user, USER_FIELDS)
    for field, value in changes.items():
        if field not in {"first_name", "last_name", "email", "unit", "role", "is_active"}:
            raise ValueError(f"update_user cannot change {field}")
        if field == "unit":
            assert isinstance(value, Unit)  # noqa: S101 (a programming error, not user input)
            _check_unit(value, actor=actor)
        setattr(user, field, value)
    user.save()
    _set_role_group(user)
    after = snapshot(user, USER_FIELDS)
    if after != before:
        record("user.update", actor=actor, unit=user.unit, obj=user, before=before, after=after)
    return user


def _active_tokens(user: User) -> int:
    tokens = ApiToken.objects.filter(user=user, revoked_at=None, expires_at__gt=timezone.now())
    return tokens.filter(password_stamp=password_stamp(user)).count()


def _replace_password(user: User, password: str) -> int:
    """Set the new password; the user's API tokens end with the old one (see `password_stamp`).
    Returns how many tokens that ended."""
    _check_password(password, user)
    ended = _active_tokens(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return ended


@transaction.atomic
def set_user_password(user_id: int, password: str, *, actor: User) -> User:
    """An administrator sets another user's password (one's own needs the current password:
    `change_own_password`)."""
    require_permission(actor, USERS)
    if user_id == actor.pk:
        raise errors.OWN_PASSWORD_NEEDS_CURRENT()
    user = get_visible(actor, User.objects.select_for_update(), pk=user_id)
    ended = _replace_password(user, password)
    record(
        "user.set_password",
        actor=actor,
        unit=user.unit,
        obj=user,
        after={"api_tokens_ended": ended},
    )
    return user


@transaction.atomic
def change_own_password(*, current: str, new: str, actor: User) -> User:
    """Any user changes their own password, proving the current one first."""
    user = User.objects.select_for_update().get(pk=actor.pk, is_active=True)
    if not user.check_password(current):
        raise errors.WRONG_CURRENT_PASSWORD()
    if current == new:
        raise errors.SAME_PASSWORD()
    ended = _replace_password(user, new)
    record(
        "user.change_password",
        actor=user,
        unit=user.unit,
        obj=user,
        after={"api_tokens_ended": ended},
    )
    return user


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.CCCD_API_TOKEN_DAYS)


@transaction.atomic
def create_api_token(*, name: str, actor: User) -> tuple[ApiToken, str]:
    """A new token for the actor, valid for `token_lifetime()` and until the actor's password
    changes; the raw key is returned once and never stored."""
    name = clean_label(name, field=_("token name"), max_length=100)
    raw = "cccd_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name,
        prefix=raw[5:11],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + token_lifetime(),
        password_stamp=password_stamp(actor),
    )
    record(
        "api_token.create",
        actor=actor,
        unit=actor.unit,
        obj=token,
        after={"expires_at": token.expires_at.isoformat()},
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token_id: int, *, actor: User) -> ApiToken:
    token = (
        ApiToken.objects.select_for_update()
        .filter(user=actor, pk=token_id, revoked_at=None)
        .first()
    )
    if token is None:
        raise errors.TOKEN_INVALID()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record("api_token.revoke", actor=actor, unit=actor.unit, obj=token)
    return token


def user_for_token(raw: str) -> User | None:
    """The token's user while the token works (not revoked, not expired, same password)."""
    token = (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(key_hash=hash_token(raw), revoked_at=None)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.state() != ApiToken.State.ACTIVE:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def create_administrator(*, username: str, password: str, unit: Unit) -> User:
    """The first administrator of a new installation, made from the command line (no actor yet)."""
    if unit.category != Unit.Category.POLICE:
        raise errors.UNIT_NOT_POLICE()
    if User.objects.filter(username__iexact=username).exists():
        raise errors.USERNAME_TAKEN(username=username)
    user = User(username=username, unit=unit, role=Role.ADMINISTRATOR)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    _set_role_group(user)
    record("user.create", actor=None, unit=unit, obj=user, after=snapshot(user, USER_FIELDS))
    return user
