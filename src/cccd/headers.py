"""Response headers every page needs and no view should have to remember.

`NoStoreMiddleware` marks every response Django makes `Cache-Control: no-store`: nearly every page,
file and API answer of cccd holds personal data (a person's record, a slip, a class list, a
dossier's state), and the ones that do not (the log-in page, an error) lose nothing by not being
cached. So no browser, shared phone or proxy keeps a copy on disk, and the back button after a
log-out asks the server again instead of showing the last page. Static files never reach it:
WhiteNoise answers them earlier in the middleware list, with their own long cache headers (their
names carry a hash of their content).

`client_address` reads the other way: the address a public page's rate limits count.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

NO_STORE = "no-store"


class NoStoreMiddleware:
    """Every dynamic response: `Cache-Control: no-store`, replacing whatever a view set (a view
    that already says no-store, as Django's `never_cache` does, keeps its header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if NO_STORE not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response


def client_address(request: HttpRequest) -> str:
    """The client's address for the public pages' rate limits: REMOTE_ADDR, or the header named
    by `CCCD_STATUS_CLIENT_ADDRESS` (a `request.META` key such as "HTTP_X_REAL_IP") behind a
    reverse proxy, where every request would otherwise come from the proxy and the whole city
    share one limit; of a comma-separated list the last entry, the one the nearest proxy added.
    The proxy must overwrite that header, never pass on the client's own."""
    meta_key = getattr(settings, "CCCD_STATUS_CLIENT_ADDRESS", "") or "REMOTE_ADDR"
    value = str(request.META.get(meta_key) or request.META.get("REMOTE_ADDR") or "unknown")
    return value.split(",")[-1].strip()[:100] or "unknown"
