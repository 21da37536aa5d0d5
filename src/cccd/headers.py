"""Response headers every page needs and no view should have to remember.

`NoStoreMiddleware` marks every response Django makes `Cache-Control: no-store`: nearly every page,
file and API answer of cccd holds personal data (a person's record, a slip, a class list, a
dossier's state), and the ones that do not (the log-in page, an error) lose nothing by not being
cached. So no browser, shared phone or proxy keeps a copy on disk, and the back button after a
log-out asks the server again instead of showing the last page. Static files never reach it:
WhiteNoise answers them earlier in the middleware list, with their own long cache headers (their
names carry a hash of their content).
"""

from __future__ import annotations

from collections.abc import Callable

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
