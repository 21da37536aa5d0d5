"""The roots of the two unit trees: the country and the ministry."""

from __future__ import annotations

from cccd.units.models import Unit


def national_roots() -> tuple[Unit, Unit]:
    """The country (administrative root) and the ministry (police root), made on first use."""
    country, _ = Unit.objects.get_or_create(
        path=Unit.path_for(None, Unit.Category.ADMIN, "", "", ""),
        defaults={
            "category": Unit.Category.ADMIN,
            "scheme": Unit.Scheme.NATIONAL,
            "level": Unit.Level.NATION,
            "code": "VN",
            "name": "Việt Nam",
            "division_type": "Quốc gia",
        },
    )
    ministry, _ = Unit.objects.get_or_create(
        path=Unit.path_for(None, Unit.Category.POLICE, "", "", ""),
        defaults={
            "category": Unit.Category.POLICE,
            "scheme": Unit.Scheme.NATIONAL,
            "level": Unit.Level.NATION,
            "code": "BCA",
            "name": "Bộ Công an",
            "division_type": "Bộ",
        },
    )
    return country, ministry
