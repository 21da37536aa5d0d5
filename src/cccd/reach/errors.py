"""Refusals of the reach app (`cccd.reach`): each says what was wrong in words the user can act on,
and none of them changes anything. Each feature keeps its codes in one block below.
"""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# --- coverage: building the cohort and accepting suggested targets (cccd.reach.services) -------

COHORT_BUILDING = ErrorCode(
    "COHORT_BUILDING",
    _(
        "The figures of %(campaign)s are being counted already; the coverage page shows them "
        "when the count is done."
    ),
    409,
)
TARGETS_NONE = ErrorCode(
    "TARGETS_NONE", _("Give a target for at least one unit. Nothing was saved."), 400
)
TARGET_VALUE = ErrorCode(
    "TARGET_VALUE",
    _(
        "%(unit)s: a target is a whole number of people from 0 to %(max)s; “%(value)s” is "
        "not. Nothing was saved."
    ),
    400,
)
TARGET_NOT_CHILD = ErrorCode(
    "TARGET_NOT_CHILD",
    _(
        "A target was given for a unit that is not directly below %(place)s: targets are set "
        "here for the units one level down. Nothing was saved."
    ),
    400,
)
TARGET_NO_POLICE_UNIT = ErrorCode(
    "TARGET_NO_POLICE_UNIT",
    _(
        "%(unit)s has no police unit to hold its target: ask an administrator to add it. "
        "Nothing was saved."
    ),
    400,
)
TARGET_OUTSIDE_CAMPAIGN = ErrorCode(
    "TARGET_OUTSIDE_CAMPAIGN",
    _(
        "%(unit)s is outside the campaign %(campaign)s: its targets are for the campaign's own "
        "unit and the units below it. Nothing was saved."
    ),
    400,
)
