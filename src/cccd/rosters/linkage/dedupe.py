"""People registered twice: pairs of register records that are likely one person, and clusters.

A person who moved and registered again in another province, or who was registered at birth and
again at 14, has two records with two personal IDs; typos and missing diacritics make them differ.
Splink (`link_type="dedupe_only"`) scores the register against itself with the comparisons of the
shipped roster model (`model`), with its m and u where they mean the same here:

- ``place`` is made neutral (m = u): a second record is, by its nature, somewhere else, so a
  different commune is no evidence against, and the same commune is the household's (twins,
  siblings), not the person's;
- the prior is `dedupe_prior`: the share of people registered twice, spread over every pair.

Blocking (`blocking_rules`) keeps the pairs bounded on a register as concentrated as Vietnam's:
every rule joins on the birth date (or its day/month swap, or the year when one side has the
year alone) and also on name parts, so "same day, Nguyễn" and "same year, Hùng" alone make no
pair. Rows with the same personal ID are never paired (the ID is the person; a repeated row is
not a second record). Twins (docs/domain.md#names-and-matching: same family, same birth date,
different names) may score high on their shared parents and date, so a pair whose names differ
at all while the family name and birth agree, or whose given names differ by more than one edit,
is listed for review but never put in a cluster.

The engine (DuckDB, or Spark for a register beyond one machine) is `engines.Scoring`'s, as for
`cccd link`: the same model translated to Spark SQL, blocking rules included, and this module's
own query written in DuckDB's SQL and translated the same way (`Scoring.sql`); clustering is
Splink's on either. tests/rosters/test_spark_engine.py checks both find the same pairs (to 9
decimals) and the same clusters.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from cccd.rosters.linkage.engines import DEFAULT_ENGINE, ENGINES, Scoring
from cccd.rosters.linkage.model import load_model, quiet_splink
from cccd.spreadsheets import safe_text

DEFAULT_THRESHOLD: Final = 0.1
"""Pairs at or above this match probability are listed for an officer to review.

`python -m bench dedupe` (bench/RESULTS.md, register deduplication; names as concentrated as
Vietnam's, 0.5 % of people planted twice): at 1,000,000 people 0.1 lists 94.8 % of the planted
pairs at 89.0 % precision (0.5: 87.6 % at 91.7 %; 0.01: 98.8 % at 79.2 %); at 200,000, 98.0 % at
90.8 %. The pairs that are not planted are twins (listed, never clustered) and namesakes born the
same day: worth the look a review list gives them; the planted pairs it misses are nearly all
second records without parents' names, which a same-day namesake matches as well. At 10,000,000
people (two provinces' communes) the prior per pair is ten times smaller and each name has ten
times the namesakes: 0.1 lists 87.4 % at 74.4 %, and 0.01 lists 95.0 % at 57.0 %, so give a
register that size ``--threshold 0.01``."""

CLUSTER_THRESHOLD: Final = 0.99
"""Pairs at or above this (and not possibly twins: `_may_cluster`) are clustered as one person.

Same runs: 99.6 % of the clustered pairs are planted ones, at both sizes, and 99.1 % at
10,000,000 (they are 70 % of the planted pairs; the others stay on the review list)."""

DUPLICATE_RATE: Final = 0.001
"""Share of people assumed registered twice, for the prior ([unverified]: one in a thousand; the
figure moves probabilities, not the order of pairs, and a register officer's review rate settles
it). See `dedupe_prior`."""

PAIR_COLUMNS: Final = (
    "personal_id_l", "personal_id_r", "match_probability", "match_weight", "cluster_id",
)  # fmt: skip
CLUSTER_COLUMNS: Final = ("cluster_id", "size", "personal_ids")

GIVEN_NAME_EDITS: Final = 1
"""Given names further apart than this (folded, Damerau-Levenshtein) never join a cluster."""


class DedupeError(ValueError):
    """The deduplication cannot run as asked (an unknown engine, a bad threshold)."""


@dataclass(frozen=True)
class Pair:
    """Two register records the model takes for one person (personal IDs, left < right)."""

    personal_id_l: str
    personal_id_r: str
    match_probability: float
    match_weight: float
    cluster_id: int | None  # None: for review only (below the cluster threshold, or twins?)


@dataclass(frozen=True)
class Cluster:
    """Records linked by clustered pairs: one person, several personal IDs (sorted)."""

    cluster_id: int
    personal_ids: tuple[str, ...]


@dataclass(frozen=True)
class Duplicates:
    """What `find_duplicates` found: pairs (best first) and clusters (by first personal ID)."""

    pairs: tuple[Pair, ...]
    clusters: tuple[Cluster, ...]
    records: int  # records compared (rows with a birth year)


def dedupe_prior(records: int, duplicate_rate: float = DUPLICATE_RATE) -> float:
    """The probability that two random records of the register are one person.

    ``records × rate`` true pairs among ``records² / 2`` pairs.
    """
    records = max(records, 2)
    return min(1.0, duplicate_rate * records / (records * (records - 1) / 2))


_NOT_SAME_ID: Final = "l.personal_id <> r.personal_id"
_SAME_MIDDLE: Final = "coalesce(l.middle_folded, '') = coalesce(r.middle_folded, '')"


def blocking_rules() -> list[str]:
    """Every rule: the birth date (or the year, when a side has only the year) AND name parts.

    A date: the given name, or the family and middle names (as the roster model's year-apart
    rules), so one typo anywhere in the name still leaves a rule; day and month swapped the same
    (swapping is its own inverse, so one direction finds both). The year alone is weaker (ten
    thousand people a year at a million): the given and family names; or the family and middle
    names and the given name's first letter; or the given and middle names and the family
    name's first letter. Each rule is a conjunction of equalities DuckDB joins on, and the
    "year only" side is a rule of its own for each side, so the filter is pushed below the join:
    with ``(l … IS NULL OR r … IS NULL)`` one rule made 2.2 million pairs and took 78 s on the
    1,000,000-person register (bench/RESULTS.md, register deduplication); now 0.4 s.
    """
    family_middle = f"l.family_folded = r.family_folded AND {_SAME_MIDDLE}"
    rules = []
    for dates in ("l.birth_date = r.birth_date", "l.birth_date = r.birth_date_swapped"):
        rules.append(f"{dates} AND l.given_folded = r.given_folded AND {_NOT_SAME_ID}")
        rules.append(f"{dates} AND {family_middle} AND {_NOT_SAME_ID}")
    for side in ("l", "r"):
        year = f"l.birth_year = r.birth_year AND {side}.birth_date IS NULL"
        for names in (
            "l.given_folded = r.given_folded AND l.family_folded = r.family_folded",
            f"{family_middle} AND left(l.given_folded, 1) = left(r.given_folded, 1)",
            f"l.given_folded = r.given_folded AND {_SAME_MIDDLE} "
            "AND left(l.family_folded, 1) = left(r.family_folded, 1)",
        ):
            rules.append(f"{year} AND {names} AND {_NOT_SAME_ID}")
    return rules


def dedupe_model(model_path: Path | None, records: int, duplicate_rate: float) -> dict[str, Any]:
    """The shipped roster model made a register-against-itself model (see the module)."""
    model = load_model(model_path, records)  # a fresh dict, read from the file
    model["link_type"] = "dedupe_only"
    model["probability_two_random_records_match"] = dedupe_prior(records, duplicate_rate)
    model["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": model.get("sql_dialect", "duckdb")}
        for rule in blocking_rules()
    ]
    for comparison in model["comparisons"]:
        if comparison.get("output_column_name") == "place":
            for level in comparison["comparison_levels"]:
                if not level.get("is_null_level") and "u_probability" in level:
                    level["m_probability"] = level["u_probability"]
    return model


def find_duplicates(
    register: pa.Table,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    cluster_threshold: float = CLUSTER_THRESHOLD,
    engine: str = DEFAULT_ENGINE,
    model_path: Path | None = None,
    duplicate_rate: float = DUPLICATE_RATE,
) -> Duplicates:
    """Pairs of records of ``register`` (a frame: `LoadedRegister.frame`) at or above
    ``threshold``, best first, and the clusters of the pairs at or above ``cluster_threshold``
    (or ``threshold`` if higher) that `_may_cluster`. ``engine``: where Splink scores
    (`engines.ENGINES`).

    Raises:
        DedupeError: a threshold outside (0, 1], or an unknown engine.
        EngineUnavailable: Spark asked for and missing here (`engines.spark_session`).
    """
    for value in (threshold, cluster_threshold):
        if not 0.0 < value <= 1.0:  # NaN fails too
            raise DedupeError(
                f"a threshold must be a probability above 0 and at most 1, not {value}"
            )
    if engine not in ENGINES:
        raise DedupeError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")
    cluster_at = max(threshold, cluster_threshold)
    if register.num_rows < 2:
        return Duplicates((), (), register.num_rows)
    run = Scoring(engine)
    try:
        scored = _score(run, register, threshold, model_path, duplicate_rate)
        clustered = [p for p in scored if p.probability >= cluster_at and _may_cluster(p)]
        clusters = _clusters(run, clustered)
    finally:
        run.close()
    cluster_of = {pid: c.cluster_id for c in clusters for pid in c.personal_ids}
    edges = {(p.left, p.right) for p in clustered}
    pairs = tuple(
        Pair(
            p.left,
            p.right,
            p.probability,
            p.weight,
            cluster_of[p.left] if (p.left, p.right) in edges else None,
        )
        for p in scored
    )
    return Duplicates(pairs, clusters, register.num_rows)


@dataclass(frozen=True)
class _Scored:
    left: str
    right: str
    probability: float
    weight: float
    given_l: str | None
    given_r: str | None
    twins: bool  # same family name and birth, different names


def _may_cluster(pair: _Scored) -> bool:
    """Not possibly twins, and given names the same or one edit apart (or one unknown).

    Twins are born the same day to the same family and get different names: given names often
    one letter apart once folded (Thành and Thịnh: "thanh", "thinh"), or the same given name and
    another middle name (Võ Phúc, Võ Quang Phúc). A second record with a typo in the name looks
    the same, so an officer decides it (the pair is listed, not clustered).
    """
    from rapidfuzz.distance import DamerauLevenshtein

    if pair.twins:
        return False
    if pair.given_l is None or pair.given_r is None:
        return True
    return DamerauLevenshtein.distance(pair.given_l, pair.given_r) <= GIVEN_NAME_EDITS


def _score(
    run: Scoring,
    register: pa.Table,
    threshold: float,
    model_path: Path | None,
    duplicate_rate: float,
) -> list[_Scored]:
    """Splink's pairs at or above the threshold, with personal IDs and given names, best first.

    Splink sees each record under its row number (short join keys, and two rows with one ID stay
    two records); the personal ID rides along for the blocking rules' ``<>``. Best first: by
    the weight to 9 decimals (the engines' last bits differ), then the personal IDs.
    """
    import pyarrow.compute as pc
    from splink import Linker

    quiet_splink()
    numbers = pc.cast(pa.array(range(register.num_rows), pa.int64()), pa.string())
    numbered = register.append_column("personal_id", register.column("unique_id")).set_column(
        0, "unique_id", numbers
    )
    records = run.db_api.register(numbered, dataset_display_name="register")
    model = run.model(dedupe_model(model_path, register.num_rows, duplicate_rate))
    linker = Linker(records, model, log_level=None, validate_settings=False)
    predictions = linker.inference.predict(
        threshold_match_probability=threshold, warning_mode="never"
    )
    query: Any = linker.misc.query_sql  # untyped in Splink; runs on any back end
    sql = run.sql(
        f"""
        SELECT l.personal_id AS id_l, r.personal_id AS id_r, p.match_probability,
            p.match_weight, l.given_folded AS given_l, r.given_folded AS given_r,
            coalesce(l.name_folded, '') <> coalesce(r.name_folded, '')
                AND l.family_folded = r.family_folded
                AND coalesce(CAST(l.birth_date AS VARCHAR), CAST(l.birth_year AS VARCHAR))
                    = coalesce(CAST(r.birth_date AS VARCHAR), CAST(r.birth_year AS VARCHAR))
                AS twins
        FROM {predictions.physical_name} p
        JOIN {records.physical_name} l ON l.unique_id = p.unique_id_l
        JOIN {records.physical_name} r ON r.unique_id = p.unique_id_r
        """  # noqa: S608 (table names Splink made)
    )
    rows = query(sql, output_type="splink_df").as_record_list()
    out = []
    for row in rows:
        left, right = sorted((row["id_l"], row["id_r"]))
        given_l, given_r = (
            (row["given_l"], row["given_r"])
            if left == row["id_l"]
            else (row["given_r"], row["given_l"])
        )
        out.append(
            _Scored(
                left,
                right,
                float(row["match_probability"]),
                float(row["match_weight"]),
                given_l,
                given_r,
                bool(row["twins"]),
            )
        )
    out.sort(key=lambda p: (-round(p.weight, 9), p.left, p.right))
    return out


def _clusters(run: Scoring, pairs: list[_Scored]) -> tuple[Cluster, ...]:
    """Connected components of the pairs (Splink's `cluster_pairwise_predictions_at_threshold`),
    numbered from 1 in the order of their smallest personal ID."""
    if not pairs:
        return ()
    from splink.clustering import cluster_pairwise_predictions_at_threshold

    ids = sorted({p.left for p in pairs} | {p.right for p in pairs})
    nodes = pa.table({"personal_id": pa.array(ids, pa.string())})
    edges = pa.table(
        {
            "personal_id_l": pa.array([p.left for p in pairs], pa.string()),
            "personal_id_r": pa.array([p.right for p in pairs], pa.string()),
        }
    )
    result = cluster_pairwise_predictions_at_threshold(
        nodes, edges, run.db_api, node_id_column_name="personal_id"
    ).as_record_list()
    members: dict[str, list[str]] = {}
    for row in result:
        members.setdefault(str(row["cluster_id"]), []).append(str(row["personal_id"]))
    groups = sorted(tuple(sorted(group)) for group in members.values() if len(group) > 1)
    return tuple(Cluster(number, group) for number, group in enumerate(groups, start=1))


def write_pairs(pairs: tuple[Pair, ...], path: Path) -> None:
    """pairs.csv, best first; every value written as text (`safe_text`: IDs come from a file)."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(PAIR_COLUMNS)
        for pair in pairs:
            writer.writerow(
                [
                    safe_text(pair.personal_id_l),
                    safe_text(pair.personal_id_r),
                    f"{pair.match_probability:.6f}",
                    f"{pair.match_weight:.3f}",
                    "" if pair.cluster_id is None else str(pair.cluster_id),
                ]
            )


def write_clusters(clusters: tuple[Cluster, ...], path: Path) -> None:
    """clusters.csv: one line per cluster, its personal IDs separated by ``;``."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(CLUSTER_COLUMNS)
        for cluster in clusters:
            writer.writerow(
                [
                    str(cluster.cluster_id),
                    str(len(cluster.personal_ids)),
                    safe_text(";".join(cluster.personal_ids)),
                ]
            )
