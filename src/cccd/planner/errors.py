"""Refusals of the planner (`cccd.planner`): each names what was wrong, and none changes anything.

The rule codes (`RULE_*`) are the plan's rules (docs/planner.md); an edit that breaks one is
refused whole, and the message names the rule in words a leader reads.
"""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

HORIZON_OUTSIDE_CAMPAIGN = ErrorCode(
    "PLAN_HORIZON_OUTSIDE_CAMPAIGN",
    _("The days to plan must lie within the campaign, from %(start)s to %(end)s, and from today."),
    400,
)
HORIZON_TOO_LONG = ErrorCode(
    "PLAN_HORIZON_TOO_LONG",
    _("A plan covers at most %(max)s days; choose a shorter period."),
    400,
)
TODAY_HAS_BEGUN = ErrorCode(
    "PLAN_TODAY_HAS_BEGUN",
    _(
        "Today's sessions have already begun and the days to plan end today: choose days from "
        "tomorrow on."
    ),
    400,
)
NOTHING_TO_PLAN = ErrorCode(
    "PLAN_NOTHING_TO_PLAN",
    _("Choose at least one team and one venue with people still to reach."),
    400,
)
BAD_INSTANCE = ErrorCode(
    "PLAN_BAD_INSTANCE",
    _("The planning inputs are not valid (%(field)s: %(problem)s)."),
    400,
)
RUN_NOT_DONE = ErrorCode(
    "PLAN_RUN_NOT_DONE",
    _("The plan is not ready yet: wait until the planner has finished."),
    409,
)
RUN_ACCEPTED = ErrorCode(
    "PLAN_RUN_ACCEPTED",
    _("This plan has been accepted: change the sessions themselves, or plan again."),
    409,
)
NO_SUCH_PLANNED_SESSION = ErrorCode(
    "PLAN_NO_SUCH_SESSION",
    _("That session is not in the plan (the page may be out of date: reload it)."),
    404,
)
FIXED_SESSION = ErrorCode(
    "PLAN_FIXED_SESSION",
    _("This session is already in the calendar; change it in the session list."),
    409,
)
NOT_CONFIRMED = ErrorCode(
    "PLAN_NOT_CONFIRMED",
    _("Tick the box to confirm that the sessions of this plan should be created."),
    400,
)
ACCEPT_CLASHES = ErrorCode(
    "PLAN_ACCEPT_CLASHES",
    _(
        "Nothing was created: %(session)s clashes with a session already planned (%(clash)s). "
        "Change the plan, or confirm that the clash is accepted."
    ),
    409,
)
ACCEPT_REFUSED = ErrorCode(
    "PLAN_ACCEPT_REFUSED",
    _("Nothing was created: %(session)s was refused (%(reason)s)."),
    409,
)
ACCEPT_PAST = ErrorCode(
    "PLAN_ACCEPT_PAST",
    _(
        "Nothing was created: %(session)s would start in the past. Plan again from today, or "
        "remove that session."
    ),
    409,
)
RULE_TEAM_ONE_A_DAY = ErrorCode(
    "PLAN_RULE_TEAM_ONE_A_DAY",
    _("Not saved: %(team)s already has a session on %(day)s (a team works one session a day)."),
    400,
)
RULE_VENUE_ONE_A_SHIFT = ErrorCode(
    "PLAN_RULE_VENUE_ONE_A_SHIFT",
    _(
        "Not saved: %(venue)s already hosts a session on %(day)s, %(shift)s (a venue hosts one "
        "session per day and shift)."
    ),
    400,
)
RULE_SHIFT_NOT_ALLOWED = ErrorCode(
    "PLAN_RULE_SHIFT_NOT_ALLOWED",
    _("Not saved: %(shift)s is not held at %(venue)s, or not on that day of the week (%(day)s)."),
    400,
)
RULE_TEAM_UNAVAILABLE = ErrorCode(
    "PLAN_RULE_TEAM_UNAVAILABLE",
    _("Not saved: %(team)s is not available on %(day)s."),
    400,
)
RULE_VENUE_CLOSED = ErrorCode(
    "PLAN_RULE_VENUE_CLOSED",
    _("Not saved: %(venue)s is closed on %(day)s."),
    400,
)
RULE_DESKS = ErrorCode(
    "PLAN_RULE_DESKS",
    _(
        "Not saved: %(desks)s desks is more than %(team)s brings (%(team_desks)s) or %(venue)s "
        "holds (%(venue_desks)s), or fewer than one."
    ),
    400,
)
RULE_NIGHTS = ErrorCode(
    "PLAN_RULE_NIGHTS",
    _("Not saved: %(team)s would work more than %(max)s night shifts in the week of %(day)s."),
    400,
)
RULE_OTHER = ErrorCode(
    "PLAN_RULE_BROKEN",
    _("Not saved: the plan would break a rule (%(rule)s)."),
    400,
)
DAY_OUTSIDE_HORIZON = ErrorCode(
    "PLAN_DAY_OUTSIDE_HORIZON",
    _("Not saved: %(day)s is outside the plan's days (%(first)s to %(last)s)."),
    400,
)
