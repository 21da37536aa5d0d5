"""Batch record linkage: the rows of a roster against the slice of the register they can match.

A school or commune sends a list of people (a roster); before the intake day each row must be tied
to one person of the register, or shown to an officer. DOMAIN.md ("Names and matching") says why
this is not a look-up: name + birth date is not unique (Nguyễn is 38 % of people, namesakes born
the same day exist), and rosters carry every kind of error — no diacritics, capitals, NFD, old tone
placement, one-letter typos, dropped middle names, day and month swapped, two-digit years.

How (DESIGN.md, "batch record linkage"): Splink 5 on embedded DuckDB 2.

1. Both sides become the same narrow frame (`FRAME_SCHEMA`): names folded **in Python** with
   `cccd.core.names.fold` (DuckDB's ``strip_accents`` leaves đ alone) and split into family,
   middle and given name; birth date, its day/month swap, birth year; sex; parents' names folded
   with their given names apart; the commune and district of the address.
2. A personal ID on the roster row that is a register ID decides alone, unless the name or the
   birth year contradict it (then an officer looks: ``review``).
3. The other rows go through a Fellegi–Sunter model trained once (`train`, shipped as
   ``linkage_model.json``): blocking rules that all include the birth date or the birth year (the
   place is the register slice itself, see `register_slice_filter`), comparisons that know
   Vietnamese names (given name weighted by its frequency, dropped middle names, swapped dates …).
4. Each row gets an outcome from its best candidates: ``matched``, ``review``, ``ambiguous`` (never
   auto-matched: two people too close to tell apart, e.g. namesakes born the same day) or
   ``not_found``. The thresholds are constants below, with the figures that chose them.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import logging
import math
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa  # type: ignore[import-untyped]

from cccd.core import names
from cccd.spreadsheets import safe_text

if TYPE_CHECKING:
    from splink import SettingsCreator

    from cccd.rosters.reading import RosterRow

# --- decisions ----------------------------------------------------------------------------------
# Chosen on the labelled validation roster of `python -m bench linkage` (20,300 rows, 100,000
# people; the test roster is another register and seed): the figures are in bench/RESULTS.md,
# "Roster linkage". Probabilities carry the prior of `prior` (one in the area's population), so a
# threshold stands for the same risk whatever the size of the register.

MATCH_THRESHOLD: Final = 0.999
"""Auto-match when the best candidate's match probability reaches this (and nothing is close).

Validation: no wrong auto-match from 0.995 up (0.99: 1 wrong of 18,912, 0.5: 3 of 19,018). We
take 0.999, a step beyond, because our simulated errors are independent and real rosters are
messier (the one wrong match on the test roster, p = 0.9992, is a Mông name from a small pool
whose father's name matched too). It sends 1.2 % more rows to review than 0.995."""

REVIEW_THRESHOLD: Final = 0.01
"""Below this the best candidate is not worth an officer's look: the row is ``not_found``.

Validation: 0.1 loses 0.03 % of the people who are in the register; 0.001 finds none more and
adds 66 rows to review (940 rows come out not_found; 1,000 people are not in the register)."""

LIST_THRESHOLD: Final = 0.001
"""Candidates shown on a ``review`` or ``ambiguous`` row reach at least this probability (lower
than `REVIEW_THRESHOLD`: once an officer looks, a second name costs little)."""

AMBIGUITY_MARGIN: Final = 5.0
"""Match weights (log2 Bayes factors) between the best and the second candidate under which the
row is ``ambiguous`` (evidence for one over the other under 2⁵ = 32 to 1). It must exceed the
gap between the model's "same date" and "day and month swapped" levels (14.2 − 9.7 = 4.5 bits):
on the 1,000,000-person run a roster row with day and month swapped was auto-matched, at margin
3, to a namesake born on the swapped date. Validation: margins from 1 to 8 change three rows."""

MAX_CANDIDATES: Final = 5
"""Candidates kept per row for an officer to choose from, best first."""

CANDIDATE_FLOOR: Final = 1e-4
"""Pairs scored below this probability are dropped inside DuckDB: never a candidate anyway."""

ID_BIRTH_YEAR_TOLERANCE: Final = 1
"""A roster ID that is a register ID contradicts the row when the birth years are further apart."""

M_FLOOR: Final = 0.001
"""Least m-probability of a comparison level after training (see `floor_m_probabilities`)."""

ID_TYPO_DIGITS: Final = 1
"""A roster ID this many digits from a candidate's is a typing slip, not another person's ID."""

DUCKDB_MEMORY_LIMIT: Final = "512MB"
"""DuckDB's memory before it spills to disk. 20,000 rows against 1,000,000 people: peak RSS of
the whole command 1.0 GB at 512 MB (1.9 GB unlimited), no slower (bench/RESULTS.md)."""

MODEL_PATH: Final = Path(__file__).with_name("linkage_model.json")

OUTCOMES: Final = ("matched", "review", "ambiguous", "not_found")

# --- public shapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A register person proposed for a roster row, with the model's match probability."""

    personal_id: str
    probability: float


@dataclass(frozen=True)
class LinkResult:
    """The outcome for one roster row (``row`` is the roster's 1-based data row number)."""

    row: int
    outcome: str  # "matched" | "review" | "ambiguous" | "not_found"
    personal_id: str | None
    candidates: tuple[Candidate, ...]
    score: float | None


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
"""Birth years a register spans (ages 0 to 96, as `cccd.registry.generator.MAX_AGE`)."""


class RegisterFileError(ValueError):
    """The register file cannot be read as a register (missing columns, not a table, …)."""


# --- folding ------------------------------------------------------------------------------------

_NOT_NAME = re.compile(r"[^a-z0-9' -]+")


@functools.lru_cache(maxsize=262144)
def split_folded(name: str) -> tuple[str | None, str | None, str | None, str | None]:
    """(folded name, family, middle, given) of a name as typed, or Nones for a blank one.

    Cached: a register repeats a few hundred thousand distinct names. Punctuation other than
    apostrophes and hyphens becomes a space, so "Nguyễn V. Hùng" folds to "nguyen v hung".
    """
    folded = " ".join(_NOT_NAME.sub(" ", names.fold(name)).split())
    if not folded:
        return None, None, None, None
    words = folded.split(" ")
    if len(words) == 1:
        return folded, None, None, folded
    return folded, words[0], " ".join(words[1:-1]) or None, words[-1]


_TYPE_PREFIXES: Final = (
    ("commune", ("xa ", "phuong ", "thi tran ", "x. ", "p. ", "tt. ", "tt ", "x.", "p.", "tt.")),
    ("district", ("huyen ", "quan ", "thi xa ", "h. ", "q. ", "tx. ", "tx ", "h.", "q.", "tx.")),
    ("province", ("tinh ", "t. ")),
    ("either", ("thanh pho ", "tp. ", "tp ", "tp.")),
    ("hamlet", ("thon ", "to dan pho ", "to ", "ap ", "ban ", "buon ", "bon ", "xom ", "khu pho ",
                "khu ", "so ", "kp ", "tdp ")),
)  # fmt: skip
_UNSEPARATED: Final = re.compile(r" (?=(?:xa|phuong|thi tran|huyen|thi xa|thanh pho|tinh) )")
"""In an address typed without commas, a type word starts a new part: "thon 5 xa dak lao huyen
dak mil". Not "quan" (Quận): it is also a word of names ("Tam Quan Bắc")."""


@functools.cache
def _province_names() -> frozenset[str]:
    """Folded names of provinces (both schemes), to drop a trailing province from an address."""
    from cccd.units.divisions import divisions, province_codes

    found: set[str] = set()
    for scheme in ("legacy", "2025"):
        for division in divisions(scheme, province_codes(scheme)):
            if division.level == "province":
                found.add(_strip_type(names.fold(division.name))[1])
            else:
                break
    return frozenset(found)


def _strip_type(segment: str) -> tuple[str, str]:
    for kind, prefixes in _TYPE_PREFIXES:
        for prefix in prefixes:
            if segment.startswith(prefix):
                return kind, segment[len(prefix) :].strip(" .")
    return "", segment


@functools.lru_cache(maxsize=65536)
def address_place(address: str) -> tuple[str | None, str | None]:
    """(commune, district) of an address as people write it, folded, or Nones.

    Registers write "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"; rosters drop the types
    ("Đắk Lao, Đắk Mil"), abbreviate them ("X. Đắk Lao, H. Đắk Mil") or the province. Typed
    segments are trusted; untyped ones are read right to left (province, district, commune) once
    the hamlet and any province name are set aside.
    """
    text = " ".join(names.fold(address).replace(";", ",").split())
    if "," not in text:
        text = _UNSEPARATED.sub(",", text)
    segments = [s.strip() for s in text.split(",")]
    provinces = _province_names()
    commune = district = None
    untyped: list[str] = []
    for kind, name in (_strip_type(s) for s in segments if s):
        if not name:
            continue
        if kind == "commune":
            commune = name
        elif kind == "district" or (kind == "either" and name not in provinces):
            district = district or name
        elif kind == "" and not name[0].isdigit():
            untyped.append(name)
    if untyped and untyped[-1] in provinces and (len(untyped) > 1 or commune is not None):
        untyped.pop()  # "…, Bình Định" is the province; "Phường Bình Định, …" is a commune
    if commune is None and untyped:
        if district is None and len(untyped) >= 2:
            commune, district = untyped[-2], untyped[-1]
        else:
            commune = untyped[-1]
    elif district is None and untyped and untyped[-1] != commune:
        district = untyped[-1]
    return commune, district


# --- frames -------------------------------------------------------------------------------------
#
# Every source (register CSV or xlsx, Person rows, roster rows) is first put in the typed shape of
# `RAW_SCHEMA`; `_frame` then derives `FRAME_SCHEMA` in DuckDB, folding each distinct name and
# address once in Python (a register of a million people has about 100,000 distinct names).

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


def _frame(connection: Any, population: int | None = None) -> pa.Table:
    """`FRAME_SCHEMA` from the view or table ``raw`` (`RAW_SCHEMA`) of a DuckDB connection."""
    texts = connection.sql(
        "SELECT DISTINCT v FROM (SELECT full_name AS v FROM raw UNION ALL "
        "SELECT father_name FROM raw UNION ALL SELECT mother_name FROM raw) WHERE v <> ''"
    ).fetchall()
    folded = [(text, *split_folded(text)) for (text,) in texts]
    connection.register("folded_names", _string_table(_NAME_COLUMNS, folded))
    addresses = connection.sql("SELECT DISTINCT address FROM raw WHERE address <> ''").fetchall()
    places = [(text, *_place(text)) for (text,) in addresses]
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


def _place(text: str) -> tuple[str | None, str | None]:
    if text.startswith("code:"):
        label = _commune_label(text.removeprefix("code:"))
        return address_place(label) if label else (None, None)
    return address_place(text)


def _frame_from_raw(raw: pa.Table, population: int | None = None) -> pa.Table:
    connection = _connect()
    try:
        connection.register("raw", raw)
        return _frame(connection, population)
    finally:
        connection.close()


def _connect() -> Any:
    """An in-memory DuckDB that spills to the temp folder beyond `DUCKDB_MEMORY_LIMIT`."""
    import duckdb

    connection = duckdb.connect(":memory:")
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
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
    ids = frozenset(pid for row in roster_rows if (pid := _roster_id(row.personal_id)))
    return RegisterSlice(frozenset(years), ids)


def _row_year(row: RosterRow) -> int | None:
    return row.birth_date.year if row.birth_date else row.birth_year


def _roster_id(text: str | None) -> str | None:
    digits = "".join((text or "").split())
    return digits if len(digits) == 12 and digits.isascii() and digits.isdigit() else None


def roster_frame(roster_rows: Sequence[RosterRow]) -> pa.Table:
    """The roster as a frame: unique_id is the row number as text."""
    raw = _RawColumns()
    for row in roster_rows:
        raw.add(
            str(row.row), row.full_name or None, row.birth_date, _row_year(row),
            row.sex or None, row.father_name or None, row.mother_name or None,
            row.permanent_address or None,
        )  # fmt: skip
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
            get("personal_id"), get("full_name", None) or None, None if year_only else birth_date,
            get("birth_year", None) or (birth_date.year if birth_date else None),
            get("sex", None) or None, get("father_name", None) or None,
            get("mother_name", None) or None, address,
        )  # fmt: skip
    return _frame_from_raw(raw.table(), population)


def _residence_code(person: Any) -> str:
    if isinstance(person, Mapping):
        return str(person.get("residence_unit__code") or "")
    unit = getattr(person, "residence_unit", None)
    return str(getattr(unit, "code", "") or "")


@functools.cache
def _commune_labels() -> dict[str, str]:
    """Commune code → "Commune, District" (legacy scheme), for people without an address."""
    from cccd.units.divisions import divisions, province_codes

    district_names: dict[str, str] = {}
    labels: dict[str, str] = {}
    for division in divisions("legacy", province_codes("legacy")):
        if division.level == "district":
            district_names[division.code] = division.name
        elif division.level == "commune":
            labels[division.code] = (
                f"{division.name}, {district_names.get(division.parent_code or '', '')}"
            )
    return labels


def _commune_label(code: str) -> str:
    return _commune_labels().get(code, "") if code else ""


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
    "personal_id", "full_name", "birth_date", "sex", "father_name", "mother_name",
    "permanent_address", "commune_code",
)  # fmt: skip
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
    """The register (interchange CSV or xlsx: `cccd.registry.generator.CSV_COLUMNS`, or the
    Vietnamese headers the import knows) as a frame, keeping only people born in ``years`` (all
    when None) and those whose ID is in ``personal_ids`` (`register_slice_filter` gives both).

    A CSV is read by DuckDB (a million rows in a few seconds); an xlsx through
    `cccd.registry.tables`. The frame records how many people the whole file holds (`prior`).

    Raises:
        RegisterFileError: not a table, not UTF-8, or no column for the ID, name, birth date
            or sex.
    """
    import duckdb

    from cccd.errors import DomainError
    from cccd.registry.tables import open_table

    path = Path(path)
    connection = _connect()
    try:
        try:
            table = open_table(path)
            if table.kind == "csv":
                _csv_text_rows(connection, path)
            else:
                _xlsx_text_rows(connection, table.rows())
            connection.execute(f"CREATE TABLE everyone AS {_RAW_FROM_TEXT_SQL}")  # noqa: S608 (constant)
        except DomainError as exc:
            raise RegisterFileError(f"{path}: {exc.message}") from None
        except RegisterFileError as exc:
            raise RegisterFileError(f"{path}: {exc}") from None
        except duckdb.Error as exc:
            raise RegisterFileError(f"{path}: {_csv_problem(exc)}") from None
        [(population,)] = connection.execute(
            "SELECT count(*) FROM everyone WHERE birth_year IS NOT NULL"
        ).fetchall()
        condition = "birth_year IS NOT NULL"
        if years is not None:
            wanted = pa.array(sorted(set(years)), pa.int32())
            ids = pa.array(sorted(set(personal_ids)), pa.string())
            connection.register("years", pa.table({"year": wanted}))
            connection.register("ids", pa.table({"personal_id": ids}))
            condition += (
                " AND (birth_year IN (SELECT year FROM years)"
                " OR unique_id IN (SELECT personal_id FROM ids))"
            )
        connection.execute(f"CREATE VIEW raw AS SELECT * FROM everyone WHERE {condition}")  # noqa: S608 (constants)
        return _frame(connection, population)
    finally:
        connection.close()


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


# --- the model ----------------------------------------------------------------------------------


def settings() -> SettingsCreator:
    """Our comparisons and blocking rules, untrained (`train` estimates them).

    Blocking: every rule includes the birth date or year (DESIGN.md: name-only blocking exhausted
    19 GB on Nguyễn); the place is the register slice. The rules are chosen so one error of each
    kind still leaves a rule that pairs the row with its person (bench/RESULTS.md, blocking recall).
    """
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type="link_only",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            CustomRule("l.birth_date = r.birth_date_swapped"),
            block_on("birth_year", "given_folded"),
            block_on(
                "birth_year",
                "family_folded",
                "coalesce(middle_folded, '')",
                "substr(given_folded, 1, 1)",
            ),
            # a year apart: the same day and month (a typo in the year) …
            CustomRule("l.birth_date = r.birth_date + INTERVAL 1 YEAR"),
            CustomRule("l.birth_date + INTERVAL 1 YEAR = r.birth_date"),
            # … or the same full name (the lunar year of someone born before Tết, year only)
            CustomRule("l.birth_year = r.birth_year + 1 AND l.name_folded = r.name_folded"),
            CustomRule("l.birth_year + 1 = r.birth_year AND l.name_folded = r.name_folded"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=30,
    )


_ONE_DIGIT_APART: Final = """
abs("birth_date_l" - "birth_date_r") = 1 OR "birth_year_l" = "birth_year_r" AND (
    (month("birth_date_l") = month("birth_date_r") AND (
        day("birth_date_l") % 10 = day("birth_date_r") % 10
        OR day("birth_date_l") // 10 = day("birth_date_r") // 10
        OR day("birth_date_l") = day("birth_date_r") % 10 * 10 + day("birth_date_r") // 10))
    OR (day("birth_date_l") = day("birth_date_r") AND (
        month("birth_date_l") % 10 = month("birth_date_r") % 10
        OR month("birth_date_l") // 10 = month("birth_date_r") // 10)))
"""
"""A day apart, or day or month mistyped by one digit (12 → 13, 05 → 15) or its two digits
swapped (12 → 21).

Arithmetic on the date parts: a string distance on formatted dates cost 5 s per 3 M pairs."""


def _comparisons() -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def parent(column: str, label: str) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_description=label,
            comparison_levels=[
                cll.NullLevel(f"{column}_folded"),
                cll.ExactMatchLevel(f"{column}_folded"),
                cll.CustomLevel(f'"{column}_given_l" = "{column}_given_r"', "same given name"),
                cll.JaroWinklerLevel(f"{column}_folded", 0.9),
                cll.ElseLevel(),
            ],
        )

    return [
        cl.CustomComparison(
            output_column_name="family",
            comparison_description="family name, folded",
            comparison_levels=[
                cll.NullLevel("family_folded"),
                cll.ExactMatchLevel("family_folded", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("family_folded", 1),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="middle",
            comparison_description="middle names, folded; often dropped on rosters",
            comparison_levels=[
                cll.NullLevel("name_folded"),
                cll.ExactMatchLevel("middle_folded", term_frequency_adjustments=True),
                cll.CustomLevel(
                    '"middle_folded_l" IS NULL AND "middle_folded_r" IS NULL', "no middle name"
                ),
                cll.CustomLevel(
                    '"middle_folded_l" IS NULL OR "middle_folded_r" IS NULL',
                    "middle name on one side only (dropped)",
                ),
                cll.CustomLevel(
                    "contains(' ' || \"middle_folded_l\" || ' ', ' ' || \"middle_folded_r\" || ' ') "
                    "OR contains(' ' || \"middle_folded_r\" || ' ', ' ' || \"middle_folded_l\" || ' ')",
                    "one middle name is part of the other",
                ),
                cll.DamerauLevenshteinLevel("middle_folded", 1),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="given",
            comparison_description="given name, folded, weighted by its frequency",
            comparison_levels=[
                cll.NullLevel("given_folded"),
                cll.ExactMatchLevel("given_folded", term_frequency_adjustments=True),
                cll.DamerauLevenshteinLevel("given_folded", 1),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth",
            comparison_description="birth date, or year when only the year is known",
            comparison_levels=[
                cll.NullLevel("birth_year"),
                cll.CustomLevel('"birth_date_l" = "birth_date_r"', "same date"),
                cll.CustomLevel('"birth_date_l" = "birth_date_swapped_r"', "day and month swapped"),
                cll.CustomLevel(
                    '("birth_date_l" IS NULL OR "birth_date_r" IS NULL) '
                    'AND "birth_year_l" = "birth_year_r"',
                    "same year, the day known on one side only",
                ),
                cll.CustomLevel(_ONE_DIGIT_APART, "a day, or one digit of the day or month, apart"),
                cll.CustomLevel(
                    'month("birth_date_l") = month("birth_date_r") '
                    'AND day("birth_date_l") = day("birth_date_r") '
                    'AND abs("birth_year_l" - "birth_year_r") = 1',
                    "same day and month, a year apart",
                ),
                cll.CustomLevel('"birth_year_l" = "birth_year_r"', "same year"),
                cll.CustomLevel('abs("birth_year_l" - "birth_year_r") = 1', "a year apart"),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("sex"),
        parent("father", "father's name, folded; often missing or abbreviated on rosters"),
        parent("mother", "mother's name, folded; often missing or abbreviated on rosters"),
        cl.CustomComparison(
            output_column_name="place",
            comparison_description="commune and district of the permanent address",
            comparison_levels=[
                cll.NullLevel("commune"),
                cll.CustomLevel(
                    '"commune_l" = "commune_r" AND ("district_l" = "district_r" '
                    'OR "district_l" IS NULL OR "district_r" IS NULL)',
                    "same commune",
                ),
                cll.CustomLevel('"district_l" = "district_r"', "same district"),
                cll.ElseLevel(),
            ],
        ),
    ]


def _db_api() -> Any:
    from splink import DuckDBAPI

    return DuckDBAPI(_connect())


def _quiet_splink() -> None:
    """Splink logs each step at INFO; a roster check should print nothing of it."""
    logging.getLogger("splink").setLevel(logging.WARNING)


def _load_model(model_path: Path | None, population: int) -> dict[str, Any]:
    """The trained model with the prior (`prior`) set for the area's population."""
    path = model_path or MODEL_PATH
    try:
        model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no linkage model at {path}; run `python -m bench linkage --train`"
        ) from None
    model["probability_two_random_records_match"] = prior(population)
    model.pop("linker_uid", None)
    return model


# --- linking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    """The thresholds that turn scores into outcomes (defaults: the constants above)."""

    match_threshold: float = MATCH_THRESHOLD
    review_threshold: float = REVIEW_THRESHOLD
    list_threshold: float = LIST_THRESHOLD
    ambiguity_margin: float = AMBIGUITY_MARGIN


@dataclass(frozen=True)
class Scored:
    """A candidate as the model scored it: probability, and match weight (log2 Bayes factor)."""

    personal_id: str
    probability: float
    weight: float


@dataclass(frozen=True)
class IdMatch:
    """The register person whose ID the roster row carries, and whether the row describes them."""

    personal_id: str
    agrees: bool


@dataclass(frozen=True)
class Evidence:
    """What the decision of one row rests on: its ID match, its scored candidates (best first)."""

    row: int
    by_id: IdMatch | None
    scored: tuple[Scored, ...]
    roster_id: str | None  # a well-formed personal ID on the row, in the register or not
    namesakes: tuple[tuple[str, tuple[str, ...]], ...]  # candidate → its same-day namesakes


def link(
    register: pa.Table,
    roster_rows: Sequence[RosterRow],
    *,
    model_path: Path | None = None,
    population: int | None = None,
) -> list[LinkResult]:
    """One result per roster row, in row order, against the register slice ``register``.

    ``register`` is a frame from `register_frame_from_people` or `register_frame_from_csv` (the
    slice of `register_slice_filter`); the trained model is read from ``model_path`` (default: the
    shipped `MODEL_PATH`), never retrained. ``population`` is the number of people in the area
    the slice was cut from, all birth years (see `prior`); `register_frame_from_csv` records it.
    """
    evidence = gather(register, roster_rows, model_path=model_path, population=population)
    return [decide(item) for item in evidence]


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


def prior(population: int) -> float:
    """The probability that a roster row and a random person of the area are the same person.

    The model's u-probabilities come from random pairs over all birth years, so the prior is one
    in the area's whole population, not in the (year-filtered) slice: a narrow slice must not
    make a same-day namesake look likelier to be the person.
    """
    return 1.0 / max(population, 2)


def gather(
    register: pa.Table,
    roster_rows: Sequence[RosterRow],
    *,
    model_path: Path | None = None,
    population: int | None = None,
) -> list[Evidence]:
    """The evidence for each roster row, in row order: ID matches, then Splink's candidates."""
    if not roster_rows:
        return []
    by_id = _exact_ids(register, roster_rows)
    settled = {row for row, match in by_id.items() if match.agrees}
    rest = [row for row in roster_rows if row.row not in settled]
    people = population or population_of(register, roster_rows)
    scored = (
        _score(register, roster_frame(rest), model_path, people)
        if register.num_rows and rest
        else {}
    )
    namesakes = _namesakes(register)
    out = []
    for row in roster_rows:
        candidates = tuple(scored.get(str(row.row), ()))
        groups = tuple(
            (c.personal_id, namesakes[c.personal_id])
            for c in candidates
            if c.personal_id in namesakes
        )
        out.append(
            Evidence(
                row=row.row,
                by_id=by_id.get(row.row),
                scored=candidates,
                roster_id=_roster_id(row.personal_id),
                namesakes=groups,
            )
        )
    return out


def _exact_ids(register: pa.Table, roster_rows: Sequence[RosterRow]) -> dict[int, IdMatch]:
    """Rows whose personal ID is a register ID, and whether name and birth year agree with it."""
    wanted: dict[str, list[RosterRow]] = {}
    for row in roster_rows:
        if pid := _roster_id(row.personal_id):
            wanted.setdefault(pid, []).append(row)
    if not wanted:
        return {}
    found = _query(
        "SELECT r.unique_id, r.name_folded, r.family_folded, r.given_folded, r.birth_year "
        "FROM register r JOIN ids USING (unique_id)",
        register=register,
        ids=pa.table({"unique_id": list(wanted)}),
    )
    matches: dict[int, IdMatch] = {}
    for personal_id, name, family, given, year in found:
        for row in wanted[personal_id]:
            matches[row.row] = IdMatch(personal_id, _agrees(row, name, family, given, year))
    return matches


def _query(sql: str, **tables: pa.Table) -> list[tuple[Any, ...]]:
    """Run one query over Arrow tables in a throw-away DuckDB connection; fetch it whole."""
    connection = _connect()
    try:
        for name, table in tables.items():
            connection.register(name, table)
        rows: list[tuple[Any, ...]] = connection.execute(sql).fetchall()
        return rows
    finally:
        connection.close()


def _agrees(
    row: RosterRow, name: str | None, family: str | None, given: str | None, year: int | None
) -> bool:
    """Whether a roster row is plausibly the person its ID names: name close, year close.

    "Close" forgives what rosters get wrong (no diacritics, a typo, a dropped middle name, day and
    month swapped) but not another person: a different given name or a birth year more than
    `ID_BIRTH_YEAR_TOLERANCE` away.
    """
    from rapidfuzz.distance import DamerauLevenshtein

    folded, row_family, _middle, row_given = split_folded(row.full_name or "")
    if folded is None or name is None:
        return False
    if folded != name:
        given_close = DamerauLevenshtein.distance(row_given or "", given or "") <= 1
        family_close = row_family is None or family is None or row_family == family
        if not (given_close and family_close) and DamerauLevenshtein.distance(folded, name) > 2:
            return False
    row_year = row.birth_date.year if row.birth_date else row.birth_year
    return row_year is None or year is None or abs(row_year - year) <= ID_BIRTH_YEAR_TOLERANCE


def _score(
    register: pa.Table, roster: pa.Table, model_path: Path | None, population: int
) -> dict[str, list[Scored]]:
    """Splink's best `MAX_CANDIDATES` + 1 candidates per roster row, best first."""
    from splink import Linker

    _quiet_splink()
    db_api = _db_api()
    try:
        left = db_api.register(register, dataset_display_name="register")
        right = db_api.register(roster, dataset_display_name="roster")
        model = _load_model(model_path, population)
        linker = Linker([left, right], model, log_level=None, validate_settings=False)
        predictions = linker.inference.predict(
            threshold_match_probability=CANDIDATE_FLOOR, warning_mode="never"
        )
        rows = db_api.duckdb_con.execute(
            f"""
            WITH pairs AS (
                SELECT
                    CASE WHEN source_dataset_l = 'roster' THEN unique_id_l ELSE unique_id_r END AS row_id,
                    CASE WHEN source_dataset_l = 'roster' THEN unique_id_r ELSE unique_id_l END AS person,
                    match_weight, match_probability
                FROM {predictions.physical_name}
            ), ranked AS (
                SELECT *, row_number() OVER (
                    PARTITION BY row_id ORDER BY match_weight DESC, person) AS rank
                FROM pairs
            )
            SELECT row_id, person, match_probability, match_weight FROM ranked
            WHERE rank <= {MAX_CANDIDATES + 1} ORDER BY row_id, rank
            """  # noqa: S608 (a table name Splink made, and a constant)
        ).fetchall()
    finally:
        db_api.duckdb_con.close()
    scored: dict[str, list[Scored]] = {}
    for row_id, person, probability, weight in rows:
        scored.setdefault(row_id, []).append(Scored(person, float(probability), float(weight)))
    return scored


def _namesakes(register: pa.Table) -> dict[str, tuple[str, ...]]:
    """Person → everyone of the slice with the same folded name and birth date (or year alone).

    Such people cannot be told apart by name and birth: DOMAIN.md says they exist (and twins).
    """
    groups = _query(
        """
        SELECT list(unique_id ORDER BY unique_id) FROM register
        WHERE name_folded IS NOT NULL
        GROUP BY name_folded, coalesce(CAST(birth_date AS VARCHAR), CAST(birth_year AS VARCHAR))
        HAVING count(*) > 1
        """,
        register=register,
    )
    return {pid: tuple(group) for (group,) in groups for pid in group}


def decide(evidence: Evidence, policy: Policy = Policy()) -> LinkResult:  # noqa: B008 (frozen)
    """The outcome of one row from its ID match (if any) and its scored candidates.

    - an ID that names the person the row describes: ``matched`` (score 1);
    - an ID that names someone else: ``review``, that person first, then the model's candidates;
    - the best candidate has a same-day namesake, or the second is within the margin:
      ``ambiguous`` (never matched: only a person can tell them apart);
    - the best candidate at or above the match threshold: ``matched``; above the review
      threshold: ``review``; else ``not_found``.
    """
    row, by_id = evidence.row, evidence.by_id
    if by_id is not None and by_id.agrees:
        return LinkResult(
            row, "matched", by_id.personal_id, (Candidate(by_id.personal_id, 1.0),), 1.0
        )
    candidates = [s for s in evidence.scored if s.probability >= policy.list_threshold]
    listed = [Candidate(s.personal_id, s.probability) for s in candidates[:MAX_CANDIDATES]]
    best_score = evidence.scored[0].probability if evidence.scored else None
    if by_id is not None:  # the ID names someone the row does not describe: an officer decides
        others = [c for c in listed if c.personal_id != by_id.personal_id]
        mine = next(
            (c for c in listed if c.personal_id == by_id.personal_id),
            Candidate(by_id.personal_id, 0.0),
        )
        return LinkResult(row, "review", None, (mine, *others[: MAX_CANDIDATES - 1]), best_score)
    if not candidates or candidates[0].probability < policy.review_threshold:
        return LinkResult(row, "not_found", None, (), best_score)
    best = candidates[0]
    namesakes = dict(evidence.namesakes).get(best.personal_id, ())
    close = len(candidates) > 1 and candidates[1].weight >= best.weight - policy.ambiguity_margin
    if namesakes or close:
        shown = {c.personal_id for c in listed}
        listed += [Candidate(p, best.probability) for p in namesakes if p not in shown]
        return LinkResult(row, "ambiguous", None, tuple(listed), best.probability)
    if best.probability >= policy.match_threshold and _id_allows(evidence.roster_id, best):
        return LinkResult(row, "matched", best.personal_id, tuple(listed), best.probability)
    return LinkResult(row, "review", None, tuple(listed), best.probability)


def _id_allows(roster_id: str | None, best: Scored) -> bool:
    """A row whose ID is not in the register may still be its best candidate, if the ID is a
    one-digit slip of the candidate's; any other ID says it is someone else."""
    if roster_id is None:
        return True
    from rapidfuzz.distance import Hamming

    return Hamming.distance(roster_id, best.personal_id) <= ID_TYPO_DIGITS


# --- training -----------------------------------------------------------------------------------


def train(
    register: pa.Table, roster_rows: Sequence[RosterRow], out: Path, *, seed: int = 1
) -> dict[str, Any]:
    """Estimate the model on a register and a roster (no labels needed) and save it to ``out``.

    Unsupervised, as it would be on real data: u from random pairs, then m by expectation
    maximisation in three sessions whose blocking rules leave every comparison trained at least
    once (the birth comparison needs one without birth columns: family + given name + commune,
    on a training register of 100,000, never at prediction). m-probabilities are then floored
    (`floor_m_probabilities`). Labels only choose the thresholds (bench/linkage.py). Returns the
    model dict.
    """
    from splink import Linker, block_on

    _quiet_splink()
    db_api = _db_api()
    left = db_api.register(register, dataset_display_name="register")
    right = db_api.register(roster_frame(roster_rows), dataset_display_name="roster")
    creator = settings()
    creator.probability_two_random_records_match = prior(population_of(register, roster_rows))
    linker = Linker([left, right], creator, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e7, seed=seed)
    for rule in (
        block_on("birth_date"),
        block_on("birth_year", "given_folded", "family_folded"),
        block_on("family_folded", "given_folded", "commune"),
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    model = linker.misc.save_model_to_json(None)
    db_api.duckdb_con.close()
    model = floor_m_probabilities(model)
    Path(out).write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model


def floor_m_probabilities(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Raise every m-probability to at least ``floor`` (then renormalise), in a copy.

    The training rosters carry only the errors we simulated; EM reads "never seen among matches"
    as "proves a non-match" (weights of -17 for a commune of the same district). Real rosters
    carry errors we did not think of, so no single disagreement may count for more than
    log2(floor / u) against a match.
    """
    model = dict(json.loads(json.dumps(model)))
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        raised = [max(lv.get("m_probability", floor), floor) for lv in levels]
        total = sum(raised)
        for level, m in zip(levels, raised, strict=True):
            level["m_probability"] = m / total
    return model


# --- results as a file --------------------------------------------------------------------------

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
