"""The planner's pages: the inputs, a run (progress, calendar, per venue), edits, accept, re-plan.

Parse, call one service, render: a refusal of the service comes back on the page with its
message and its 4xx status, nothing changed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cccd.accounts.permissions import LoggedInRequest, requires
from cccd.accounts.roles import PLAN
from cccd.accounts.scoping import visible_to
from cccd.campaigns.models import Campaign, Team, Venue
from cccd.campaigns.queries import visible_campaigns
from cccd.errors import NOT_FOUND, DomainError
from cccd.planner import inputs, presenting, services
from cccd.planner.forms import EditForm, PlanInputsForm
from cccd.planner.models import PlanRun

RECENT_RUNS = 10


def _pick_campaign(request: LoggedInRequest, raw: str | None) -> Campaign | None:
    """The campaign asked for, or the current one (today within its days), or the latest."""
    campaigns = visible_campaigns(request.user)
    if raw:
        try:
            wanted = int(raw)
        except ValueError:
            raise NOT_FOUND() from None
        campaign = campaigns.filter(pk=wanted).first()
        if campaign is None:
            raise NOT_FOUND()
        return campaign
    today = timezone.localdate()
    current = campaigns.filter(start_date__lte=today, end_date__gte=today).first()
    return current or campaigns.first()


def _rows(request: LoggedInRequest, campaign: Campaign) -> tuple[list[Team], list[Venue]]:
    """The teams and venues the user may plan for the campaign: their subtree, below it."""
    below = {"unit__path__startswith": campaign.unit.path}
    teams = list(visible_to(request.user, Team.objects.filter(**below)).order_by("name"))
    # a home-visit round is planned from the list of people to reach (`cccd.reach`), not here
    places = Venue.objects.filter(**below).exclude(kind=Venue.Kind.HOME).select_related("commune")
    venues = list(visible_to(request.user, places).order_by("name"))
    return teams, venues


def _form(request: LoggedInRequest, campaign: Campaign, data: Any = None) -> PlanInputsForm:
    teams, venues = _rows(request, campaign)
    unit = request.user.unit
    if unit is None:  # a user of no unit sees no team and no venue: nothing to plan
        raise NOT_FOUND()
    known = inputs.people_to_reach(campaign, venues, unit)
    defaults = inputs.default_inputs(campaign, unit, teams, venues, people=known)
    return PlanInputsForm(
        data,
        campaigns=visible_campaigns(request.user),
        teams=teams,
        venues=venues,
        defaults=defaults,
        people_known={pk: n is not None for pk, n in known.items()},
    )


@requires(PLAN)
@require_http_methods(["GET", "POST"])
def plan_new(request: LoggedInRequest) -> HttpResponse:
    raw = request.POST.get("campaign") if request.method == "POST" else request.GET.get("campaign")
    try:
        campaign = _pick_campaign(request, raw)
    except DomainError:
        if request.method != "POST":
            raise
        campaign = _pick_campaign(request, None)  # the form says what was wrong
    runs = visible_to(request.user, PlanRun.objects.select_related("campaign"))[:RECENT_RUNS]
    if campaign is None:
        return render(request, "planner/new.html", {"form": None, "runs": runs})
    form = _form(request, campaign, request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            run = services.start_run(form.chosen(request.user.unit), actor=request.user)
        except DomainError as exc:
            error = exc
        else:
            return redirect("planner:run", run_id=run.pk)
    status = error.status if error else (400 if form.errors else 200)
    context = {"form": form, "campaign": campaign, "runs": runs, "error": error}
    return render(request, "planner/new.html", context, status=status)


def _run_context(request: LoggedInRequest, run: PlanRun) -> dict[str, Any]:
    plan = services.run_plan(run)
    context: dict[str, Any] = {"run": run, "plan": plan, "stopped": services.is_stopped(run)}
    if plan is None:  # queued or running: the page polls every second, so nothing more is read
        return context
    instance = services.run_instance(run)
    names = services.names_of(run)
    fixed = services.fixed_sessions(run)
    kept = {services.slot_key(f) for f in fixed}
    context |= {
        "days": presenting.day_headers(instance),
        "starts_tomorrow": presenting.starts_tomorrow(run),
        "rows": presenting.calendar(
            run, instance, plan, names, fixed, services.busy_slots(run), services.fixed_hours(run)
        ),
        "new_sessions": sum(1 for s in plan.sessions if services.slot_key(s) not in kept),
        # the one session whose change form is open: one form, not one per cell (a province's
        # calendar holds a thousand sessions, each form with every day and venue)
        "editing": request.GET.get("edit", "")[:40],
        "venues": presenting.venue_lines(instance, plan, names),
        "gap": presenting.gap(plan),
        "bound": presenting.proven_bound(plan),
        "team_choices": [(t.id, names.get(t.id, t.id)) for t in instance.teams],
        "venue_choices": [(v.id, names.get(v.id, v.id)) for v in instance.venues if v.people],
        "shift_choices": [(s.id, names.get(s.id, s.id)) for s in instance.shifts],
        "people": sum(v.people for v in instance.venues),
    }
    return context


def _run_page(
    request: LoggedInRequest, run: PlanRun, error: DomainError | None = None, status: int = 200
) -> HttpResponse:
    context = _run_context(request, run) | {"error": error}
    return render(request, "planner/run.html", context, status=error.status if error else status)


@requires(PLAN)
def plan_run(request: LoggedInRequest, run_id: int) -> HttpResponse:
    return _run_page(request, services.get_run(request.user, run_id))


@requires(PLAN)
@require_http_methods(["POST"])
def plan_edit(request: LoggedInRequest, run_id: int) -> HttpResponse:
    run = services.get_run(request.user, run_id)
    form = EditForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(
            request, _("The change could not be read: %(problems)s") % {"problems": problems}
        )
        return _run_page(request, run, status=400)
    data = form.cleaned_data
    team, day = data["session"]
    change = services.Change(
        team=team,
        day=day,
        remove=data["action"] == "remove",
        new_team=data["team"] or None,
        new_day=data["day"],
        new_shift=data["shift"] or None,
        new_venue=data["venue"] or None,
        new_desks=data["desks"],
    )
    try:
        services.edit_session(run.pk, change, actor=request.user)
    except DomainError as exc:
        run.refresh_from_db()
        return _run_page(request, run, exc)
    messages.success(
        request, _("Session removed from the plan.") if change.remove else _("Plan changed.")
    )
    return redirect("planner:run", run_id=run.pk)


@requires(PLAN)
@require_http_methods(["POST"])
def plan_accept(request: LoggedInRequest, run_id: int) -> HttpResponse:
    run = services.get_run(request.user, run_id)
    try:
        created = services.accept_plan(
            run.pk,
            confirmed=request.POST.get("confirm") == "1",
            accept_clashes=request.POST.get("accept_clashes") == "1",
            actor=request.user,
        )
    except DomainError as exc:
        run.refresh_from_db()
        return _run_page(request, run, exc)
    messages.success(
        request,
        _("The plan is accepted: %(count)s sessions are in the calendar.")
        % {"count": len(created)},
    )
    return redirect("session_list")


@requires(PLAN)
@require_http_methods(["POST"])
def plan_again(request: LoggedInRequest, run_id: int) -> HttpResponse:
    try:
        run = services.replan(run_id, actor=request.user)
    except DomainError as exc:
        if exc.status == 404:
            raise
        earlier = services.get_run(request.user, run_id)
        return _run_page(request, earlier, exc)
    return redirect("planner:run", run_id=run.pk)
