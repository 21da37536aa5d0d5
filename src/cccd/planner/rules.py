"""One edited session held to the plan's rules, with a message that names the rule broken.

`cccd.planning.plan.check_plan` is the judge of a whole plan; this module only says, for the one
session a leader moved or changed, which rule it breaks in words the leader reads. The service
runs both: this first, for the message, then `check_plan` as the final word.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.utils.formats import date_format

from cccd.errors import DomainError
from cccd.planner import errors
from cccd.planning.greedy import week
from cccd.planning.instance import Instance, Shift
from cccd.planning.plan import PlannedSession, session_capacity


def _day(day: datetime.date) -> str:
    return date_format(day, "d/m/Y")


def expected_for(
    instance: Instance, others: Sequence[PlannedSession], session: PlannedSession
) -> int:
    """What the session may expect: its capacity, or the venue's people the others leave."""
    venue = next((v for v in instance.venues if v.id == session.venue), None)
    people = venue.people if venue is not None else 0
    taken = sum(o.expected for o in others if o.venue == session.venue)
    return max(0, min(session_capacity(instance, session.shift, session.desks), people - taken))


def broken_rule(
    instance: Instance,
    others: Sequence[PlannedSession],
    session: PlannedSession,
    names: Mapping[str, str],
) -> DomainError | None:
    """The first rule `session` breaks beside `others` (the rest of the plan), or None."""
    team = next((t for t in instance.teams if t.id == session.team), None)
    venue = next((v for v in instance.venues if v.id == session.venue), None)
    shift: Shift | None = next((s for s in instance.shifts if s.id == session.shift), None)
    day = _day(session.day)
    label = {k: names.get(k, k) for k in (session.team, session.venue, session.shift)}
    if team is None or venue is None or shift is None:
        return errors.NO_SUCH_PLANNED_SESSION()
    if session.day not in instance.days:
        return errors.DAY_OUTSIDE_HORIZON(
            day=day, first=_day(instance.days[0]), last=_day(instance.days[-1])
        )
    if any(o.team == session.team and o.day == session.day for o in others):
        return errors.RULE_TEAM_ONE_A_DAY(team=label[session.team], day=day)
    if any(
        o.venue == session.venue and o.day == session.day and o.shift == session.shift
        for o in others
    ):
        return errors.RULE_VENUE_ONE_A_SHIFT(
            venue=label[session.venue], day=day, shift=label[session.shift]
        )
    if session.shift not in venue.shifts or session.day.weekday() not in shift.weekdays:
        return errors.RULE_SHIFT_NOT_ALLOWED(
            shift=label[session.shift], venue=label[session.venue], day=day
        )
    if session.day in team.unavailable:
        return errors.RULE_TEAM_UNAVAILABLE(team=label[session.team], day=day)
    if session.day in venue.closed:
        return errors.RULE_VENUE_CLOSED(venue=label[session.venue], day=day)
    if not 1 <= session.desks <= min(team.desks, venue.max_desks):
        return errors.RULE_DESKS(
            desks=session.desks,
            team=label[session.team],
            team_desks=team.desks,
            venue=label[session.venue],
            venue_desks=venue.max_desks,
        )
    if shift.night:
        nights = {s.id for s in instance.shifts if s.night}
        this_week = week(session.day)
        same_week = [
            o
            for o in others
            if o.team == session.team and o.shift in nights and week(o.day) == this_week
        ]
        if len(same_week) + 1 > team.max_nights_per_week:
            return errors.RULE_NIGHTS(
                team=label[session.team], max=team.max_nights_per_week, day=day
            )
    return None
