from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.units.models import Unit


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


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.annotate(child_count=Count("children")).order_by("code")


def police_units_for(user: User) -> QuerySet[Unit]:
    """The units a user may place other users in."""
    return visible_units(user, category=Unit.Category.POLICE).filter(is_active=True)
