"""The authentication backend: Django's model backend, with permissions read from the role matrix.

`cccd.accounts.roles.ROLE_PERMISSIONS` is the one source of what a role may do; the groups named
after the roles mirror it for the admin and are re-synced after every migrate. Reading the matrix
instead of the two permission tables saves two queries on every request an officer makes (the desk
loop makes nine), and a user's unit comes with the user in the one query that loads them — for a
browser, the query that loads its session (`cccd.accounts.sessions`).
Per-user permissions are not used: a user's role is their only grant.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from cccd.accounts.models import User
from cccd.accounts.roles import ROLE_PERMISSIONS
from cccd.accounts.sessions import take_loaded_user


class RoleBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = take_loaded_user(user_id)  # read with the request's session, in the same query
        if user is None:
            user = User.objects.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def _get_user_permissions(self, user_obj: Any) -> set[str]:
        return set()

    def _get_group_permissions(self, user_obj: Any) -> set[str]:
        return set(ROLE_PERMISSIONS.get(user_obj.role, ()))

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            every: set[str] = super()._get_permissions(user_obj, obj, from_name)  # type: ignore[misc]
            return every
        permissions: set[str] = getattr(self, f"_get_{from_name}_permissions")(user_obj)
        return permissions
