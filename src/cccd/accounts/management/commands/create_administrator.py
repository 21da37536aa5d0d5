from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.accounts.audit import audit_source
from cccd.accounts.services import create_administrator
from cccd.errors import DomainError
from cccd.units.models import POLICE_ROOT, Unit
from cccd.units.roots import national_roots


class Command(BaseCommand):
    help = "Create the first administrator (at the ministry unless --unit-path is given)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--unit-path", default=POLICE_ROOT, help="path of a police unit, e.g. /ca/L67/"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        national_roots()
        unit = Unit.objects.filter(path=options["unit_path"]).first()
        if unit is None:
            raise CommandError(
                f"No unit has the path {options['unit_path']}; run `cccd load_units` first."
            )
        password = getpass.getpass("Password: ")
        with audit_source("cli:create_administrator"):
            try:
                user = create_administrator(
                    username=options["username"], password=password, unit=unit
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(f"Administrator {user.username} created in {unit.name}.")
