"""Days as the officers live them: local (Asia/Ho_Chi_Minh) midnights, for filters by day."""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The aware start of `day` in the configured time zone (a night session after 00:00 is the next day)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
