"""The dashboard pages: thin over `cccd.reports.queries`, which the report and the API share."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import DASHBOARD
from cccd.accounts.scoping import unit_is_visible, visible_to
from cccd.campaigns.models import Session
from cccd.campaigns.queries import visible_campaigns
from cccd.reports import cards, counters, queries
from cccd.reports.forms import DashboardQuery, figures_of
from cccd.reports.replica import reads_from_replica
from cccd.units.models import Unit


@requires(DASHBOARD)
@require_GET
@reads_from_replica
def dashboard(request: LoggedInRequest, unit_id: int | None = None) -> HttpResponse:
    require_permission(request.user, DASHBOARD)
    query = DashboardQuery.read(request.GET, user=request.user)
    path_unit = queries.unit_for(request.user, unit_id) if unit_id is not None else None
    unit, campaign, day = figures_of(request.user, query, unit=path_unit)
    figures = queries.figures(unit, campaign, day)
    chart = {
        "labels": [d.strftime("%d/%m") for d, _n, _c in figures.daily],
        "daily": [n for _d, n, _c in figures.daily],
        "cumulative": [c for _d, _n, c in figures.daily],
        "target": _target_line(figures),
    }
    context = {
        "f": figures,
        "chart": chart,
        "campaigns": visible_campaigns(request.user),
        "sessions": _todays_sessions(request, unit, day),
        "parent": _parent(request, unit),
        "progress_label": counters.PROGRESS_LABEL,
        "progress_note": counters.PROGRESS_NOTE,
        "cards": cards.cards_at_units(unit, campaign.pk, timezone.now()),
        "card_waiting_days": cards.waiting_days(),
    }
    return render(request, "reports/dashboard.html", context)


def _target_line(figures: queries.Figures) -> list[float] | None:
    """The straight line from nothing on the first day to the target on the campaign's last."""
    if not figures.target:
        return None
    campaign = figures.campaign
    length = (campaign.end_date - campaign.start_date).days + 1
    return [round(figures.target * (i + 1) / length, 1) for i in range(len(figures.daily))]


def _todays_sessions(request: HttpRequest, unit: Unit, day: datetime.date) -> list[Session]:
    sessions = visible_to(request.user, Session.objects.select_related("venue", "unit"))
    return list(
        sessions.filter(unit__path__startswith=unit.path, starts_at__date=day)
        .exclude(state=Session.State.CANCELLED)
        .annotate(
            waiting=Count("tickets", filter=Q(tickets__state="waiting")),
            served=Count("tickets", filter=Q(tickets__state="done")),
        )
        .order_by("starts_at")[:50]
    )


def _parent(request: HttpRequest, unit: Unit) -> Unit | None:
    parent = unit.parent
    if parent is None or not unit_is_visible(request.user, parent.path):
        return None
    return parent
