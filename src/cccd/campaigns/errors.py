from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

DATES_REVERSED = ErrorCode("DATES_REVERSED", _("The end date is before the start date."), 400)
CAMPAIGN_DAYS = ErrorCode(
    "CAMPAIGN_DAYS",
    _("A campaign's dates must fall between %(first)s and %(last)s."),
    400,
)
UNIT_NOT_BELOW = ErrorCode(
    "UNIT_NOT_BELOW", _("A target can only be set for the campaign's unit or a unit below it."), 400
)
NOT_A_POLICE_UNIT = ErrorCode("NOT_A_POLICE_UNIT", _("Choose a police unit."), 400)
SESSION_TIMES = ErrorCode(
    "SESSION_TIMES", _("A session must end after it starts and last at most 24 hours."), 400
)
SESSION_OUTSIDE_CAMPAIGN = ErrorCode(
    "SESSION_OUTSIDE_CAMPAIGN",
    _("The session starts outside the campaign's dates (%(start)s – %(end)s)."),
    400,
)
SESSION_VENUE_UNIT = ErrorCode(
    "SESSION_VENUE_UNIT",
    _("The venue and the team must belong to the campaign's unit or a unit below it."),
    400,
)
BAD_NUMBER = ErrorCode("BAD_NUMBER", _("%(field)s must be between %(min)s and %(max)s."), 400)
TEAM_LEADER_UNIT = ErrorCode(
    "TEAM_LEADER_UNIT", _("The team leader and members must work in the team's unit."), 400
)
SESSION_ALREADY_PLANNED = ErrorCode(
    "SESSION_ALREADY_PLANNED",
    _("%(team)s already has a session at %(venue)s at overlapping hours (%(when)s)."),
    409,
)
TEAM_BUSY = ErrorCode(
    "TEAM_BUSY",
    _(
        "%(team)s is already planned at %(venue)s at that time (%(when)s): a team is in one place at a time."
    ),
    409,
)
SESSION_CLASHES = ErrorCode(
    "SESSION_CLASHES",
    _("Check before planning: %(clashes)s. Tick “plan it anyway” if this is intended."),
    409,
)
