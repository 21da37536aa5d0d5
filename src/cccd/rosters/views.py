from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.roles import REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible
from cccd.core import names
from cccd.errors import DomainError
from cccd.queryforms import is_id
from cccd.registry.columns import column_label
from cccd.registry.models import Person
from cccd.rosters import queries, services, versions
from cccd.rosters.forms import MappingForm, OutcomeQuery, ReviewQuery, RosterUploadForm
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.rosters.precheck import summary
from cccd.rosters.reading import MAPPABLE_COLUMNS
from cccd.rosters.xlsx import write_discrepancies


@requires(UPLOAD, REVIEW)
@require_http_methods(["GET", "POST"])
def session_roster(request: LoggedInRequest, session_id: int) -> HttpResponse:
    """The session's lists: send one (a new list, or a new version of one), see each list's state
    and the rows of all current lists."""
    if request.method == "POST":  # reading the list is broader than sending one
        require_permission(request.user, UPLOAD)
    session = services._session_for(session_id, actor=request.user)
    outcome = OutcomeQuery.read(request.GET)["outcome"]
    form = RosterUploadForm(
        request.POST or None, request.FILES or None, lists=versions.list_names(session)
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            roster = services.upload_roster(
                session.pk,
                form.cleaned_data["file"],
                actor=request.user,
                name=form.cleaned_data["name"],
                replaces=form.cleaned_data["replaces"] or None,
            )
        except DomainError as exc:  # what is wrong with the file, said beside the file
            form.add_error("file", exc.message)
            form.error_code, status = exc.code, exc.status  # type: ignore[attr-defined]
        else:
            messages.success(request, _("List received; it is being read and pre-checked."))
            return redirect("roster_detail", roster_id=roster.pk)
    elif form.errors:
        status = 400
    lists = queries.session_lists(session)
    if (
        "HX-Request" not in request.headers
    ):  # the page's own refresh while a list is read is not a new look
        for overview in lists:
            if overview.current is not None:  # its rows (names, birth dates) are on the page
                record_read("roster.view", overview.current, actor=request.user, unit=session.unit)
    context = {
        "session": session,
        "form": form,
        "lists": lists,
        "totals": queries.totals(lists),
        "busy": any(r is not None and r.is_busy for o in lists for r in (o.current, o.pending)),
        "entries": queries.session_entries(session, outcome=outcome),
        "outcome": outcome,
        "outcomes": Outcome.choices,
        "shown": queries.ROWS_SHOWN,
    }
    return render(request, "rosters/session.html", context, status=status)


@requires(UPLOAD, REVIEW)
def roster_detail(request: LoggedInRequest, roster_id: int) -> HttpResponse:
    """One version of a list: while read, its progress; waiting, what it adds and drops; current,
    its summary, its columns and its rows."""
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    session = services._session_for(roster.session_id, actor=request.user)
    outcome = OutcomeQuery.read(request.GET)["outcome"]
    context: dict[str, object] = {"roster": roster, "session": session}
    if roster.state == Roster.State.AWAITING:
        change = versions.replacement(roster)
        prefetch_related_objects(change.dropped, "tickets")
        context["change"] = change
    if roster.is_current:
        labels = {c: column_label(c) for c in MAPPABLE_COLUMNS}
        record_read("roster.view", roster, actor=request.user, unit=roster.unit)
        context |= {
            "summary": summary(roster),
            "outcome": outcome,
            "outcomes": Outcome.choices,
            "entries": queries.version_entries(roster, outcome=outcome),
            "shown": queries.ROWS_SHOWN,
            "mapping_form": MappingForm(
                headers=roster.headers,
                mapping=roster.mapping,
                columns=MAPPABLE_COLUMNS,
                labels=labels,
            ),
        }
    else:
        context["now_current"] = versions.current_version(roster.session_id, roster.list_name)
    return render(request, "rosters/roster.html", context)


@requires(UPLOAD)
@require_POST
def roster_confirm(request: LoggedInRequest, roster_id: int) -> HttpResponse:
    against = request.POST.get("against", "")
    roster = services.confirm_replacement(
        roster_id, against=int(against) if is_id(against) else -1, actor=request.user
    )
    messages.success(request, _("The list was replaced; the pre-check is running."))
    return redirect("roster_detail", roster_id=roster.pk)


@requires(UPLOAD)
@require_POST
def roster_discard(request: LoggedInRequest, roster_id: int) -> HttpResponse:
    roster = services.discard_roster(roster_id, actor=request.user)
    messages.success(request, _("This version was set aside; the list stays as it was."))
    return redirect("session_roster", session_id=roster.session_id)


@requires(UPLOAD)
@require_POST
def roster_remap(request: LoggedInRequest, roster_id: int) -> HttpResponse:
    roster = get_visible(request.user, Roster.objects.all(), pk=roster_id)
    form = MappingForm(
        request.POST,
        headers=roster.headers,
        mapping=roster.mapping,
        columns=MAPPABLE_COLUMNS,
        labels={},
    )
    form.is_valid()
    new = services.remap_roster(roster.pk, form.mapping(), actor=request.user)
    messages.success(request, _("Columns changed; the list is being read again and pre-checked."))
    return redirect("roster_detail", roster_id=new.pk)


@requires(REVIEW)
@require_http_methods(["GET", "POST"])
def review(request: LoggedInRequest, roster_id: int) -> HttpResponse:
    """The keyboard-driven screen: one doubtful row at a time, its candidates side by side (their
    register records: the look is audited)."""
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    if request.method == "POST":
        raw_entry = request.POST.get("entry", "")
        entry_id = int(raw_entry) if is_id(raw_entry) else 0
        person = request.POST.get("person") or None
        decided = services.decide_entry(
            entry_id,
            request.POST.get("decision", ""),
            actor=request.user,
            person_id=int(person) if person and is_id(person) else None,
        )
        return redirect(f"{request.path}?after={decided.row}")
    after = ReviewQuery.read(request.GET)["after"] or 0
    entry = services.next_to_review(roster, after_row=after)
    candidates = []
    if entry is not None:
        people = Person.objects.in_bulk([c["person"] for c in entry.candidates if c.get("person")])
        candidates = [
            (c, people[c["person"]], _differences(entry, people[c["person"]]))
            for c in entry.candidates
            if c.get("person") in people
        ]
        record_read(
            "roster_entry.view", entry, actor=request.user, unit=roster.unit, roster=roster.pk
        )
    context = {
        "roster": roster,
        "entry": entry,
        "candidates": candidates,
        "summary": summary(roster),
    }
    return render(request, "rosters/review.html", context)


@requires(UPLOAD, REVIEW)
def discrepancies(request: LoggedInRequest, roster_id: int) -> FileResponse:
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    services._session_for(roster.session_id, actor=request.user)
    record_read("roster.discrepancies", roster, actor=request.user, unit=roster.unit)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it)
    write_discrepancies(roster, Path(handle.name))
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"danh-sach-sai-lech-{slugify(roster.display_name) or roster.pk}-v{roster.version}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@requires(REVIEW)
def entry_detail(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = get_visible(request.user, RosterEntry.objects.select_related("roster"), pk=entry_id)
    return redirect(f"{reverse('roster_review', args=[entry.roster_id])}?after={entry.row - 1}")


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
