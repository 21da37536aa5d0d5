"""The administrator's page of the coverage map's boundaries (`/coverage/boundaries/`): what is
stored, per district (or province), an outline preview of one, the upload form and its refusals.

It shows no person's data (unit names and outlines only), so it is not an audited read; the upload
and the removal are audited by `cccd.reach.boundaries`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import BOUNDARIES
from cccd.accounts.scoping import visible_to
from cccd.errors import DomainError
from cccd.queryforms import QueryForm, ScopedChoiceField
from cccd.reach import boundaries
from cccd.units.models import Unit


class BoundaryQuery(QueryForm):
    """?unit= : the district (or province) whose outlines the page previews."""

    unit = ScopedChoiceField(Unit.objects.none(), required=False, label=gettext_lazy("Unit"))

    def scope(self, user: Any) -> None:
        self.fields["unit"].queryset = visible_to(user, Unit.objects.all())  # type: ignore[attr-defined]


def _page(
    request: LoggedInRequest, *, error: DomainError | None = None, selected: Unit | None = None
) -> HttpResponse:
    rows = boundaries.stored_by_parent(request.user)
    if selected is None and rows:
        selected = rows[0].unit
    context = {
        "rows": rows,
        "selected": selected,
        "preview": boundaries.preview_for(request.user, selected) if selected else None,
        "communes": boundaries.communes_of(request.user, selected) if selected else [],
        "error": error,
        "max_mb": boundaries.MAX_MB,
        "max_points": boundaries.MAX_POINTS,
        "code_properties": boundaries.CODE_PROPERTIES,
        "schemes": [(value, label) for value, label in Unit.Scheme.choices if value != "national"],
    }
    status = error.status if error is not None else 200
    return render(request, "reach/boundaries.html", context, status=status)


@requires(BOUNDARIES)
@require_GET
def boundary_list(request: LoggedInRequest) -> HttpResponse:
    """The boundaries stored in the user's subtree, one unit's outlines, the upload form."""
    query = BoundaryQuery.read(request.GET, user=request.user)
    return _page(request, selected=query["unit"])


@requires(BOUNDARIES)
@require_POST
def boundary_upload(request: LoggedInRequest) -> HttpResponse:
    """The GeoJSON file: stored whole, or refused on the page with the reason (and a 4xx)."""
    try:
        data = boundaries.read_upload(request.FILES.get("file"))
        result = boundaries.upload_boundaries(
            data, actor=request.user, scheme=request.POST.get("scheme", "")
        )
    except DomainError as exc:
        return _page(request, error=exc)
    messages.success(
        request,
        ngettext(
            "Boundary stored for %(count)s commune (%(replaced)s replaced); %(kept)s of "
            "%(read)s points kept.",
            "Boundaries stored for %(count)s communes (%(replaced)s replaced); %(kept)s of "
            "%(read)s points kept.",
            result.communes,
        )
        % {
            "count": result.communes,
            "replaced": result.replaced,
            "kept": result.points_kept,
            "read": result.points_read,
        },
    )
    return redirect("boundaries:list")


@requires(BOUNDARIES)
@require_POST
def boundary_delete(request: LoggedInRequest, unit_id: int) -> HttpResponse:
    """Remove the boundaries of a unit's communes (a file uploaded by mistake)."""
    count = boundaries.delete_boundaries(unit_id, actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)s commune's boundary removed.",
            "%(count)s communes' boundaries removed.",
            count,
        )
        % {"count": count},
    )
    return redirect("boundaries:list")
