"""Refusals of the reach pages and files, with a sentence a commune officer understands. A query
value that cannot be read is `cccd.errors.BAD_QUERY` (`cccd.queryforms`)."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# the lists of people still to reach (cccd.reach.lists)
LIST_TOO_LONG = ErrorCode(
    "LIST_TOO_LONG",
    _(
        "The list holds %(count)s people; this file holds at most %(max)s. Choose a village, or "
        "only the people to visit at home, and download it again."
    ),
    400,
)
UNKNOWN_VILLAGE = ErrorCode(
    "UNKNOWN_VILLAGE",
    _("%(place)s has no village “%(village)s” in this campaign's list: choose one from the list."),
    400,
)
