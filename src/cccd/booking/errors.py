"""Refusals of online booking. The public ones never say which field of an identity was wrong nor
show any data of the register (docs/booking.md)."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

BOOKING_ID_NEEDED = ErrorCode(
    "BOOKING_ID_NEEDED", _("Type the personal ID number: 12 digits, as on the card or papers."), 400
)
BOOKING_NAME_NEEDED = ErrorCode(
    "BOOKING_NAME_NEEDED", _("Type the full name as in the papers (at most 120 characters)."), 400
)
BOOKING_BIRTH_DATE_NEEDED = ErrorCode(
    "BOOKING_BIRTH_DATE_NEEDED",
    _("Type the date of birth as dd/mm/yyyy (only the year if the papers show only the year)."),
    400,
)
BOOKING_CONTACT_NEEDED = ErrorCode(
    "BOOKING_CONTACT_NEEDED",
    _("Type a Vietnamese mobile number (e.g. 0912345678) or an e-mail address."),
    400,
)
BOOKING_NOT_MATCHED = ErrorCode(
    "BOOKING_NOT_MATCHED",
    _(
        "The details do not match the national population database. You can still come in "
        "person: bring your birth certificate and a paper proving where you live."
    ),
    400,
)
BOOKING_ALREADY_BOOKED = ErrorCode(
    "BOOKING_ALREADY_BOOKED",
    _(
        "This person already has a booking. Use the link in the confirmation message to move or "
        "cancel it."
    ),
    409,
)
BOOKING_NOT_NEEDED = ErrorCode(
    "BOOKING_NOT_NEEDED",
    _(
        "This person already has a queue number for this session or an application in progress: "
        "no booking is needed. Ask at the venue if in doubt."
    ),
    409,
)
BOOKING_SLOT_FULL = ErrorCode(
    "BOOKING_SLOT_FULL", _("This time slot has just filled up: please choose another."), 409
)
BOOKING_SLOT_UNAVAILABLE = ErrorCode(
    "BOOKING_SLOT_UNAVAILABLE",
    _("This time slot is not open to booking (it has passed, or the session is closed)."),
    404,
)
BOOKING_TOO_MANY_ATTEMPTS = ErrorCode(
    "BOOKING_TOO_MANY_ATTEMPTS",
    _("Too many attempts. Please try again later, or come in person."),
    429,
)
BOOKING_LINK_UNKNOWN = ErrorCode(
    "BOOKING_LINK_UNKNOWN",
    _("This booking link is not valid. Check the link in your message."),
    404,
)
BOOKING_NOT_ACTIVE = ErrorCode(
    "BOOKING_NOT_ACTIVE",
    _("This booking is %(state)s: it can no longer be moved or cancelled."),
    409,
)
BOOKING_AT_DESK = ErrorCode(
    "BOOKING_AT_DESK",
    _("Your number is being called or served: the booking can no longer be moved or cancelled."),
    409,
)
BOOKING_CONFIRM_CANCEL = ErrorCode(
    "BOOKING_CONFIRM_CANCEL", _("Tick the box to confirm that you want to cancel."), 400
)
BOOKING_SAME_SLOT = ErrorCode("BOOKING_SAME_SLOT", _("The booking is already in this slot."), 400)
BOOKING_PLAN_INVALID = ErrorCode(
    "BOOKING_PLAN_INVALID",
    _(
        "Slots last %(low)s to %(high)s minutes and hold at least one place each when booking "
        "is open."
    ),
    400,
)
BOOKING_PLAN_OVER_CAPACITY = ErrorCode(
    "BOOKING_PLAN_OVER_CAPACITY",
    _(
        "%(slots)s slots of %(places)s places make %(total)s, more than the session's capacity "
        "of %(capacity)s."
    ),
    400,
)
BOOKING_PLAN_HAS_BOOKINGS = ErrorCode(
    "BOOKING_PLAN_HAS_BOOKINGS",
    _(
        "The slots already hold bookings: the slot length cannot change, and a slot cannot have "
        "fewer places than it has bookings (%(booked)s)."
    ),
    409,
)
BOOKING_SESSION_ENDED = ErrorCode(
    "BOOKING_SESSION_ENDED", _("The session is over, closed or cancelled: booking is shut."), 409
)
