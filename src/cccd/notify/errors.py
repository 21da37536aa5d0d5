"""Refusals of the notifications core (`cccd.notify`): a caller's mistake, said before anything is
written, so a refused call leaves no message behind."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

NOTIFY_UNKNOWN_TEMPLATE = ErrorCode(
    "NOTIFY_UNKNOWN_TEMPLATE",
    _("There is no message template %(code)s for the channel %(channel)s. Nothing was queued."),
    400,
)
NOTIFY_BAD_ADDRESS = ErrorCode(
    "NOTIFY_BAD_ADDRESS",
    _("The address is not a valid %(kind)s. Nothing was queued."),
    400,
)
NOTIFY_TEMPLATE_MISMATCH = ErrorCode(
    "NOTIFY_TEMPLATE_MISMATCH",
    _(
        "The template %(code)s needs the values %(expected)s but was given %(given)s. "
        "Nothing was queued."
    ),
    400,
)
NOTIFY_BAD_EVENT_KEY = ErrorCode(
    "NOTIFY_BAD_EVENT_KEY",
    _("An event key is 1 to 200 printable characters. Nothing was queued."),
    400,
)
NOTIFY_BAD_CONTACT = ErrorCode(
    "NOTIFY_BAD_CONTACT",
    _(
        "To be told, give a Vietnamese mobile number (0, 84 or +84, then 9 digits) or an e-mail "
        "address. Nothing was saved."
    ),
    400,
)
