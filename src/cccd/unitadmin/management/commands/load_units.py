from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.accounts.audit import audit_source
from cccd.errors import DomainError
from cccd.unitadmin.services import load_units
from cccd.units import divisions


class Command(BaseCommand):
    help = (
        "Load administrative divisions (and the police units that mirror them) from the "
        "vietnamadminunits package. Idempotent. Example: cccd load_units --scheme legacy 67 52"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("provinces", nargs="*", help="province codes (two digits); none = all")
        parser.add_argument("--scheme", choices=["legacy", "2025"], default="legacy")
        parser.add_argument(
            "--no-police", action="store_true", help="administrative divisions only"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scheme = options["scheme"]
        provinces = options["provinces"] or divisions.province_codes(scheme)
        with audit_source("cli:load_units"):
            try:
                result = load_units(
                    scheme, provinces, with_police=not options["no_police"], actor=None
                )
            except DomainError as exc:
                raise CommandError(exc.message) from None
        self.stdout.write(
            f"{result.scheme}: {len(result.provinces)} province(s), "
            f"{result.created} unit(s) created, {result.updated} already there"
        )
