from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from cccd.accounts.models import AuditEvent, User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import AUDIT
from cccd.accounts.scoping import visible_to
from cccd.localtime import FIRST_DAY, LAST_DAY, local_midnight
from cccd.units.models import Unit


def audit_trail(
    user: User,
    *,
    action: str = "",
    actor: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit events of the user's subtree, newest first; days are local (Asia/Ho_Chi_Minh)."""
    require_permission(user, AUDIT)
    events = visible_to(user, AuditEvent.objects.select_related("unit"))
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username__iexact=actor)
    # A bound beyond the days anything happens on means "no bound" (and 31/12/9999 + 1 overflows).
    if date_from:
        events = events.filter(at__gte=local_midnight(max(date_from, FIRST_DAY)))
    if date_to:
        end = min(date_to, LAST_DAY) + datetime.timedelta(days=1)
        events = events.filter(at__lt=local_midnight(end))
    return events.order_by("-at", "-id")


def visible_users(user: User, *, q: str = "") -> QuerySet[User]:
    users = visible_to(user, User.objects.select_related("unit"))
    if q:
        users = users.filter(username__icontains=q) | users.filter(last_name__icontains=q)
    return users.order_by("unit__path", "username")


def visible_units(
    user: User, *, q: str = "", level: str = "", category: str = ""
) -> QuerySet[Unit]:
    units = visible_to(user, Unit.objects.all())
    if q:
        units = units.filter(Q(name__icontains=q) | Q(code__iexact=q))
    if level:
        units = units.filter(level=level)
    if category:
        units = units.filter(category=category)
    return units.order_by("path")


def police_units_for(user: User) -> QuerySet[Unit]:
    """The units a user may place other users in."""
    return visible_units(user, category=Unit.Category.POLICE).filter(is_active=True)
