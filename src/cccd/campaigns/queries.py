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


def hand_on_targets(
    user: User, session: Session, *, now: datetime.datetime | None = None
) -> QuerySet[Session]:
    """The sessions the numbers left at `session`'s close may be handed on to: later sessions of
    its unit that are neither over, closed nor cancelled, first to start first. The close page
    offers them (the venue's own first) and `close_session` accepts only these."""
    return (
        visible_to(user, Session.objects.select_related("venue", "unit"))
        .filter(
            unit_id=session.unit_id,
            starts_at__gt=session.starts_at,
            ends_at__gt=now or timezone.now(),
        )
        .exclude(state__in=Session.ENDED)
        .exclude(pk=session.pk)
        .order_by("starts_at", "pk")
    )


def tonight_sessions(user: User, *, now: datetime.datetime | None = None) -> QuerySet[Session]:
    """Today's sessions of the user's units, including last night's still running after midnight
    (so at 00:30 the evening that began at 19:00 is still "tonight"), first to start first."""
    return upcoming_sessions(user, today=timezone.localdate(now), days=1)
