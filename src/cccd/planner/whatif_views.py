"""The what-if page of one session: the forecast, its variants, and what happened."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import PLAN
from cccd.planner import whatif
from cccd.planning import whatif as sim

VARIANT_LABELS = {
    "planned": _("As planned"),
    "desk_more": _("One desk more"),
    "desk_less": _("One desk less"),
    "later": _("Desks open 30 minutes later"),
    "as_staffed": _("As staffed at the unit's earlier sessions"),
}
CHART_HEIGHT = 160  # px of the tallest bar
BAR_WIDTH = 14


@dataclass(frozen=True)
class VariantRow:
    key: str
    label: str
    desks: int
    median_wait: float | None
    p90_wait: float | None
    last_served: datetime.datetime | None
    served: float
    change: float | None  # median wait against the plan, minutes


@dataclass(frozen=True)
class Bar:
    minute: int
    clock: datetime.datetime
    x: int
    predicted: float
    predicted_height: str  # SVG attributes, with a dot whatever the language
    predicted_y: str
    observed: int | None
    observed_height: str
    observed_y: str


@dataclass(frozen=True)
class Chart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    top: float  # the people the tallest bar stands for


@requires(PLAN)
@require_GET
def session_whatif(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """Team leaders and commanders of the session's unit subtree (PLAN); counts and times only."""
    result = whatif.session_whatif(session_id, actor=request.user)
    start = result.session.starts_at
    planned = result.forecast.planned
    context = {
        "session": result.session,
        "inputs": result.inputs,
        "evening": result.inputs.evening,
        "planned": planned,
        "planned_last": clock(start, planned.last_served),
        "service_median": _median(result.inputs.evening.service_minutes[sim.ANY_KIND]),
        "show_up_percent": round(result.inputs.evening.show_up * 100),
        "staffed_percent": _percent(result.inputs.staffed),
        "variants": variant_rows(result),
        "observed": result.observed,
        "observed_last": clock(start, result.observed.last_served) if result.observed else None,
        "error": _error(planned.median_wait, result.observed),
        "chart": chart(result),
        "replications": planned.replications,
    }
    return render(request, "planner/whatif.html", context)


def clock(start: datetime.datetime, minutes: float | None) -> datetime.datetime | None:
    if minutes is None:
        return None
    return timezone.localtime(start + datetime.timedelta(minutes=minutes))


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def _median(values: tuple[float, ...]) -> float:
    return sim.quantile(values, 0.5)


def _error(predicted: float | None, observed: whatif.Observed | None) -> float | None:
    if predicted is None or observed is None or observed.median_wait is None:
        return None
    return predicted - observed.median_wait


def variant_rows(result: whatif.WhatIf) -> list[VariantRow]:
    evening, start = result.inputs.evening, result.session.starts_at
    planned = result.forecast.planned
    desks = {"desk_more": evening.desks + 1, "desk_less": evening.desks - 1}
    outcomes = [("planned", planned), *result.forecast.variants]
    if result.as_staffed is not None:
        desks["as_staffed"] = result.as_staffed[0]
        outcomes.append(("as_staffed", result.as_staffed[1]))
    rows = []
    for key, outcome in outcomes:
        change = None
        if outcome.median_wait is not None and planned.median_wait is not None:
            change = outcome.median_wait - planned.median_wait
        rows.append(
            VariantRow(
                key=key,
                label=str(VARIANT_LABELS[key]),
                desks=desks.get(key, evening.desks),
                median_wait=outcome.median_wait,
                p90_wait=outcome.p90_wait,
                last_served=clock(start, outcome.last_served),
                served=outcome.served,
                change=change,
            )
        )
    return rows


def chart(result: whatif.WhatIf) -> Chart:
    """Bars of the people in line every ten minutes: predicted (the mean over the replications)
    and, once the session is over, observed, side by side."""
    start = result.session.starts_at
    seen = dict(result.observed.queue) if result.observed else {}
    points = result.forecast.planned.queue
    minutes = sorted({p.minute for p in points} | set(seen))
    predicted = {p.minute: p.mean for p in points}
    top = max([1.0, *predicted.values(), *seen.values()])
    bars = []
    for index, minute in enumerate(minutes):
        expected, happened = predicted.get(minute, 0.0), seen.get(minute, 0)
        high, seen_high = expected / top * CHART_HEIGHT, happened / top * CHART_HEIGHT
        bars.append(
            Bar(
                minute=int(minute),
                clock=clock(start, minute),  # type: ignore[arg-type]
                x=index * (2 * BAR_WIDTH + 6),
                predicted=round(expected, 1),
                predicted_height=f"{high:.1f}",
                predicted_y=f"{CHART_HEIGHT - high:.1f}",
                observed=happened if result.observed else None,
                observed_height=f"{seen_high:.1f}",
                observed_y=f"{CHART_HEIGHT - seen_high:.1f}",
            )
        )
    return Chart(tuple(bars), len(bars) * (2 * BAR_WIDTH + 6), CHART_HEIGHT + 30, top)
