"""`cccd demo_kit code|session`: the district's half of pairing the demo's field kit, for `make demo`.

`code` issues a fresh one-time pairing code for the demo kit and prints only the code: the
register command prints a code once and refuses a second registration, while the demo must be
able to pair again whenever the kit's folder (var/kit/) is started afresh. A kit already paired is
put back to waiting (its keys forgotten, its checkouts given back), as if registered again: a
demo shortcut, never a production path (production revokes and registers a new kit).
`session` prints the id of tomorrow's session seeded for the kit to check out.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cccd.accounts.audit import audit_source, record
from cccd.demo import seed
from cccd.fieldkit import keys
from cccd.kits.models import Checkout, Kit


class Command(BaseCommand):
    help = "The demo kit: a fresh pairing code (code) or the session it checks out (session)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["code", "session"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "session":
            session = seed.demo_kit_session()
            if session is None:
                raise CommandError("No session for the demo kit: run `cccd seed_demo` first.")
            self.stdout.write(str(session.pk))
            return
        with audit_source("cli:demo_kit code"):
            self.stdout.write(_fresh_code())


@transaction.atomic
def _fresh_code() -> str:
    kit = Kit.objects.select_for_update().filter(name=seed.DEMO_KIT).first()
    if kit is None:
        raise CommandError("The demo kit is not registered: run `cccd seed_demo` first.")
    if kit.state == Kit.State.REVOKED:
        raise CommandError(f"The demo kit {kit.name} was revoked; it cannot pair again.")
    code = keys.new_pairing_code()
    Checkout.objects.filter(kit=kit, state=Checkout.State.OUT).update(
        state=Checkout.State.REVOKED_OUT
    )
    kit.state, kit.pairing_code_sha256 = Kit.State.REGISTERED, keys.pairing_code_digest(code)
    kit.signing_public_key = kit.encryption_public_key = ""
    kit.paired_at = None
    kit.save()
    record("kit.register", actor=None, unit=kit.unit, obj=kit, after={"state": kit.state})
    return code
