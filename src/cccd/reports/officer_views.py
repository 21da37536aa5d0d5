"""The officer report page and its xlsx download: parse the period, call `officers.officer_report`,
render. Both are audited: the report names officers and what they did."""

from __future__ import annotations

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cccd.accounts.audit import record
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import DASHBOARD
from cccd.campaigns.queries import visible_campaigns
from cccd.reports import errors, officers, queries
from cccd.reports.views import parse_id
from cccd.units.models import Unit

DATE_FORMAT = "%d/%m/%Y"


def parse_date(text: str) -> datetime.date:
    """A dd/mm/yyyy date exactly (the page's format); anything else is a clear 400."""
    value = text.strip()
    try:
        if len(value) != 10:
            raise ValueError(value)
        return datetime.datetime.strptime(value, DATE_FORMAT).date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise errors.BAD_DAY(text=text[:20]) from None


def period_of(request: LoggedInRequest) -> tuple[datetime.date, datetime.date]:
    """?from=…&to=… in dd/mm/yyyy; by default from the running campaign's start (else 30 days
    back) to today, Vietnam's date."""
    today = timezone.localdate()
    raw_from, raw_to = request.GET.get("from", ""), request.GET.get("to", "")
    date_to = parse_date(raw_to) if raw_to.strip() else today
    if raw_from.strip():
        date_from = parse_date(raw_from)
    else:
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
    require_permission(request.user, officers.VIEW)
    unit = queries.unit_for(request.user, parse_id(request.GET.get("unit")))
    date_from, date_to = period_of(request)
    rows = officers.officer_report(request.user, unit, date_from, date_to)
    record(action, actor=request.user, unit=unit, obj=unit,
           after={"from": date_from.isoformat(), "to": date_to.isoformat(), "officers": len(rows)})  # fmt: skip
    return unit, date_from, date_to, rows


@requires(DASHBOARD)
@require_GET
def officer_report(request: LoggedInRequest) -> HttpResponse:
    unit, date_from, date_to, rows = _report(request, "reports.officer_report")
    totals = officers.OfficerRow(user_id=0, name="", username="", unit_name="")
    for row in rows:
        totals.intakes += row.intakes
        totals.minutes += row.minutes
        totals.night_minutes += row.night_minutes
        totals.weekend_minutes += row.weekend_minutes
    context = {"unit": unit, "rows": rows, "totals": totals,
               "date_from": date_from, "date_to": date_to}  # fmt: skip
    return render(request, "reports/officers.html", context)


@requires(DASHBOARD)
@require_GET
def officer_report_xlsx(request: LoggedInRequest) -> HttpResponse:
    unit, date_from, date_to, rows = _report(request, "reports.officer_report_export")
    body = officers.render_officer_xlsx(rows, unit=unit, date_from=date_from, date_to=date_to)
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"officers-{unit.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
