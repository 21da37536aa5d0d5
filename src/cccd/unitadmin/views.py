from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.queries import visible_units
from cccd.accounts.roles import MANAGE_UNITS, UNITS
from cccd.accounts.scoping import get_visible
from cccd.unitadmin import services
from cccd.unitadmin.forms import UnitCreateForm, UnitEditForm, UnitListQuery
from cccd.units.models import Unit
from cccd.units.queries import unit_children


@requires(UNITS)
def unit_list(request: LoggedInRequest) -> HttpResponse:
    query = UnitListQuery.read(request.GET)
    q, level, category = query["q"], query["level"], query["category"]
    units = visible_units(request.user, q=q, level=level, category=category)
    page = Paginator(units, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "q": q,
        "level": level,
        "category": category,
        "levels": Unit.Level.choices,
        "categories": Unit.Category.choices,
    }
    return render(request, "units/list.html", context)


@requires(UNITS)
def unit_detail(request: LoggedInRequest, unit_id: int) -> HttpResponse:
    unit = get_visible(request.user, Unit.objects.select_related("parent"), pk=unit_id)
    context = {
        "unit": unit,
        "children": unit_children(unit),
        "users": unit.users.order_by("username") if unit.category == Unit.Category.POLICE else [],
        "can_manage": services.can_manage(request.user, unit),
    }
    return render(request, "units/detail.html", context)


@requires(MANAGE_UNITS)
@require_http_methods(["GET", "POST"])
def unit_edit(request: LoggedInRequest, unit_id: int) -> HttpResponse:
    unit = get_visible(request.user, Unit.objects.all(), pk=unit_id)
    form = UnitEditForm(
        request.POST or None,
        initial={
            "name": unit.name,
            "division_type": unit.division_type,
            "is_active": unit.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_unit(unit.pk, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Unit saved."))
        return redirect("unit_detail", unit_id=unit.pk)
    return render(
        request,
        "units/form.html",
        {"form": form, "unit": unit, "title": _("Edit unit")},
        status=400 if form.errors else 200,
    )


@requires(MANAGE_UNITS)
@require_http_methods(["GET", "POST"])
def unit_create(request: LoggedInRequest, parent_id: int) -> HttpResponse:
    parent = get_visible(request.user, Unit.objects.all(), pk=parent_id)
    form = UnitCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        unit = services.create_unit(parent_id=parent.pk, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Unit created."))
        return redirect("unit_detail", unit_id=unit.pk)
    return render(
        request,
        "units/form.html",
        {
            "form": form,
            "unit": parent,
            "title": _("New unit under %(name)s") % {"name": parent.name},
        },
        status=400 if form.errors else 200,
    )
