from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from cccd.accounts.audit import record
from cccd.accounts.roles import sync_role_groups


@receiver(post_migrate)
def _sync_roles(sender: Any, app_config: Any, **kwargs: Any) -> None:
    # Runs after each app's permissions are created; the last run sees them all.
    sync_role_groups()


@receiver(user_logged_in)
def _audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record("auth.login", actor=user, unit=user.unit, obj=user)


@receiver(user_logged_out)
def _audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record("auth.logout", actor=user, unit=user.unit, obj=user)
