"""The kit's side of the checkout tests, run as a script in its own process, on its own data
folder (`CCCD_DATA_DIR`) and its own SQLite database: `python kit_side.py PLAN.json`.

The plan names the kit's identity and the steps (`load` a package file, `wipe` a held session,
`report` what the kit holds); the script prints one JSON list, a result per step. Refusals are
reported by their error code, as an operator would read them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def main() -> None:
    import django

    django.setup()
    plan = json.loads(Path(sys.argv[1]).read_text())
    from cccd.kits.models import KitIdentity

    identity, _created = KitIdentity.objects.update_or_create(
        name=plan["identity"]["name"], defaults=plan["identity"]
    )
    sys.stdout.write(json.dumps([step(s, identity) for s in plan["steps"]]) + "\n")


def step(plan: dict[str, Any], identity: Any) -> dict[str, Any]:
    from cccd.errors import DomainError
    from cccd.kits.models import HeldSession
    from cccd.kits.unpack import load_package, wipe_session

    try:
        if plan["do"] == "load":
            held = load_package(Path(plan["file"]).read_bytes(), identity)
            return {"held": [held.session_id, held.code_block_start, held.code_block_end]}
        if plan["do"] == "wipe":
            return {"wiped": wipe_session(HeldSession.objects.get(session_id=plan["session"]))}
        if plan["do"] == "walk_in":
            return {"person": walk_in(plan["session"])}
        return {"report": report(plan.get("passwords", {}))}
    except DomainError as error:
        return {"refused": error.code}


def walk_in(session_id: int) -> int:
    """A person the kit makes itself (as a walk-in not in the register would be): its id."""
    from cccd.campaigns.models import Session
    from cccd.registry.models import Person

    session = Session.objects.select_related("venue").get(pk=session_id)
    person = Person.objects.create(
        personal_id="067099000001",
        full_name="Người Mới",
        name_folded="nguoi moi",
        family_folded="nguoi",
        given_folded="moi",
        birth_date="2005-01-01",
        birth_year=2005,
        sex="M",
        birth_province_code="067",
        residence_unit_id=session.venue.commune_id or 0,
    )
    return person.pk


def report(passwords: dict[str, str]) -> dict[str, Any]:
    from django.apps import apps
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from cccd.accounts.models import User
    from cccd.campaigns.models import Session
    from cccd.kits.models import HeldSession
    from cccd.registry.models import Person
    from cccd.tickets.models import Ticket

    return {
        "counts": {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()},
        "sessions": sorted(Session.objects.values_list("pk", flat=True)),
        "tickets": sorted(Ticket.objects.values_list("pk", "number", "person_id")),
        "people": sorted(Person.objects.values_list("pk", "personal_id")),
        "users": {
            u.username: {
                "pk": u.pk,
                "active": u.is_active,
                "superuser": u.is_superuser,
                "groups": sorted(u.groups.values_list("name", flat=True)),
                "signs_in": authenticate(
                    RequestFactory().post("/login/"),
                    username=u.username,
                    password=passwords.get(u.username, "-"),
                )
                is not None,
            }
            for u in User.objects.all()
        },
        "held": sorted(
            HeldSession.objects.values_list(
                "session_id", "code_block_start", "code_block_end", "next_code"
            )
        ),
    }


if __name__ == "__main__":
    main()
