"""Who may open what: the role's permission checked at the door of every page and API route.

Three markers say who may call a view, and each leaves its answer on the function (`access`), so
`tests/accounts/test_role_routes.py` reads it for every URL pattern and API route:

- `@requires(PERMISSION, ...)`: a page for a logged-in user whose role carries one of the
  permissions (constants in `cccd.accounts.roles`); anyone else gets the 403 page, an anonymous
  visitor the log-in page. The unit scope is checked after it, on the object itself.
- `auth=api_requires(PERMISSION, ...)` on a django-ninja operation (`cccd.accounts.api_auth`): the same,
  checked by the API's authentication itself (session or token), before the input is read.
- `@public`: no log-in (the log-in page, the citizen's pages).

`requires()` and `api_requires()` without a permission admit any logged-in role: only for pages
that show nothing personal (home, the user's own API tokens).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from cccd import errors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from cccd.accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Access:
    """Who may call a view: anyone (`public`), or a logged-in user whose role carries any of
    `permissions` (every logged-in user when it is empty)."""

    public: bool = False
    permissions: frozenset[str] = frozenset()


def require_permission(actor: User | AnonymousUser, permission: str) -> None:
    """Refuse with PERMISSION_DENIED unless the actor's role carries `permission`."""
    require_any(actor, [permission])


def require_any(actor: User | AnonymousUser, permissions: Iterable[str]) -> None:
    """Refuse with PERMISSION_DENIED unless the actor's role carries one of `permissions` (any
    active logged-in user when there are none)."""
    if not (actor.is_authenticated and actor.is_active):
        raise errors.PERMISSION_DENIED()
    wanted = list(permissions)
    if wanted and not any(actor.has_perm(p) for p in wanted):
        raise errors.PERMISSION_DENIED()


def requires(*permissions: str) -> Callable[[F], F]:
    """A page for a logged-in user whose role carries one of `permissions` (see the module)."""
    access = Access(permissions=frozenset(permissions))

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            require_any(request.user, access.permissions)
            response: HttpResponse = view(request, *args, **kwargs)
            return response

        checked.access = access  # type: ignore[attr-defined]
        return checked  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """A page anyone may open without logging in; it must show nothing personal unasked."""

    @functools.wraps(view)
    def open_to_all(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = view(request, *args, **kwargs)
        return response

    open_to_all.access = Access(public=True)  # type: ignore[attr-defined]
    return open_to_all  # type: ignore[return-value]


def access_of(view: Callable[..., Any]) -> Access | None:
    """The access a view or operation was declared with, or None when it has no marker."""
    return getattr(view, "access", None)


class LoggedInRequest(HttpRequest):
    """The request a `requires` page or an `api_requires` operation receives: its user is a
    logged-in `User`, never the anonymous one. For the type checker only; at run time the view
    gets Django's ordinary request."""

    user: User
