from __future__ import annotations

from typing import TYPE_CHECKING

from cccd import errors

if TYPE_CHECKING:
    from cccd.accounts.models import User


def require_permission(actor: User, permission: str) -> None:
    """Refuse with PERMISSION_DENIED unless the actor's role carries `permission`."""
    if not (actor.is_authenticated and actor.is_active and actor.has_perm(permission)):
        raise errors.PERMISSION_DENIED()
