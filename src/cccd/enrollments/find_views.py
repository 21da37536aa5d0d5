"""Pages for finding dossiers and for the lists of those overdue or due soon (thin: parse, call
`cccd.enrollments.find`, render)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cccd.accounts.permissions import require_permission, requires
from cccd.accounts.roles import DOSSIERS
from cccd.enrollments import find
from cccd.enrollments.lifecycle import VIEW
from cccd.errors import DomainError


@requires(DOSSIERS)
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The search box; a query too short to search is said in the page, with a 400."""
    require_permission(request.user, VIEW)
    q = request.GET.get("q", "")[: find.QUERY_MAX_LENGTH]
    context: dict[str, object] = {"q": q, "result": None}
    if "q" not in request.GET:
        return render(request, "enrollments/find/search.html", context)
    try:
        context["result"] = find.search(request.user, q)  # type: ignore[arg-type]
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "enrollments/find/search.html", context, status=exc.status)
    return render(request, "enrollments/find/search.html", context)


@requires(DOSSIERS)
@require_GET
def deadlines(request: HttpRequest) -> HttpResponse:
    """Overdue and due-soon dossiers of the user's subtree; `?days=N` widens "due soon"."""
    require_permission(request.user, VIEW)
    days = find.parse_days(request.GET.get("days"))
    lists = find.deadline_lists(request.user, days=days)  # type: ignore[arg-type]
    return render(request, "enrollments/find/deadlines.html", {"lists": lists})
