"""The daily report page and its downloads: thin over `cccd.reports.daily_report`, whose content is
built from the same `queries.figures` as the dashboard and the API."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import DASHBOARD
from cccd.campaigns.queries import visible_campaigns
from cccd.errors import NOT_FOUND
from cccd.reports import daily_report, errors
from cccd.reports.forms import ReportDownloadQuery, ReportQuery, figures_of
from cccd.reports.replica import reads_from_replica


def _content(request: LoggedInRequest, query: dict[str, Any]) -> daily_report.ReportContent:
    """The report asked for by ?unit=&campaign=&day=, as the dashboard reads them."""
    return daily_report.report_content(*figures_of(request.user, query))


@requires(DASHBOARD)
@require_GET
@reads_from_replica
def report_page(request: LoggedInRequest) -> HttpResponse:
    require_permission(request.user, DASHBOARD)
    content = _content(request, ReportQuery.read(request.GET, user=request.user))
    context = {
        "r": content,
        "f": content.figures,
        "campaigns": visible_campaigns(request.user),
        "stored": daily_report.stored_reports(content.figures.unit),
    }
    return render(request, "reports/report.html", context)


@requires(DASHBOARD)
@require_GET
@reads_from_replica
def report_download(request: LoggedInRequest, fmt: str) -> HttpResponse | FileResponse:
    """The report made now; with ?stored=1 the file the schedule wrote for that day instead."""
    require_permission(request.user, DASHBOARD)
    if fmt not in daily_report.FORMATS:
        raise errors.BAD_FORMAT(text=fmt[:10])
    query = ReportDownloadQuery.read(request.GET, user=request.user)
    content = _content(request, query)
    if query["stored"]:
        unit, campaign = content.figures.unit, content.figures.campaign
        name = daily_report.stored_name(unit, campaign.pk, content.day, fmt)
        if not default_storage.exists(name):
            raise NOT_FOUND()
        return FileResponse(
            default_storage.open(name, "rb"),
            as_attachment=True,
            filename=name.rsplit("/", 1)[-1],
            content_type=daily_report.FORMATS[fmt],
        )
    data = daily_report.render(content, fmt)
    response = HttpResponse(data, content_type=daily_report.FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{content.filename_stem}.{fmt}"'
    return response
