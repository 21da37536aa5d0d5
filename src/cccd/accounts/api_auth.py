"""API authentication: the browser's session (with CSRF) or a bearer token, and the role's
permission checked in the same step.

Every operation says who may call it with `auth=api_requires(PERMISSION, ...)` (constants in
`cccd.accounts.roles`), the API's counterpart of `cccd.accounts.permissions.requires`: the user is
found by token or session, then refused with 403 `PERMISSION_DENIED` unless their role carries one
of the permissions — before the operation reads its input, so a refused caller learns nothing from
a validation message. No permission named: any logged-in user (only for data of their own).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import APIKeyCookie, HttpBearer

from cccd.accounts.permissions import Access, require_any
from cccd.accounts.services import user_for_token
from cccd.errors import NOT_AUTHENTICATED


class TokenAuth(HttpBearer):
    def __init__(self, access: Access | None = None) -> None:
        self.access = access
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
            if self.access is not None:
                require_any(user, self.access.permissions)
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie; unsafe methods also need the CSRF token, as for any form."""

    param_name = "sessionid"

    def __init__(self, access: Access | None = None) -> None:
        from django.conf import settings

        self.access = access
        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            if self.access is not None:
                require_any(user, self.access.permissions)
            return user
        return None


def api_requires(*permissions: str) -> list[TokenAuth | SessionAuth]:
    """The `auth=` of an operation open to roles carrying one of `permissions` (see the module)."""
    access = Access(permissions=frozenset(permissions))
    return [TokenAuth(access), SessionAuth(access)]


def logged_in_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The API's docs page and OpenAPI document are for users: a logged-in session or a valid
    token. A browser without one goes to the log-in page; anything else gets the API's 401."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if not (user is not None and user.is_authenticated and user.is_active):
            scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
            if not (scheme.lower() == "bearer" and key and user_for_token(key.strip())):
                if request.path.endswith(".json"):
                    refusal = NOT_AUTHENTICATED()
                    return JsonResponse(
                        {"code": refusal.code, "message": refusal.message}, status=refusal.status
                    )
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded
