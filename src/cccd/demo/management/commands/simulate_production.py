"""`cccd simulate_production BATCH_CODE`: play the card production centre for a batch
(`cccd.demo.card_centre`), for the demo and the tests: check the batch file, make the cards (or
refuse the dossiers named with --reject), and write the centre's signed result file, or import it
at once as a user of the unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.accounts.audit import audit_source
from cccd.accounts.models import User
from cccd.demo.card_centre import simulate_result
from cccd.enrollments.models import ProductionBatch
from cccd.enrollments.production import services as production
from cccd.errors import DomainError


class Command(BaseCommand):
    help = (
        "Play the card production centre for a batch: writes <batch>-result.zip (or --out FILE), "
        "or imports the result at once with --import-as USERNAME."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_code")
        parser.add_argument(
            "--reject",
            action="append",
            default=[],
            metavar="CODE=REASON",
            help="refuse this dossier at the centre, with this reason (repeatable)",
        )
        parser.add_argument("--out", type=Path, help="where to write the result zip")
        parser.add_argument("--import-as", dest="username", help="import the result as this user")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = ProductionBatch.objects.filter(code=options["batch_code"]).first()
        if batch is None:
            raise CommandError(f"No batch {options['batch_code']}.")
        reject = self._rejections(options["reject"])
        actor = self._actor(options["username"])
        with audit_source("cli:simulate_production"):
            try:
                data = simulate_result(batch, reject=reject)
                out = options["out"]
                if out is None and actor is None:
                    out = Path(f"{batch.code}-result.zip")
                if out is not None:
                    out.write_bytes(data)
                    self.stdout.write(f"result of {batch.code} written to {out}")
                if actor is not None:
                    summary = production.import_result(data, actor=actor)
                    self.stdout.write(
                        f"result of {batch.code} imported: {summary.produced} produced, "
                        f"{len(summary.rejected)} refused"
                    )
            except DomainError as exc:
                raise CommandError(exc.message) from None
            except OSError as exc:
                raise CommandError(f"Cannot write {options['out']}: {exc.strerror}") from None

    def _rejections(self, values: list[str]) -> dict[str, str]:
        reject = {}
        for value in values:
            code, sep, reason = value.partition("=")
            if not sep or not code.strip() or not reason.strip():
                raise CommandError(f"--reject takes CODE=REASON, not {value!r}.")
            reject[code.strip()] = reason.strip()
        return reject

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        return user
