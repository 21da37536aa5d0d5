"""The result of `cccd link` as a CSV file: one line per roster row."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from cccd.rosters.linkage.policy import LinkResult
from cccd.spreadsheets import safe_text

RESULT_COLUMNS: Final = ("row", "outcome", "personal_id", "candidates", "score")


def result_rows(results: Iterable[LinkResult]) -> Iterator[tuple[str, ...]]:
    """Rows of the result CSV: candidates for review/ambiguous only, ``;``-separated."""
    for result in results:
        listed = result.outcome in ("review", "ambiguous")
        candidates = ";".join(c.personal_id for c in result.candidates) if listed else ""
        score = "" if result.score is None or math.isnan(result.score) else f"{result.score:.6f}"
        yield (str(result.row), result.outcome, result.personal_id or "", candidates, score)


def write_results(results: Iterable[LinkResult], path: Path) -> int:
    """Write the result CSV (UTF-8); return the number of rows."""
    count = 0
    with Path(path).open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(RESULT_COLUMNS)
        for values in result_rows(results):
            writer.writerow([safe_text(value) for value in values])  # IDs read from the register
            count += 1
    return count
