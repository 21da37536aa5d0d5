from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from cccd.accounts.audit import audit_source
from cccd.accounts.models import User
from cccd.errors import DomainError
from cccd.jobs.leases import JobBusy, LeaseLost
from cccd.registry import services
from cccd.registry.importing import run_import
from cccd.registry.models import RegisterImport


class Command(BaseCommand):
    help = (
        "Import a register file (CSV UTF-8 or .xlsx; interchange columns, Vietnamese or English headers). "
        "Idempotent: run it again after an interruption and it finishes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", type=Path)
        parser.add_argument(
            "--as", dest="username", help="import as this user (their units); default: national"
        )
        parser.add_argument(
            "--resume",
            type=int,
            metavar="IMPORT_ID",
            help="finish an interrupted import (one whose worker holds a live lease is refused)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        with audit_source("cli:import_register"):
            try:
                register_import = self._import(options, actor)
                register_import = self._run(register_import, quiet=options["quiet"])
            except DomainError as exc:
                raise CommandError(exc.message) from None
            except JobBusy as busy:
                raise CommandError(
                    f"Import {busy.job.key} is being run by {busy.job.holder}; it finishes "
                    "there. Run this again only if that worker has stopped."
                ) from None
            except LeaseLost:
                raise CommandError("A worker took this import over; it finishes it.") from None
        if register_import.state == RegisterImport.State.FAILED:
            raise CommandError(register_import.error_message)
        self.stdout.write(
            f"import {register_import.pk}: {register_import.total_rows} rows — {register_import.created} added, "
            f"{register_import.updated} updated, {register_import.unchanged} unchanged, "
            f"{register_import.rejected} rejected"
        )
        if register_import.rejected:
            self.stdout.write(
                f"rejected rows: cccd export_rejected {register_import.pk} rejected.xlsx"
            )

    def _actor(self, username: str | None) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username}.")
        return user

    def _import(self, options: dict[str, Any], actor: User | None) -> RegisterImport:
        if options["resume"]:
            found = (
                RegisterImport.objects.select_related("job", "unit")
                .filter(pk=options["resume"])
                .first()
            )
            if found is None:
                raise CommandError(f"No import {options['resume']}.")
            return found
        path: Path | None = options["file"]
        if path is None or not path.is_file():
            raise CommandError(f"No such file: {path}")
        return services.import_file(path, actor=actor)

    def _run(self, register_import: RegisterImport, *, quiet: bool) -> RegisterImport:
        bar = tqdm(
            total=None,
            unit="rows",
            disable=quiet,
            file=cast("TextIO", self.stderr._out),  # the stream itself: the wrapper adds newlines
            initial=register_import.rows_done,
        )

        def progress(imp: RegisterImport) -> None:
            bar.total = imp.total_rows
            bar.n = imp.rows_done
            bar.refresh()

        try:
            return run_import(register_import, progress=progress)
        finally:
            bar.close()
