"""Request-wide plumbing: where changes come from, refused requests as security events, and domain
errors as friendly 4xx pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from cccd.accounts.audit import audit_source
from cccd.accounts.scoping import note_hidden_objects
from cccd.accounts.security import record_denial
from cccd.errors import DomainError


class AuditContextMiddleware:
    """Every change made during the request names its source address; a refused request (a 403,
    or the 404 of another unit's object) writes its security event (`cccd.accounts.security`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with (
            audit_source(request.META.get("REMOTE_ADDR") or "unknown"),
            note_hidden_objects() as hidden,
        ):
            response = self.get_response(request)
            record_denial(request, response, hidden)
            return response


class DomainErrorMiddleware:
    """A refusal raised by a service becomes a page in the user's language with its 4xx status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DomainError):
            return None
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = ""
        context = {"code": exception.code, "message": exception.message, "back": back}
        response = render(request, "error.html", context, status=exception.status)
        response.denial_code = exception.code  # type: ignore[attr-defined]  # for the security event
        return response
