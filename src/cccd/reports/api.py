"""/api/v1/reports/: the dashboard's figures as JSON, from the same `queries.figures` as the
dashboard page and the daily report. Same scope (another unit is a 404) and permission."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Router

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest, require_permission
from cccd.accounts.roles import DASHBOARD
from cccd.api.inputs import Text
from cccd.reports import queries, replica
from cccd.reports.forms import ReportQuery, figures_of
from cccd.reports.schemas import ChildrenOut, FiguresOut
from cccd.units.models import Unit

router = Router(tags=["reports"])


QueryText = Annotated[str, Text(20)]


def _figures(
    request: LoggedInRequest,
    unit: str | None,
    campaign: str | None,
    day: str | None,
    *,
    children: bool = True,
) -> queries.Figures:
    """Read ?unit=&campaign=&day= with the daily report's form (strings here, so that a bad one
    is the pages' 400 `BAD_QUERY`, not a schema error)."""
    require_permission(request.user, DASHBOARD)

    def read() -> queries.Figures:
        query = ReportQuery.read(
            {"unit": unit, "campaign": campaign, "day": day}, user=request.user
        )
        chosen, running, when = figures_of(request.user, query)
        return queries.figures(chosen, running, when, children=children)

    return replica.read_reports(read)[0]  # from the reporting replica when there is one


@router.get("/dashboard", response=FiguresOut, auth=api_requires(DASHBOARD))
def dashboard(
    request: LoggedInRequest,
    unit: QueryText | None = None,
    campaign: QueryText | None = None,
    day: QueryText | None = None,
) -> dict[str, Any]:
    f = _figures(request, unit, campaign, day)
    return {
        "unit": _unit(f.unit),
        "campaign_id": f.campaign.pk,
        "campaign": f.campaign.name,
        "day": f.day,
        "target": f.target,
        "done": f.done,
        "percent": f.percent,
        "today": f.today,
        "yesterday": f.yesterday,
        "week": f.week,
        "delivered": f.delivered,
        "overdue": f.overdue,
        "daily": [{"day": d, "captured": n, "cumulative": c} for d, n, c in f.daily],
        "by_group": [{"name": g, "count": n} for g, n in f.by_group],
        "by_kind": [{"name": k, "count": n} for k, n in f.by_kind],
        "pipeline": [{"state": s, "label": label, "count": n} for s, label, n in f.pipeline],
        "forecast": vars(f.forecast),
        "children": _children(f),
    }


@router.get("/children", response=ChildrenOut, auth=api_requires(DASHBOARD))
def children(
    request: LoggedInRequest,
    unit: QueryText | None = None,
    campaign: QueryText | None = None,
    day: QueryText | None = None,
) -> dict[str, Any]:
    f = _figures(request, unit, campaign, day)
    return {
        "unit": _unit(f.unit),
        "campaign_id": f.campaign.pk,
        "day": f.day,
        "children": _children(f),
    }


def _unit(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def _children(f: queries.Figures) -> list[dict[str, Any]]:
    return [
        {
            "rank": r.rank,
            "unit": _unit(r.unit),
            "target": r.target,
            "done": r.done,
            "percent": r.percent,
            "today": r.today,
        }
        for r in f.children
    ]
