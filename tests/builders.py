"""Small builders for test data: a slice of the real unit trees, and users in them."""

from __future__ import annotations

from dataclasses import dataclass

from cccd.accounts.models import Role, User
from cccd.accounts.roles import sync_role_groups
from cccd.units.models import Unit
from cccd.units.roots import national_roots

PASSWORD = "Test@cccd2021"


@dataclass
class Tree:
    country: Unit
    ministry: Unit
    daknong: Unit  # Tỉnh Đắk Nông (administrative)
    daknong_police: Unit
    dakmil: Unit  # Huyện Đắk Mil
    dakmil_police: Unit
    daklao: Unit  # Xã Đắk Lao
    daklao_police: Unit
    binhdinh: Unit
    binhdinh_police: Unit
    tayson: Unit
    tayson_police: Unit


def make_unit(parent: Unit, code: str, name: str, level: str, *, scheme: str = "legacy") -> Unit:
    return Unit.objects.create(
        category=parent.category,
        scheme=scheme,
        level=level,
        code=code,
        name=name,
        parent=parent,
        path=Unit.path_for(parent, parent.category, scheme, level, code),
    )


def make_pair(
    admin_parent: Unit, police_parent: Unit, code: str, name: str, level: str
) -> tuple[Unit, Unit]:
    admin = make_unit(admin_parent, code, name, level)
    police = make_unit(police_parent, code, "Công an " + name[:1].lower() + name[1:], level)
    return admin, police


def make_tree() -> Tree:
    country, ministry = national_roots()
    daknong, daknong_police = make_pair(country, ministry, "67", "Tỉnh Đắk Nông", "province")
    dakmil, dakmil_police = make_pair(daknong, daknong_police, "663", "Huyện Đắk Mil", "district")
    daklao, daklao_police = make_pair(dakmil, dakmil_police, "24667", "Xã Đắk Lao", "commune")
    binhdinh, binhdinh_police = make_pair(country, ministry, "52", "Tỉnh Bình Định", "province")
    tayson, tayson_police = make_pair(binhdinh, binhdinh_police, "547", "Huyện Tây Sơn", "district")
    return Tree(
        country,
        ministry,
        daknong,
        daknong_police,
        dakmil,
        dakmil_police,
        daklao,
        daklao_police,
        binhdinh,
        binhdinh_police,
        tayson,
        tayson_police,
    )


def make_user(username: str, role: str, unit: Unit, **fields: str) -> User:
    from django.contrib.auth.models import Group

    if not Group.objects.filter(name=role).exists():  # a flushed (transactional) database
        sync_role_groups()
    user = User(username=username, role=Role(role), unit=unit, **fields)
    user.set_password(PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=role)])
    return user


def make_person(
    commune: Unit,
    full_name: str,
    birth: str,
    sex: str,
    *,
    personal_id: str | None = None,
    household: object = None,
    relation: str = "",
    card_issue_date: object = None,
    card_expiry: object = None,
    hometown: str | None = None,
    permanent_address: str | None = None,
) -> object:
    """A person of the register living in `commune`; `birth` is dd/mm/yyyy or yyyy. Hometown and
    address default to the commune, as a card needs both."""
    import datetime
    import random

    from cccd.core import idnumber, names
    from cccd.registry.models import Person

    year_only = len(birth) == 4
    born = (
        datetime.date(int(birth), 1, 1)
        if year_only
        else datetime.datetime.strptime(birth, "%d/%m/%Y").date()
    )
    seed = f"{full_name}{birth}{Person.objects.count()}"
    pid = personal_id or idnumber.generate("067", sex, born.year, random.Random(seed))
    family, _middle, given = names.split(full_name)
    return Person.objects.create(
        personal_id=pid,
        full_name=full_name,
        name_folded=names.fold(full_name),
        family_folded=names.fold(family),
        given_folded=names.fold(given),
        birth_date=born,
        birth_date_precision="year" if year_only else "day",
        birth_year=born.year,
        sex=sex,
        birth_province_code=pid[:3],
        residence_unit=commune,
        household=household,
        relation_to_head=relation,
        card_issue_date=card_issue_date,
        card_expiry=card_expiry,
        hometown=commune.name if hometown is None else hometown,
        permanent_address=f"Thôn 1, {commune.name}"
        if permanent_address is None
        else permanent_address,
    )
