"""The home page: what each role starts from, gathered from the apps it shows.

It stands on the top floor, beside `urls.py`, because it reads several apps at once: the user's
unit and its units (`cccd.units`), the bursts of refused requests (`cccd.accounts.security`) and,
for the desks, tonight's sessions (`cccd.tickets`). In `cccd.accounts` it made the ground floor
of users import the queue.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from cccd.accounts import security
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import DESK, ISSUE
from cccd.tickets import queries as queue
from cccd.units.queries import unit_children


@requires()
def home(request: LoggedInRequest) -> HttpResponse:
    """The user's unit; for those who work the desks (officers, team leaders), tonight's sessions
    and the desk they hold first, so the evening starts from here; for the administrator and the
    commander, bursts of refused requests too."""
    unit = request.user.unit
    children = unit_children(unit) if unit is not None else []
    count, minutes, days = security.burst_settings()
    context: dict[str, object] = {
        "unit": unit,
        "children": children,
        "bursts": security.denial_bursts(request.user),
        "burst_count": count,
        "burst_minutes": minutes,
        "burst_days": days,
        "denied_action": security.DENIED,
        "tonight": None,
    }
    user = request.user
    if user.has_perm(DESK) or user.has_perm(ISSUE):
        context["tonight"] = queue.tonight(request.user)
    return render(request, "home.html", context)
