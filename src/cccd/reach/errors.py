"""Refusals of the reach app: home-visit marks and home-visit rounds (docs/reach.md)."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# --- marks ---------------------------------------------------------------------------------------
MARK_REASON = ErrorCode(
    "MARK_REASON",
    _("Choose why the person must be visited at home: disabled, bedridden or another reason."),
    400,
)
MARK_NOTE_REQUIRED = ErrorCode(
    "MARK_NOTE_REQUIRED", _("Say in the note why the person must be visited at home."), 400
)

# --- planning a round ----------------------------------------------------------------------------
ROUND_EMPTY = ErrorCode("ROUND_EMPTY", _("Choose at least one person for the round."), 400)
ROUND_TOO_LARGE = ErrorCode(
    "ROUND_TOO_LARGE",
    _("A round holds at most %(max)s homes; %(count)s people were chosen: plan two rounds."),
    400,
)
ROUND_PERSON_TWICE = ErrorCode(
    "ROUND_PERSON_TWICE", _("A person is chosen more than once for the round."), 400
)
ROUND_PEOPLE_UNKNOWN = ErrorCode(
    "ROUND_PEOPLE_UNKNOWN",
    _("%(count)s of the people chosen are not in the register of your unit."),
    400,
)
ROUND_PEOPLE_ELSEWHERE = ErrorCode(
    "ROUND_PEOPLE_ELSEWHERE",
    _("%(count)s of the people chosen do not live in %(commune)s: a round visits one commune."),
    400,
)
ROUND_COMMUNE_OUTSIDE_CAMPAIGN = ErrorCode(
    "ROUND_COMMUNE_OUTSIDE_CAMPAIGN",
    _("%(commune)s is not in the campaign's unit."),
    400,
)
ROUND_STARTED = ErrorCode(
    "ROUND_STARTED",
    _("The round has started or has outcomes recorded: its homes can no longer be changed."),
    409,
)
ROUND_ORDER_MISMATCH = ErrorCode(
    "ROUND_ORDER_MISMATCH",
    _("The new order must list every home of the round exactly once."),
    400,
)
ROUND_LAST_HOME = ErrorCode(
    "ROUND_LAST_HOME",
    _("A round keeps at least one home: cancel the session instead."),
    409,
)

# --- outcomes ------------------------------------------------------------------------------------
VISIT_OUTCOME = ErrorCode(
    "VISIT_OUTCOME",
    _("Choose how the visit ended: enrolled, not at home, moved, refused or other."),
    400,
)
VISIT_NOTE_REQUIRED = ErrorCode(
    "VISIT_NOTE_REQUIRED", _("Write a note: “%(outcome)s” needs one."), 400
)
VISIT_CORRECTION_NOTE = ErrorCode(
    "VISIT_CORRECTION_NOTE",
    _("The visit's outcome is already recorded: say in the note why it is corrected."),
    400,
)
VISIT_CORRECTION_LEADER = ErrorCode(
    "VISIT_CORRECTION_LEADER",
    _("The visit's outcome is already recorded: only the team leader may correct it."),
    403,
)
VISIT_NOT_ENROLLED = ErrorCode(
    "VISIT_NOT_ENROLLED",
    _(
        "The person has no dossier taken in this round or received on its day: finish the "
        "intake first, then record “enrolled”."
    ),
    409,
)
VISIT_NOT_YET = ErrorCode(
    "VISIT_NOT_YET",
    _("The round is planned for %(day)s: its outcomes are recorded from that day."),
    409,
)
VISIT_SESSION_CANCELLED = ErrorCode(
    "VISIT_SESSION_CANCELLED", _("The round was cancelled: nothing can be recorded on it."), 409
)
