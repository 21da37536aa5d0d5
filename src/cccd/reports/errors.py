"""Refusals of the report pages and API, with a sentence an officer understands. A query value
that cannot be read is `cccd.queryforms.BAD_QUERY`."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

FUTURE_DAY = ErrorCode(
    "FUTURE_DAY",
    _("%(day)s has not come yet: figures go up to today, %(today)s, at the latest."),
    400,
)
BAD_FORMAT = ErrorCode("BAD_FORMAT", _("Reports come as xlsx or pdf, not “%(text)s”."), 400)
