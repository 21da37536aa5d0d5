from __future__ import annotations

from django.db.models import Count, QuerySet

from cccd.units.models import Unit


def unit_children(unit: Unit) -> QuerySet[Unit]:
    return unit.children.annotate(child_count=Count("children")).order_by("code")
