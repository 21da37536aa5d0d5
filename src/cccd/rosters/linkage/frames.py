"""The frames both sides are linked as, built in DuckDB from every source.

Every source (register CSV or xlsx, Person rows, roster rows) is first put in the typed shape of
`RAW_SCHEMA`; `derive_frame` then derives `FRAME_SCHEMA` in DuckDB, folding each distinct name
and address once in Python (a register of a million people has about 100,000 distinct names).
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa

from cccd.rosters.linkage.addresses import place
from cccd.rosters.linkage.folding import split_folded

if TYPE_CHECKING:
    from cccd.rosters.reading import RosterRow


DUCKDB_MEMORY_LIMIT: Final = "512MB"
"""DuckDB's memory before it spills to disk, unless `CCCD_DUCKDB_MEMORY_LIMIT` says otherwise.
20,000 rows against 1,000,000 people: peak RSS of the whole command 1.0 GB at 512 MB (1.9 GB
unlimited), no slower; 100,000 rows against 10,000,000 people run out of it (bench/RESULTS.md)."""


@dataclass(frozen=True)
class RegisterSlice:
    """The part of the register a roster can match: birth years (each roster year ±1) and IDs.

    The area is the caller's: the unit (province or commune) whose register the roster is checked
    against. Extract ``birth_year IN years OR personal_id IN personal_ids`` within that area, and
    pass the area's head count (all years) to `link` as ``population``.
    """

    years: frozenset[int]
    personal_ids: frozenset[str]

    @property
    def min_year(self) -> int | None:
        return min(self.years) if self.years else None

    @property
    def max_year(self) -> int | None:
        return max(self.years) if self.years else None


FRAME_SCHEMA: Final = pa.schema(
    [
        ("unique_id", pa.string()),
        ("name_folded", pa.string()),
        ("family_folded", pa.string()),
        ("middle_folded", pa.string()),
        ("given_folded", pa.string()),
        ("birth_date", pa.date32()),
        ("birth_date_swapped", pa.date32()),
        ("birth_year", pa.int32()),
        ("sex", pa.string()),
        ("father_folded", pa.string()),
        ("father_given", pa.string()),
        ("mother_folded", pa.string()),
        ("mother_given", pa.string()),
        ("commune", pa.string()),
        ("district", pa.string()),
    ]
)
"""The frame both sides are turned into; `unique_id` is the personal ID (register) or the row."""
POPULATION_KEY: Final = "cccd.population"
"""Schema metadata of a register frame: people in its area, all birth years (see `prior`)."""
BIRTH_YEARS: Final = 97
"""Birth years a register spans (ages 0 to 96, as `cccd.demo.generator.MAX_AGE`)."""


RAW_SCHEMA: Final = pa.schema(
    [
        ("unique_id", pa.string()),
        ("full_name", pa.string()),
        ("birth_date", pa.date32()),  # None when only the year is known
        ("birth_year", pa.int32()),
        ("sex", pa.string()),  # "M" | "F" | None
        ("father_name", pa.string()),
        ("mother_name", pa.string()),
        ("address", pa.string()),  # or "code:<commune code>" when only that is known
    ]
)


class _RawColumns:
    """Column lists for `RAW_SCHEMA`, filled a person at a time (no pandas)."""

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {name: [] for name in RAW_SCHEMA.names}

    def add(self, *values: Any) -> None:
        for column, value in zip(self.data.values(), values, strict=True):
            column.append(value)

    def table(self) -> pa.Table:
        return pa.table(self.data, schema=RAW_SCHEMA)


_FRAME_SQL: Final = """
SELECT
    r.unique_id,
    n.folded AS name_folded, n.family AS family_folded, n.middle AS middle_folded,
    n.given AS given_folded,
    r.birth_date,
    CASE WHEN day(r.birth_date) <= 12 AND day(r.birth_date) <> month(r.birth_date)
         THEN make_date(year(r.birth_date), day(r.birth_date), month(r.birth_date)) END
        AS birth_date_swapped,
    r.birth_year, r.sex,
    f.folded AS father_folded, f.given AS father_given,
    m.folded AS mother_folded, m.given AS mother_given,
    p.commune, p.district
FROM raw r
LEFT JOIN folded_names n ON n.text = r.full_name
LEFT JOIN folded_names f ON f.text = r.father_name
LEFT JOIN folded_names m ON m.text = r.mother_name
LEFT JOIN places p ON p.text = r.address
"""


def derive_frame(connection: Any, population: int | None = None) -> pa.Table:
    """`FRAME_SCHEMA` from the view or table ``raw`` (`RAW_SCHEMA`) of a DuckDB connection."""
    texts = connection.sql(
        "SELECT DISTINCT v FROM (SELECT full_name AS v FROM raw UNION ALL "
        "SELECT father_name FROM raw UNION ALL SELECT mother_name FROM raw) WHERE v <> ''"
    ).fetchall()
    folded = [(text, *split_folded(text)) for (text,) in texts]
    connection.register("folded_names", _string_table(_NAME_COLUMNS, folded))
    addresses = connection.sql("SELECT DISTINCT address FROM raw WHERE address <> ''").fetchall()
    places = [(text, *place(text)) for (text,) in addresses]
    connection.register("places", _string_table(("text", "commune", "district"), places))
    table = connection.sql(_FRAME_SQL).to_arrow_table().cast(FRAME_SCHEMA)
    if population is not None:
        table = table.replace_schema_metadata({POPULATION_KEY: str(population)})
    return table


_NAME_COLUMNS: Final = ("text", "folded", "family", "middle", "given")


def _string_table(columns: Sequence[str], rows: Sequence[tuple[str | None, ...]]) -> pa.Table:
    schema = pa.schema([(c, pa.string()) for c in columns])
    return pa.table(
        [list(values) for values in zip(*rows, strict=True)] or [[]] * len(columns), schema=schema
    )


def _frame_from_raw(raw: pa.Table, population: int | None = None) -> pa.Table:
    """`FRAME_SCHEMA` from a `RAW_SCHEMA` table, in a throw-away DuckDB connection."""
    connection = connect()
    try:
        connection.register("raw", raw)
        return derive_frame(connection, population)
    finally:
        connection.close()


def memory_limit() -> str:
    """`CCCD_DUCKDB_MEMORY_LIMIT` (checked by the settings), or `DUCKDB_MEMORY_LIMIT` outside Django."""
    from django.conf import settings

    if settings.configured:
        return str(getattr(settings, "CCCD_DUCKDB_MEMORY_LIMIT", DUCKDB_MEMORY_LIMIT))
    return DUCKDB_MEMORY_LIMIT


def connect() -> Any:
    """An in-memory DuckDB that spills to the temp folder beyond `memory_limit`."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"SET memory_limit = '{memory_limit()}'")
    spill = str(Path(tempfile.gettempdir()) / "cccd-duckdb").replace("'", "''")
    connection.execute(f"SET temp_directory = '{spill}'")
    return connection


def register_slice_filter(roster_rows: Sequence[RosterRow]) -> RegisterSlice:
    """What to extract from the register for these rows: their birth years ±1, and their IDs.

    Every blocking rule includes the birth date or year, so people born in other years can never
    be candidates; ±1 keeps those whose year the model can still recognise (a year apart is one
    of its levels). IDs are added so a roster ID is found even when its row's year is wrong.
    """
    years: set[int] = set()
    for row in roster_rows:
        year = _row_year(row)
        if year is not None:
            years.update((year - 1, year, year + 1))
    ids = frozenset(pid for row in roster_rows if (pid := roster_id(row.personal_id)))
    return RegisterSlice(frozenset(years), ids)


def _row_year(row: RosterRow) -> int | None:
    return row.birth_date.year if row.birth_date else row.birth_year


def roster_id(text: str | None) -> str | None:
    """The row's personal ID if it is well formed (12 digits, spaces ignored), else None."""
    digits = "".join((text or "").split())
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None


def roster_frame(roster_rows: Sequence[RosterRow]) -> pa.Table:
    """The roster as a frame: unique_id is the row number as text."""
    raw = _RawColumns()
    for row in roster_rows:
        raw.add(
            str(row.row),
            row.full_name or None,
            row.birth_date,
            _row_year(row),
            row.sex or None,
            row.father_name or None,
            row.mother_name or None,
            row.permanent_address or None,
        )
    return _frame_from_raw(raw.table())


def register_frame_from_people(people: Iterable[Any], *, population: int | None = None) -> pa.Table:
    """The register slice from `cccd.registry.models.Person` rows (instances or ``values()``).

    Expects the fields personal_id, full_name, birth_date, birth_date_precision, birth_year, sex,
    father_name, mother_name, permanent_address and residence_unit__code (dicts) or
    residence_unit (instances). A year-only birth date (stored as 1 January) becomes year-only
    again, so the model does not take 1 January for a known day. ``population``: the number of
    people in the area the slice was cut from, all years (see `prior`), recorded in the frame.
    """
    raw = _RawColumns()
    for person in people:
        get = person.get if isinstance(person, Mapping) else functools.partial(getattr, person)
        year_only = get("birth_date_precision", "day") == "year"
        birth_date = get("birth_date", None)
        code = _residence_code(person)
        address = get("permanent_address", "") or (f"code:{code}" if code else None)
        raw.add(
            get("personal_id"),
            get("full_name", None) or None,
            None if year_only else birth_date,
            get("birth_year", None) or (birth_date.year if birth_date else None),
            get("sex", None) or None,
            get("father_name", None) or None,
            get("mother_name", None) or None,
            address,
        )
    return _frame_from_raw(raw.table(), population)


def _residence_code(person: Any) -> str:
    if isinstance(person, Mapping):
        return str(person.get("residence_unit__code") or "")
    unit = getattr(person, "residence_unit", None)
    return str(getattr(unit, "code", "") or "")


def population_of(register: pa.Table, roster_rows: Sequence[RosterRow] = ()) -> int:
    """People in the area the slice comes from, all birth years.

    Recorded by `register_frame_from_csv` (it reads the whole file). Otherwise estimated from the
    slice: its people times `BIRTH_YEARS` over the birth years the roster asked for (as if births
    were even over the years): pass the real count to `link` when it is known.
    """
    recorded = (register.schema.metadata or {}).get(POPULATION_KEY.encode())
    if recorded:
        return int(recorded)
    people = int(register.num_rows)
    years = len(register_slice_filter(roster_rows).years) if roster_rows else 0
    if not years or years >= BIRTH_YEARS:
        return people
    return round(people * BIRTH_YEARS / years)
