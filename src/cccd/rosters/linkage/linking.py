"""Linking a roster against a register slice: the rows whose personal ID settles them, then
Splink's scored candidates for the rest, then the decision of each row (`policy.decide`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa

from cccd.rosters.linkage.engines import DEFAULT_ENGINE, Scoring
from cccd.rosters.linkage.folding import split_folded
from cccd.rosters.linkage.frames import connect, population_of, roster_frame, roster_id
from cccd.rosters.linkage.model import load_model, quiet_splink
from cccd.rosters.linkage.policy import (
    MAX_CANDIDATES,
    Evidence,
    IdMatch,
    LinkResult,
    Scored,
    decide,
)

if TYPE_CHECKING:
    from cccd.rosters.reading import RosterRow


CANDIDATE_FLOOR: Final = 1e-4
"""Pairs scored below this probability are dropped inside DuckDB: never a candidate anyway."""

REGISTER_SOURCE: Final = "r"
ROSTER_SOURCE: Final = "o"
"""Splink's names of the two sides, one letter each: Splink joins its pairs back to both sides on
``source || '-__-' || unique_id``, and a key of 12 bytes or fewer is one DuckDB keeps inline
(with the register's row number as its unique_id up to 9,999,999 people): `_score`."""

ID_BIRTH_YEAR_TOLERANCE: Final = 1
"""A roster ID that is a register ID contradicts the row when the birth years are further apart."""


def link(
    register: pa.Table,
    roster_rows: Sequence[RosterRow],
    *,
    model_path: Path | None = None,
    population: int | None = None,
    engine: str = DEFAULT_ENGINE,
) -> list[LinkResult]:
    """One result per roster row, in row order, against the register slice ``register``.

    ``register`` is a frame from `register_frame_from_people` or `register_frame_from_csv` (the
    slice of `register_slice_filter`); the trained model is read from ``model_path`` (default: the
    shipped `MODEL_PATH`), never retrained. ``population`` is the number of people in the area
    the slice was cut from, all birth years (see `prior`); `register_frame_from_csv` records it.
    ``engine``: where Splink scores (`engines.ENGINES`; DuckDB unless ``"spark"``).
    """
    evidence = gather(
        register, roster_rows, model_path=model_path, population=population, engine=engine
    )
    return [decide(item) for item in evidence]


def gather(
    register: pa.Table,
    roster_rows: Sequence[RosterRow],
    *,
    model_path: Path | None = None,
    population: int | None = None,
    engine: str = DEFAULT_ENGINE,
) -> list[Evidence]:
    """The evidence for each roster row, in row order: ID matches, then Splink's candidates."""
    if not roster_rows:
        return []
    by_id = _exact_ids(register, roster_rows)
    settled = {row for row, match in by_id.items() if match.agrees}
    rest = [row for row in roster_rows if row.row not in settled]
    people = population or population_of(register, roster_rows)
    scored = (
        _score(register, roster_frame(rest), model_path, people, engine)
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
                roster_id=roster_id(row.personal_id),
                namesakes=groups,
            )
        )
    return out


def _exact_ids(register: pa.Table, roster_rows: Sequence[RosterRow]) -> dict[int, IdMatch]:
    """Rows whose personal ID is a register ID, and whether name and birth year agree with it."""
    wanted: dict[str, list[RosterRow]] = {}
    for row in roster_rows:
        if pid := roster_id(row.personal_id):
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
    connection = connect()
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
    register: pa.Table,
    roster: pa.Table,
    model_path: Path | None,
    population: int,
    engine: str = DEFAULT_ENGINE,
) -> dict[str, list[Scored]]:
    """Splink's best `MAX_CANDIDATES` + 1 candidates per roster row, best first.

    Splink sees each register person under their row number, not their personal ID (see
    `REGISTER_SOURCE`: the keys of its joins stay short); the personal IDs come back in the query
    that ranks the candidates, which breaks ties on them as before. ``engine``: where Splink
    runs (`engines.ENGINES`), the same model and queries on each.
    """
    import pyarrow.compute as pc
    from splink import Linker

    quiet_splink()
    run = Scoring(engine)
    numbers = pa.array(range(register.num_rows), pa.int64())
    ids = pa.table({"number": numbers, "personal_id": register.column("unique_id")})
    numbered = register.set_column(0, "unique_id", pc.cast(numbers, pa.string()))
    try:
        run.table("register_ids", ids)
        left = run.db_api.register(numbered, dataset_display_name=REGISTER_SOURCE)
        right = run.db_api.register(roster, dataset_display_name=ROSTER_SOURCE)
        model = run.model(load_model(model_path, population))
        linker = Linker([left, right], model, log_level=None, validate_settings=False)
        predictions = linker.inference.predict(
            threshold_match_probability=CANDIDATE_FLOOR, warning_mode="never"
        )
        rows = run.rows(
            f"""
            WITH scored AS (
                SELECT
                    CASE WHEN source_dataset_l = '{ROSTER_SOURCE}' THEN unique_id_l ELSE unique_id_r END AS row_id,
                    CAST(CASE WHEN source_dataset_l = '{ROSTER_SOURCE}' THEN unique_id_r ELSE unique_id_l END
                        AS BIGINT) AS number,
                    match_weight, match_probability
                FROM {predictions.physical_name}
            ), pairs AS (
                SELECT row_id, personal_id AS person, match_weight, match_probability
                FROM scored JOIN register_ids USING (number)
            ), ranked AS (
                SELECT *, row_number() OVER (
                    PARTITION BY row_id ORDER BY match_weight DESC, person) AS rank
                FROM pairs
            )
            SELECT row_id, person, match_probability, match_weight FROM ranked
            WHERE rank <= {MAX_CANDIDATES + 1} ORDER BY row_id, rank
            """  # noqa: S608 (a table name Splink made, and a constant)
        )
    finally:
        run.close()
    scored: dict[str, list[Scored]] = {}
    for row_id, person, probability, weight in rows:
        scored.setdefault(row_id, []).append(Scored(person, float(probability), float(weight)))
    return scored


def _namesakes(register: pa.Table) -> dict[str, tuple[str, ...]]:
    """Person → everyone of the slice with the same folded name and birth date (or year alone).

    Such people cannot be told apart by name and birth: docs/domain.md#names-and-matching says they
    exist (and twins).
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
