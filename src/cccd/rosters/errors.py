from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

NOT_YOUR_VENUE = ErrorCode(
    "NOT_YOUR_VENUE", _("You can only send lists for your own school or commune."), 403
)
NOT_A_CANDIDATE = ErrorCode(
    "NOT_A_CANDIDATE", _("That person is not among this row's candidates."), 400
)
ROSTER_NOT_CURRENT = ErrorCode(
    "ROSTER_NOT_CURRENT",
    _("A newer version replaced this list; open the current version."),
    409,
)
ROSTER_NOT_CHECKED = ErrorCode(
    "ROSTER_NOT_CHECKED", _("The pre-check of this list has not finished yet."), 409
)
BAD_DECISION = ErrorCode("BAD_DECISION", _("Unknown decision."), 400)
LIST_EXISTS = ErrorCode(
    "LIST_EXISTS",
    _(
        "This session already has a list named “%(name)s”. To send a corrected version of it, choose that list under “This file”; to add another list, give it another name."
    ),
    409,
)
NO_SUCH_LIST = ErrorCode(
    "NO_SUCH_LIST", _("This session has no list named “%(name)s” to replace."), 404
)
NOT_AWAITING = ErrorCode(
    "NOT_AWAITING",
    _("This version of the list is not waiting for a confirmation (it was used or set aside)."),
    409,
)
REPLACEMENT_CHANGED = ErrorCode(
    "REPLACEMENT_CHANGED",
    _(
        "The list was changed since you looked at what this version drops. Look at the changes again before confirming."
    ),
    409,
)
