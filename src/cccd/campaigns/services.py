"""What commanders and team leaders do to prepare a campaign: targets, venues, teams, sessions."""

from __future__ import annotations

import datetime
import json
from importlib import resources

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import CAMPAIGNS, GROUPS, PLAN
from cccd.accounts.scoping import get_visible, visible_to, visible_with_ancestors
from cccd.campaigns import errors
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Target, Team, Venue
from cccd.errors import NOT_FOUND
from cccd.labels import clean_label
from cccd.localtime import is_plausible
from cccd.units.models import Unit

MAX_SESSION = datetime.timedelta(hours=24)
# Campaigns are for the chip card, which the Law on CCCD 2014 brought in from 01/01/2016; a plan
# reaches at most PLANNING_YEARS past the current year. Anything else is a typo (01/01/1970).
FIRST_CAMPAIGN_DAY = datetime.date(2016, 1, 1)
PLANNING_YEARS = 5


def load_groups() -> int:
    """Create or update the groups from the versioned reference file; returns how many."""
    data = json.loads(
        resources.files("cccd.campaigns").joinpath("data/priority_groups.json").read_text("utf-8")
    )
    for item in data:
        PriorityGroup.objects.update_or_create(
            code=item["code"], defaults={k: v for k, v in item.items() if k != "code"}
        )
    return len(data)


def _police_unit(unit_id: int, *, actor: User) -> Unit:
    unit = get_visible(actor, Unit.objects.all(), pk=unit_id)
    if unit.category != Unit.Category.POLICE:
        raise errors.NOT_A_POLICE_UNIT()
    return unit


def last_campaign_day(today: datetime.date | None = None) -> datetime.date:
    return datetime.date((today or timezone.localdate()).year + PLANNING_YEARS, 12, 31)


def check_campaign_days(start_date: datetime.date, end_date: datetime.date) -> None:
    """The one rule for a campaign's dates, for the form and the API: within the years a
    campaign can be in, and the end not before the start."""
    first, last = FIRST_CAMPAIGN_DAY, last_campaign_day()
    if not (first <= start_date <= last and first <= end_date <= last):
        raise errors.CAMPAIGN_DAYS(first=f"{first:%d/%m/%Y}", last=f"{last:%d/%m/%Y}")
    if end_date < start_date:
        raise errors.DATES_REVERSED()


def _bounded(value: int, field: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise errors.BAD_NUMBER(field=field, min=low, max=high)
    return value


@transaction.atomic
def create_campaign(
    *,
    unit_id: int,
    name: str,
    start_date: datetime.date,
    end_date: datetime.date,
    law: str,
    actor: User,
) -> Campaign:
    require_permission(actor, CAMPAIGNS)
    name = clean_label(name, field=_("campaign name"), max_length=200)
    check_campaign_days(start_date, end_date)
    unit = _police_unit(unit_id, actor=actor)
    campaign = Campaign.objects.create(
        unit=unit,
        name=name,
        start_date=start_date,
        end_date=end_date,
        law=Campaign.Law(law),
        created_by=actor,
    )
    record(
        "campaign.create",
        actor=actor,
        unit=unit,
        obj=campaign,
        after=snapshot(campaign, ("name", "start_date", "end_date", "law", "unit")),
    )
    return campaign


@transaction.atomic
def set_target(
    *,
    campaign_id: int,
    unit_id: int,
    group_id: int | None,
    total: int,
    per_day: int | None,
    actor: User,
) -> Target:
    """Set (or change) one target; the unit must be the campaign's or below it."""
    require_permission(actor, CAMPAIGNS)
    campaign = get_visible(
        actor, Campaign.objects.select_for_update().select_related("unit"), pk=campaign_id
    )
    unit = _police_unit(unit_id, actor=actor)
    if not unit.path.startswith(campaign.unit.path):
        raise errors.UNIT_NOT_BELOW()
    group = PriorityGroup.objects.get(pk=group_id) if group_id else None
    _bounded(total, "total", 0, 10_000_000)
    if per_day is not None:
        _bounded(per_day, "per_day", 0, 1_000_000)
    target = Target.objects.filter(campaign=campaign, unit=unit, group=group).first()
    before = snapshot(target, ("total", "per_day")) if target else None
    if target is None:
        target = Target(campaign=campaign, unit=unit, group=group)
    target.total, target.per_day = total, per_day
    target.save()
    record(
        "target.set",
        actor=actor,
        unit=unit,
        obj=target,
        before=before,
        after=snapshot(target, ("total", "per_day")),
    )
    return target


def _campaign_for_planning(campaign_id: int, *, actor: User) -> Campaign:
    campaign = (
        visible_with_ancestors(actor, Campaign.objects.select_related("unit"))
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        raise NOT_FOUND()
    return campaign


@transaction.atomic
def create_venue(
    *,
    unit_id: int,
    kind: str,
    name: str,
    address: str = "",
    commune_id: int | None = None,
    liaison_id: int | None = None,
    actor: User,
) -> Venue:
    require_permission(actor, PLAN)
    name = clean_label(name, field=_("venue name"), max_length=200)
    address = clean_label(address, field=_("address"), max_length=300, required=False)
    unit = _police_unit(unit_id, actor=actor)
    commune = (
        get_visible(actor, Unit.objects.filter(level=Unit.Level.COMMUNE), pk=commune_id)
        if commune_id
        else None
    )
    liaison = (
        get_visible(actor, User.objects.filter(role="liaison"), pk=liaison_id)
        if liaison_id
        else None
    )
    venue = Venue.objects.create(
        unit=unit,
        kind=Venue.Kind(kind),
        name=name,
        address=address,
        commune=commune,
        liaison=liaison,
    )
    record(
        "venue.create",
        actor=actor,
        unit=unit,
        obj=venue,
        after=snapshot(venue, ("kind", "name", "address", "commune")),
    )
    return venue


@transaction.atomic
def create_team(
    *, unit_id: int, name: str, leader_id: int, member_ids: list[int], actor: User
) -> Team:
    require_permission(actor, PLAN)
    name = clean_label(name, field=_("team name"), max_length=120)
    unit = _police_unit(unit_id, actor=actor)
    people = list(
        visible_to(actor, User.objects.filter(pk__in={leader_id, *member_ids}, is_active=True))
    )
    if len(people) != len({leader_id, *member_ids}) or any(
        p.unit is None or not p.unit.path.startswith(unit.path) for p in people
    ):
        raise errors.TEAM_LEADER_UNIT()
    team = Team.objects.create(unit=unit, name=name, leader_id=leader_id)
    team.members.set([p for p in people if p.pk in member_ids or p.pk == leader_id])
    record(
        "team.create",
        actor=actor,
        unit=unit,
        obj=team,
        after={"name": team.name, "leader": leader_id, "members": sorted({leader_id, *member_ids})},
    )
    return team


@transaction.atomic
def plan_session(
    *,
    campaign_id: int,
    venue_id: int,
    team_id: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    desks: int,
    capacity: int,
    note: str = "",
    accept_clashes: bool = False,
    kind: str = Session.Kind.VENUE,
    actor: User,
) -> Session:
    """Plan a session. Times are aware; a session may cross midnight but lasts at most 24 hours.
    `kind` is a venue people come to, or a round of homes (`cccd.reach.homevisits` plans those,
    through here, so the same clash rules hold).

    Clashes are checked here, at the first step (see `_check_clashes`): a team planned twice at
    the same hours is refused; a venue shared with another team, or a person in two teams planned
    at the same hours, is refused unless the planner accepts it (`accept_clashes`).
    """
    require_permission(actor, PLAN)
    starts_at, ends_at = (
        timezone.make_aware(t) if timezone.is_naive(t) else t for t in (starts_at, ends_at)
    )
    campaign = _campaign_for_planning(campaign_id, actor=actor)
    if not all(is_plausible(t.date()) for t in (starts_at, ends_at)):  # before any time-zone sum
        raise errors.SESSION_OUTSIDE_CAMPAIGN(
            start=f"{campaign.start_date:%d/%m/%Y}", end=f"{campaign.end_date:%d/%m/%Y}"
        )
    # venue, then team: one lock order, so two planners never wait on each other in a cycle, and a
    # second plan for the same team or venue sees the first once it is committed
    venue = get_visible(
        actor, Venue.objects.select_for_update(of=("self",)).select_related("unit"), pk=venue_id
    )
    team = get_visible(
        actor, Team.objects.select_for_update(of=("self",)).select_related("unit"), pk=team_id
    )
    if not (ends_at > starts_at and ends_at - starts_at <= MAX_SESSION):
        raise errors.SESSION_TIMES()
    session = Session(
        campaign=campaign,
        unit=venue.unit,
        venue=venue,
        team=team,
        kind=Session.Kind(kind),
        starts_at=starts_at,
        ends_at=ends_at,
        desks=_bounded(desks, "desks", 1, 50),
        capacity=_bounded(capacity, "capacity", 1, 20_000),
        note=note.strip()[:300],
    )
    if not campaign.start_date <= session.local_day <= campaign.end_date:
        raise errors.SESSION_OUTSIDE_CAMPAIGN(
            start=f"{campaign.start_date:%d/%m/%Y}", end=f"{campaign.end_date:%d/%m/%Y}"
        )
    for unit in (venue.unit, team.unit):
        if not unit.path.startswith(campaign.unit.path):
            raise errors.SESSION_VENUE_UNIT()
    warnings = _check_clashes(session)
    if warnings and not accept_clashes:
        raise errors.SESSION_CLASHES(clashes="; ".join(warnings))
    session.save()
    record(
        "session.plan",
        actor=actor,
        unit=session.unit,
        obj=session,
        after=snapshot(
            session,
            ("campaign", "venue", "team", "kind", "starts_at", "ends_at", "desks", "capacity"),
        )
        | ({"accepted_clashes": warnings} if warnings else {}),
    )
    return session


def _people(team: Team) -> set[int]:
    return {team.leader_id, *team.members.values_list("pk", flat=True)}


def _check_clashes(session: Session) -> list[str]:
    """Refuse what no campaign needs; return, as sentences, what a planner may need and accept.

    - The same team at overlapping hours (whatever the venue; the same venue too is the same
      session planned twice): refused. A team is its leader and its kit, in one place at a time;
      more people at one place is more desks in one session, not a second session.
    - The venue at overlapping hours with another team: a warning. A commune hall or a school's
      gym can hold two teams on a peak day (two districts at one big school), so the planner may
      accept it, having seen the other session.
    - A leader or member who is also in another team planned at overlapping hours: a warning.
      Team lists are often the unit's pool of staff; the hard rule is at the desk, where one
      officer holds one desk at a time (`cccd.tickets.services.open_desk`).
    Hours overlap by their aware times, so a night that crosses midnight clashes on both days.
    The caller holds the venue's and the team's row locks.
    """
    others = (
        Session.objects.filter(session.overlapping())
        .exclude(state=Session.State.CANCELLED)
        .select_related("venue", "team")
        .order_by("starts_at", "pk")
    )
    same_team = others.filter(team=session.team).first()
    if same_team is not None:
        params = {"team": session.team.name, "venue": same_team.venue.name, "when": same_team.hours}
        if same_team.venue_id == session.venue_id:
            raise errors.SESSION_ALREADY_PLANNED(**params)
        raise errors.TEAM_BUSY(**params)
    warnings = [
        _("%(venue)s is used by %(team)s at %(when)s")
        % {"venue": other.venue.name, "team": other.team.name, "when": other.hours}
        for other in others.filter(venue=session.venue)[:5]
    ]
    ours = _people(session.team)
    shared_teams = (
        others.exclude(venue=session.venue)  # already named above
        .filter(Q(team__leader__in=ours) | Q(team__members__in=ours))
        .distinct()
    )
    for other in shared_teams[:5]:
        both = User.objects.filter(pk__in=ours & _people(other.team)).order_by("username")
        people = ", ".join(u.get_full_name() or u.username for u in both)
        warnings.append(
            _("%(people)s also in %(team)s at %(venue)s, %(when)s")
            % {
                "people": people,
                "team": other.team.name,
                "venue": other.venue.name,
                "when": other.hours,
            }
        )
    return warnings


@transaction.atomic
def update_group(
    group_id: int, *, name: str, priority: int, served_first: bool, is_active: bool, actor: User
) -> PriorityGroup:
    """An administrator renames, reorders or (de)activates a group; the queue follows the order."""
    require_permission(actor, GROUPS)
    group = PriorityGroup.objects.select_for_update().get(pk=group_id)
    fields = ("name", "priority", "served_first", "is_active")
    before = snapshot(group, fields)
    group.name = clean_label(name, field=_("group name"), max_length=120)
    group.priority = _bounded(priority, "priority", 0, 999)
    group.served_first, group.is_active = served_first, is_active
    group.save()
    record(
        "group.update",
        actor=actor,
        unit=actor.unit,
        obj=group,
        before=before,
        after=snapshot(group, fields),
    )
    return group
