from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

NOT_YOUR_VENUE = ErrorCode(
    "NOT_YOUR_VENUE", _("You can only send lists for your own school or commune."), 403
)
NOT_A_CANDIDATE = ErrorCode(
    "NOT_A_CANDIDATE", _("That person is not among this row's candidates."), 400
)
ROSTER_NOT_CURRENT = ErrorCode(
    "ROSTER_NOT_CURRENT", _("A newer list replaced this one; open the current list."), 409
)
ROSTER_NOT_CHECKED = ErrorCode(
    "ROSTER_NOT_CHECKED", _("The pre-check of this list has not finished yet."), 409
)
BAD_DECISION = ErrorCode("BAD_DECISION", _("Unknown decision."), 400)
