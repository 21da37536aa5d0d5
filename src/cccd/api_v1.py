"""The one NinjaAPI object at /api/v1/; each app contributes its own router.

Errors have one shape everywhere: `{"code": "STABLE_CODE", "message": "a sentence in the user's
language"}` with a 4xx status (and `errors` for a validation error). The OpenAPI document says so:
the `Error` schema, every operation's `4XX` response (`cccd.api.refusals`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from cccd.accounts.api import router as accounts_router
from cccd.accounts.api_auth import SessionAuth, TokenAuth, logged_in_docs
from cccd.api.refusals import with_error_responses
from cccd.campaigns.api import router as campaigns_router
from cccd.enrollments.intake.api import router as intake_router
from cccd.errors import (
    BAD_BODY,
    HTTP_ERROR,
    INVALID_INPUT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    PERMISSION_DENIED,
    DomainError,
)
from cccd.kits.api import router as kits_router
from cccd.reach.api import router as coverage_router
from cccd.reach.api_homevisits import router as home_visits_router
from cccd.registry.api import router as registry_router
from cccd.reports.api import router as reports_router
from cccd.rosters.api import router as rosters_router
from cccd.tickets.api import router as tickets_router
from cccd.unitadmin.api import router as units_router


class _Api(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return with_error_responses(document)


api = _Api(
    title="cccd API",
    version="1",
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs_decorator=logged_in_docs,
    description="Citizen identity card enrollment campaigns. Errors: {code, message} with a 4xx status.",
)
api.add_router("/", accounts_router)
api.add_router("/units", units_router)
api.add_router("/registry", registry_router)
api.add_router("/campaigns", campaigns_router)
api.add_router("/rosters", rosters_router)
api.add_router("/tickets", tickets_router)
api.add_router("/reports", reports_router)
api.add_router("/coverage", coverage_router)
api.add_router("/kits", kits_router)
api.add_router("/intake", intake_router)
api.add_router("/home-visits", home_visits_router)


def _error(
    request: HttpRequest, status: int, code: str, message: str, **extra: object
) -> HttpResponse:
    response = api.create_response(
        request, {"code": code, "message": message, **extra}, status=status
    )
    response.denial_code = code  # type: ignore[attr-defined]  # named in a 403's security event
    return response


def _refusal(request: HttpRequest, error: DomainError, **extra: object) -> HttpResponse:
    return _error(request, error.status, error.code, error.message, **extra)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _refusal(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', [])[1:]) or 'body'}: {e.get('msg', '')}"
        for e in exc.errors
    )
    return _refusal(request, INVALID_INPUT(detail=detail), errors=exc.errors)


@api.exception_handler(AuthenticationError)
def _not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _refusal(request, NOT_AUTHENTICATED())


@api.exception_handler(AuthorizationError)
def _not_authorised(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return _refusal(request, PERMISSION_DENIED())


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _refusal(request, NOT_FOUND())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # django-ninja's only one: a body that is not JSON
        return _refusal(request, BAD_BODY())
    return _error(request, exc.status_code, HTTP_ERROR.code, str(exc))
