"""Pages of home visits: plan a round from a list of people, the round's page (its homes in
order, an outcome per visit), its paper, and a person's home-visit mark. Thin: they read the
request, call `cccd.reach.homevisits` or `cccd.reach.marks`, and render; a refusal comes back on
the page it was asked from, with its sentence and its 4xx status."""

from __future__ import annotations

import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from cccd.accounts.audit import record_read
from cccd.accounts.models import User
from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import INTAKE, MARK_HOME_VISIT, PLAN, REACH_LISTS
from cccd.accounts.scoping import get_visible, visible_to, visible_with_ancestors
from cccd.campaigns.models import Campaign, Session, Team
from cccd.errors import BAD_QUERY, DomainError
from cccd.queryforms import is_id
from cccd.reach import homevisits, marks
from cccd.reach.models import HomeVisit, HomeVisitReason
from cccd.reach.roundpdf import render_round
from cccd.registry.models import Person
from cccd.units.models import Unit

MARK_REASONS = [(r.value, r.label) for r in marks.MARKABLE]


class PlanRoundForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none()
    )
    team = forms.ModelChoiceField(label=gettext_lazy("Team"), queryset=Team.objects.none())
    day = forms.DateField(label=gettext_lazy("Day"), help_text=gettext_lazy("dd/mm/yyyy"))
    start_time = forms.TimeField(label=gettext_lazy("From"), help_text=gettext_lazy("hh:mm"))
    end_time = forms.TimeField(label=gettext_lazy("To"), help_text=gettext_lazy("hh:mm"))
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
    accept_clashes = forms.BooleanField(
        label=gettext_lazy("Plan it anyway: the clashes above are intended"), required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        campaigns = visible_with_ancestors(user, Campaign.objects.all()).order_by("-start_date")
        cast("forms.ModelChoiceField[Any]", self.fields["campaign"]).queryset = campaigns
        teams = visible_to(user, Team.objects.all()).order_by("name")
        cast("forms.ModelChoiceField[Any]", self.fields["team"]).queryset = teams

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware start and end on the day; an end before the start is on the next day."""
        zone = ZoneInfo(settings.TIME_ZONE)
        day = self.cleaned_data["day"]
        start = datetime.datetime.combine(day, self.cleaned_data["start_time"], tzinfo=zone)
        end = datetime.datetime.combine(day, self.cleaned_data["end_time"], tzinfo=zone)
        return start, end + datetime.timedelta(days=1) if end < start else end


def _ids(data: QueryDict, name: str) -> list[int]:
    values = data.getlist(name)
    if not all(is_id(v) for v in values):
        raise BAD_QUERY(field=name, problem=_("it is not a number."))
    return [int(v) for v in values]


def _commune(request: LoggedInRequest, data: QueryDict) -> Unit | None:
    found = _ids(data, "commune")
    if not found:
        return None
    return get_visible(
        request.user,
        Unit.objects.filter(level=Unit.Level.COMMUNE, category=Unit.Category.ADMIN),
        pk=found[0],
    )


def _chosen(request: LoggedInRequest, person_ids: list[int], commune: Unit | None) -> list[Person]:
    """The people asked for that the user may see, in the round's order; reading their names is
    audited."""
    people = sorted(
        visible_to(request.user, Person.objects.filter(pk__in=person_ids)).select_related(
            "residence_unit"
        ),
        key=homevisits.round_order,
    )
    if people:
        record_read(
            "homevisit.view_people",
            commune or request.user,
            actor=request.user,
            unit=request.user.unit,
            people=len(people),
        )
    return people


@requires(PLAN)
@require_http_methods(["GET", "POST"])
def plan(request: LoggedInRequest) -> HttpResponse:
    """Plan a round. GET ?commune=&person=…, or a POST of `commune` and `person` alone (from the
    list of people to reach), shows the form with those people ticked; a POST with the form's
    fields plans it."""
    data = request.POST if request.method == "POST" else request.GET
    commune = _commune(request, data)
    person_ids = _ids(data, "person")
    creating = request.method == "POST" and "campaign" in request.POST
    asked = data.get("campaign", "")
    initial = {"campaign": int(asked)} if is_id(asked) else {}
    form = PlanRoundForm(request.POST if creating else None, user=request.user, initial=initial)
    error: DomainError | None = None
    if creating and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            session = homevisits.plan_round(
                actor=request.user,
                campaign=form.cleaned_data["campaign"],
                team=form.cleaned_data["team"],
                commune=commune.pk if commune is not None else 0,
                starts_at=starts_at,
                ends_at=ends_at,
                person_ids=person_ids,
                note=form.cleaned_data["note"],
                accept_clashes=form.cleaned_data["accept_clashes"],
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            error = exc
        else:
            messages.success(request, _("Home-visit round planned."))
            return redirect("reach_homevisits:session", session_id=session.pk)
    people = _chosen(request, person_ids, commune)
    why = homevisits.reasons(people, timezone.localdate())
    context = {
        "form": form,
        "commune": commune,
        "rows": [(p, HomeVisitReason(why[p.pk]).label if why[p.pk] else "") for p in people],
        "hidden": len(set(person_ids)) - len(people),
        "error": error,
        "may_accept": error is not None and error.code == "SESSION_CLASHES",
    }
    status = error.status if error is not None else 400 if form.errors else 200
    return render(request, "reach/homevisit_plan.html", context, status=status)


def _round_page(
    request: LoggedInRequest, session_id: int, *, error: DomainError | None = None
) -> HttpResponse:
    found = homevisits.view_round(actor=request.user, session_id=session_id)
    session = found.session
    user = request.user
    context = {
        "session": session,
        "visits": found.visits,
        "outcomes": [(o.value, o.label) for o in homevisits.RECORDED],
        "needs_note": [o.value for o in homevisits.NEEDS_NOTE],
        "can_record": any(user.has_perm(p) for p in homevisits.RECORDERS),
        "can_correct": user.pk == session.team.leader_id or user.has_perm(PLAN),
        "can_change": user.has_perm(PLAN)
        and session.state == Session.State.PLANNED
        and not session.has_started()
        and all(v.outcome == HomeVisit.Outcome.PENDING for v in found.visits),
        "done": sum(v.outcome != HomeVisit.Outcome.PENDING for v in found.visits),
        "error": error,
    }
    status = error.status if error is not None else 200
    return render(request, "reach/homevisit_session.html", context, status=status)


@requires(REACH_LISTS, INTAKE, PLAN)
def session(request: LoggedInRequest, session_id: int) -> HttpResponse:
    return _round_page(request, session_id)


@requires(REACH_LISTS, INTAKE, PLAN)
def round_pdf(request: LoggedInRequest, session_id: int) -> HttpResponse:
    found = homevisits.print_round(actor=request.user, session_id=session_id)
    response = HttpResponse(render_round(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="round-{found.session.pk}.pdf"'
    return response


def _back(session_id: int, anchor: str = "") -> HttpResponse:
    url = reverse("reach_homevisits:session", kwargs={"session_id": session_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


@requires(INTAKE, PLAN)
@require_POST
def outcome(request: LoggedInRequest, session_id: int, person_id: int) -> HttpResponse:
    visit = homevisits.visit_of(request.user, session_id, person_id)
    try:
        homevisits.record_visit(
            actor=request.user,
            visit=visit,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        if exc.status == 403 and exc.code != "VISIT_CORRECTION_LEADER":
            raise
        return _round_page(request, session_id, error=exc)
    return _back(session_id, f"visit-{visit.position}")


@requires(PLAN)
@require_POST
def reorder(request: LoggedInRequest, session_id: int, person_id: int) -> HttpResponse:
    step = -1 if request.POST.get("step") == "up" else 1
    order = homevisits.order_of(actor=request.user, session_id=session_id)
    try:
        homevisits.reorder_round(
            actor=request.user,
            session_id=session_id,
            person_ids=homevisits.moved(order, person_id, step),
        )
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _round_page(request, session_id, error=exc)
    return _back(session_id)


@requires(PLAN)
@require_POST
def remove(request: LoggedInRequest, session_id: int, person_id: int) -> HttpResponse:
    try:
        homevisits.remove_visit(actor=request.user, session_id=session_id, person_id=person_id)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        return _round_page(request, session_id, error=exc)
    messages.success(request, _("The home was taken out of the round."))
    return _back(session_id)


# --- marks ---------------------------------------------------------------------------------------


class MarkForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Reason"), choices=MARK_REASONS)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@requires(MARK_HOME_VISIT)
@require_http_methods(["GET", "POST"])
def mark(request: LoggedInRequest, person_id: int) -> HttpResponse:
    """A person's home-visit mark: see it, set it, change it (the button on the person's page)."""
    error: DomainError | None = None
    form = MarkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            marks.mark_person(
                actor=request.user,
                person_id=person_id,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            error = exc
        else:
            messages.success(request, _("Marked to be visited at home."))
            return redirect("reach_homevisits:mark", person_id=person_id)
    person, current = marks.mark_of(actor=request.user, person_id=person_id)
    if request.method == "GET" and current is not None:
        form = MarkForm(initial={"reason": current.reason, "note": current.note})
    context = {"person": person, "mark": current, "form": form, "error": error}
    status = error.status if error is not None else 400 if form.errors else 200
    return render(request, "reach/homevisit_mark.html", context, status=status)


@requires(MARK_HOME_VISIT)
@require_POST
def unmark(request: LoggedInRequest, person_id: int) -> HttpResponse:
    if marks.unmark_person(actor=request.user, person_id=person_id):
        messages.success(request, _("The home-visit mark was removed."))
    return redirect("reach_homevisits:mark", person_id=person_id)
