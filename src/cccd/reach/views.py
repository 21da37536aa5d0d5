"""The coverage page: thin over `cccd.reach.queries` (the figures) and `services` (the commander's
two actions). docs/reach.md says what the figures mean.

One page, `/coverage/?campaign=&unit=&day=`: the place's total, its children ranked lowest coverage
first (a click drills down), the villages at a commune, the groups, the schools, the daily line,
breadcrumbs up to the user's own place, and for a commander the count's state and the suggested
targets. Every id in the query is scoped (`forms.CoverageQuery`): another unit's is a 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cccd.accounts.models import User
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import CAMPAIGNS, COVERAGE, REACH_LISTS
from cccd.accounts.scoping import ancestor_paths
from cccd.campaigns.models import Campaign
from cccd.errors import DomainError
from cccd.jobs.models import Job
from cccd.reach import errors, queries, services
from cccd.reach.boundaries import map_for
from cccd.reach.forms import (
    TOTAL_PREFIX,
    WHOLE_NUMBER,
    CoverageAction,
    CoverageQuery,
    coverage_of,
    read_totals,
)
from cccd.reach.queries import Coverage, Figure
from cccd.reach.tasks import find_cohort_job
from cccd.units.models import Unit

SERIES_DAYS = 366
"""The daily line shows at most a year back from the day (earlier people start its total)."""
BANDS = ((0.5, "low"), (0.8, "mid"))
"""A bar's colour: below 50 % red, below 80 % amber, else green [a rule of ours: colour only
repeats the number written beside it]."""
TARGET_ERRORS = {
    e.code
    for e in (
        errors.TARGETS_NONE,
        errors.TARGET_VALUE,
        errors.TARGET_NOT_CHILD,
        errors.TARGET_NO_POLICE_UNIT,
        errors.TARGET_OUTSIDE_CAMPAIGN,
    )
}


@dataclass(frozen=True)
class Bar:
    """One ranked line: its figure, the bar's value (a dot decimal, for the `meter`), its colour
    band and where a click goes (a place below, or none)."""

    figure: Figure
    value: str
    band: str
    url: str | None = None


@dataclass(frozen=True)
class TargetRow:
    """A child place in the suggested targets: its cohort, its target now, the box's value, and
    why it cannot take a target here (no police unit, outside the campaign), if so."""

    unit: Unit
    eligible: int
    target: int | None
    value: str
    blocked: str = ""
    invalid: bool = False


def bar(figure: Figure, url: str | None = None) -> Bar:
    rate = figure.rate
    if rate is None:
        return Bar(figure, "0", "none", url)
    band = next((name for limit, name in BANDS if rate < limit), "high")
    return Bar(figure, f"{100 * rate:.1f}", band, url)


# --- the page ---------------------------------------------------------------------------------


@requires(COVERAGE)
@require_GET
def coverage_page(request: LoggedInRequest) -> HttpResponse:
    query = CoverageQuery.read(request.GET, user=request.user)
    if query["campaign"] is None and not queries.campaigns_for(request.user).exists():
        return render(request, "reach/coverage_none.html")
    campaign, place, day = coverage_of(request.user, query)
    if request.headers.get("HX-Request") and not _building(find_cohort_job(campaign)):
        response = HttpResponse(status=204)  # the count the page waited for is over: reload it
        response["HX-Refresh"] = "true"
        return response
    return _render(request, campaign, place, day)


@requires(CAMPAIGNS)
@require_POST
def build_cohort(request: LoggedInRequest) -> HttpResponse:
    """Count the cohort again (in the background); the page then says it is being counted."""
    query = CoverageAction.read(request.POST, user=request.user)
    campaign, place = query["campaign"], query["unit"]
    services.build_cohort(actor=request.user, campaign_id=campaign.pk)
    messages.success(
        request,
        _("Counting the people to reach in %(campaign)s has started.") % {"campaign": campaign},
    )
    return redirect(page_url(campaign, place, query["day"]))


@requires(CAMPAIGNS)
@require_POST
def accept_targets(request: LoggedInRequest) -> HttpResponse:
    """The suggested targets as accepted or edited; a refusal comes back on the page itself,
    with what was typed, and nothing saved."""
    campaign, place, day = coverage_of(
        request.user, CoverageAction.read(request.POST, user=request.user)
    )
    try:
        totals = read_totals(request.POST, place)
        done = services.accept_targets(
            actor=request.user, campaign_id=campaign.pk, unit_id=place.pk, totals=totals
        )
    except DomainError as refusal:
        if refusal.code not in TARGET_ERRORS:
            raise
        typed = {
            key[len(TOTAL_PREFIX) :]: str(value)[:20]
            for key, value in request.POST.items()
            if key.startswith(TOTAL_PREFIX)
        }
        return _render(
            request, campaign, place, day, refusal=refusal, typed=typed, status=refusal.status
        )
    said = ngettext("%(n)d target saved.", "%(n)d targets saved.", done.changed) % {
        "n": done.changed
    }
    if done.unchanged:
        said += " " + ngettext(
            "%(n)d was already at that number.",
            "%(n)d were already at that number.",
            done.unchanged,
        ) % {"n": done.unchanged}
    messages.success(request, said)
    return redirect(page_url(campaign, place, day) + "#targets")


# --- what the page shows ----------------------------------------------------------------------


def _building(job: Job | None) -> bool:
    return job is not None and job.status in (Job.State.QUEUED, Job.State.RUNNING)


def page_url(campaign: Campaign, place: Unit, day: datetime.date | None = None) -> str:
    query: dict[str, Any] = {"campaign": campaign.pk, "unit": place.pk}
    if day is not None:
        query["day"] = f"{day:%d/%m/%Y}"
    return f"{reverse('reach:coverage')}?{urlencode(query)}"


def lists_url(campaign: Campaign, place: Unit, village: str = "") -> str:
    """The list of people still to reach at a commune or one of its villages."""
    base = reverse("reach_lists:list")
    query: dict[str, Any] = {"campaign": campaign.pk, "unit": place.pk}
    if village:
        query["village"] = village
    return f"{base}?{urlencode(query)}"


def _map_svg(request: HttpRequest, coverage: Coverage) -> SafeString | None:
    """The map of the place's children shaded by coverage, as SVG markup already escaped, or None
    to show the ranked bars alone. The map is drawn when boundaries exist for the children; until
    a boundary is uploaded there is nothing to draw. `render_map` escapes every text it writes
    (names are user data), so its markup is safe to place as it is."""
    rates = {f.unit.pk: f.rate for f in coverage.children if f.unit is not None}
    svg = map_for(
        request.user,  # type: ignore[arg-type]
        coverage.unit,
        rates,
        lambda child: page_url(coverage.campaign, child, coverage.day),
    )
    return SafeString(svg) if svg else None


def _render(
    request: LoggedInRequest,
    campaign: Campaign,
    place: Unit,
    day: datetime.date,
    *,
    refusal: DomainError | None = None,
    typed: Mapping[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    coverage = queries.coverage(campaign, place, day)
    job = find_cohort_job(campaign)
    can_manage = services.manageable(user, campaign)
    lists = user.has_perm(REACH_LISTS) and place.level == Unit.Level.COMMUNE
    context = {
        "c": coverage,
        "total": bar(coverage.total),
        "children": [
            bar(f, page_url(campaign, f.unit, day) if f.unit else None) for f in coverage.children
        ],
        "villages": [
            bar(f, lists_url(campaign, place, f.key) if lists else None) for f in coverage.villages
        ],
        "groups": [bar(f) for f in coverage.groups],
        "schools": [bar(f) for f in coverage.schools],
        "crumbs": [(p, page_url(campaign, p, day)) for p in _crumbs(user, place)],
        "campaigns": queries.campaigns_for(user).order_by("-start_date", "name"),
        "job": job,
        "building": _building(job),
        "can_manage": can_manage,
        "lists_url": lists_url(campaign, place) if lists else None,
        "chart": _chart(campaign, coverage),
        "map_svg": _map_svg(request, coverage),
        "targets": _targets(campaign, place, typed) if can_manage and coverage.built_at else [],
        "refusal": refusal,
        "page_url": page_url(campaign, place, day),
    }
    return render(request, "reach/coverage.html", context, status=status)


def _crumbs(user: User, place: Unit) -> list[Unit]:
    """The places above this one that the user may open, top first."""
    return list(
        queries.places_for(user).filter(path__in=ancestor_paths(place.path)).order_by("path")
    )


def _chart(campaign: Campaign, coverage: Coverage) -> dict[str, Any] | None:
    """People first reached per day and the coverage reached by each day, from the campaign's
    start (at most a year back) to the day shown; None with nobody to reach or before the start."""
    eligible, day = coverage.total.eligible, coverage.day
    first = max(campaign.start_date, day - datetime.timedelta(days=SERIES_DAYS - 1))
    if not eligible or day < first:
        return None
    per_day = dict(queries.series(campaign, coverage.unit))
    running = sum(n for d, n in per_day.items() if d < first)
    labels, daily, percent = [], [], []
    for offset in range((day - first).days + 1):
        current = first + datetime.timedelta(days=offset)
        reached = per_day.get(current, 0)
        running += reached
        labels.append(f"{current:%d/%m}")
        daily.append(reached)
        percent.append(round(100 * running / eligible, 1))
    return {"labels": labels, "daily": daily, "percent": percent}


def _targets(campaign: Campaign, place: Unit, typed: Mapping[str, str] | None) -> list[TargetRow]:
    """Each child place's suggestion (its cohort) beside its target now, with the box prefilled:
    what was typed (a refused post), else the target, else the suggestion."""
    suggestions = queries.suggested_targets(campaign, place)
    police = set(
        Unit.objects.filter(
            category=Unit.Category.POLICE,
            is_active=True,
            path__in=[s.unit.mirror_path for s in suggestions],
        ).values_list("path", flat=True)
    )
    rows = []
    for s in suggestions:
        blocked = ""
        if s.unit.mirror_path not in police:
            blocked = _("no police unit")
        elif not s.unit.mirror_path.startswith(campaign.unit.path):
            blocked = _("outside the campaign")
        shown = str(s.target if s.target is not None else s.eligible)
        value = typed.get(str(s.unit.pk), shown) if typed is not None else shown
        invalid = bool(value.strip()) and not WHOLE_NUMBER.fullmatch(value.strip())
        rows.append(TargetRow(s.unit, s.eligible, s.target, value, blocked, invalid))
    return rows
