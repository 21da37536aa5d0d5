from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

DESK_BUSY = ErrorCode(
    "DESK_BUSY",
    _("Desk %(desk)s is still on number %(number)s: finish, skip or send it on first."),
    409,
)
QUEUE_EMPTY = ErrorCode("QUEUE_EMPTY", _("Nobody is waiting."), 409)
DESK_NOT_OPEN = ErrorCode(
    "DESK_NOT_OPEN", _("Open desk %(desk)s before calling numbers at it."), 409
)
DESK_TAKEN = ErrorCode("DESK_TAKEN", _("Desk %(desk)s is already open for another officer."), 409)
WRONG_STATE = ErrorCode(
    "WRONG_STATE", _("Number %(number)s is %(state)s: that cannot be done now."), 409
)
NOT_AT_YOUR_DESK = ErrorCode("NOT_AT_YOUR_DESK", _("Number %(number)s is not at this desk."), 409)
OTHER_SESSION = ErrorCode(
    "OTHER_SESSION", _("That number and that desk belong to different sessions."), 400
)
SAME_DESK = ErrorCode("SAME_DESK", _("The number is already at desk %(desk)s."), 400)
NO_ROSTER = ErrorCode(
    "NO_ROSTER", _("This session has no pre-checked list to hand out numbers from."), 409
)
SESSION_NOT_RUNNING = ErrorCode(
    "SESSION_NOT_RUNNING", _("The session is closed or cancelled: its queue is frozen."), 409
)
OFFICER_AT_ANOTHER_DESK = ErrorCode(
    "OFFICER_AT_ANOTHER_DESK",
    _("You already hold desk %(desk)s at %(venue)s (%(when)s): close it before opening another."),
    409,
)
ALREADY_HAS_NUMBER = ErrorCode(
    "ALREADY_HAS_NUMBER",
    _("%(name)s already has number %(number)s in this session (%(state)s)."),
    409,
)
