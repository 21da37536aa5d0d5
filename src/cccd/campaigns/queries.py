from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to, visible_with_ancestors
from cccd.campaigns.models import Campaign, Session


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def upcoming_sessions(
    user: User, *, today: datetime.date | None = None, days: int = 14
) -> QuerySet[Session]:
    """Today's sessions (including one still running from last night) and those of the next days."""
    today = today or timezone.localdate()
    start = _midnight(today)
    return (
        visible_to(user, Session.objects.select_related("venue", "team", "campaign", "unit"))
        .filter(ends_at__gt=start, starts_at__lt=_midnight(today + datetime.timedelta(days=days)))
        .exclude(state=Session.State.CANCELLED)
        .order_by("starts_at")
    )


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns of the user's units and of the units above them."""
    return visible_with_ancestors(user, Campaign.objects.select_related("unit")).order_by(
        "-start_date", "name"
    )
