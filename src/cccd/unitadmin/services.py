"""Loading the unit trees and what an administrator does with units.

The trees themselves (`Unit`, the divisions of `vietnamadminunits`) are on the ground floor, in
`cccd.units`, since users, people and sessions all belong to a unit; administering them needs
users, permissions and the audit trail, so it stands above `cccd.accounts`, here."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import MANAGE_UNITS
from cccd.accounts.scoping import get_visible, unit_is_visible
from cccd.unitadmin import errors
from cccd.units import divisions
from cccd.units.models import Unit
from cccd.units.roots import national_roots

UNIT_FIELDS = (
    "category",
    "scheme",
    "level",
    "code",
    "name",
    "division_type",
    "parent",
    "path",
    "is_active",
)
_CHILD_LEVEL = {
    Unit.Level.NATION: Unit.Level.PROVINCE,
    Unit.Level.PROVINCE: Unit.Level.DISTRICT,
    Unit.Level.DISTRICT: Unit.Level.COMMUNE,
}
_CODE = re.compile(r"^[A-Za-z0-9-]{1,16}$")


@dataclass(frozen=True)
class LoadResult:
    scheme: str
    provinces: list[str]
    created: int
    updated: int


@transaction.atomic
def load_units(
    scheme: str, provinces: Iterable[str], *, with_police: bool = True, actor: User | None
) -> LoadResult:
    """Load (or refresh) the divisions of some provinces, and the police units that mirror them.

    Idempotent: a unit is found by (category, scheme, code) and its name, type and parent brought up
    to date, so running it again reuses what is there.
    """
    if actor is not None:
        require_permission(actor, MANAGE_UNITS)
    known = set(divisions.province_codes(scheme))
    wanted = sorted({code.strip().lstrip("0").zfill(2) for code in provinces})
    for code in wanted:
        if code not in known:
            raise errors.UNKNOWN_PROVINCE(code=code, scheme=scheme)
    country, ministry = national_roots()
    categories = [(Unit.Category.ADMIN, country)] + (
        [(Unit.Category.POLICE, ministry)] if with_police else []
    )
    created = updated = 0
    for category, root in categories:
        by_code = {u.code: u for u in Unit.objects.filter(category=category, scheme=scheme)}
        for division in divisions.divisions(scheme, wanted):
            parent = root if division.parent_code is None else by_code[division.parent_code]
            unit, was_created = _upsert(
                category, scheme, division, parent, by_code.get(division.code)
            )
            by_code[unit.code] = unit
            created += was_created
            updated += not was_created
    record(
        "units.load",
        actor=actor,
        unit=country,
        after={"scheme": scheme, "provinces": wanted, "created": created, "updated": updated},
    )
    return LoadResult(scheme, wanted, created, updated)


def _upsert(
    category: str, scheme: str, division: divisions.Division, parent: Unit, unit: Unit | None
) -> tuple[Unit, bool]:
    name = (
        division.name if category == Unit.Category.ADMIN else divisions.police_name(division.name)
    )
    values = {
        "level": division.level,
        "name": name,
        "division_type": division.division_type,
        "parent": parent,
        "path": Unit.path_for(parent, category, scheme, division.level, division.code),
    }
    if unit is None:
        return Unit.objects.create(
            category=category, scheme=scheme, code=division.code, **values
        ), True
    if any(getattr(unit, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(unit, key, value)
        unit.save()
    return unit, False


@transaction.atomic
def create_unit(
    *, parent_id: int, code: str, name: str, division_type: str = "", actor: User
) -> Unit:
    """A unit the package does not know (a new commune police post, a ward created by decree)."""
    require_permission(actor, MANAGE_UNITS)
    parent = get_visible(actor, Unit.objects.select_for_update(), pk=parent_id)
    code = code.strip()
    if not _CODE.match(code):
        raise errors.BAD_CODE()
    level = _CHILD_LEVEL.get(Unit.Level(parent.level))
    if level is None:
        raise errors.PARENT_WRONG_TREE()
    scheme = parent.scheme if parent.level != Unit.Level.NATION else Unit.Scheme.LEGACY
    if Unit.objects.filter(category=parent.category, scheme=scheme, code=code).exists():
        raise errors.UNIT_CODE_TAKEN(code=code)
    unit = Unit.objects.create(
        category=parent.category,
        scheme=scheme,
        level=level,
        code=code,
        name=name.strip(),
        division_type=division_type.strip(),
        parent=parent,
        path=Unit.path_for(parent, parent.category, scheme, level, code),
    )
    record("unit.create", actor=actor, unit=unit, obj=unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


@transaction.atomic
def update_unit(
    unit_id: int,
    *,
    actor: User,
    name: str | None = None,
    division_type: str | None = None,
    is_active: bool | None = None,
) -> Unit:
    """Rename a unit or (de)activate it; codes and parents are fixed, as the paths depend on them."""
    require_permission(actor, MANAGE_UNITS)
    unit = get_visible(actor, Unit.objects.select_for_update(), pk=unit_id)
    before = snapshot(unit, UNIT_FIELDS)
    if name is not None:
        unit.name = name.strip()
    if division_type is not None:
        unit.division_type = division_type.strip()
    if is_active is False and unit.children.filter(is_active=True).exists():
        raise errors.UNIT_HAS_CHILDREN()
    if is_active is not None:
        unit.is_active = is_active
    unit.save()
    after = snapshot(unit, UNIT_FIELDS)
    if after != before:
        record("unit.update", actor=actor, unit=unit, obj=unit, before=before, after=after)
    return unit


def can_manage(actor: User, unit: Unit) -> bool:
    return actor.has_perm(MANAGE_UNITS) and unit_is_visible(actor, unit.path)
