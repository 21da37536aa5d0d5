"""The officer report page and its xlsx download: parse the period, call `officers.officer_report`,
render. Both are audited: the report names officers and what they did."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cccd.accounts.audit import record
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import DASHBOARD
from cccd.campaigns.queries import visible_campaigns
from cccd.reports import officers, queries
from cccd.reports.forms import OfficerReportQuery
from cccd.reports.replica import reads_from_replica
from cccd.units.models import Unit


def period_of(
    request: LoggedInRequest, query: dict[str, Any]
) -> tuple[datetime.date, datetime.date]:
    """?from=…&to=… (dd/mm/yyyy, or ISO); by default from the running campaign's start (else 30
    days back) to today, Vietnam's date."""
    date_to = query["date_to"] or timezone.localdate()
    date_from = query["date_from"]
    if date_from is None:
        running = (
            visible_campaigns(request.user)
            .filter(start_date__lte=date_to, end_date__gte=date_to)
            .order_by("-start_date")
            .first()
        )
        date_from = running.start_date if running else date_to - datetime.timedelta(days=30)
    officers.check_period(date_from, date_to)
    return date_from, date_to


def _report(
    request: LoggedInRequest, action: str
) -> tuple[Unit, datetime.date, datetime.date, list[officers.OfficerRow]]:
    require_permission(request.user, DASHBOARD)
    query = OfficerReportQuery.read(request.GET, user=request.user)
    unit = query["unit"] or queries.unit_for(request.user, None)
    date_from, date_to = period_of(request, query)
    rows = officers.officer_report(request.user, unit, date_from, date_to)
    record(
        action,
        actor=request.user,
        unit=unit,
        obj=unit,
        after={"from": date_from.isoformat(), "to": date_to.isoformat(), "officers": len(rows)},
    )
    return unit, date_from, date_to, rows


@requires(DASHBOARD)
@require_GET
@reads_from_replica
def officer_report(request: LoggedInRequest) -> HttpResponse:
    unit, date_from, date_to, rows = _report(request, "reports.officer_report")
    totals = officers.OfficerRow(user_id=0, name="", username="", unit_name="")
    for row in rows:
        totals.intakes += row.intakes
        totals.minutes += row.minutes
        totals.night_minutes += row.night_minutes
        totals.weekend_minutes += row.weekend_minutes
    context = {
        "unit": unit,
        "rows": rows,
        "totals": totals,
        "date_from": date_from,
        "date_to": date_to,
    }
    return render(request, "reports/officers.html", context)


@requires(DASHBOARD)
@require_GET
@reads_from_replica
def officer_report_xlsx(request: LoggedInRequest) -> HttpResponse:
    unit, date_from, date_to, rows = _report(request, "reports.officer_report_export")
    body = officers.render_officer_xlsx(rows, unit=unit, date_from=date_from, date_to=date_to)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"officers-{unit.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
