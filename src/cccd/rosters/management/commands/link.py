"""`cccd link`: check a roster file against a register file, with the web pre-check's engine."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.errors import DomainError
from cccd.rosters import linkage
from cccd.rosters.management.engine_failures import engine_failures


class Command(BaseCommand):
    help = (
        "Link every row of a roster (CSV or xlsx, as schools make them) to the register "
        "(interchange CSV or xlsx) and write one result row per roster row: row, outcome "
        "(matched, review, ambiguous, not_found), personal_id (matched), candidates (review and "
        "ambiguous, best first, separated by ;), score. Example: cccd link --register "
        "register.csv --roster 12a1.xlsx --out result.csv"
    )

    requires_system_checks: list[str] = []
    """Files in, a file out: no database, URL or template the system checks look at (they took
    about a second of each run)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--register", type=Path, required=True, help="register CSV or xlsx")
        parser.add_argument("--roster", type=Path, required=True, help="roster CSV or xlsx")
        parser.add_argument("--out", type=Path, required=True, help="result CSV to write")
        parser.add_argument(
            "--model", type=Path, default=None, help="a trained model (default: the shipped one)"
        )
        parser.add_argument(
            "--engine",
            choices=linkage.ENGINES,
            default=linkage.DEFAULT_ENGINE,
            help="where Splink scores: duckdb (this process) or spark (CCCD_SPARK_MASTER; "
            "the same model and decisions)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        register_path, roster_path = options["register"], options["roster"]
        out: Path = options["out"]
        files = [("register", register_path), ("roster", roster_path)]
        if options["model"] is not None:
            files.append(("model", options["model"]))
        for label, path in files:
            if not path.is_file():
                raise CommandError(f"The {label} file {path} does not exist.")
        if not out.parent.is_dir():
            raise CommandError(f"Cannot write {out}: the folder {out.parent} does not exist.")
        started = time.perf_counter()
        # The register is read by DuckDB in a thread while Python reads the roster; the slice
        # is cut once both are in. On two cores DuckDB's read takes both, so little overlaps
        # (bench/RESULTS.md, roster linkage: reading 3.0 → 2.8 s at 20,000 × 1,000,000).
        with ThreadPoolExecutor(max_workers=1) as pool:
            loading = pool.submit(linkage.LoadedRegister, register_path)
            try:
                rows = self.read_roster(roster_path)
            except CommandError:
                loading.add_done_callback(_close_quietly)
                raise
        try:
            with loading.result() as loaded:
                wanted = linkage.register_slice_filter(rows)
                register = loaded.frame(years=wanted.years, personal_ids=wanted.personal_ids)
        except linkage.RegisterFileError as exc:
            raise CommandError(f"Cannot read the register: {exc}") from None
        read = time.perf_counter() - started
        try:
            with engine_failures(options["engine"], "linking"):
                results = linkage.link(
                    register, rows, model_path=options["model"], engine=options["engine"]
                )
        except (ValueError, TypeError, KeyError) as exc:  # not a Splink model (JSON or settings)
            raise CommandError(f"Cannot use the model {options['model']}: {exc}") from None
        linked = time.perf_counter() - started - read
        try:
            linkage.write_results(results, out)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror or exc}") from None
        counts = Counter(result.outcome for result in results)
        shown = ", ".join(f"{counts[o]} {o}" for o in linkage.OUTCOMES)
        self.stdout.write(
            f"{len(results)} rows: {shown}; read {read:.1f} s, linked {linked:.1f} s "
            f"({linkage.population_of(register)} people in the register) → {out}"
        )

    def read_roster(self, path: Path) -> list[Any]:
        """The roster's rows, or a CommandError saying what is wrong with the file."""
        from cccd.rosters.reading import read_roster

        try:
            return list(read_roster(path).rows)
        except DomainError as exc:
            raise CommandError(f"Cannot read the roster {path}: {exc.message}") from None


def _close_quietly(loading: Future[linkage.LoadedRegister]) -> None:
    """Close a register read for a roster that turned out unreadable (or drop its error)."""
    if loading.exception() is None:
        loading.result().close()
