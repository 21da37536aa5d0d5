from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.queries import visible_units
from cccd.accounts.roles import UNITS
from cccd.accounts.scoping import get_visible
from cccd.api.inputs import Id, Text
from cccd.api.pagination import Pagination
from cccd.units.models import Unit
from cccd.units.schemas import UnitOut

router = Router(tags=["units"])


class UnitFilter(Schema):
    q: Annotated[str, Text(100)] = ""
    level: Unit.Level | None = None
    category: Unit.Category | None = None


# The operation ids are those from before the routes moved here from `cccd.units`: clients
# generated from the OpenAPI document name their calls by them.
@router.get(
    "/", response=list[UnitOut], auth=api_requires(UNITS), operation_id="cccd_units_api_list_units"
)
@paginate(Pagination)
def list_units(request: LoggedInRequest, filters: Query[UnitFilter]) -> QuerySet[Unit]:
    return visible_units(
        request.user, q=filters.q, level=filters.level or "", category=filters.category or ""
    )


@router.get(
    "/{unit_id}", response=UnitOut, auth=api_requires(UNITS), operation_id="cccd_units_api_get_unit"
)
def get_unit(request: HttpRequest, unit_id: Id) -> Unit:
    return get_visible(request.user, Unit.objects.all(), pk=unit_id)
