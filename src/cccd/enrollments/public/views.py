"""The citizen's status page, no login: the slip's QR link, or a form for the dossier code and the
birth date. Both show the same page (`enrollments/public/status.html`), sized for a phone.

The client key of the rate limit is the request's address. Behind a reverse proxy every request
comes from the proxy, so the whole city would share one limit: set `CCCD_STATUS_CLIENT_ADDRESS`
(a `request.META` key such as "HTTP_X_REAL_IP") in settings to the header the proxy fills with the
real client address, and make the proxy overwrite that header, never pass on the client's own.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from cccd.accounts.permissions import public
from cccd.enrollments.public import services
from cccd.errors import DomainError
from cccd.headers import client_address

FIELD_MAX_LENGTH = 200  # more is never a code or a date; the check below says so in words


def _page(request: HttpRequest, context: Mapping[str, object], code: int = 200) -> HttpResponse:
    # Cache-Control: no-store comes from cccd.headers, as on every page (a shared phone must not
    # show the last look-up from its cache).
    response = render(request, "enrollments/public/status.html", context, status=code)
    response["X-Robots-Tag"] = "noindex"
    return response


@public
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_dossier_status(request: HttpRequest) -> HttpResponse:
    """GET: the form. POST: the look-up; every refusal is the same page with a sentence and its
    4xx status (400 malformed, 404 no match, 429 too many wrong guesses)."""
    if request.method == "GET":
        return _page(request, {"code": ""})
    code = request.POST.get("code", "")[:FIELD_MAX_LENGTH]
    birth_date = request.POST.get("birth_date", "")[:FIELD_MAX_LENGTH]
    try:
        result = services.public_status(code, birth_date, client_key=client_address(request))
    except DomainError as exc:
        shown_code = code.strip()[: services.CODE_MAX_LENGTH] if code.isascii() else ""
        context = {"code": shown_code, "error": exc.message, "error_code": exc.code}
        return _page(request, context, exc.status)
    return _page(request, {"code": result.code, "result": result})


@public
@require_GET
def dossier_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The slip's QR link: the state at once, no birth date asked, never locked; no name, no ID. A
    link that opens nothing shows the form with a sentence (404), so the citizen can still type
    the code."""
    try:
        result = services.status_by_link(token)
    except DomainError as exc:
        return _page(
            request, {"code": "", "error": exc.message, "error_code": exc.code}, exc.status
        )
    return _page(request, {"code": result.code, "result": result, "by_link": True})
