"""The demo installation: units of Đắk Nông and Bình Định as in 2021, and one user per role.

Deterministic and idempotent: running it again finds what is there and creates only what is
missing. The passwords are printed and listed in README.md; they are for a demo only.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from cccd.accounts.models import Role, User
from cccd.accounts.services import create_administrator, create_user
from cccd.units.models import Unit
from cccd.units.services import load_units

DEMO_PROVINCES = ["67", "52"]  # Đắk Nông, Bình Định (legacy codes)
DEMO_DISTRICTS = ["663", "547"]  # Đắk Mil, Tây Sơn
DEMO_PEOPLE = 22000


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    unit_path: str
    first_name: str
    last_name: str


DEMO_USERS = [
    DemoUser("quantri", "Demo@cccd2021", Role.ADMINISTRATOR, "/ca/", "Minh", "Trần Quang"),
    DemoUser("chihuy.daknong", "Demo@cccd2021", Role.COMMANDER, "/ca/L67/", "Hùng", "Nguyễn Văn"),
    DemoUser("chihuy.dakmil", "Demo@cccd2021", Role.COMMANDER, "/ca/L67/663/", "Dũng", "Lê Tiến"),
    DemoUser(
        "totruong.dakmil", "Demo@cccd2021", Role.TEAM_LEADER, "/ca/L67/663/", "Thắng", "Phạm Đức"
    ),
    DemoUser(
        "canbo.dakmil", "Demo@cccd2021", Role.OFFICER, "/ca/L67/663/", "Hương", "Đặng Thị Thu"
    ),
    DemoUser("hauky.dakmil", "Demo@cccd2021", Role.BACK_OFFICE, "/ca/L67/663/", "Lan", "Võ Thị"),
    DemoUser(
        "lienlac.dakmil", "Demo@cccd2021", Role.LIAISON, "/ca/L67/663/", "Bình", "Hoàng Thanh"
    ),
    DemoUser("canbo.tayson", "Demo@cccd2021", Role.OFFICER, "/ca/L52/547/", "Tâm", "Huỳnh Minh"),
    DemoUser("chihuy.tayson", "Demo@cccd2021", Role.COMMANDER, "/ca/L52/547/", "Phong", "Bùi Văn"),
]


def seed_units() -> None:
    if (
        not Unit.objects.filter(path="/ca/L52/547/").exists()
        or not Unit.objects.filter(path="/ca/L67/663/").exists()
    ):
        load_units("legacy", DEMO_PROVINCES, with_police=True, actor=None)


@transaction.atomic
def seed_users() -> list[tuple[DemoUser, bool]]:
    """Create the missing demo users; report which ones were new."""
    results = []
    administrator = None
    for demo in DEMO_USERS:  # the administrator comes first and creates the others
        existing = User.objects.filter(username=demo.username).first()
        if demo.role == Role.ADMINISTRATOR:
            administrator = existing
        if existing is not None:
            results.append((demo, False))
            continue
        unit = Unit.objects.get(path=demo.unit_path)
        if demo.role == Role.ADMINISTRATOR:
            administrator = user = create_administrator(
                username=demo.username, password=demo.password, unit=unit
            )
            user.first_name, user.last_name = demo.first_name, demo.last_name
            user.save(update_fields=["first_name", "last_name"])
        else:
            create_user(
                username=demo.username, password=demo.password, unit=unit, role=demo.role,
                first_name=demo.first_name, last_name=demo.last_name, actor=administrator,
            )  # fmt: skip
        results.append((demo, True))
    return results


def seed_register(seed: int) -> int:
    """Generate the demo register for Đắk Mil and Tây Sơn and import it (once); the people count."""
    from django.conf import settings

    from cccd.registry.generator import communes_for_districts, generate_people, write_csv
    from cccd.registry.importing import run_import
    from cccd.registry.models import Person
    from cccd.registry.services import import_file

    if Person.objects.exists():
        return Person.objects.count()
    path = settings.DATA_DIR / f"demo-register-{seed}.csv"
    rows = generate_people(
        seed=seed, communes=communes_for_districts(DEMO_DISTRICTS), people=DEMO_PEOPLE
    )
    write_csv(rows, path, bom=True)
    run_import(import_file(path, actor=None, unit_path="/ca/"))
    return Person.objects.count()
