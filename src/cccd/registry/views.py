from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import IMPORT, LOOK_UP
from cccd.accounts.scoping import get_visible, visible_to
from cccd.jobs import queues
from cccd.registry import services
from cccd.registry.forms import ImportForm, SearchForm
from cccd.registry.models import RegisterImport
from cccd.registry.xlsx import write_rejected_rows


@requires(LOOK_UP)
def search(request: LoggedInRequest) -> HttpResponse:
    q = SearchForm.read(request.GET)["q"]
    matches = services.search_people(q, actor=request.user) if "q" in request.GET else None
    return render(
        request, "registry/search.html", {"form": SearchForm(request.GET), "matches": matches}
    )


@requires(LOOK_UP)
def person_detail(request: LoggedInRequest, person_id: int) -> HttpResponse:
    person = services.view_person(person_id, actor=request.user)
    members = person.household.members.order_by("birth_date") if person.household else []
    context = {
        "person": person,
        "members": members,
        "residences": person.residences.select_related("unit").order_by("start", "pk"),
        "card_status": person.card_status(timezone.localdate()),
    }
    return render(request, "registry/person.html", context)


@requires(IMPORT)
@require_http_methods(["GET", "POST"])
def imports(request: LoggedInRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        register_import = services.start_import(form.cleaned_data["file"], actor=request.user)
        return redirect("register_import", import_id=register_import.pk)
    page = Paginator(
        visible_to(request.user, RegisterImport.objects.select_related("actor", "job")), 20
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/imports.html",
        {"form": form, "page": page},
        status=400 if form.errors else 200,
    )


@requires(IMPORT)
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    register_import = get_visible(
        request.user, RegisterImport.objects.select_related("actor", "job"), pk=import_id
    )
    template = (
        "registry/_import_progress.html"
        if request.headers.get("HX-Request")
        else "registry/import.html"
    )
    rejected = register_import.rejected_rows.order_by("row_number")[:50]
    context = {
        "imp": register_import,
        "job": register_import.job,
        "rejected": rejected,
        "worker_command": queues.worker_command(),
    }
    return render(request, template, context)


@requires(IMPORT)
@require_POST
def import_resume(request: LoggedInRequest, import_id: int) -> HttpResponse:
    register_import = services.resume_import(import_id, actor=request.user)
    messages.success(
        request,
        _("Import queued again: it goes on after row %(done)s.")
        % {"done": register_import.rows_done},
    )
    return redirect("register_import", import_id=import_id)


@requires(IMPORT)
def import_rejected_xlsx(request: LoggedInRequest, import_id: int) -> FileResponse:
    """The rows the import refused, with their values: people's data, so the download is audited."""
    register_import = get_visible(request.user, RegisterImport.objects.all(), pk=import_id)
    record_read(
        "register_import.download_rejected",
        register_import,
        actor=request.user,
        unit=register_import.unit,
    )
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_rejected_rows(register_import, Path(handle.name))
    handle.seek(0)
    name = f"rejected-rows-{register_import.pk}.xlsx"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
