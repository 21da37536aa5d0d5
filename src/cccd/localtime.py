"""Days as the officers live them: local (Asia/Ho_Chi_Minh) midnights, for filters by day."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

# The days anything in cccd is about (register birth dates to plans a lifetime ahead). A day
# outside is a typo or a probe, and near the ends of Python's calendar a time-zone shift overflows.
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)


def is_plausible(day: datetime.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The aware start of `day` in the configured time zone (a night session after 00:00 is the next day)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
