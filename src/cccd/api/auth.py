"""API authentication: the browser's session (with CSRF) or a bearer token."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from cccd.accounts.services import user_for_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """Django's session cookie; unsafe methods also need the CSRF token, as for any form."""

    param_name = "sessionid"

    def __init__(self) -> None:
        from django.conf import settings

        self.param_name = settings.SESSION_COOKIE_NAME
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


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
                    message = _("Log in, or send a valid API token.")
                    return JsonResponse(
                        {"code": "NOT_AUTHENTICATED", "message": message}, status=401
                    )
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded
