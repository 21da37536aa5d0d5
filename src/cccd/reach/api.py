"""/api/v1/coverage/: the coverage page's figures as JSON, from the same `queries.coverage`.

Same scope (a place or campaign of another unit is a 404) and permission as the page."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Router

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest, require_permission
from cccd.accounts.roles import COVERAGE
from cccd.api.inputs import Text
from cccd.reach import errors, queries
from cccd.reach.forms import CoverageQuery, coverage_of
from cccd.reach.schemas import CoverageOut, EligibleOut
from cccd.units.models import Unit

router = Router(tags=["coverage"])
QueryText = Annotated[str, Text(20)]


def _figure(f: queries.Figure) -> dict[str, Any]:
    return {
        "key": f.key,
        "label": f.label,
        "eligible": f.eligible,
        "reached": f.reached,
        "today": f.today,
        "remaining": f.remaining,
        "rate": f.rate,
    }


@router.get("/", response=CoverageOut, auth=api_requires(COVERAGE))
def coverage(
    request: LoggedInRequest,
    unit: QueryText | None = None,
    campaign: QueryText | None = None,
    day: QueryText | None = None,
) -> dict[str, Any]:
    """Coverage of a place (an administrative unit: the nation, a province, a district, a
    commune) in a campaign on a day; strings read by the page's form, so a bad one is a 400."""
    require_permission(request.user, COVERAGE)
    query = CoverageQuery.read({"unit": unit, "campaign": campaign, "day": day}, user=request.user)
    chosen, place, when = coverage_of(request.user, query)
    c = queries.coverage(chosen, place, when)
    return {
        "campaign_id": chosen.pk,
        "campaign": chosen.name,
        "unit_id": place.pk,
        "unit": place.name,
        "level": place.level,
        "day": when,
        "built_at": c.built_at,
        "total": _figure(c.total),
        "children": [_figure(f) for f in c.children],
        "villages": [_figure(f) for f in c.villages],
        "groups": [_figure(f) for f in c.groups],
        "schools": [_figure(f) for f in c.schools],
    }


@router.get("/eligible", response=EligibleOut, auth=api_requires(COVERAGE))
def eligible(
    request: LoggedInRequest,
    unit: QueryText | None = None,
    campaign: QueryText | None = None,
    day: QueryText | None = None,
) -> dict[str, Any]:
    """The eligible population of a district or a commune on any day, per child unit and (at a
    commune) per village, counted live from the register with the campaign's law and dates."""
    require_permission(request.user, COVERAGE)
    query = CoverageQuery.read({"unit": unit, "campaign": campaign, "day": day}, user=request.user)
    chosen, place, when = coverage_of(request.user, query)
    if place.level not in (Unit.Level.DISTRICT, Unit.Level.COMMUNE):
        raise errors.ELIGIBLE_TOO_WIDE()
    counted = queries.eligible_counts(chosen, place, when)
    return {
        "campaign_id": chosen.pk,
        "unit_id": place.pk,
        "unit": place.name,
        "day": when,
        "eligible": counted.total,
        "children": [
            {"key": str(c.pk), "label": c.name, "eligible": n} for c, n in counted.children
        ],
        "villages": [{"key": v, "label": v, "eligible": n} for v, n in counted.villages],
    }
