from django.db.models import QuerySet
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.responses import Status

from cccd.accounts import queries, services
from cccd.accounts.api_auth import api_requires
from cccd.accounts.models import AuditEvent
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import AUDIT
from cccd.accounts.schemas import AuditEventOut, AuditFilter, MeOut, TokenIn, TokenOut
from cccd.api.pagination import Pagination

router = Router(tags=["accounts"])


@router.get("/me", response=MeOut, auth=api_requires())
def me(request: LoggedInRequest) -> dict[str, object]:
    user = request.user
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "role_label": str(user.get_role_display()),
        "unit": user.unit,
        "permissions": sorted(user.get_all_permissions()),
    }


@router.get("/audit", response=list[AuditEventOut], auth=api_requires(AUDIT))
@paginate(Pagination)
def audit_trail(request: LoggedInRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEvent]:
    return queries.audit_trail(
        request.user,
        action=filters.action,
        actor=filters.actor,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.post("/tokens", response={201: TokenOut}, auth=api_requires())
def create_token(request: LoggedInRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, key = services.create_api_token(name=payload.name, actor=request.user)
    return Status(201, {"id": token.pk, "name": token.name, "prefix": token.prefix, "key": key})
