"""`cccd audit_partitions ensure|list|detach`: the audit trail's monthly partitions (PostgreSQL)."""

from __future__ import annotations

import shlex
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connection

from cccd.accounts import partitions
from cccd.accounts.audit import audit_source


def _size(size: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024  # type: ignore[assignment]
    raise AssertionError  # pragma: no cover


class Command(BaseCommand):
    help = (
        "The audit trail's monthly partitions on PostgreSQL. `ensure` makes the coming months' "
        "partitions (run it daily; `cccd db_worker` does it too), `list` shows them, `detach` "
        "takes months older than the retention out of the table for archiving."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "step",
            choices=["ensure", "list", "detach"],
            help="ensure: make this month's and the coming months' partitions; list: the "
            "partitions and archives with rows and sizes; detach: take months before --before "
            "out of the table",
        )
        parser.add_argument(
            "--months-ahead",
            type=int,
            default=3,
            help=f"ensure: months after this one to make (0..{partitions.MAX_MONTHS_AHEAD}, default 3)",
        )
        parser.add_argument(
            "--exact", action="store_true", help="list: count rows (slow on a big table)"
        )
        parser.add_argument("--before", help="detach: the first month kept, e.g. 2024-07")
        parser.add_argument(
            "--confirm", action="store_true", help="detach: do it (without: say what it would do)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        self.verbosity = options["verbosity"]
        try:
            if step == "ensure":
                self._ensure(options["months_ahead"])
            elif step == "list":
                self._list(exact=options["exact"])
            elif not options["before"]:
                raise CommandError("detach needs --before YYYY-MM: the first month to keep.")
            else:
                self._detach(options["before"], confirm=options["confirm"])
        except partitions.NotPartitioned as exc:
            if step == "ensure":  # cron may run it anywhere: nothing to make is no failure
                if self.verbosity >= 1:
                    self.stdout.write(f"{exc}")
                return
            raise CommandError(str(exc)) from None
        except partitions.PartitionRefused as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:  # a lock not granted in time, a table in the way
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise CommandError(
                f"PostgreSQL refused the {step}: {reason}. The step that failed changed nothing; "
                "`cccd audit_partitions list` shows where things stand. Run it again at a quiet "
                "hour, or move the table in the way."
            ) from None

    def _ensure(self, months_ahead: int) -> None:
        with audit_source("cli:audit_partitions ensure"):
            result = partitions.ensure(months_ahead)
        for name in result.created:
            moved = result.moved.get(name)
            note = (
                f" ({moved} rows moved out of the DEFAULT partition)" if moved is not None else ""
            )
            self.stdout.write(f"made {name}{note}")
        if not result.created and self.verbosity >= 1:
            self.stdout.write("Every partition is there already.")

    def _list(self, *, exact: bool) -> None:
        rows = partitions.partitions(exact=exact)
        self.stdout.write(f"{'partition':<44} {'month':<8} {'rows':>14} {'size':>11}  state")
        for p in rows:
            month = partitions.month_text(p.month) if p.month else "-"
            count = f"{p.rows:,}" if p.exact else f"~{p.rows:,}" if p.rows >= 0 else "?"
            state = "attached" if p.attached else "detached: dump and drop"
            if p.name == partitions.DEFAULT_PARTITION:
                state += ", DEFAULT" + (" (run ensure)" if p.rows > 0 else "")
            self.stdout.write(f"{p.name:<44} {month:<8} {count:>14} {_size(p.bytes):>11}  {state}")
        if not exact:
            self.stdout.write(
                "Row counts are PostgreSQL's estimates (~; ? before its first ANALYZE); "
                "--exact counts them."
            )

    def _detach(self, before_text: str, *, confirm: bool) -> None:
        before = partitions.parse_month(before_text)
        months = partitions.to_detach(before)
        if not confirm:
            names = ", ".join(name for _month, name in months) or "none"
            raise CommandError(
                f"Detaching takes these partitions out of the audit trail: {names}. "
                "Their rows no longer show in cccd. Add --confirm to do it."
            )
        with audit_source("cli:audit_partitions detach"):
            done = partitions.detach(before)
        if not done:
            self.stdout.write(f"No partition before {partitions.month_text(before)} is attached.")
            return
        for archive, rows in done:
            self.stdout.write(f"detached {archive} (rows: {rows})")
        database = shlex.quote(str(connection.settings_dict["NAME"]))
        self.stdout.write(
            "Archive each, then drop it:\n"
            + "\n".join(
                f"  pg_dump -Fc -t {archive} -f {archive}.dump {database} && "
                f"psql {database} -c 'DROP TABLE {archive}'"
                for archive, _rows in done
            )
        )
