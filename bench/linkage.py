"""Roster linkage benchmark: quality on labelled synthetic rosters, and speed at two sizes.

`python -m bench linkage` runs, on registers from `cccd.demo.generator` (provinces 67 and 52)
and rosters from bench/linkage_data.py (people of the register written with realistic errors, 5 %
people who are not in it, and extra people who have a namesake born the same day):

- the thresholds: outcomes on a validation roster for a range of each threshold of
  `cccd.rosters.linkage.policy` (the constants there are chosen from this table);
- quality on a separate test roster (another register, another seed), side by side: our engine,
  (a) an exact look-up on folded name + birth date (what a spreadsheet does today: the first row
  that has them), (b) Splink with generic settings (its own name and date comparisons on the names
  as typed: no folding, no Vietnamese rules, no namesake rule);
- speed: `cccd link` end to end (reading both files, linking, writing the result) as a subprocess
  with its peak memory (`os.wait4`): 2,000 rows against 100,000 people, 20,000 against 1,000,000;
  the quality of those runs too, from their result files. Beside it, in turns, the exact look-up
  of the same files end to end (`bench/exact_link.py`: DuckDB, folded name + birth date), the
  baseline the pre-check's time is compared with; and the candidate pairs the blocking rules make.

Rosters are read by `cccd.rosters.reading.read_roster` as the web pre-check reads them, with
"today" the registers' reference date (so two-digit years resolve as they would have then).

Options: `--train` re-estimates the shipped model (src/cccd/rosters/linkage/linkage_model.json,
with `cccd.demo.linkage_training`, on a third register and roster) first; `--only quality|speed`;
`--runs K` (runs of the small speed case; median reported); `--big-runs K` (of the large one);
`--register-kind default|vietnam|both` (the speed cases' register: the generator's default names,
or as concentrated as Vietnam's — `cccd.demo.generator.CONCENTRATIONS`); `--case ROWSxPEOPLE`
(only these speed cases). Data is cached in bench/data/linkage/.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import linkage_data as data

ROOT = Path(__file__).resolve().parent.parent
TRAIN_SEED, VALIDATION_SEED, TEST_SEED = 11, 12, 13
QUALITY_PEOPLE, QUALITY_ROWS, QUALITY_NAMESAKES = 100_000, 20_000, 300
SPEED_CASES = ((2_000, 100_000), (20_000, 1_000_000))
SPEED_SEED = 1
GENERIC_MODEL = data.DATA / "generic_model.json"
ENGINE_SRC = ROOT / "src"
"""The src/ whose `cccd link` the speed cases time (`--engine-src`: another checkout's, to
measure before and after in one session on the same files)."""
REVIEW_FLOOR = 0.01  # generic Splink: the same review threshold as ours


def read_rows(path: Path) -> Sequence[Any]:
    """The roster's rows as the web pre-check reads them."""
    from cccd.rosters.reading import read_roster

    return read_roster(path, today=data.REFERENCE_DATE).rows


# --- scoring against the truth ------------------------------------------------------------------


@dataclass
class Tally:
    """Counts of one method on one labelled roster."""

    rows: int = 0
    in_register: int = 0
    matched: int = 0
    matched_right: int = 0
    found: int = 0  # in the register, and matched right or the right person among the candidates
    review: int = 0
    ambiguous: int = 0
    not_found: int = 0
    absent_matched: int = 0  # people not in the register, auto-matched to someone
    namesake_rows: int = 0  # rows whose person has a namesake born the same day, without an ID
    namesake_matched: int = 0  # … of which auto-matched
    by_error: dict[str, list[int]] = field(default_factory=dict)  # error → [rows, found, right]

    @property
    def wrong(self) -> int:
        return self.matched - self.matched_right

    @property
    def precision(self) -> float:
        return self.matched_right / self.matched if self.matched else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.in_register if self.in_register else 1.0

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "in_register": self.in_register,
            "matched": self.matched,
            "wrong": self.wrong,
            "precision": round(self.precision, 6),
            "found": self.found,
            "recall": round(self.recall, 6),
            "review": self.review,
            "ambiguous": self.ambiguous,
            "not_found": self.not_found,
            "absent_matched": self.absent_matched,
            "namesake_rows": self.namesake_rows,
            "namesake_matched": self.namesake_matched,
        }


def tally(results: Sequence[Any], truths: Sequence[data.Truth], has_id: dict[int, bool]) -> Tally:
    """Compare LinkResult-shaped results with the truth, row by row."""
    by_row = {t.row: t for t in truths}
    t = Tally()
    for result in results:
        truth = by_row[result.row]
        t.rows += 1
        setattr(t, result.outcome, getattr(t, result.outcome) + 1)
        right = bool(truth.personal_id) and result.personal_id == truth.personal_id
        if result.outcome == "matched":
            t.matched_right += right
            t.absent_matched += not truth.personal_id
        if truth.namesake and not has_id[result.row]:
            t.namesake_rows += 1
            t.namesake_matched += result.outcome == "matched"
        if not truth.personal_id:
            continue
        t.in_register += 1
        listed = {c.personal_id for c in result.candidates}
        found = right or (result.outcome in ("review", "ambiguous") and truth.personal_id in listed)
        t.found += found
        for error in truth.errors or ("none",):
            counts = t.by_error.setdefault(error, [0, 0, 0])
            counts[0] += 1
            counts[1] += found
            counts[2] += right
    return t


def error_bound(wrong: int, matched: int) -> float:
    """95 % upper bound of the wrong-match rate (Poisson, one-sided): 3.0/n for none, 4.7/n …"""
    limits = (3.00, 4.74, 6.30, 7.75, 9.15, 10.51, 11.84, 13.15, 14.43, 15.71, 16.96)
    if not matched:
        return 1.0
    if wrong < len(limits):
        return limits[wrong] / matched
    return (wrong + 1.645 * math.sqrt(wrong) + 1) / matched


# --- (a) the spreadsheet look-up ----------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    personal_id: str
    probability: float


@dataclass(frozen=True)
class Outcome:
    """A LinkResult-shaped answer of a baseline."""

    row: int
    outcome: str
    personal_id: str | None
    candidates: tuple[Listed, ...] = ()
    score: float | None = None


def exact_lookup(register_csv: Path, rows: Sequence[Any]) -> list[Outcome]:
    """Folded name + birth date; like VLOOKUP, the first register row that has them."""
    from cccd.core import names

    first: dict[tuple[str, str], str] = {}
    for person in data.read_people(register_csv):
        first.setdefault(
            (names.fold(person.full_name), _iso(person.birth_date)), person.personal_id
        )
    out = []
    for row in rows:
        day = row.birth_date.isoformat() if row.birth_date else str(row.birth_year or "")
        found = first.get((names.fold(row.full_name), day))
        out.append(Outcome(row.row, "matched" if found else "not_found", found))
    return out


def _iso(text: str) -> str:
    if len(text) == 4:
        return text
    day, month, year = text.split("/")
    return f"{year}-{month}-{day}"


# --- (b) generic Splink -------------------------------------------------------------------------


def _generic_table(records: Sequence[dict[str, Any]]) -> Any:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("unique_id", pa.string()),
            ("full_name", pa.string()),
            ("birth_date", pa.date32()),
            ("birth_year", pa.int32()),
            ("sex", pa.string()),
            ("father_name", pa.string()),
            ("mother_name", pa.string()),
        ]
    )
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    for record in records:
        for name in schema.names:
            columns[name].append(record.get(name) or None)
    return pa.table(columns, schema=schema)


def generic_register(register_csv: Path, years: set[int] | None = None) -> tuple[Any, int]:
    """The register as typed (no folding), and how many people it holds."""
    from cccd.rosters.linkage import parse_register_date

    records = []
    people = data.read_people(register_csv)
    for p in people:
        day, year = parse_register_date(p.birth_date)
        if years is None or year in years:
            records.append(
                {
                    "unique_id": p.personal_id,
                    "full_name": p.full_name,
                    "birth_date": day,
                    "birth_year": year,
                    "sex": "M" if p.sex == "Nam" else "F",
                    "father_name": p.father_name,
                    "mother_name": p.mother_name,
                }
            )
    return _generic_table(records), len(people)


def generic_roster(rows: Sequence[Any]) -> Any:
    return _generic_table(
        [
            {
                "unique_id": str(r.row),
                "full_name": r.full_name,
                "birth_date": r.birth_date,
                "birth_year": r.birth_date.year if r.birth_date else r.birth_year,
                "sex": r.sex,
                "father_name": r.father_name,
                "mother_name": r.mother_name,
            }
            for r in rows
        ]
    )


def generic_settings() -> Any:
    """Splink's own comparisons for names and dates, blocking on the date or year + name."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="link_only",
        comparisons=[
            cl.NameComparison("full_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=False),
            cl.ExactMatch("sex"),
            cl.NameComparison("father_name"),
            cl.NameComparison("mother_name"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            block_on("birth_year", "full_name"),
        ],
        retain_matching_columns=False,
    )


def train_generic(register_csv: Path, rows: Sequence[Any]) -> None:
    """u by random sampling, m by EM (blocking on the date, then on the name), as ours."""
    from splink import DuckDBAPI, Linker, block_on

    register, people = generic_register(register_csv)
    db_api = DuckDBAPI()
    left = db_api.register(register, dataset_display_name="register")
    right = db_api.register(generic_roster(rows), dataset_display_name="roster")
    creator = generic_settings()
    creator.probability_two_random_records_match = 1.0 / people
    linker = Linker([left, right], creator, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name"))
    linker.misc.save_model_to_json(str(GENERIC_MODEL), overwrite=True)


def generic_scores(register_csv: Path, rows: Sequence[Any]) -> dict[int, list[tuple[str, float]]]:
    """Candidates per row, best first (the prior one in the register's population, as ours)."""
    from splink import DuckDBAPI, Linker

    years = {y + d for r in rows if (y := r.birth_year) for d in (-1, 0, 1)}
    register, people = generic_register(register_csv, years)
    db_api = DuckDBAPI()
    left = db_api.register(register, dataset_display_name="register")
    right = db_api.register(generic_roster(rows), dataset_display_name="roster")
    model = json.loads(GENERIC_MODEL.read_text(encoding="utf-8"))
    model["probability_two_random_records_match"] = 1.0 / people
    linker = Linker([left, right], model, log_level=None)
    predictions = linker.inference.predict(threshold_match_probability=0.001, warning_mode="never")
    found = db_api.duckdb_con.sql(
        f"""SELECT CASE WHEN source_dataset_l = 'roster' THEN unique_id_l ELSE unique_id_r END,
                   CASE WHEN source_dataset_l = 'roster' THEN unique_id_r ELSE unique_id_l END,
                   match_probability
            FROM {predictions.physical_name} ORDER BY match_weight DESC"""  # noqa: S608 (Splink's table)
    ).fetchall()
    scores: dict[int, list[tuple[str, float]]] = {}
    for row_id, person, probability in found:
        scores.setdefault(int(row_id), []).append((person, float(probability)))
    return scores


def generic_outcomes(
    scores: dict[int, list[tuple[str, float]]], rows: Sequence[Any], threshold: float
) -> list[Outcome]:
    """Best candidate at or above ``threshold``: matched; above the review floor: review."""
    out = []
    for row in rows:
        listed = [(p, s) for p, s in scores.get(row.row, []) if s >= REVIEW_FLOOR][:5]
        if not listed:
            out.append(Outcome(row.row, "not_found", None))
        elif listed[0][1] >= threshold:
            out.append(Outcome(row.row, "matched", listed[0][0], score=listed[0][1]))
        else:
            candidates = tuple(Listed(p, s) for p, s in listed)
            out.append(Outcome(row.row, "review", None, candidates, listed[0][1]))
    return out


# --- our engine ---------------------------------------------------------------------------------


def our_evidence(register_csv: Path, rows: Sequence[Any]) -> list[Any]:
    from cccd.rosters import linkage

    sliced = linkage.register_slice_filter(rows)
    register = linkage.register_frame_from_csv(register_csv, years=sliced.years)
    return linkage.gather(register, rows)


def train_ours() -> None:
    """Estimate the shipped model on the training register and roster (no labels used)."""
    from cccd.demo.linkage_training import train
    from cccd.rosters import linkage

    register_csv = data.ensure_register(TRAIN_SEED, QUALITY_PEOPLE)
    labelled = data.ensure_roster(register_csv, rows=QUALITY_ROWS, seed=TRAIN_SEED)
    started = time.perf_counter()
    train(
        linkage.register_frame_from_csv(register_csv),
        read_rows(labelled.roster),
        linkage.MODEL_PATH,
    )
    print(
        f"trained {linkage.MODEL_PATH.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s"
    )


# --- reports ------------------------------------------------------------------------------------


def percent(x: float, digits: int = 2) -> str:
    return f"{100 * x:.{digits}f} %"


def sweep(
    evidence: Sequence[Any], truths: Sequence[data.Truth], has_id: dict[int, bool]
) -> tuple[str, list[dict[str, Any]]]:
    """Outcomes on the validation roster for each value of one threshold, the others default."""
    from cccd.rosters import linkage

    lines = [
        "| threshold | value | auto-matched | wrong | precision | 95 % bound on wrong | found | review + ambiguous | not found |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    grid = [("match", v) for v in (0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999)]
    grid += [("review", v) for v in (0.001, 0.01, 0.1)]
    grid += [("margin", v) for v in (1.0, 3.0, 5.0, 8.0)]
    figures = []
    for name, value in grid:
        policy = linkage.Policy(
            match_threshold=value if name == "match" else linkage.MATCH_THRESHOLD,
            review_threshold=value if name == "review" else linkage.REVIEW_THRESHOLD,
            list_threshold=min(value, linkage.LIST_THRESHOLD)
            if name == "review"
            else linkage.LIST_THRESHOLD,
            ambiguity_margin=value if name == "margin" else linkage.AMBIGUITY_MARGIN,
        )
        t = tally([linkage.decide(e, policy) for e in evidence], truths, has_id)
        bound = error_bound(t.wrong, t.matched)
        figures.append({"threshold": name, "value": value, "error_bound": bound, **t.summary()})
        lines.append(
            f"| {name} | {value} | {t.matched:,} | {t.wrong} | {percent(t.precision, 3)} | "
            f"{percent(bound, 3)} | {percent(t.recall)} | {t.review + t.ambiguous:,} | {t.not_found:,} |"
        )
    return "\n".join(lines), figures


def quality_table(tallies: dict[str, Tally]) -> str:
    lines = [
        "| method | auto-matched | wrong | precision | found (matched right, or among the candidates) | review | ambiguous | not found | same-day namesakes auto-matched | absent people auto-matched |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, t in tallies.items():
        lines.append(
            f"| {name} | {t.matched:,} | {t.wrong:,} | {percent(t.precision, 3)} | "
            f"{t.found:,} / {t.in_register:,} = {percent(t.recall)} | {t.review:,} | "
            f"{t.ambiguous:,} | {t.not_found:,} | {t.namesake_matched} / {t.namesake_rows} | "
            f"{t.absent_matched} / {t.rows - t.in_register} |"
        )
    return "\n".join(lines)


def error_table(t: Tally, truths: Sequence[data.Truth]) -> str:
    counts = data.error_counts(truths)
    lines = [
        "| roster error | rate | rows (test) | found by our engine | auto-matched right |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    rates = [*data.ERROR_RATES.items(), ("not_in_register", data.NOT_IN_REGISTER_RATE)]
    for error, rate in rates:
        rows, found, right = t.by_error.get(error, [0, 0, 0])
        shown = [percent(found / rows), percent(right / rows, 1)] if rows else ["—", "—"]
        lines.append(
            f"| {error} | {percent(rate, 1)} | {counts.get(error, 0):,} | {' | '.join(shown)} |"
        )
    rows, found, right = t.by_error.get("none", [0, 0, 0])
    if rows:
        lines.append(
            f"| (none of these) | | {rows:,} | {percent(found / rows)} | {percent(right / rows, 1)} |"
        )
    return "\n".join(lines)


# --- runs ---------------------------------------------------------------------------------------


def labelled(seed: int) -> tuple[Path, Sequence[Any], list[data.Truth], dict[int, bool]]:
    register_csv = data.ensure_register(seed, QUALITY_PEOPLE)
    roster = data.ensure_roster(
        register_csv, rows=QUALITY_ROWS, seed=seed, namesakes=QUALITY_NAMESAKES
    )
    rows = read_rows(roster.roster)
    return (
        register_csv,
        rows,
        data.read_truth(roster.truth),
        {r.row: bool(r.personal_id) for r in rows},
    )


def quality() -> dict[str, Any]:
    """Validation sweep (thresholds), then the test roster: ours, exact, generic Splink."""
    from cccd.rosters import linkage

    report: dict[str, Any] = {}
    register_csv, rows, truths, has_id = labelled(VALIDATION_SEED)
    started = time.perf_counter()
    evidence = our_evidence(register_csv, rows)
    print(
        f"\nvalidation: {len(rows):,} rows against {QUALITY_PEOPLE:,} people ({time.perf_counter() - started:.1f} s)"
    )
    table, report["validation_sweep"] = sweep(evidence, truths, has_id)
    print(table, flush=True)

    if not GENERIC_MODEL.exists():
        train_csv = data.ensure_register(TRAIN_SEED, QUALITY_PEOPLE)
        train_roster = data.ensure_roster(train_csv, rows=QUALITY_ROWS, seed=TRAIN_SEED)
        train_generic(train_csv, read_rows(train_roster.roster))
    scores = generic_scores(register_csv, rows)
    generic_sweep = {
        threshold: tally(generic_outcomes(scores, rows, threshold), truths, has_id)
        for threshold in (0.9, 0.99, 0.999, 0.9999, 0.99999)
    }
    report["generic_validation"] = {str(k): t.summary() for k, t in generic_sweep.items()}
    generic_threshold = next(
        (k for k, t in generic_sweep.items() if error_bound(t.wrong, t.matched) <= 0.001),
        max(generic_sweep),
    )

    register_csv, rows, truths, has_id = labelled(TEST_SEED)
    started = time.perf_counter()
    sliced = linkage.register_slice_filter(rows)
    ours = linkage.link(linkage.register_frame_from_csv(register_csv, years=sliced.years), rows)
    seconds = time.perf_counter() - started
    tallies = {
        "our engine": tally(ours, truths, has_id),
        "(a) exact folded name + birth date": tally(
            exact_lookup(register_csv, rows), truths, has_id
        ),
        f"(b) generic Splink, auto-match at p ≥ {generic_threshold}": tally(
            generic_outcomes(generic_scores(register_csv, rows), rows, generic_threshold),
            truths,
            has_id,
        ),
    }
    print(f"\ntest: {len(rows):,} rows against {QUALITY_PEOPLE:,} people (ours in {seconds:.1f} s)")
    print(quality_table(tallies))
    print()
    print(error_table(tallies["our engine"], truths), flush=True)
    report["test"] = {name: t.summary() for name, t in tallies.items()}
    report["test_by_error"] = tallies["our engine"].by_error
    report["test_seconds"] = seconds
    return report


def run_link(
    register_csv: Path, roster: Path, out: Path, *, exact: bool = False
) -> tuple[float, int, str]:
    """`cccd link …` (or, ``exact``, the baseline `bench/exact_link.py`) as a subprocess: wall
    seconds, peak RSS in MiB (wait4), its summary line."""
    import tempfile

    env = dict(os.environ, CCCD_DEBUG="0", DJANGO_SETTINGS_MODULE="cccd.settings")
    if exact:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]
        )
        command = [sys.executable, "-m", "bench.exact_link"]
    else:
        env["PYTHONPATH"] = os.pathsep.join([str(ENGINE_SRC), env.get("PYTHONPATH", "")])
        command = [sys.executable, "-m", "cccd", "link"]
    command += ["--register", str(register_csv), "--roster", str(roster), "--out", str(out)]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)  # noqa: S603 (our own command)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        if process.returncode:
            raise RuntimeError(f"{command[1:3]} failed:\n{stderr.read().decode()[-3000:]}")
        line = stdout.read().decode().strip().splitlines()[-1]
    return elapsed, usage.ru_maxrss // 1024, line


def speed(
    runs: int,
    big_runs: int = 1,
    kinds: Sequence[str] = ("default",),
    cases: Sequence[tuple[int, int]] = SPEED_CASES,
) -> list[dict[str, Any]]:
    """Each size and register kind end to end, our engine and the exact look-up in turns, the
    quality of what each wrote, and the pairs our blocking rules make."""
    figures = []
    for kind in kinds:
        for roster_rows, people in cases:
            figures.append(
                speed_case(kind, roster_rows, people, runs if people < 500_000 else big_runs)
            )
    return figures


def speed_case(kind: str, roster_rows: int, people: int, runs: int) -> dict[str, Any]:
    register_csv = data.ensure_register(SPEED_SEED, people, kind)
    roster = data.ensure_roster(register_csv, rows=roster_rows, seed=SPEED_SEED + roster_rows)
    truth, has_id = data.read_truth(roster.truth), _has_id(roster.roster)
    suffix = "" if kind == "default" else f"-{kind}"
    figures: dict[str, Any] = {"kind": kind, "roster_rows": roster_rows, "register_people": people}
    times: dict[str, list[float]] = {"ours": [], "exact": []}
    peaks: dict[str, list[int]] = {"ours": [], "exact": []}
    lines = {}
    for _ in range(runs):
        for method in ("exact", "ours"):
            out = data.DATA / f"result-{roster_rows}-{people}{suffix}-{method}.csv"
            seconds, peak, lines[method] = run_link(
                register_csv, roster.roster, out, exact=method == "exact"
            )
            times[method].append(seconds)
            peaks[method].append(peak)
    for method in ("exact", "ours"):
        out = data.DATA / f"result-{roster_rows}-{people}{suffix}-{method}.csv"
        t = tally(_read_results(out), truth, has_id)
        figures[method] = {
            "seconds": statistics.median(times[method]),
            "all_seconds": times[method],
            "peak_rss_mib": max(peaks[method]),
            "summary": lines[method],
            "quality": t.summary(),
        }
        print(
            f"{kind}: {roster_rows:,} rows × {people:,} people, {method}: "
            f"{statistics.median(times[method]):.1f} s (median of {runs}: "
            f"{', '.join(f'{x:.1f}' for x in times[method])}), peak RSS {max(peaks[method]):,} MiB"
            f" — {lines[method]}; auto-matched {t.matched:,}, wrong {t.wrong}, "
            f"found {percent(t.recall)}",
            flush=True,
        )
    ratio = figures["ours"]["seconds"] / figures["exact"]["seconds"]
    figures["ratio"] = ratio
    figures["pairs"] = blocked_pairs(register_csv, roster.roster)
    print(
        f"{kind}: ratio {ratio:.2f}×; blocking pairs {sum(figures['pairs']):,} "
        f"(by rule: {', '.join(f'{n:,}' for n in figures['pairs'])})",
        flush=True,
    )
    return figures


def blocked_pairs(register_csv: Path, roster: Path) -> list[int]:
    """The pairs each blocking rule of the shipped model adds (those of earlier rules left out,
    as Splink does), counted by DuckDB over the frames `cccd link` builds."""
    from cccd.rosters import linkage
    from cccd.rosters.linkage.frames import connect

    rows = read_rows(roster)
    wanted = linkage.register_slice_filter(rows)
    register = linkage.register_frame_from_csv(
        register_csv, years=wanted.years, personal_ids=wanted.personal_ids
    )
    model_path = ENGINE_SRC / linkage.MODEL_PATH.relative_to(ROOT / "src")
    model = json.loads(model_path.read_text(encoding="utf-8"))
    rules = [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]]
    connection = connect()
    try:
        connection.register("register", register)
        connection.register("roster", linkage.roster_frame(rows))
        counts = []
        for i, rule in enumerate(rules):
            earlier = " ".join(f"AND NOT coalesce(({r}), false)" for r in rules[:i])
            [(count,)] = connection.execute(
                f"SELECT count(*) FROM register l JOIN roster r ON {rule} WHERE 1 = 1 {earlier}"  # noqa: S608 (the model's rules)
            ).fetchall()
            counts.append(int(count))
        return counts
    finally:
        connection.close()


def _read_results(path: Path) -> list[Outcome]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Outcome(
                int(r["row"]),
                r["outcome"],
                r["personal_id"] or None,
                tuple(Listed(p, 0.0) for p in r["candidates"].split(";") if p),
            )
            for r in csv.DictReader(file)
        ]


def _has_id(roster: Path) -> dict[int, bool]:
    with roster.open(encoding="utf-8", newline="") as file:
        reader = csv.reader(file)
        next(reader)
        return {int(cells[0]): bool(cells[4].strip()) for cells in reader}


def main(argv: Sequence[str] = ()) -> None:
    global ENGINE_SRC  # noqa: PLW0603 (one option, read by the speed functions)
    parser = argparse.ArgumentParser(prog="python -m bench linkage")
    parser.add_argument("--train", action="store_true", help="re-estimate the shipped model first")
    parser.add_argument("--only", choices=("quality", "speed"))
    parser.add_argument("--runs", type=int, default=3, help="runs of the small speed case")
    parser.add_argument(
        "--engine-src", type=Path, default=ENGINE_SRC, help="the src/ whose cccd link is timed"
    )
    parser.add_argument("--big-runs", type=int, default=1, help="runs of the large speed case")
    parser.add_argument(
        "--register-kind",
        choices=("default", "vietnam", "both"),
        default="default",
        help="the speed cases' register: default names, or as concentrated as Vietnam's",
    )
    parser.add_argument(
        "--case",
        action="append",
        default=[],
        metavar="ROWSxPEOPLE",
        help="only this speed case (repeatable), e.g. 20000x1000000",
    )
    options = parser.parse_args(list(argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    import django

    django.setup()
    started = time.perf_counter()
    report: dict[str, Any] = {"machine": platform.node(), "cpus": os.cpu_count()}
    if options.train:
        train_ours()
        GENERIC_MODEL.unlink(missing_ok=True)
    if options.only in (None, "quality"):
        report["quality"] = quality()
    if options.only in (None, "speed"):
        print()
        kinds = (
            ("default", "vietnam") if options.register_kind == "both" else (options.register_kind,)
        )
        cases: list[tuple[int, int]] = []
        for case in options.case:
            rows, people = case.lower().split("x")
            cases.append((int(rows), int(people)))
        ENGINE_SRC = options.engine_src.resolve()
        report["engine_src"] = str(ENGINE_SRC)
        report["speed"] = speed(options.runs, options.big_runs, kinds, cases or SPEED_CASES)
    stamp = re.sub(r"\D", "", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))[:14]
    out = data.DATA / f"linkage-results-{stamp}.json"
    out.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(
        f"\nbench linkage: {time.perf_counter() - started:.0f} s; figures in {out.relative_to(ROOT)}"
    )
