from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.permissions import require_permission, requires
from cccd.accounts.roles import REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible
from cccd.core import names
from cccd.registry.models import Person
from cccd.rosters import services
from cccd.rosters.forms import MappingForm, RosterUploadForm
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.rosters.reading import MAPPABLE_COLUMNS, column_label
from cccd.rosters.xlsx import write_discrepancies


@requires(UPLOAD, REVIEW)
@require_http_methods(["GET", "POST"])
def session_roster(request: HttpRequest, session_id: int) -> HttpResponse:
    if request.method == "POST":  # reading the list is broader than sending one
        require_permission(request.user, UPLOAD)
    session = services._session_for(session_id, actor=request.user)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.upload_roster(session.pk, form.cleaned_data["file"], actor=request.user)
        messages.success(request, _("List received; the pre-check is running."))
        return redirect("session_roster", session_id=session.pk)
    roster = services.current_roster(session)
    latest = Roster.objects.filter(session=session).order_by("-version").first()
    busy = latest is not None and latest.state in {Roster.State.UPLOADED, Roster.State.CHECKING}
    context = {"session": session, "form": form, "roster": roster, "latest": latest, "busy": busy}
    if roster is not None:
        outcome = request.GET.get("outcome", "")
        entries = roster.entries.order_by("row")
        if outcome in Outcome.values:
            entries = entries.filter(outcome=outcome)
        labels = {c: column_label(c) for c in MAPPABLE_COLUMNS}
        record_read("roster.view", roster, actor=request.user, unit=roster.unit)
        context |= {"summary": services.summary(roster), "entries": entries[:500], "outcome": outcome,
                    "outcomes": Outcome.choices,
                    "mapping_form": MappingForm(headers=roster.headers, mapping=roster.mapping, columns=MAPPABLE_COLUMNS, labels=labels)}  # fmt: skip
    return render(request, "rosters/session.html", context, status=400 if form.errors else 200)


@requires(UPLOAD)
@require_POST
def roster_remap(request: HttpRequest, roster_id: int) -> HttpResponse:
    roster = get_visible(request.user, Roster.objects.all(), pk=roster_id)
    form = MappingForm(
        request.POST,
        headers=roster.headers,
        mapping=roster.mapping,
        columns=MAPPABLE_COLUMNS,
        labels={},
    )
    form.is_valid()
    services.remap_roster(roster.pk, form.mapping(), actor=request.user)
    messages.success(
        request, _("Columns changed; the list was read again and the pre-check is running.")
    )
    return redirect("session_roster", session_id=roster.session_id)


@requires(REVIEW)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, roster_id: int) -> HttpResponse:
    """The keyboard-driven screen: one doubtful row at a time, its candidates side by side (their
    register records: the look is audited)."""
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    if request.method == "POST":
        raw_entry = request.POST.get("entry", "")
        entry_id = int(raw_entry) if raw_entry.isdigit() and len(raw_entry) <= 12 else 0
        person = request.POST.get("person") or None
        entry = services.decide_entry(entry_id, request.POST.get("decision", ""), actor=request.user,
                                      person_id=int(person) if person and person.isdigit() else None)  # fmt: skip
        return redirect(f"{request.path}?after={entry.row}")
    after = request.GET.get("after", "0")
    entry = services.next_to_review(roster, after_row=int(after) if after.isdigit() else 0)
    candidates = []
    if entry is not None:
        people = Person.objects.in_bulk([c["person"] for c in entry.candidates if c.get("person")])
        candidates = [
            (c, people[c["person"]], _differences(entry, people[c["person"]]))
            for c in entry.candidates
            if c.get("person") in people
        ]
        record_read("roster_entry.view", entry, actor=request.user, unit=roster.unit,
                    roster=roster.pk)  # fmt: skip
    context = {
        "roster": roster,
        "entry": entry,
        "candidates": candidates,
        "summary": services.summary(roster),
    }
    return render(request, "rosters/review.html", context)


@requires(UPLOAD, REVIEW)
def discrepancies(request: HttpRequest, roster_id: int) -> FileResponse:
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    services._session_for(roster.session_id, actor=request.user)
    record_read("roster.discrepancies", roster, actor=request.user, unit=roster.unit)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_discrepancies(roster, Path(handle.name))
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"danh-sach-sai-lech-{roster.pk}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")  # fmt: skip


@requires(REVIEW)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_visible(request.user, RosterEntry.objects.select_related("roster"), pk=entry_id)
    return redirect(f"/rosters/{entry.roster_id}/review/?after={entry.row - 1}")


def _differences(entry: RosterEntry, person: Person) -> set[str]:
    """The fields where the register's person differs from the row, to highlight them."""
    different = set()
    if names.fold(entry.full_name) != person.name_folded:
        different.add("full_name")
    if (
        entry.birth_date
        and person.birth_date_precision == "day"
        and entry.birth_date != person.birth_date
    ):
        different.add("birth_date")
    if (entry.birth_year or 0) != person.birth_year:
        different.add("birth_date")
    if entry.sex and entry.sex != person.sex:
        different.add("sex")
    for field in ("father_name", "mother_name"):
        written = entry.details.get(field, "")
        if written and names.fold(written) != names.fold(getattr(person, field)):
            different.add(field)
    return different
