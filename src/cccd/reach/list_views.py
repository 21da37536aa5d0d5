"""The page of people still to reach in a commune, and its two files: read the query, call a service
of `cccd.reach.lists`, render. Each service checks the role and the scope and writes the audit.

The query: `?campaign=<id>&unit=<administrative commune id>&village=<name>&home_visit=1&page=<n>`.
A campaign or a commune the reader may not see is the same 404 as one that does not exist; a value
that cannot be read, or a place that is not a commune, is a 400 naming the field
(`cccd.queryforms`); a village the commune's list does not hold is `UNKNOWN_VILLAGE`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET

from cccd.accounts.models import User
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import PLAN, REACH_LISTS
from cccd.campaigns.models import Campaign
from cccd.errors import BAD_QUERY
from cccd.queryforms import FlagField, QueryForm, ScopedChoiceField, TextField
from cccd.reach import lists, queries
from cccd.reach.eligible import admin_prefix
from cccd.reach.listrows import title_of
from cccd.units.models import Unit

PLAN_URL = "reach_homevisits:plan"
"""Where "Plan a home-visit round" sends the checked people (`cccd.reach.homevisit_views.plan`);
the button is left out where that page is not installed."""


class ListQuery(QueryForm):
    campaign = ScopedChoiceField(
        Campaign.objects.none(), label=gettext_lazy("Campaign"), required=True
    )
    unit = ScopedChoiceField(Unit.objects.none(), label=gettext_lazy("Commune"))
    village = TextField(max_length=80, label=pgettext_lazy("reach list", "Village"))
    home_visit = FlagField(label=gettext_lazy("Only those to visit at home"))

    def scope(self, user: Any) -> None:
        fields: dict[str, Any] = self.fields
        fields["campaign"].queryset = queries.campaigns_for(user)
        fields["unit"].queryset = queries.places_for(user)

    def clean_unit(self) -> Unit | None:
        unit: Unit | None = self.cleaned_data.get("unit")
        if unit is not None and unit.level != Unit.Level.COMMUNE:
            raise ValidationError(
                _("%(place)s is not a commune: the list is drawn up per commune.")
                % {"place": unit.name}
            )
        return unit


def _query(request: LoggedInRequest) -> dict[str, Any]:
    """The cleaned query, with the commune defaulting to the reader's own and checked to lie in
    the campaign's area, and the village to be one of the commune's."""
    require_permission(request.user, REACH_LISTS)  # the role before the query is read
    query = ListQuery.read(request.GET, user=request.user)
    campaign: Campaign = query["campaign"]
    unit: Unit | None = query["unit"] or _own_commune(request.user, campaign)
    if unit is None:
        raise BAD_QUERY(field=_("Commune"), problem=_("choose a commune."))
    if not unit.path.startswith(admin_prefix(campaign.unit)):
        raise BAD_QUERY(
            field=_("Commune"),
            problem=_("%(place)s is outside the area of the campaign %(campaign)s.")
            % {"place": unit.name, "campaign": campaign.name},
        )
    query["unit"] = unit
    return query


def _own_commune(user: User, campaign: Campaign) -> Unit | None:
    home = queries.home_place(user, campaign)
    return home if home is not None and home.level == Unit.Level.COMMUNE else None


def _plan_url(user: User) -> str | None:
    """The home-visit planning page, for a role that plans sessions."""
    return reverse(PLAN_URL) if user.has_perm(PLAN) else None


def _arguments(query: dict[str, Any]) -> dict[str, Any]:
    return {
        "campaign": query["campaign"],
        "unit": query["unit"],
        "village": query["village"],
        "home_visit_only": query["home_visit"],
    }


def _link_query(query: dict[str, Any], **extra: object) -> str:
    params: dict[str, object] = {"campaign": query["campaign"].pk, "unit": query["unit"].pk}
    if query["village"]:
        params["village"] = query["village"]
    if query["home_visit"]:
        params["home_visit"] = "1"
    return urlencode({**params, **extra})


@requires(REACH_LISTS)
@require_GET
def reach_list(request: LoggedInRequest) -> HttpResponse:
    query = _query(request)
    listed = lists.read_list(actor=request.user, page=request.GET.get("page"), **_arguments(query))
    context = {
        "listed": listed,
        "title": title_of(listed),
        "query": _link_query(query),
        "coverage_query": urlencode({"campaign": query["campaign"].pk, "unit": query["unit"].pk}),
        "plan_url": _plan_url(request.user),
        "page": listed.page,
    }
    return render(request, "reach/list.html", context)


def _file_name(query: dict[str, Any], extension: str) -> str:
    unit: Unit = query["unit"]
    village = "".join(c for c in query["village"] if c.isascii() and c.isalnum())
    day = timezone.localdate()
    parts = ["can-van-dong", unit.code, village, f"{day:%Y%m%d}"]
    return "-".join(p for p in parts if p) + f".{extension}"


def _download(body: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@requires(REACH_LISTS)
@require_GET
def reach_list_xlsx(request: LoggedInRequest) -> HttpResponse:
    query = _query(request)
    body = lists.export_xlsx(actor=request.user, **_arguments(query))
    return _download(
        body,
        _file_name(query, "xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@requires(REACH_LISTS)
@require_GET
def reach_list_pdf(request: LoggedInRequest) -> HttpResponse:
    query = _query(request)
    body = lists.export_pdf(actor=request.user, **_arguments(query))
    return _download(body, _file_name(query, "pdf"), "application/pdf")
