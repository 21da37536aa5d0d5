from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cccd.demo.generator import (
    CONCENTRATIONS,
    DUPLICATE_TRUTH_COLUMNS,
    communes_for_districts,
    communes_for_provinces,
    generate_people,
    write_csv,
)


class Command(BaseCommand):
    help = (
        "Generate a realistic synthetic register (households, Vietnamese names, consistent personal IDs) "
        "as an interchange CSV; deterministic with --seed. Example: "
        "cccd generate_register --districts 663 547 --people 20000 --out register.csv"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
        parser.add_argument("--people", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=2021)
        parser.add_argument(
            "--districts", nargs="*", default=[], help="legacy district codes, e.g. 663 547"
        )
        parser.add_argument(
            "--provinces", nargs="*", default=[], help="legacy province codes, e.g. 67 52"
        )
        parser.add_argument(
            "--concentration",
            choices=CONCENTRATIONS,
            default="default",
            help="names as each province's mix gives them (default), or as concentrated as the "
            "country's register (vietnam: Nguyễn 38 %%, a few given names; the linkage bench's "
            "second data set)",
        )
        parser.add_argument(
            "--bom", action="store_true", help="start the file with a UTF-8 BOM (as Excel does)"
        )
        parser.add_argument(
            "--plant-duplicates",
            type=int,
            default=0,
            metavar="N",
            help="add a second record (new personal ID and residence, sometimes a typo, no "
            "diacritics or day and month swapped) for N of the people, after them "
            "(cccd dedupe_register's test data); needs --truth",
        )
        parser.add_argument(
            "--truth",
            type=Path,
            default=None,
            help="CSV to write the planted pairs to (personal_id, duplicate_id, changes)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["people"] < 1:
            raise CommandError("--people must be at least 1.")
        planted, truth_path = options["plant_duplicates"], options["truth"]
        if not 0 <= planted <= options["people"]:
            raise CommandError("--plant-duplicates must be between 0 and --people.")
        if planted and truth_path is None:
            raise CommandError("--plant-duplicates needs --truth FILE for the planted pairs.")
        if truth_path is not None and not planted:
            raise CommandError("--truth needs --plant-duplicates N.")
        if truth_path is not None and not truth_path.parent.is_dir():
            raise CommandError(f"Cannot write {truth_path}: the folder does not exist.")
        try:
            communes = communes_for_districts(options["districts"]) if options["districts"] else []
            communes += communes_for_provinces(options["provinces"]) if options["provinces"] else []
        except ValueError as exc:
            raise CommandError(
                f"{exc}. Name known legacy codes, e.g. --districts 663 547."
            ) from None

        if not communes:
            raise CommandError(
                "Name at least one known district (--districts 663) or province (--provinces 67)."
            )
        pairs: list[tuple[str, str, str]] = []
        rows = generate_people(
            seed=options["seed"],
            communes=communes,
            people=options["people"],
            concentration=options["concentration"],
            plant_duplicates=planted,
            truth=lambda first, second, changes: pairs.append((first, second, changes)),
        )
        try:
            count = write_csv(rows, options["out"], bom=options["bom"])
            if truth_path is not None:
                with truth_path.open("w", encoding="utf-8", newline="") as file:
                    writer = csv.writer(file)
                    writer.writerow(DUPLICATE_TRUTH_COLUMNS)
                    writer.writerows(pairs)
        except OSError as exc:
            raise CommandError(f"Cannot write: {exc.strerror or exc}") from None
        planted_text = (
            f" ({planted} planted second records, truth in {truth_path})" if planted else ""
        )
        self.stdout.write(
            f"{count} people in {len(communes)} communes written to {options['out']}{planted_text}"
        )
