from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.registry.models import RegisterImport
from cccd.registry.xlsx import write_rejected_rows


class Command(BaseCommand):
    help = "Write the rejected rows of a register import to an .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("import_id", type=int)
        parser.add_argument("out", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        register_import = RegisterImport.objects.filter(pk=options["import_id"]).first()
        if register_import is None:
            raise CommandError(f"No import {options['import_id']}.")
        count = write_rejected_rows(register_import, options["out"])
        self.stdout.write(f"{count} rejected row(s) written to {options['out']}")
