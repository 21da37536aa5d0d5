"""Refusals of the report pages and API, with a sentence an officer understands. A query value
that cannot be read is `cccd.errors.BAD_QUERY` (`cccd.queryforms`)."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

FUTURE_DAY = ErrorCode(
    "FUTURE_DAY",
    _("%(day)s has not come yet: figures go up to today, %(today)s, at the latest."),
    400,
)
BAD_FORMAT = ErrorCode("BAD_FORMAT", _("Reports come as xlsx or pdf, not “%(text)s”."), 400)

# the officers' report (cccd.reports.officers)
PERIOD_TOO_LONG = ErrorCode(
    "PERIOD_TOO_LONG",
    _("The period is %(days)s days long: choose at most %(max)s days."),
    400,
)
PERIOD_REVERSED = ErrorCode(
    "PERIOD_REVERSED",
    _("The period ends (%(to)s) before it starts (%(from)s)."),
    400,
)
