"""Security events: every refused request leaves a trace, and a burst of them is shown.

A request answered 403 (the role does not allow it, a liaison's other venue, a failed CSRF check),
or 404 for an object that exists in another unit, writes one `security.denied` audit event: who,
when, from where, which route, with which object ids — never a name, a personal ID or a query
string. The event belongs to the actor's unit, so the administrator and the commander of that unit
read it in the audit trail, and `denial_bursts` picks out the users with many refusals in a short
time for their home page (settings `CCCD_SECURITY_BURST_COUNT`, `_MINUTES`, `_DAYS`).

The 404 of another unit's object looks exactly like a missing one to the user (`get_visible`); only
this trail tells them apart: `get_visible` notes a hidden object it found
(`scoping.note_hidden_objects`), and the route's own ids (`ROUTE_OBJECTS`) are checked once the
answer is a 404. `cccd.accounts.middleware.AuditContextMiddleware` calls `record_denial` for every
request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent
from cccd.accounts.roles import AUDIT
from cccd.accounts.scoping import visible_to, visible_with_ancestors

if TYPE_CHECKING:
    from cccd.accounts.models import User

DENIED = "security.denied"
OUT_OF_SCOPE = "OUT_OF_SCOPE"

ROUTE_OBJECTS: dict[str, str] = {
    "enrollment_id": "enrollments.Enrollment",
    "batch_id": "enrollments.ProductionBatch",
    "change_id": "enrollments.ProposedChange",
    "ticket_id": "tickets.Ticket",
    "desk_id": "tickets.Desk",
    "session_id": "campaigns.Session",
    "campaign_id": "campaigns.Campaign",
    "roster_id": "rosters.Roster",
    "entry_id": "rosters.RosterEntry",
    "person_id": "registry.Person",
    "import_id": "registry.RegisterImport",
    "unit_id": "units.Unit",
    "parent_id": "units.Unit",
    "user_id": "accounts.User",
    "packet_id": "kits.ReceivedPacket",
    "run_id": "planner.PlanRun",
}
"""A route argument naming an object of a scoped model: a 404 for one that exists, out of the
user's sight, is a cross-unit request."""

WITH_ANCESTORS = {"campaigns.Campaign"}  # seen from the units below too (no personal data)
ROWS_READ_AT_MOST = 20_000  # bursts are looked for in at most this many recent refusals


def _route(request: HttpRequest) -> tuple[str, dict[str, int]]:
    """The route's name and the object ids in its path (ids only: never a token or a text)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", {}
    ids = {}
    for name, value in match.kwargs.items():
        text = str(value)
        if (name.endswith("_id") or name == "number") and text.isdigit() and len(text) <= 12:
            ids[name] = int(text)
    return match.view_name or "", ids


def _object_elsewhere(user: User, ids: dict[str, int]) -> bool:
    """Whether one of the route's objects exists but is not the user's to see."""
    for name, pk in ids.items():
        label = ROUTE_OBJECTS.get(name)
        if label is None:
            continue
        model = apps.get_model(label)
        if not model._default_manager.filter(pk=pk).exists():
            continue
        scoped = visible_with_ancestors if label in WITH_ANCESTORS else visible_to
        if not scoped(user, model._default_manager.filter(pk=pk)).exists():
            return True
    return False


def record_denial(
    request: HttpRequest, response: HttpResponseBase, hidden_seen: list[str]
) -> AuditEvent | None:
    """Write the security event of a refused request, if it was one (see the module);
    `hidden_seen` holds what `get_visible` found in another unit during the request."""
    status = response.status_code
    if status not in (403, 404):
        return None
    user = getattr(request, "user", None)
    actor: User | None = user if user is not None and user.is_authenticated else None
    route, ids = _route(request)
    if status == 403:
        code = getattr(response, "denial_code", "") or "FORBIDDEN"
    elif actor is not None and (hidden_seen or _object_elsewhere(actor, ids)):
        code = OUT_OF_SCOPE
    else:
        return None
    return record(
        DENIED,
        actor=actor,
        unit=actor.unit if actor is not None else None,
        object_repr=route,
        after={
            "route": route,
            "method": request.method,
            "status": status,
            "code": code,
            "ids": ids,
        },
    )


@dataclass(frozen=True)
class Burst:
    """One user's refusals: the most within any window of the configured minutes, and all."""

    username: str
    in_window: int
    total: int
    first_at: datetime.datetime
    last_at: datetime.datetime


def burst_settings() -> tuple[int, int, int]:
    """(refusals, minutes, days): N refusals within M minutes, looked for over the last D days."""
    return (
        getattr(settings, "CCCD_SECURITY_BURST_COUNT", 10),
        getattr(settings, "CCCD_SECURITY_BURST_MINUTES", 10),
        getattr(settings, "CCCD_SECURITY_BURST_DAYS", 7),
    )


def denial_bursts(viewer: User, *, now: datetime.datetime | None = None) -> list[Burst]:
    """The users of the viewer's subtree with a burst of refused requests, most first.

    Only for a role that reads the audit trail (administrator, commander); anyone else gets none.
    """
    if not viewer.has_perm(AUDIT):
        return []
    count, minutes, days = burst_settings()
    now = now or timezone.now()
    window = datetime.timedelta(minutes=minutes)
    rows = (
        visible_to(viewer, AuditEvent.objects.filter(action=DENIED))
        .filter(at__gte=now - datetime.timedelta(days=days))
        .order_by("-at")
        .values_list("actor_username", "at")[:ROWS_READ_AT_MOST]
    )
    by_user: dict[str, list[datetime.datetime]] = {}
    for username, at in rows:
        by_user.setdefault(username, []).append(at)
    bursts = []
    for username, times in by_user.items():
        times.sort()
        most = _most_within(times, window)
        if most >= count:
            bursts.append(Burst(username, most, len(times), times[0], times[-1]))
    return sorted(bursts, key=lambda b: (-b.in_window, b.username))


def _most_within(times: list[datetime.datetime], window: datetime.timedelta) -> int:
    """The most events inside any span of `window` (times sorted)."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > window:
            start += 1
        most = max(most, end - start + 1)
    return most
