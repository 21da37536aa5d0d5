"""`cccd link --engine spark`: Splink on Spark (local mode) gives every roster row the outcome,
person and candidates DuckDB gives it, with the same model; `cccd dedupe_register --engine spark`
finds the pairs and clusters DuckDB finds; and clear refusals.

One Spark session for the module (its start is most of the time); skipped where pyspark or Java
is missing (`make venv` installs both).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import io
import random
import shutil
import socket
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from cccd.demo.generator import (
    RegisterRow,
    communes_for_districts,
    generate_people,
    write_csv,
)
from cccd.environment import env_spark_master
from cccd.rosters import linkage
from cccd.rosters.linkage import dedupe, engines
from tests.rosters.test_dedupe import (
    PLANTED,
    TWINS,
    Register,
    _generated_twins,
    write_register,
)

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

pytestmark = [
    pytest.mark.xdist_group("spark"),  # one worker starts the module's Spark session
    pytest.mark.no_database,  # files in, files out: the PostgreSQL pass of CI leaves it out
]

REFERENCE = datetime.date(2021, 1, 15)
ROSTER_HEADER = (
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số định danh cá nhân",
    "Lớp",
    "Địa chỉ thường trú",
    "Họ tên cha",
    "Họ tên mẹ",
)
ERRORS = (
    "none",
    "upper",
    "no_diacritics",
    "typo_given",
    "typo_family",
    "dropped_middle",
    "swapped",
    "year_only",
    "year_off",
    "day_typo",
    "no_parents",
    "id",
    "wrong_id",
    "moved",
)


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """The process's Spark session with Splink's functions registered (as a scoring run has them,
    so a test of the translated SQL alone does not depend on one having run before it), stopped
    when the module is done."""
    try:
        engines.Scoring("spark")
        yield engines.spark_session()
    finally:
        engines.stop_spark()


@dataclasses.dataclass(frozen=True)
class Files:
    register: Path
    roster: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    """A 3,000-person register of Đắk Mil with same-day namesakes added, and a roster of 400
    rows: its people with one error each (`ERRORS`, in turn), namesakes, and outsiders."""
    folder = tmp_path_factory.mktemp("spark")
    communes = communes_for_districts(["663"])
    people = list(
        generate_people(seed=11, communes=communes, people=3000, reference_date=REFERENCE)
    )
    twins = [
        dataclasses.replace(p, personal_id=f"0679{n:08d}", father_name="", mother_name="")
        for n, p in enumerate(people[100:130])
    ]
    register = folder / "register.csv"
    write_csv([*people, *twins], register)

    rng = random.Random(11)
    alive = [p for p in people[130:] if p.status == "alive" and len(p.birth_date) == 10]
    chosen = rng.sample(alive, 340)
    outsiders = [
        p
        for p in generate_people(seed=99, communes=communes, people=80, reference_date=REFERENCE)
        if p.status == "alive"
    ][:30]
    rows = [_written(p, ERRORS[n % len(ERRORS)], rng, people) for n, p in enumerate(chosen)]
    rows += [_written(p, "none", rng, people) for p in people[100:130]]  # the namesakes
    rows += [_written(p, "typo_given", rng, people) for p in outsiders]
    rng.shuffle(rows)
    roster = folder / "roster.csv"
    with roster.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["DANH SÁCH HỌC SINH"])
        writer.writerow(ROSTER_HEADER)
        for number, values in enumerate(rows, start=1):
            writer.writerow([number, *values])
    return Files(register, roster)


def _written(
    person: RegisterRow, error: str, rng: random.Random, people: list[RegisterRow]
) -> list[str]:
    """The person as a school writes them, with ``error``."""
    name, born, pid = person.full_name, person.birth_date, ""
    father, mother, address = person.father_name, person.mother_name, person.permanent_address
    parts = name.split()
    day, month, year = born.split("/") if "/" in born else ("", "", born)
    if error == "upper":
        name = name.upper()
    elif error == "no_diacritics":
        stripped = unicodedata.normalize("NFD", name).replace("đ", "d").replace("Đ", "D")
        name = "".join(c for c in stripped if not unicodedata.combining(c))
    elif error in ("typo_given", "typo_family"):
        at = -1 if error == "typo_given" else 0
        word = parts[at]
        spot = rng.randrange(1, len(word)) if len(word) > 1 else 0
        parts[at] = word[:spot] + rng.choice("aeinth") + word[spot + 1 :]
        name = " ".join(parts)
    elif error == "dropped_middle" and len(parts) > 2:
        name = f"{parts[0]} {parts[-1]}"
    elif error == "swapped" and day and int(day) <= 12:
        born = f"{month}/{day}/{year}"
    elif error == "year_only":
        born = year
    elif error == "year_off" and day:
        born = f"{day}/{month}/{int(year) + 1}"
    elif error == "day_typo" and day:
        born = f"{(int(day) % 28) + 1:02d}/{month}/{year}"
    elif error == "no_parents":
        father = mother = ""
    elif error == "id":
        pid = person.personal_id
    elif error == "wrong_id":
        pid = rng.choice(people).personal_id
    elif error == "moved":
        address = ""
    sex = person.sex
    return [name, born, sex, pid, "12A1", address, father, mother]


@dataclasses.dataclass(frozen=True)
class Run:
    results: list[linkage.LinkResult]  # as `cccd link` wrote them
    written: str  # the result file
    said: str  # what the command printed


def _run(files: Files, folder: Path, engine: str) -> Run:
    """`cccd link --engine <engine>` on the module's files, keeping the results it wrote."""
    kept: list[linkage.LinkResult] = []
    write = linkage.write_results

    def keep(results: Any, path: Path) -> int:
        kept.extend(results)
        return write(kept, path)

    out, said = folder / f"{engine}.csv", io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(linkage, "write_results", keep)
        call_command(
            "link",
            *("--register", str(files.register), "--roster", str(files.roster)),
            *("--out", str(out), "--engine", engine),
            stdout=said,
        )
    return Run(kept, out.read_text(encoding="utf-8"), said.getvalue())


@pytest.fixture(scope="module")
def runs(spark: Any, files: Files, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The roster linked by `cccd link` on each engine (one Spark run for the whole module)."""
    folder = tmp_path_factory.mktemp("runs")
    return {engine: _run(files, folder, engine) for engine in ("duckdb", "spark")}


def _comparable(result: linkage.LinkResult) -> tuple[Any, ...]:
    return (
        result.row,
        result.outcome,
        result.personal_id,
        tuple((c.personal_id, round(c.probability, 9)) for c in result.candidates),
        None if result.score is None else round(result.score, 9),
    )


def test_duckdb_and_spark_give_every_row_the_same_outcome_person_and_candidates(
    runs: dict[str, Run],
) -> None:
    on_duckdb, on_spark = runs["duckdb"].results, runs["spark"].results
    outcomes = Counter(r.outcome for r in on_duckdb)
    assert len(on_duckdb) == 400
    assert all(outcomes[o] >= 5 for o in linkage.OUTCOMES), outcomes  # every kind of row
    assert sum(len(r.candidates) > 1 for r in on_duckdb) >= 20
    different = [
        (d, s)
        for d, s in zip(map(_comparable, on_duckdb), map(_comparable, on_spark), strict=True)
        if d != s
    ]
    assert different == []


def test_cccd_link_on_spark_writes_the_file_duckdb_writes(runs: dict[str, Run]) -> None:
    assert runs["spark"].written == runs["duckdb"].written
    assert runs["spark"].written.count("\n") == 401
    counts = Counter(r.outcome for r in runs["duckdb"].results)
    summary = ", ".join(f"{counts[o]} {o}" for o in linkage.OUTCOMES)
    assert f"400 rows: {summary}" in runs["spark"].said


def test_the_model_on_spark_means_what_it_means_on_duckdb(spark: Any) -> None:
    """The translated custom levels (one edit apart, dates a day or a digit apart, Jaro–Winkler
    of parents' names) take exactly the pairs DuckDB takes, on every pair of a set of values."""
    import pyarrow as pa

    from cccd.rosters.linkage.frames import connect
    from cccd.rosters.linkage.model import _ONE_DIGIT_APART, _one_edit_apart_sql

    words = ["", "a", "ab", "ba", "abc", "acb", "bac", "anh", "nah", "ahn", "hanh", "thanh"]
    words += ["thnah", "thanhh", "nguyen", "nguyne", "ngyuen", "nguyen van", "nguyen vn", None]
    dates = [datetime.date(2000, m, d) for m, d in [(1, 2), (1, 12), (1, 21), (2, 1), (12, 1)]]
    dates += [datetime.date(2000, 1, 3), datetime.date(2000, 11, 1), datetime.date(2001, 1, 2)]
    dates += [datetime.date(2000, 1, 31), datetime.date(2000, 2, 29), None]
    parents = ["nguyen van hung", "nguyen van hong", "nguyen van hungg", "tran thi mai"]
    parents += ["tran thi mia", "ng van hung", "le", "el", None]
    pairs = pa.table(
        {
            "given_folded_l": [a for a in words for _ in words],
            "given_folded_r": [b for _ in words for b in words],
        }
    )
    date_pairs = pa.table(
        {
            "birth_date_l": [a for a in dates for _ in dates],
            "birth_date_r": [b for _ in dates for b in dates],
            "birth_year_l": [a.year if a else None for a in dates for _ in dates],
            "birth_year_r": [b.year if b else None for _ in dates for b in dates],
        }
    )
    parent_pairs = pa.table(
        {
            "father_folded_l": [a for a in parents for _ in parents],
            "father_folded_r": [b for _ in parents for b in parents],
        }
    )
    jaro = 'jaro_winkler_similarity("father_folded_l", "father_folded_r") >= 0.9'
    checks = [
        (pairs, _one_edit_apart_sql("given_folded")),
        (date_pairs, _ONE_DIGIT_APART),
        (parent_pairs, jaro),
    ]
    session = engines.spark_session()  # the module's, or a new one after a test stopped it
    connection = connect()
    try:
        for table, condition in checks:
            sql = f"SELECT coalesce(({condition}), false) FROM pairs"  # noqa: S608 (constants)
            connection.register("pairs", table)
            on_duckdb = [taken for (taken,) in connection.execute(sql).fetchall()]
            session.createDataFrame(table).createOrReplaceTempView("pairs")
            spark_sql = f"SELECT coalesce(({engines.spark_sql(condition)}), false) FROM pairs"  # noqa: S608
            on_spark = [row[0] for row in session.sql(spark_sql).collect()]
            assert on_spark == on_duckdb, condition
            assert any(on_duckdb) and not all(on_duckdb)
    finally:
        connection.close()
        session.catalog.dropTempView("pairs")


def test_jaro_winkler_on_spark_is_duckdbs_value_for_value(spark: Any) -> None:
    """Parents' names are compared with DuckDB's Jaro–Winkler on Spark too: the similarity jar's
    counts half transpositions (0.897 for the first pair below, DuckDB 0.905), which at
    10,000,000 people put 13 rows' candidates under the model's 0.9 on Spark only."""
    import pyarrow as pa

    from cccd.rosters.linkage.frames import connect

    pairs = [
        ("nguyen thi hong", "nguyen hong hang"),  # jar 0.897, DuckDB 0.905
        ("nguyen xuan phat", "nguyen bao tuan"),
        ("nguyen van duc", "nguyen tuan"),
        ("phan van tam", "pham thanh nam"),
        ("nguyen van hung", "nguyen van hong"),
        ("martha", "marhta"),
        ("dwayne", "duane"),
        ("dixon", "dicksonx"),
        ("ab", "ba"),  # a window of 0 places: no match
        ("a", "a"),
        ("a", "b"),
        ("", ""),
        ("", "nguyen"),
        ("nguyen", None),
        (None, None),
        ("hồ thị ánh", "ho thi anh"),  # letters beyond ASCII, one character each
    ]
    names = ["nguyen van hung", "tran thi mai", "le van tam", "pham thi thu hang", "ho nga"]
    names += ["nguyen thi ngoc", "dang phuong hang", "nguyen tien hai", "vo van binh", "ly a"]
    pairs += [(a, b) for a in names for b in names]
    table = pa.table({"a": [a for a, _ in pairs], "b": [b for _, b in pairs]})
    query = "SELECT jaro_winkler_similarity(a, b) FROM pairs"
    connection = connect()
    run = engines.Scoring("spark")  # with the similarity jar's functions, as a run has them
    try:
        connection.register("pairs", table)
        on_duckdb = [v for (v,) in connection.execute(query).fetchall()]
        run.table("pairs", table)
        on_spark = [v for (v,) in run.rows(run.sql(query))]
    finally:
        connection.close()
        run.close()
    assert on_spark == pytest.approx(on_duckdb, abs=1e-12, nan_ok=False)
    assert on_spark[0] >= 0.9  # the pair the jar put under the level (0.897)
    assert [v is None for v in on_spark] == [v is None for v in on_duckdb]


@dataclasses.dataclass(frozen=True)
class Deduped:
    found: dedupe.Duplicates  # what the command found, before writing it
    pairs: str  # pairs.csv
    clusters: str  # clusters.csv
    said: str


def _dedupe(register: Path, folder: Path, engine: str) -> Deduped:
    """`cccd dedupe_register --engine <engine>`, keeping what `find_duplicates` returned."""
    kept: list[dedupe.Duplicates] = []
    find = dedupe.find_duplicates

    def keep(*args: Any, **kwargs: Any) -> dedupe.Duplicates:
        kept.append(find(*args, **kwargs))
        return kept[-1]

    out, said = folder / engine, io.StringIO()
    out.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(dedupe, "find_duplicates", keep)
        call_command(
            "dedupe_register",
            *("--register", str(register), "--out", str(out), "--engine", engine),
            stdout=said,
        )
    [found] = kept
    return Deduped(
        found,
        (out / "pairs.csv").read_text(encoding="utf-8"),
        (out / "clusters.csv").read_text(encoding="utf-8"),
        said.getvalue(),
    )


@pytest.fixture(scope="module")
def dedupe_register(tmp_path_factory: pytest.TempPathFactory) -> Register:
    """tests/rosters/test_dedupe.py's register: planted second records, twins, a repeated ID."""
    return write_register(tmp_path_factory.mktemp("dedupe"))


@pytest.fixture(scope="module")
def deduped(
    spark: Any, dedupe_register: Register, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Deduped]:
    """The register deduplicated by `cccd dedupe_register` on each engine (one Spark run)."""
    folder = tmp_path_factory.mktemp("deduped")
    return {e: _dedupe(dedupe_register.path, folder, e) for e in ("duckdb", "spark")}


def _pairs(found: dedupe.Duplicates) -> list[tuple[Any, ...]]:
    return [
        (p.personal_id_l, p.personal_id_r, round(p.match_probability, 9), p.cluster_id)
        for p in found.pairs
    ]


def test_dedupe_on_spark_finds_the_pairs_and_clusters_duckdb_finds(
    deduped: dict[str, Deduped], dedupe_register: Register
) -> None:
    on_duckdb, on_spark = deduped["duckdb"].found, deduped["spark"].found
    listed = {(p.personal_id_l, p.personal_id_r) for p in on_duckdb.pairs}
    assert len(listed & dedupe_register.truth) >= 0.9 * PLANTED  # the run means something
    assert any(p.cluster_id is None for p in on_duckdb.pairs)  # some for review only
    assert len(on_duckdb.clusters) >= PLANTED // 2
    assert _pairs(on_spark) == _pairs(on_duckdb)  # ids, probabilities, clusters, order
    assert on_spark.clusters == on_duckdb.clusters
    assert on_spark.records == on_duckdb.records


def test_dedupe_register_on_spark_writes_the_files_duckdb_writes(
    deduped: dict[str, Deduped],
) -> None:
    on_duckdb, on_spark = deduped["duckdb"], deduped["spark"]
    assert on_spark.pairs == on_duckdb.pairs
    assert on_spark.clusters == on_duckdb.clusters
    assert on_spark.pairs.count("\n") == len(on_duckdb.found.pairs) + 1
    summary = on_duckdb.said.split("; read")[0]  # the times differ
    found = on_duckdb.found
    assert summary.startswith(f"{found.records} records: {len(found.pairs)} pairs at or above")
    assert f"{len(found.clusters)} clusters of" in summary
    assert on_spark.said.startswith(summary)


def test_twins_and_repeated_ids_are_never_clustered_on_spark_either(
    deduped: dict[str, Deduped], dedupe_register: Register
) -> None:
    found = deduped["spark"].found
    by_ids = {(p.personal_id_l, p.personal_id_r): p for p in found.pairs}
    twin_pair = by_ids[TWINS]
    assert twin_pair.match_probability >= dedupe.CLUSTER_THRESHOLD  # the model alone would…
    assert twin_pair.cluster_id is None  # … but twins are for an officer
    twins = _generated_twins(dedupe_register.people)
    assert len(twins) >= 5
    clustered = {pair for pair, p in by_ids.items() if p.cluster_id is not None}
    assert not twins & clustered
    for cluster in found.clusters:
        assert not any(set(pair) <= set(cluster.personal_ids) for pair in twins | {TWINS})
        assert len(set(cluster.personal_ids)) == len(cluster.personal_ids)
    assert not [p for p in found.pairs if p.personal_id_l == p.personal_id_r]  # one ID, twice


def test_spark_failing_mid_dedupe_is_a_sentence_not_a_traceback(
    spark: Any, dedupe_register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark.errors import PySparkRuntimeError

    def lost(_self: Any, _model: Any) -> dict[str, Any]:  # before Splink's work: a cheap test
        raise PySparkRuntimeError("[JVM_OUT_OF_MEMORY] Java heap space\nat line 2")

    monkeypatch.setattr(engines.Scoring, "model", lost)
    with pytest.raises(
        CommandError, match=r"^Spark failed while deduplicating: .*Java heap space$"
    ):
        call_command(
            "dedupe_register",
            *("--register", str(dedupe_register.path), "--out", str(tmp_path)),
            *("--engine", "spark"),
        )
    assert not (tmp_path / "pairs.csv").exists()


def test_spark_failing_mid_run_is_a_sentence_not_a_traceback(
    spark: Any, files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from py4j.protocol import Py4JError

    def lost(_self: Any, _model: Any) -> dict[str, Any]:  # before Splink's work: a cheap test
        raise Py4JError("An error occurred while calling o42.collect")

    monkeypatch.setattr(engines.Scoring, "model", lost)
    with pytest.raises(CommandError, match="Spark failed while linking: .*o42.collect"):
        call_command(
            "link",
            *("--register", str(files.register), "--roster", str(files.roster)),
            *("--out", str(tmp_path / "out.csv"), "--engine", "spark"),
        )
    assert not (tmp_path / "out.csv").exists()


def test_a_java_failure_is_named_by_its_java_exception_not_py4js_call(
    spark: Any, files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def java_fails(_self: Any, _model: Any) -> dict[str, Any]:  # a real exception in the JVM
        spark._jvm.java.lang.Integer.parseInt("not a number")
        raise AssertionError("the JVM took it")

    monkeypatch.setattr(engines.Scoring, "model", java_fails)
    with pytest.raises(CommandError) as refused:
        call_command(
            "link",
            *("--register", str(files.register), "--roster", str(files.roster)),
            *("--out", str(tmp_path / "out.csv"), "--engine", "spark"),
        )
    message = str(refused.value)
    assert message.startswith("Spark failed while linking: java.lang.NumberFormatException: ")
    assert "An error occurred while calling" not in message
    assert "\n" not in message and "spark-defaults.conf" not in message
    assert not (tmp_path / "out.csv").exists()


def test_the_jvm_out_of_memory_says_how_to_give_it_more() -> None:
    from py4j.protocol import Py4JError

    class Throwable:  # the JVM's exception as py4j hands it over: toString, getCause
        def __init__(self, text: str, cause: Throwable | None = None) -> None:
            self.text, self.cause = text, cause

        def toString(self) -> str:  # noqa: N802 (Java's name)
            return self.text

        def getCause(self) -> Throwable | None:  # noqa: N802
            return self.cause

    heap = Throwable("java.lang.OutOfMemoryError: Java heap space")
    for java in (  # thrown as such (as seen at 100,000 people), or the cause of Spark's own error
        heap,
        Throwable(
            "org.apache.spark.SparkException: [INTERNAL_ERROR] Executed command failed", heap
        ),
    ):
        failed = Py4JError("An error occurred while calling o178.persist")
        failed.java_exception = java  # type: ignore[attr-defined]
        said = engines.engine_failure(failed)
        assert said.startswith("java.lang.OutOfMemoryError: Java heap space; give Spark more")
        assert "spark.driver.memory" in said and "spark.executor.memory" in said
    assert engines.engine_failure(Py4JError("An error occurred while calling o42.collect")) == (
        "An error occurred while calling o42.collect"
    )
    wrapped = Py4JError("An error occurred while calling o9.collect")
    wrapped.java_exception = Throwable(  # type: ignore[attr-defined]
        "org.apache.spark.SparkException: Job aborted\n\tat somewhere",
        Throwable("java.io.IOException: No space left on device"),
    )
    assert engines.engine_failure(wrapped) == (
        "org.apache.spark.SparkException: Job aborted "
        "(caused by java.io.IOException: No space left on device)"
    )


def test_an_unknown_engine_is_refused(files: Files, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'sparkk'"):
        call_command(
            "link",
            "--register",
            str(files.register),
            "--roster",
            str(files.roster),
            "--out",
            str(tmp_path / "out.csv"),
            "--engine",
            "sparkk",
        )
    with pytest.raises(ValueError, match="unknown engine 'polars'"):
        engines.Scoring("polars")


def test_a_master_that_does_not_answer_is_a_clear_error_not_a_wait(
    files: Files, tmp_path: Path, settings: Any
) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bound, never listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        settings.CCCD_SPARK_MASTER = f"spark://127.0.0.1:{port}"
        engines.stop_spark()  # the next run starts a session for this master
        with pytest.raises(
            CommandError, match=rf"No Spark master answers at spark://127.0.0.1:{port}"
        ):
            call_command(
                "link",
                "--register",
                str(files.register),
                "--roster",
                str(files.roster),
                "--out",
                str(tmp_path / "out.csv"),
                "--engine",
                "spark",
            )
    assert not (tmp_path / "out.csv").exists()


def test_missing_pyspark_or_java_is_named(
    files: Files, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    engines.stop_spark()
    monkeypatch.setattr(engines.shutil, "which", lambda _name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    command = [
        "link",
        "--register",
        str(files.register),
        "--roster",
        str(files.roster),
        "--out",
        str(tmp_path / "out.csv"),
        "--engine",
        "spark",
    ]
    with pytest.raises(CommandError, match="Spark needs Java.*default-jre-headless"):
        call_command(*command)
    with pytest.raises(CommandError, match="Spark needs Java.*default-jre-headless"):
        call_command(
            "dedupe_register",
            *("--register", str(files.register), "--out", str(tmp_path), "--engine", "spark"),
        )
    assert not (tmp_path / "pairs.csv").exists()
    real_import = builtins.__import__

    def no_pyspark(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyspark"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    with pytest.raises(CommandError, match=r"Spark is not installed.*\[spark\]"):
        call_command(*command)


@pytest.mark.parametrize(
    "value",
    [
        "yarn",
        "local[0]",
        "local[two]",
        "spark://",
        "spark://host",
        "spark://h:99999",
        "http://h:7077",
    ],
)
def test_a_bad_spark_master_setting_stops_start_up_with_a_sentence(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CCCD_SPARK_MASTER", value)
    with pytest.raises(
        ImproperlyConfigured, match="CCCD_SPARK_MASTER=.* is not a Spark master URL"
    ):
        env_spark_master("CCCD_SPARK_MASTER", "local[*]")


@pytest.mark.parametrize("value", ["local", "local[4]", "local[*]", "spark://a.b:7077,c:7077"])
def test_good_spark_master_settings_are_taken(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCCD_SPARK_MASTER", value)
    assert env_spark_master("CCCD_SPARK_MASTER", "local[*]") == value
