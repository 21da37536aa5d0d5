"""The session engine (`SESSION_ENGINE`): Django's database sessions in `LoginSession`, whose row
also names its user, so the one query that loads a request's session brings its user and unit along.

Django's `auth.get_user` then asks `RoleBackend.get_user` for that user: it takes the user this
request's session load just read (`take_loaded_user`), as fresh as a second query would be, and
falls back to the query when there is none. Every request an officer makes saves a statement (nine
per intake at the desk: bench/RESULTS.md "Desk loop"). The session's checks stay Django's: expiry,
the password hash in the session, `is_active` in the backend.
"""

from __future__ import annotations

import contextvars
import logging
from typing import TYPE_CHECKING, Any, cast

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.utils import timezone

if TYPE_CHECKING:
    from cccd.accounts.models import LoginSession, User

# what the last session load in this context read: (user id, user), consumed by the first look
_loaded: contextvars.ContextVar[tuple[int, User] | None] = contextvars.ContextVar(
    "session_user", default=None
)


def take_loaded_user(user_id: Any) -> User | None:
    """The user the session load just read, if it is `user_id`; once only (a later request's load
    always replaces it, found or not)."""
    loaded = _loaded.get()
    _loaded.set(None)
    if loaded is None or str(loaded[0]) != str(user_id):
        return None
    return loaded[1]


class SessionStore(DatabaseStore):
    @classmethod
    def get_model_class(cls) -> type[LoginSession]:
        from cccd.accounts.models import LoginSession

        return LoginSession

    def _get_session_from_db(self) -> LoginSession | None:
        _loaded.set(None)
        try:
            found = (
                self.get_model_class()
                .objects.select_related("user__unit")
                .get(session_key=self.session_key, expire_date__gt=timezone.now())
            )
        except (ObjectDoesNotExist, SuspiciousOperation) as exc:
            if isinstance(exc, SuspiciousOperation):  # as Django's store logs it
                logging.getLogger(f"django.security.{type(exc).__name__}").warning(str(exc))
            self._session_key = None
            return None
        if found.user is not None:
            _loaded.set((found.user.pk, found.user))
        return found

    def create_model_instance(self, data: dict[str, Any]) -> LoginSession:
        session = cast("LoginSession", super().create_model_instance(data))
        user_id = str(data.get("_auth_user_id") or "")
        session.user_id = int(user_id) if user_id.isdigit() else None
        return session
