"""What a team leader or commander does with the planner: start a run, edit its sessions, accept
it into the calendar, plan again from the actual progress.

Every function needs `roles.PLAN`, works on runs of the actor's own subtree (another unit's run is
a 404), writes its audit record in its transaction, and changes nothing when it refuses.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import PLAN
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns import errors as campaign_errors
from cccd.campaigns import services as campaign_services
from cccd.campaigns.models import Session, Team, Venue
from cccd.errors import DomainError
from cccd.jobs import leases
from cccd.localtime import local_midnight
from cccd.planner import errors, inputs, rules
from cccd.planner.models import PlanRun
from cccd.planning.instance import Instance, InstanceError, instance_to_json, parse_instance
from cccd.planning.plan import Plan, PlannedSession, check_plan, parse_plan, plan_to_json

PLAN_JOB = leases.Kind("plan_run", "cccd.planner.tasks.run_plan_task")
CLASHES = {
    campaign_errors.SESSION_ALREADY_PLANNED.code,
    campaign_errors.TEAM_BUSY.code,
    campaign_errors.SESSION_CLASHES.code,
}


def get_run(actor: User, run_id: int, *, lock: bool = False) -> PlanRun:
    """A run of the actor's subtree (the same 404 for another unit's as for none)."""
    require_permission(actor, PLAN)
    runs = PlanRun.objects.select_related("campaign", "unit")
    return get_visible(actor, runs.select_for_update(of=("self",)) if lock else runs, pk=run_id)


def check_horizon(
    first: datetime.date, last: datetime.date, campaign_start: datetime.date,
    campaign_end: datetime.date, today: datetime.date,
) -> None:  # fmt: skip
    """Within the campaign, from today on, in order, and at most `inputs.MAX_DAYS` long."""
    if (last - first).days + 1 > inputs.MAX_DAYS:
        raise errors.HORIZON_TOO_LONG(max=inputs.MAX_DAYS)
    if not (max(campaign_start, today) <= first <= last <= campaign_end):
        raise errors.HORIZON_OUTSIDE_CAMPAIGN(
            start=f"{campaign_start:%d/%m/%Y}", end=f"{campaign_end:%d/%m/%Y}"
        )


def _checked_instance(instance: Instance) -> Instance:
    """The instance through the file contract's own parser: what `cccd plan` would refuse, the
    page refuses too, naming the field."""
    try:
        return parse_instance(instance_to_json(instance))
    except InstanceError as exc:
        raise errors.BAD_INSTANCE(field=exc.field, problem=exc.message) from None


def start_run(
    chosen: inputs.Inputs,
    *,
    actor: User,
    replans: PlanRun | None = None,
    today: datetime.date | None = None,
) -> PlanRun:
    """Store the inputs and queue the solver; the page follows the run's progress. Sessions
    already in the calendar for the chosen teams at the chosen venues are kept as they are."""
    require_permission(actor, PLAN)
    today = today or timezone.localdate()
    campaign = chosen.campaign
    check_horizon(chosen.first_day, chosen.last_day, campaign.start_date, campaign.end_date, today)
    first = inputs.first_open_day(chosen) if chosen.first_day == today else chosen.first_day
    if first > chosen.last_day:
        raise errors.TODAY_HAS_BEGUN()
    chosen.first_day = first
    fixed = keepable(chosen, calendar_sessions(chosen))
    instance = _checked_instance(inputs.build_instance(chosen))
    if not instance.teams or not any(v.people for v in instance.venues):
        raise errors.NOTHING_TO_PLAN()
    with transaction.atomic():
        run = PlanRun.objects.create(
            campaign=campaign,
            unit=chosen.unit,
            first_day=chosen.first_day,
            last_day=chosen.last_day,
            inputs=inputs.inputs_to_json(chosen),
            instance=instance_to_json(instance),
            shift_hours=inputs.shift_hours_json(chosen.shifts),
            fixed=list(fixed),
            time_limit=min(max(chosen.time_limit, 1), inputs.MAX_TIME_LIMIT),
            replans=replans,
            created_by=actor,
        )
        record(
            "plan.run",
            actor=actor,
            unit=run.unit,
            obj=run,
            after={
                "campaign": campaign.pk,
                "days": [run.first_day.isoformat(), run.last_day.isoformat()],
                "teams": len(instance.teams),
                "venues": len(instance.venues),
                "people": sum(v.people for v in instance.venues),
                "rate": instance.rate,
                "fixed": sum(1 for f in fixed if f["kept"]),
                "replans": replans.pk if replans else None,
            },
        )
        leases.queue(plan_job(run), by_person=True)
    return run


def plan_job(run: PlanRun) -> Any:
    return leases.job_for(PLAN_JOB, run.pk, unit=run.unit)


def find_plan_job(run: PlanRun) -> Any:
    """The run's job if one was made; the page reads it without making one."""
    from cccd.jobs.models import Job

    return Job.objects.filter(kind=PLAN_JOB.name, key=PLAN_JOB.key([run.pk])).first()


def is_stopped(run: PlanRun) -> bool:
    """A run still queued or running whose job nobody holds any more: the page must not say
    "running" for it (a `cccd db_worker` resumes it; the leader may also plan again)."""
    from cccd.jobs.models import Job

    if run.state not in (PlanRun.State.QUEUED, PlanRun.State.RUNNING):
        return False
    job = find_plan_job(run)
    return job is not None and job.status == Job.State.STOPPED


def run_instance(run: PlanRun) -> Instance:
    return parse_instance(run.instance)


def run_plan(run: PlanRun) -> Plan | None:
    return parse_plan(run.plan) if run.plan else None


def fixed_sessions(run: PlanRun) -> list[PlannedSession]:
    return [
        PlannedSession(
            venue=f["venue"],
            team=f["team"],
            day=datetime.date.fromisoformat(f["day"]),
            shift=f["shift"],
            desks=f["desks"],
            expected=f["expected"],
        )
        for f in run.fixed
        if f.get("kept", True)
    ]


def fixed_hours(run: PlanRun) -> dict[tuple[str, datetime.date], str]:
    """{(team, day): "19:00–23:30"} of the calendar's sessions the plan keeps (runs made before
    the hours were stored show the shift's hours instead)."""
    return {
        (f["team"], datetime.date.fromisoformat(f["day"])): f["hours"]
        for f in run.fixed
        if f.get("kept", True) and f.get("hours")
    }


def busy_slots(run: PlanRun) -> dict[tuple[str, datetime.date], str]:
    """{(team, day): venue id} of the calendar's sessions the plan could not keep as they are
    (their team is unavailable that day in the instance instead)."""
    return {
        (f["team"], datetime.date.fromisoformat(f["day"])): f["venue"]
        for f in run.fixed
        if not f.get("kept", True)
    }


def slot_key(session: PlannedSession) -> tuple[str, datetime.date, str, str]:
    return (session.team, session.day, session.venue, session.shift)


def fixed_keys(run: PlanRun) -> set[tuple[str, datetime.date, str, str]]:
    """The sessions already in the calendar, as keys: built once, then looked up per session."""
    return {slot_key(f) for f in fixed_sessions(run)}


def is_fixed(run: PlanRun, session: PlannedSession) -> bool:
    return slot_key(session) in fixed_keys(run)


# --- editing ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Change:
    """An edit of one planned session, found by its team and day (a team works once a day)."""

    team: str
    day: datetime.date
    remove: bool = False
    new_team: str | None = None
    new_day: datetime.date | None = None
    new_shift: str | None = None
    new_venue: str | None = None
    new_desks: int | None = None


def _editable(actor: User, run_id: int) -> tuple[PlanRun, Instance, Plan]:
    run = get_run(actor, run_id, lock=True)
    if run.is_accepted:
        raise errors.RUN_ACCEPTED()
    plan = run_plan(run)
    if run.state != PlanRun.State.DONE or plan is None:
        raise errors.RUN_NOT_DONE()
    return run, run_instance(run), plan


def names_of(run: PlanRun) -> dict[str, str]:
    """Instance ids → what people call them (teams, venues, shifts)."""
    from cccd.planner.presenting import shift_label  # the page's words for the shifts

    instance = run.instance
    team_ids = [inputs.row_id(t["id"]) for t in instance.get("teams", [])]
    venue_ids = [inputs.row_id(v["id"]) for v in instance.get("venues", [])]
    venue_ids += [inputs.row_id(f["venue"]) for f in run.fixed]
    names = {
        inputs.team_key(pk): name
        for pk, name in Team.objects.filter(pk__in=team_ids).values_list("pk", "name")
    }
    names |= {
        inputs.venue_key(pk): name
        for pk, name in Venue.objects.filter(pk__in=venue_ids).values_list("pk", "name")
    }
    names |= {s["id"]: shift_label(s["id"]) for s in instance.get("shifts", [])}
    return names


@transaction.atomic
def edit_session(run_id: int, change: Change, *, actor: User) -> Plan:
    """Move, resize or remove one planned session; refused whole, naming the rule, if the plan
    would break one."""
    run, instance, plan = _editable(actor, run_id)
    current = next(
        (s for s in plan.sessions if s.team == change.team and s.day == change.day), None
    )
    if current is None:
        raise errors.NO_SUCH_PLANNED_SESSION()
    if is_fixed(run, current):
        raise errors.FIXED_SESSION()
    others = [s for s in plan.sessions if s is not current]
    if change.remove:
        sessions = others
    else:
        moved = dataclasses.replace(
            current,
            team=change.new_team or current.team,
            day=change.new_day or current.day,
            shift=change.new_shift or current.shift,
            venue=change.new_venue or current.venue,
            desks=current.desks if change.new_desks is None else change.new_desks,
        )
        broken = rules.broken_rule(instance, others, moved, names_of(run))
        if broken is not None:
            raise broken
        moved = dataclasses.replace(moved, expected=rules.expected_for(instance, others, moved))
        sessions = [*others, moved]
    edited = _replanned(plan, sessions)
    problems = check_plan(instance, edited)
    if problems:
        raise errors.RULE_OTHER(rule="; ".join(problems[:3]))
    run.plan = plan_to_json(edited)
    run.save(update_fields=["plan"])
    record(
        "plan.edit",
        actor=actor,
        unit=run.unit,
        obj=run,
        before={"session": _as_json(current)},
        after={
            "session": None if change.remove else _as_json(sessions[-1]),
            "reached": edited.reached,
        },
    )
    return edited


def _as_json(session: PlannedSession) -> dict[str, Any]:
    return {
        "venue": session.venue,
        "team": session.team,
        "day": session.day.isoformat(),
        "shift": session.shift,
        "desks": session.desks,
        "expected": session.expected,
    }


def _replanned(plan: Plan, sessions: list[PlannedSession]) -> Plan:
    """The plan with these sessions, in calendar order; the bound stays the solver's."""
    ordered = tuple(sorted(sessions, key=lambda s: (s.day, s.team, s.shift)))
    reached = sum(s.expected for s in ordered)
    bound = max(plan.bound, reached)
    status = "optimal" if reached == bound else "feasible"
    return Plan(sessions=ordered, reached=reached, bound=bound, status=status)


# --- accepting ----------------------------------------------------------------------------------


def session_times(
    run: PlanRun, session: PlannedSession
) -> tuple[datetime.datetime, datetime.datetime]:
    """The planned session's aware start and end (an end before the start is the next day's)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start, end = (datetime.time.fromisoformat(t) for t in run.shift_hours[session.shift])
    starts = datetime.datetime.combine(session.day, start, tzinfo=zone)
    ends = datetime.datetime.combine(session.day, end, tzinfo=zone)
    if ends <= starts:
        ends += datetime.timedelta(days=1)
    return starts, ends


@transaction.atomic
def accept_plan(
    run_id: int, *, confirmed: bool, accept_clashes: bool = False, actor: User
) -> list[int]:
    """Create the plan's sessions through `campaigns.services.plan_session` (its clash checks and
    audit), all or none. A second accept of the same run creates nothing and returns the first's
    sessions. A clash refuses the whole accept unless `accept_clashes`."""
    run = get_run(actor, run_id, lock=True)
    if run.is_accepted:
        return list(run.sessions)
    if not confirmed:
        raise errors.NOT_CONFIRMED()
    plan = run_plan(run)
    if run.state != PlanRun.State.DONE or plan is None:
        raise errors.RUN_NOT_DONE()
    names = names_of(run)
    kept = fixed_keys(run)
    created = []
    now = timezone.now()
    for planned in plan.sessions:
        if slot_key(planned) in kept or planned.expected <= 0:
            continue
        starts, ends = session_times(run, planned)
        label = f"{names.get(planned.venue, planned.venue)} {starts:%d/%m/%Y %H:%M}"
        if starts < now:
            transaction.set_rollback(True)
            raise errors.ACCEPT_PAST(session=label)
        try:
            with transaction.atomic():
                session = campaign_services.plan_session(
                    campaign_id=run.campaign_id,
                    venue_id=inputs.row_id(planned.venue),
                    team_id=inputs.row_id(planned.team),
                    starts_at=starts,
                    ends_at=ends,
                    desks=planned.desks,
                    capacity=max(planned.expected, 1),
                    note=f"Kế hoạch #{run.pk}",
                    accept_clashes=accept_clashes,
                    actor=actor,
                )
        except DomainError as exc:
            transaction.set_rollback(True)
            if exc.code in CLASHES:
                raise errors.ACCEPT_CLASHES(session=label, clash=exc.message) from None
            raise errors.ACCEPT_REFUSED(session=label, reason=exc.message) from None
        created.append(session.pk)
    run.accepted_at, run.accepted_by, run.sessions = timezone.now(), actor, created
    run.save(update_fields=["accepted_at", "accepted_by", "sessions"])
    record(
        "plan.accept",
        actor=actor,
        unit=run.unit,
        obj=run,
        after={"sessions": created, "reached": plan.reached, "accepted_clashes": accept_clashes},
    )
    return created


# --- planning again -----------------------------------------------------------------------------


def replan(run_id: int, *, actor: User, today: datetime.date | None = None) -> PlanRun:
    """A new run from an earlier one's choices, starting today, over as many days (within the
    campaign): people are what is left now, and sessions already in the calendar are kept."""
    earlier = get_run(actor, run_id)
    today = today or timezone.localdate()
    campaign = earlier.campaign
    saved = earlier.inputs
    first = max(today, campaign.start_date)
    last = min(first + datetime.timedelta(days=int(saved.get("days", 14)) - 1), campaign.end_date)
    teams = {
        t.pk: t
        for t in visible_to(actor, Team.objects.filter(pk__in=[t["team"] for t in saved["teams"]]))
    }
    venues = {
        v.pk: v
        for v in visible_to(
            actor,
            Venue.objects.filter(pk__in=[v["venue"] for v in saved["venues"]]).select_related(
                "commune"
            ),
        )
    }
    people = inputs.people_to_reach(campaign, list(venues.values()), earlier.unit, today)
    kept_people = {v["id"]: v["people"] for v in earlier.instance.get("venues", [])}
    shifts = inputs.shifts_from_json(saved)
    chosen = inputs.Inputs(
        campaign=campaign,
        unit=earlier.unit,
        first_day=first,
        last_day=max(first, last),
        rate=saved["rate"],
        time_limit=saved.get("time_limit", inputs.DEFAULT_TIME_LIMIT),
        shifts=shifts,
        teams=[
            inputs.TeamInput(
                teams[t["team"]],
                t["desks"],
                {datetime.date.fromisoformat(d) for d in t["unavailable"]},
                t["max_nights"],
            )
            for t in saved["teams"]
            if t["team"] in teams
        ],
        venues=[
            inputs.VenueInput(
                venues[v["venue"]],
                _people_now(people.get(v["venue"]), kept_people.get(inputs.venue_key(v["venue"]))),
                v["max_desks"],
                {datetime.date.fromisoformat(d) for d in v["closed"]},
                set(v["shifts"]),
            )
            for v in saved["venues"]
            if v["venue"] in venues
        ],
    )
    return start_run(chosen, actor=actor, replans=earlier, today=today)


def keepable(chosen: inputs.Inputs, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The calendar's sessions, each marked whether the solver keeps it (`kept`): then it counts
    for its team's day and nights, and what it expects (its capacity, desks up to what the team
    and the room hold, at most the people left) against its venue's people. A session at a venue
    not chosen (another venue, a home-visit round) joins the instance with nobody to reach there,
    so it keeps its team's day and night all the same. A team whose day holds one that cannot be
    kept (hours no shift has, a second session that day, a venue closed that day) is unavailable
    that day instead; the page shows that day as busy."""
    chosen_venues = {  # those the instance will hold
        inputs.venue_key(v.venue.pk) for v in chosen.venues if v.people > 0 or v.calendar_only
    }
    elsewhere = Venue.objects.in_bulk(
        {
            inputs.row_id(row["venue"])
            for row in found
            if row["shift"] is not None and row["venue"] not in chosen_venues
        }
    )  # one query for the venues of the calendar the leader did not choose
    for row in found:
        if row["shift"] is not None and row["venue"] not in chosen_venues:
            venue = elsewhere[inputs.row_id(row["venue"])]
            chosen.venues.append(inputs.VenueInput(venue, 0, inputs.MAX_DESKS, calendar_only=True))
            chosen_venues.add(row["venue"])
    busy = {(row["team"], row["day"]) for row in found if row["shift"] is None}
    instance = inputs.build_instance(chosen)
    teams = {t.id: t for t in instance.teams}
    venues = {v.id: v for v in instance.venues}
    marked: list[dict[str, Any]] = []
    sessions: list[PlannedSession] = []
    for row in found:
        if (row["team"], row["day"]) in busy:
            marked.append(row | {"kept": False})
            continue
        desks = min(row["desks"], teams[row["team"]].desks, venues[row["venue"]].max_desks)
        session = PlannedSession(
            venue=row["venue"],
            team=row["team"],
            day=datetime.date.fromisoformat(row["day"]),
            shift=row["shift"],
            desks=desks,
            expected=0,
        )
        if rules.broken_rule(instance, sessions, session, {}) is not None:
            busy.add((row["team"], row["day"]))
            marked.append(row | {"kept": False})
            continue
        expected = min(row["capacity"], rules.expected_for(instance, sessions, session))
        sessions.append(dataclasses.replace(session, expected=expected))
        marked.append(row | {"desks": desks, "expected": expected, "kept": True})
    team_inputs = {inputs.team_key(t.team.pk): t for t in chosen.teams}
    for team, day in busy:
        team_inputs[team].unavailable.add(datetime.date.fromisoformat(day))
    return marked


def _people_now(counted: int | None, typed: int | None) -> int:
    """The counters' figure when cccd has one; otherwise what the leader typed last time."""
    return counted if counted is not None else max(typed or 0, 0)


def calendar_sessions(chosen: inputs.Inputs) -> list[dict[str, Any]]:
    """The chosen teams' sessions planned (or under way) in the horizon, in any campaign, each
    matched to the shift its start falls in (none for hours no shift has, or a second session of
    the team that day). Only one of this campaign at a chosen venue expects people (`capacity`);
    the others only take their team's day (`keepable`)."""
    venues = {v.venue.pk for v in chosen.venues if not v.calendar_only}
    teams = {t.team.pk for t in chosen.teams}
    rows = Session.objects.filter(
        team__in=teams,
        state__in=(Session.State.PLANNED, Session.State.OPEN),
        starts_at__gte=local_midnight(chosen.first_day),
        starts_at__lt=local_midnight(chosen.last_day + datetime.timedelta(days=1)),
    ).order_by("starts_at", "pk")
    found: list[dict[str, Any]] = []
    for row in rows:
        day = row.local_day
        shift = _shift_of(chosen, row)
        taken = any(
            f["team"] == inputs.team_key(row.team_id) and f["day"] == day.isoformat() for f in found
        )
        ours = (
            row.campaign_id == chosen.campaign.pk
            and row.venue_id in venues
            and row.kind == Session.Kind.VENUE
        )
        found.append(
            {
                "venue": inputs.venue_key(row.venue_id),
                "team": inputs.team_key(row.team_id),
                "day": day.isoformat(),
                "shift": shift.id if shift is not None and not taken else None,
                "desks": row.desks,
                "capacity": row.capacity if ours else 0,
                "session": row.pk,
                "hours": _clock_hours(row),
            }
        )
    return found


def _clock_hours(row: Session) -> str:
    """The session's own hours ("19:00–23:30"): the calendar shows these, not the shift's."""
    start, end = (timezone.localtime(t) for t in (row.starts_at, row.ends_at))
    return f"{start:%H:%M}–{end:%H:%M}"


def _shift_of(chosen: inputs.Inputs, row: Session) -> inputs.ShiftHours | None:
    """The shift whose weekdays hold the session's day and whose hours hold its start."""
    day = row.local_day
    start = timezone.localtime(row.starts_at).time()
    return next(
        (
            s
            for s in chosen.shifts
            if day.weekday() in s.weekdays
            and s.start <= start < (s.end if s.end > s.start else datetime.time.max)
        ),
        None,
    )
