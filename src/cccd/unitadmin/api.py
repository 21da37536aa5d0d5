from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cccd.accounts.roles import UNITS
from cccd.accounts.scoping import get_visible
from cccd.api.auth import api_requires
from cccd.api.inputs import Id, Text
from cccd.api.pagination import Pagination
from cccd.units import queries
from cccd.units.models import Unit
from cccd.units.schemas import UnitOut

router = Router(tags=["units"])


class UnitFilter(Schema):
    q: Text(100) = ""
    level: Unit.Level | None = None
    category: Unit.Category | None = None


@router.get("/", response=list[UnitOut], auth=api_requires(UNITS))
@paginate(Pagination)
def list_units(request: HttpRequest, filters: Query[UnitFilter]) -> object:
    return queries.visible_units(
        request.user, q=filters.q, level=filters.level or "", category=filters.category or ""
    )


@router.get("/{unit_id}", response=UnitOut, auth=api_requires(UNITS))
def get_unit(request: HttpRequest, unit_id: Id) -> Unit:
    return get_visible(request.user, Unit.objects.all(), pk=unit_id)
