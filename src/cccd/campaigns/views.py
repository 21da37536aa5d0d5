from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cccd.accounts.models import User
from cccd.accounts.permissions import LoggedInRequest, require_permission, requires
from cccd.accounts.queries import police_units_for
from cccd.accounts.roles import CAMPAIGN_DATA, CAMPAIGNS, GROUPS, PLAN
from cccd.accounts.scoping import visible_to
from cccd.campaigns import errors, queries, services
from cccd.campaigns.forms import (
    CampaignForm,
    GroupForm,
    SessionForm,
    TargetForm,
    TeamForm,
    VenueForm,
)
from cccd.campaigns.models import Campaign, PriorityGroup, Team, Venue
from cccd.errors import NOT_FOUND, DomainError

PLANNING_CLASHES = {
    errors.SESSION_ALREADY_PLANNED.code,
    errors.TEAM_BUSY.code,
    errors.SESSION_CLASHES.code,
}


def _status(form: forms.BaseForm | None) -> int:
    return 400 if form is not None and form.errors else 200


@requires(CAMPAIGN_DATA)
@require_http_methods(["GET", "POST"])
def campaign_list(request: LoggedInRequest) -> HttpResponse:
    can_create = request.user.has_perm(CAMPAIGNS)
    form = (
        CampaignForm(request.POST or None, units=police_units_for(request.user))
        if can_create
        else None
    )
    if request.method == "POST":
        require_permission(request.user, CAMPAIGNS)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            campaign = services.create_campaign(
                unit_id=data["unit"].pk,
                name=data["name"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                law=data["law"],
                actor=request.user,
            )
            messages.success(request, _("Campaign created."))
            return redirect("campaign_detail", campaign_id=campaign.pk)
    context = {"campaigns": queries.visible_campaigns(request.user), "form": form}
    return render(request, "campaigns/list.html", context, status=_status(form))


def _campaign(request: LoggedInRequest, campaign_id: int) -> Campaign:
    campaign = queries.visible_campaigns(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NOT_FOUND()
    return campaign


@requires(CAMPAIGN_DATA)
@require_http_methods(["GET", "POST"])
def campaign_detail(request: LoggedInRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    can_set = request.user.has_perm(CAMPAIGNS)
    units = police_units_for(request.user).filter(path__startswith=campaign.unit.path)
    form = TargetForm(request.POST or None, units=units) if can_set else None
    if request.method == "POST":
        require_permission(request.user, CAMPAIGNS)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            services.set_target(
                campaign_id=campaign.pk,
                unit_id=data["unit"].pk,
                group_id=data["group"].pk if data["group"] else None,
                total=data["total"],
                per_day=data["per_day"],
                actor=request.user,
            )
            messages.success(request, _("Target saved."))
            return redirect("campaign_detail", campaign_id=campaign.pk)
    targets = visible_to(request.user, campaign.targets.select_related("unit", "group"))
    sessions = visible_to(request.user, campaign.sessions.select_related("venue", "team"))
    context = {
        "campaign": campaign,
        "targets": targets.order_by("unit__path", "group__priority"),
        "sessions": sessions.order_by("starts_at"),
        "form": form,
    }
    return render(request, "campaigns/detail.html", context, status=_status(form))


@requires()
def session_list(request: LoggedInRequest) -> HttpResponse:
    return render(
        request, "campaigns/sessions.html", {"sessions": queries.upcoming_sessions(request.user)}
    )


@requires(PLAN)
@require_http_methods(["GET", "POST"])
def session_plan(request: LoggedInRequest, campaign_id: int) -> HttpResponse:
    """The planning form; a clash comes back on the form itself, with the other session named,
    and a clash the planner may accept (a shared hall) offers "plan it anyway"."""
    campaign = _campaign(request, campaign_id)
    form = SessionForm(
        request.POST or None,
        venues=visible_to(request.user, Venue.objects.all()),
        teams=visible_to(request.user, Team.objects.all()),
    )
    error = None
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        data = form.cleaned_data
        try:
            services.plan_session(
                campaign_id=campaign.pk,
                venue_id=data["venue"].pk,
                team_id=data["team"].pk,
                starts_at=starts_at,
                ends_at=ends_at,
                desks=data["desks"],
                capacity=data["capacity"],
                note=data["note"],
                accept_clashes=data["accept_clashes"],
                actor=request.user,
            )
        except DomainError as exc:
            if exc.code not in PLANNING_CLASHES:
                raise
            error = exc
        else:
            messages.success(request, _("Session planned."))
            return redirect("campaign_detail", campaign_id=campaign.pk)
    context = {
        "form": form,
        "campaign": campaign,
        "error": error,
        "may_accept": error is not None and error.code == errors.SESSION_CLASHES.code,
    }
    status = error.status if error is not None else _status(form)
    return render(request, "campaigns/session_plan.html", context, status=status)


@requires(CAMPAIGN_DATA)
@require_http_methods(["GET", "POST"])
def venue_list(request: LoggedInRequest) -> HttpResponse:
    can_plan = request.user.has_perm(PLAN)
    form = (
        VenueForm(request.POST or None, units=police_units_for(request.user)) if can_plan else None
    )
    if request.method == "POST":
        require_permission(request.user, PLAN)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            services.create_venue(
                unit_id=data["unit"].pk,
                kind=data["kind"],
                name=data["name"],
                address=data["address"],
                actor=request.user,
            )
            messages.success(request, _("Venue saved."))
            return redirect("venue_list")
    venues = visible_to(request.user, Venue.objects.select_related("unit"))
    teams = visible_to(
        request.user, Team.objects.select_related("unit", "leader").prefetch_related("members")
    )
    team_form = None
    if can_plan:
        users = visible_to(request.user, User.objects.filter(is_active=True)).order_by("username")
        team_form = TeamForm(units=police_units_for(request.user), users=users)
    context = {"venues": venues, "teams": teams, "form": form, "team_form": team_form}
    return render(request, "campaigns/venues.html", context, status=_status(form))


@requires(PLAN)
@require_http_methods(["POST"])
def team_create(request: LoggedInRequest) -> HttpResponse:
    users = visible_to(request.user, User.objects.filter(is_active=True))
    form = TeamForm(request.POST, units=police_units_for(request.user), users=users)
    if not form.is_valid():
        return render(
            request, "campaigns/form.html", {"form": form, "title": _("New team")}, status=400
        )
    data = form.cleaned_data
    services.create_team(
        unit_id=data["unit"].pk,
        name=data["name"],
        leader_id=data["leader"].pk,
        member_ids=[m.pk for m in data["members"]],
        actor=request.user,
    )
    messages.success(request, _("Team saved."))
    return redirect("venue_list")


@requires(CAMPAIGN_DATA)
@require_http_methods(["GET", "POST"])
def group_list(request: LoggedInRequest) -> HttpResponse:
    """The priority groups in their order; an administrator edits them in place."""
    can_edit = request.user.has_perm(GROUPS)
    if request.method == "POST":
        require_permission(request.user, GROUPS)
        group = PriorityGroup.objects.filter(pk=request.POST.get("group", "0") or 0).first()
        if group is None:
            raise NOT_FOUND()
        form = GroupForm(request.POST)
        if form.is_valid():
            services.update_group(group.pk, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Group saved."))
            return redirect("group_list")
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("group_list")
    groups = [
        (
            g,
            GroupForm(
                initial={
                    "name": g.name,
                    "priority": g.priority,
                    "served_first": g.served_first,
                    "is_active": g.is_active,
                }
            ),
        )
        for g in PriorityGroup.objects.all()
    ]
    return render(request, "campaigns/groups.html", {"groups": groups, "can_edit": can_edit})
