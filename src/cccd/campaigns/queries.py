from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from cccd.accounts.models import Role, User
from cccd.accounts.scoping import visible_to, visible_with_ancestors
from cccd.campaigns.models import Campaign, Session
from cccd.localtime import local_midnight


def upcoming_sessions(
    user: User, *, today: datetime.date | None = None, days: int = 14
) -> QuerySet[Session]:
    """Today's sessions (including one still running from last night) and those of the next days;
    a liaison's are those at their own venues only (`cccd.accounts.roles`)."""
    today = today or timezone.localdate()
    start = local_midnight(today)
    sessions = visible_to(user, Session.objects.select_related("venue", "team", "campaign", "unit"))
    if user.role == Role.LIAISON:
        sessions = sessions.filter(venue__liaison=user)
    return (
        sessions.filter(
            ends_at__gt=start, starts_at__lt=local_midnight(today + datetime.timedelta(days=days))
        )
        .exclude(state=Session.State.CANCELLED)
        .order_by("starts_at")
    )


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns of the user's units and of the units above them."""
    return visible_with_ancestors(user, Campaign.objects.select_related("unit")).order_by(
        "-start_date", "name"
    )
