"""The planning inputs a tired commander can accept as they are, read from the database.

Every default says where it comes from (docs/planner.md, "The planner in the browser"):
- the horizon: the next two weeks from today, cut to the campaign's days; a run starts tomorrow
  instead once one of today's shifts has begun (`first_open_day`);
- the shifts: OUR ASSUMPTIONS, not a rule of the procedure — a weekday evening 18:00–21:00 that
  counts as a night, and Saturday and Sunday mornings 07:30–11:30 and afternoons 13:30–17:00;
- a team's desks: the number it most often brought to its past sessions (2 without history); its
  night shifts a week: 3;
- a venue's people: the reach counters' people eligible and not yet reached — a school's from its
  class lists, otherwise its commune's (the venue's `commune`, or the one commune its address
  names), shared evenly between the chosen venues of one commune;
  its desks: the most it held in a past session (4 without history); closed on public holidays;
- the rate: the unit's own history, dossiers received in its past sessions ÷ their desk-hours;
  `FALLBACK_RATE` when the unit has none.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Sum
from django.utils import timezone

from cccd.campaigns.models import Campaign, Session, Team, Venue
from cccd.enrollments.models import Enrollment, Holiday
from cccd.planning.instance import Instance, Shift
from cccd.planning.instance import Team as PlanTeam
from cccd.planning.instance import Venue as PlanVenue
from cccd.reach.eligible import admin_prefix
from cccd.reach.models import CoverageBase, CoverageDay
from cccd.reach.queries import school_figures
from cccd.units.models import Unit

DEFAULT_DAYS = 14
MAX_DAYS = 62  # a plan beyond two months is a guess about people who will have moved
FALLBACK_RATE = 6.0  # intakes per desk-hour: ten minutes a person, photo, prints and signature
MAX_RATE = 60.0
DEFAULT_TEAM_DESKS = 2
DEFAULT_VENUE_DESKS = 4
DEFAULT_NIGHTS = 3
MAX_DESKS = 50  # the most a session may have (`campaigns.services.plan_session`)
MAX_PEOPLE = 1_000_000
DEFAULT_TIME_LIMIT = 20
MAX_TIME_LIMIT = 120
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})


@dataclass(frozen=True)
class ShiftHours:
    """A shift as people read it: its clock hours and days; the instance keeps only its length."""

    id: str
    start: datetime.time
    end: datetime.time
    weekdays: frozenset[int]
    night: bool

    @property
    def hours(self) -> float:
        start = datetime.datetime.combine(datetime.date.min, self.start)
        end = datetime.datetime.combine(datetime.date.min, self.end)
        if end <= start:
            end += datetime.timedelta(days=1)
        return round((end - start).total_seconds() / 3600, 2)


DEFAULT_SHIFTS = (
    ShiftHours("evening", datetime.time(18), datetime.time(21), WEEKDAYS, night=True),
    ShiftHours("morning", datetime.time(7, 30), datetime.time(11, 30), WEEKEND, night=False),
    ShiftHours("afternoon", datetime.time(13, 30), datetime.time(17), WEEKEND, night=False),
)


@dataclass
class TeamInput:
    team: Team
    desks: int
    unavailable: set[datetime.date] = field(default_factory=set)
    max_nights: int = DEFAULT_NIGHTS


@dataclass
class VenueInput:
    venue: Venue
    people: int
    max_desks: int
    closed: set[datetime.date] = field(default_factory=set)
    shifts: set[str] = field(default_factory=lambda: {s.id for s in DEFAULT_SHIFTS})
    calendar_only: bool = False  # not chosen: there only for a chosen team's session already there


@dataclass
class Inputs:
    """Everything one run needs, as the form holds it."""

    campaign: Campaign
    unit: Unit
    first_day: datetime.date
    last_day: datetime.date
    rate: float
    teams: list[TeamInput]
    venues: list[VenueInput]
    shifts: tuple[ShiftHours, ...] = DEFAULT_SHIFTS
    time_limit: int = DEFAULT_TIME_LIMIT

    @property
    def days(self) -> tuple[datetime.date, ...]:
        count = (self.last_day - self.first_day).days + 1
        return tuple(self.first_day + datetime.timedelta(days=i) for i in range(count))


def team_key(team_id: int) -> str:
    return f"t{team_id}"


def venue_key(venue_id: int) -> str:
    return f"v{venue_id}"


def row_id(key: str) -> int:
    """The database pk behind an instance id (`t12` → 12)."""
    return int(key[1:])


def default_horizon(
    campaign: Campaign, today: datetime.date | None = None
) -> tuple[datetime.date, datetime.date]:
    """The next two weeks from today, within the campaign (its first fortnight if not begun)."""
    today = today or timezone.localdate()
    first = max(today, campaign.start_date)
    last = min(first + datetime.timedelta(days=DEFAULT_DAYS - 1), campaign.end_date)
    return first, max(first, last)


def first_open_day(chosen: Inputs, now: datetime.datetime | None = None) -> datetime.date:
    """The chosen first day, or tomorrow when it is today and a shift that could run today has
    begun: a plan made at 20:00 must not place a session at 18:00 today, which the accept would
    refuse as past. The instance closes whole days, not one day's single shifts, so the rest of
    today goes too: a session later the same day is one nobody could be told of in time."""
    now = now or timezone.now()
    if chosen.first_day != timezone.localdate(now):
        return chosen.first_day
    begun = a_shift_has_begun(chosen.shifts, now)
    return chosen.first_day + datetime.timedelta(days=1) if begun else chosen.first_day


def a_shift_has_begun(shifts: Iterable[ShiftHours], at: datetime.datetime) -> bool:
    """Whether one of the shifts that run on `at`'s day had begun by `at` (local time)."""
    local = timezone.localtime(at)
    return any(local.weekday() in s.weekdays and s.start <= local.time() for s in shifts)


def shifts_from_json(saved: dict[str, Any]) -> tuple[ShiftHours, ...]:
    """The shifts of stored inputs (`inputs_to_json`)."""
    return tuple(
        ShiftHours(
            s["id"],
            datetime.time.fromisoformat(s["start"]),
            datetime.time.fromisoformat(s["end"]),
            frozenset(s["weekdays"]),
            s["night"],
        )
        for s in saved["shifts"]
    )


def past_sessions(unit: Unit, today: datetime.date) -> Any:
    """The unit's venue sessions before today that received at least one dossier: a session that
    received none was most likely never run through cccd, and would pull the rate down."""
    return (
        Session.objects.filter(
            unit__path__startswith=unit.path,
            kind=Session.Kind.VENUE,
            starts_at__date__lt=today,
        )
        .exclude(state=Session.State.CANCELLED)
        .annotate(dossiers=Count("enrollments"))
        .filter(dossiers__gt=0)
    )


def history_rate(unit: Unit, today: datetime.date | None = None) -> float | None:
    """Dossiers received in the unit's past sessions ÷ their desk-hours; None with no history."""
    today = today or timezone.localdate()
    sessions = list(past_sessions(unit, today).only("starts_at", "ends_at", "desks"))
    desk_hours = sum(s.desks * (s.ends_at - s.starts_at).total_seconds() / 3600 for s in sessions)
    if desk_hours <= 0:
        return None
    received = Enrollment.objects.filter(
        session__in=[s.pk for s in sessions], received_at__isnull=False
    ).count()
    return round(received / desk_hours, 2) if received else None


def team_desks(teams: list[Team], today: datetime.date | None = None) -> dict[int, int]:
    """{team pk: the desks it most often brought to its past sessions (the larger on a tie)},
    `DEFAULT_TEAM_DESKS` for a team without any (one query for all)."""
    today = today or timezone.localdate()
    counts: dict[int, Counter[int]] = {team.pk: Counter() for team in teams}
    past = (
        Session.objects.filter(team__in=[t.pk for t in teams], starts_at__date__lt=today)
        .exclude(state=Session.State.CANCELLED)
        .values_list("team", "desks")
    )
    for team_id, desks in past:
        counts[team_id][desks] += 1
    return {
        pk: max(c.items(), key=lambda item: (item[1], item[0]))[0] if c else DEFAULT_TEAM_DESKS
        for pk, c in counts.items()
    }


def venue_desks(venues: list[Venue]) -> dict[int, int]:
    """{venue pk: the most desks it held in a session so far}, `DEFAULT_VENUE_DESKS` for one
    that held none (one query for all)."""
    most = dict(
        Session.objects.filter(venue__in=[v.pk for v in venues])
        .exclude(state=Session.State.CANCELLED)
        .values("venue")
        .annotate(most=Max("desks"))
        .values_list("venue", "most")
    )
    return {v.pk: int(most.get(v.pk) or DEFAULT_VENUE_DESKS) for v in venues}


def holidays(first: datetime.date, last: datetime.date) -> set[datetime.date]:
    return set(Holiday.objects.filter(date__range=(first, last)).values_list("date", flat=True))


def _place(venue: Venue, communes: list[Unit], mirrors: dict[str, Unit]) -> Unit | None:
    """The administrative commune whose people the venue serves: its `commune` (a police commune
    maps across), or else the one commune of the unit its address names ("Thôn 5, xã Đắk Lao")."""
    commune = venue.commune
    if commune is None:
        address = venue.address.casefold()
        named = [c for c in communes if c.name.casefold() in address]
        return named[0] if len(named) == 1 else None
    if commune.category == Unit.Category.ADMIN:
        return commune
    return mirrors.get(commune.mirror_path)


def _communes(unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.filter(
            category=Unit.Category.ADMIN,
            level=Unit.Level.COMMUNE,
            is_active=True,
            path__startswith=admin_prefix(unit),
        )
    )


def _remaining(campaign: Campaign, communes: list[Unit], today: datetime.date) -> dict[int, int]:
    """{commune pk: its cohort less those reached by the day}, from the counters (two queries)."""
    where = {
        "campaign": campaign.pk,
        "unit__in": [c.pk for c in communes],
        "village": "",
        "group": 0,
    }
    eligible = dict(
        CoverageBase.objects.filter(**where)
        .values("unit")
        .annotate(n=Sum("eligible"))
        .values_list("unit", "n")
    )
    reached = dict(
        CoverageDay.objects.filter(day__lte=today, **where)
        .values("unit")
        .annotate(n=Sum("reached"))
        .values_list("unit", "n")
    )
    return {c.pk: max((eligible.get(c.pk) or 0) - (reached.get(c.pk) or 0), 0) for c in communes}


def people_to_reach(
    campaign: Campaign, venues: list[Venue], unit: Unit, today: datetime.date | None = None
) -> dict[int, int | None]:
    """{venue pk: people eligible and not yet reached there}, None where cccd cannot tell (a
    venue with no commune and no class lists): the leader types it."""
    today = today or timezone.localdate()
    schools = {}
    place = Unit.objects.filter(path=admin_prefix(unit)).first()  # the lists' people live there
    if place is not None and any(v.kind == Venue.Kind.SCHOOL for v in venues):
        schools = {f.key: f.remaining for f in school_figures(campaign, place, today)}
    people: dict[int, int | None] = {}
    by_commune: dict[int, list[int]] = defaultdict(list)
    communes: dict[int, Unit] = {}
    named = _communes(unit) if any(v.commune_id is None for v in venues) else []
    police = [v.commune.mirror_path for v in venues if v.commune is not None]
    mirrors = {u.path: u for u in Unit.objects.filter(path__in=police)}
    for venue in venues:
        if str(venue.pk) in schools:
            people[venue.pk] = schools[str(venue.pk)]
            continue
        place = _place(venue, named, mirrors)
        if place is None:
            people[venue.pk] = None
            continue
        communes[place.pk] = place
        by_commune[place.pk].append(venue.pk)
    left = _remaining(campaign, list(communes.values()), today)
    for place_id, venue_ids in by_commune.items():
        share, extra = divmod(left[place_id], len(venue_ids))
        for i, venue_id in enumerate(sorted(venue_ids)):
            people[venue_id] = share + (1 if i < extra else 0)
    return people


def default_inputs(
    campaign: Campaign,
    unit: Unit,
    teams: list[Team],
    venues: list[Venue],
    today: datetime.date | None = None,
    *,
    people: dict[int, int | None] | None = None,
) -> Inputs:
    """What the form shows before the leader changes anything (`people`: `people_to_reach`'s
    answer when the caller has it already)."""
    today = today or timezone.localdate()
    first, last = default_horizon(campaign, today)
    closed = holidays(first, last)
    if people is None:
        people = people_to_reach(campaign, venues, unit, today)
    desks = venue_desks(venues)
    brought = team_desks(teams, today)
    return Inputs(
        campaign=campaign,
        unit=unit,
        first_day=first,
        last_day=last,
        rate=history_rate(unit, today) or FALLBACK_RATE,
        teams=[TeamInput(team, brought[team.pk]) for team in teams],
        venues=[
            VenueInput(venue, people[venue.pk] or 0, desks[venue.pk], set(closed))
            for venue in venues
        ],
    )


def build_instance(inputs: Inputs) -> Instance:
    """The pure planner's instance of these inputs."""
    return Instance(
        days=inputs.days,
        shifts=tuple(
            Shift(id=s.id, hours=s.hours, weekdays=s.weekdays, night=s.night) for s in inputs.shifts
        ),
        rate=inputs.rate,
        teams=tuple(
            PlanTeam(
                id=team_key(t.team.pk),
                desks=t.desks,
                unavailable=frozenset(t.unavailable),
                max_nights_per_week=t.max_nights,
            )
            for t in inputs.teams
        ),
        venues=tuple(
            PlanVenue(
                id=venue_key(v.venue.pk),
                people=v.people,
                max_desks=v.max_desks,
                closed=frozenset(v.closed),
                shifts=tuple(s.id for s in inputs.shifts if s.id in v.shifts),
            )
            for v in inputs.venues
            if v.people > 0 or v.calendar_only
        ),
    )


def shift_hours_json(shifts: tuple[ShiftHours, ...]) -> dict[str, list[str]]:
    return {s.id: [s.start.strftime("%H:%M"), s.end.strftime("%H:%M")] for s in shifts}


def inputs_to_json(inputs: Inputs) -> dict[str, Any]:
    """What a re-plan starts from: the leader's choices, not the people (those are read again)."""
    return {
        "days": len(inputs.days),
        "rate": inputs.rate,
        "time_limit": inputs.time_limit,
        "shifts": [
            {
                "id": s.id,
                "start": s.start.strftime("%H:%M"),
                "end": s.end.strftime("%H:%M"),
                "weekdays": sorted(s.weekdays),
                "night": s.night,
            }
            for s in inputs.shifts
        ],
        "teams": [
            {
                "team": t.team.pk,
                "desks": t.desks,
                "unavailable": sorted(d.isoformat() for d in t.unavailable),
                "max_nights": t.max_nights,
            }
            for t in inputs.teams
        ],
        "venues": [
            {
                "venue": v.venue.pk,
                "max_desks": v.max_desks,
                "closed": sorted(d.isoformat() for d in v.closed),
                "shifts": sorted(v.shifts),
            }
            for v in inputs.venues
            if not v.calendar_only
        ],
    }
