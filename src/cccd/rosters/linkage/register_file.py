"""The register as a file (interchange CSV or xlsx) read into a frame, for `cccd link` and the
benchmarks: a CSV straight into DuckDB, an xlsx through `cccd.registry.tables`."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from cccd.rosters.linkage.frames import connect, derive_frame


class RegisterFileError(ValueError):
    """The register file cannot be read as a register (missing columns, not a table, …)."""


_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_register_date(text: str) -> tuple[dt.date | None, int | None]:
    """(date, year) of a register birth date: dd/mm/yyyy, yyyy-mm-dd, or a year alone."""
    text = text.strip()
    if len(text) == 4 and text.isdigit():
        return None, int(text)
    match = _DMY.match(text)
    if match:
        d, m, y = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        y, m, d = (int(g) for g in match.groups())
    else:
        return None, None
    try:
        return dt.date(y, m, d), y
    except ValueError:
        return None, y


_TEXT_COLUMNS: Final = (
    "personal_id",
    "full_name",
    "birth_date",
    "sex",
    "father_name",
    "mother_name",
    "permanent_address",
    "commune_code",
)
REQUIRED_REGISTER_COLUMNS: Final = ("personal_id", "full_name", "birth_date", "sex")

_RAW_FROM_TEXT_SQL: Final = """
WITH typed AS (
    SELECT
        trim(personal_id) AS unique_id,
        nullif(trim(full_name), '') AS full_name,
        trim(birth_date) AS birth_text,
        CAST(coalesce(
            try_strptime(trim(birth_date), '%d/%m/%Y'), try_strptime(trim(birth_date), '%Y-%m-%d'),
            try_strptime(trim(birth_date), '%d-%m-%Y'), try_strptime(trim(birth_date), '%d.%m.%Y')
        ) AS DATE) AS birth_date,
        CASE lower(strip_accents(trim(sex)))
            WHEN 'nam' THEN 'M' WHEN 'm' THEN 'M' WHEN 'male' THEN 'M'
            WHEN 'nu' THEN 'F' WHEN 'f' THEN 'F' WHEN 'female' THEN 'F' END AS sex,
        nullif(trim(father_name), '') AS father_name,
        nullif(trim(mother_name), '') AS mother_name,
        coalesce(nullif(trim(permanent_address), ''), 'code:' || nullif(trim(commune_code), ''))
            AS address
    FROM text_rows
)
SELECT unique_id, full_name, birth_date,
    CAST(CASE WHEN regexp_full_match(birth_text, '[0-9]{4}') THEN birth_text
              ELSE CAST(year(birth_date) AS VARCHAR) END AS INTEGER) AS birth_year,
    sex, father_name, mother_name, address
FROM typed
WHERE unique_id <> ''
"""


def register_frame_from_csv(
    path: Path, *, years: Iterable[int] | None = None, personal_ids: Iterable[str] = ()
) -> pa.Table:
    """The register (interchange CSV or xlsx: `cccd.demo.generator.CSV_COLUMNS`, or the
    Vietnamese headers the import knows) as a frame, keeping only people born in ``years`` (all
    when None) and those whose ID is in ``personal_ids`` (`register_slice_filter` gives both).

    A CSV is read by DuckDB (a million rows in a few seconds); an xlsx through
    `cccd.registry.tables`. The frame records how many people the whole file holds (`prior`).

    Raises:
        RegisterFileError: not a table, not UTF-8, or no column for the ID, name, birth date
            or sex.
    """
    with LoadedRegister(path) as loaded:
        return loaded.frame(years=years, personal_ids=personal_ids)


class LoadedRegister:
    """A register file read into DuckDB once, before anyone knows which slice of it is wanted.

    `cccd link` reads the register in a thread while it reads the roster (DuckDB works outside
    Python's lock), then cuts the roster's slice with `frame`; `register_frame_from_csv` does both
    at once. Close it (or use it as a context manager) to free DuckDB's memory.

    Raises (on construction):
        RegisterFileError: as `register_frame_from_csv`.
    """

    def __init__(self, path: Path) -> None:
        import duckdb

        from cccd.errors import DomainError
        from cccd.registry.tables import open_table

        self.path = Path(path)
        self.connection = connect()
        try:
            try:
                table = open_table(self.path)
                if table.kind == "csv":
                    _csv_text_rows(self.connection, self.path)
                else:
                    _xlsx_text_rows(self.connection, table.rows())
                self.connection.execute(f"CREATE TABLE everyone AS {_RAW_FROM_TEXT_SQL}")  # noqa: S608 (constant)
            except DomainError as exc:
                raise RegisterFileError(f"{self.path}: {exc.message}") from None
            except RegisterFileError as exc:
                raise RegisterFileError(f"{self.path}: {exc}") from None
            except duckdb.Error as exc:
                raise RegisterFileError(f"{self.path}: {_csv_problem(exc)}") from None
            [(population,)] = self.connection.execute(
                "SELECT count(*) FROM everyone WHERE birth_year IS NOT NULL"
            ).fetchall()
        except BaseException:
            self.connection.close()
            raise
        self.population = int(population)

    def frame(
        self, *, years: Iterable[int] | None = None, personal_ids: Iterable[str] = ()
    ) -> pa.Table:
        """The frame of the people born in ``years`` (all when None) or whose ID is listed."""
        condition = "birth_year IS NOT NULL"
        if years is not None:
            wanted = pa.array(sorted(set(years)), pa.int32())
            ids = pa.array(sorted(set(personal_ids)), pa.string())
            self.connection.register("years", pa.table({"year": wanted}))
            self.connection.register("ids", pa.table({"personal_id": ids}))
            condition += (
                " AND (birth_year IN (SELECT year FROM years)"
                " OR unique_id IN (SELECT personal_id FROM ids))"
            )
        self.connection.execute(
            f"CREATE OR REPLACE VIEW raw AS SELECT * FROM everyone WHERE {condition}"  # noqa: S608 (constants)
        )
        return derive_frame(self.connection, self.population)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> LoadedRegister:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _csv_problem(error: Exception) -> str:
    """DuckDB's complaint about a CSV, in words an officer can act on."""
    text = str(error)
    if "unicode" in text.lower() or "utf-8" in text.lower():
        return "the file is not UTF-8 text; save it as “CSV UTF-8”"
    return text.splitlines()[0][:200]


def _csv_text_rows(connection: Any, path: Path) -> None:
    """The view ``text_rows`` over the CSV's columns we read, all as text; header by synonyms."""
    header, delimiter = _csv_header(path)
    index = _register_columns(header)
    selected = ", ".join(
        f"c{index[c]} AS {c}" if c in index else f"NULL AS {c}" for c in _TEXT_COLUMNS
    )
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(header)))
    quoted = str(path).replace("'", "''")
    source = (
        f"read_csv('{quoted}', header = false, skip = 1, delim = '{delimiter}', quote = '\"', "
        f"escape = '\"', columns = {{{types}}}, null_padding = true, strict_mode = false)"
    )
    connection.execute(f"CREATE VIEW text_rows AS SELECT {selected} FROM {source}")  # noqa: S608 (our own names, a quoted path)


def _csv_header(path: Path) -> tuple[list[str], str]:
    """The header cells and the delimiter (comma, or semicolon or tab if the first line says so)."""
    with path.open("rb") as raw:
        first = raw.readline()
    try:
        line = first.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise RegisterFileError("the file is not UTF-8 text; save it as “CSV UTF-8”") from None
    counts = {d: line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    header = next(csv.reader([line], delimiter=delimiter), [])
    if not any(cell.strip() for cell in header):
        raise RegisterFileError("the file has no header row")
    return header, delimiter


def _xlsx_text_rows(connection: Any, rows: Iterator[list[Any]]) -> None:
    """The view ``text_rows`` from an xlsx's rows (dates written dd/mm/yyyy)."""
    header = next(rows, None)
    if header is None:
        raise RegisterFileError("the file is empty")
    index = _register_columns(header)
    columns: dict[str, list[str | None]] = {c: [] for c in _TEXT_COLUMNS}
    for cells in rows:
        for column in _TEXT_COLUMNS:
            position = index.get(column)
            value = cells[position] if position is not None and position < len(cells) else None
            if isinstance(value, dt.datetime | dt.date):
                value = value.strftime("%d/%m/%Y")
            elif isinstance(value, float) and value.is_integer():
                value = str(int(value))
            columns[column].append(None if value is None else str(value))
    connection.register(
        "text_rows", pa.table(columns, schema=pa.schema([(c, pa.string()) for c in _TEXT_COLUMNS]))
    )


def _register_columns(header: Sequence[object]) -> dict[str, int]:
    """Column → index by the register import's header synonyms; the four required ones or refuse."""
    from cccd.registry.columns import SYNONYMS, header_key

    lookup = {synonym: column for column, words in SYNONYMS.items() for synonym in words}
    index: dict[str, int] = {}
    for position, cell in enumerate(header):
        column = lookup.get(header_key(cell))
        if column in _TEXT_COLUMNS and column not in index:
            index[column] = position
    missing = [c for c in REQUIRED_REGISTER_COLUMNS if c not in index]
    if missing:
        found = ", ".join(str(h) for h in header if str(h or "").strip())[:200] or "none"
        raise RegisterFileError(
            f"the register has no column for {', '.join(missing)} (headers found: {found})"
        )
    return index
