"""Where Splink scores a roster: embedded DuckDB (the default, the web pre-check's) or Spark.

Both engines run the same trained model and the same queries of `linking._score`; only the SQL
dialect differs. The model is written in DuckDB's dialect (`model.settings`, and the shipped
``linkage_model.json``); `spark_model` translates it with sqlglot (which Splink itself uses), and
rewrites the three things sqlglot cannot know to keep their meaning exactly:

- ``date - date`` is a number of days in DuckDB, an interval in Spark: it becomes ``datediff``
  (the columns are known to be dates from `FRAME_SCHEMA`);
- DuckDB's ``jaro_winkler_similarity`` becomes `JARO_WINKLER_SQL`, the same computation written in
  Spark SQL, not ``jaro_winkler`` of Splink's similarity jar: the jar counts half a transposition
  where DuckDB (and Winkler's strcmp95) rounds the transpositions down to whole ones: on a third
  of random pairs of register names the two differ, on 1 % they fall on either side of the
  model's 0.9 ("nguyen thi hong" and "nguyen hong hang": 0.905 on DuckDB, 0.897 in the jar), and
  at 10,000,000 people 15 rows of 100,000 lost a candidate or a best score on Spark;
- ``damerau_levenshtein`` is the jar's: only ever compared with ``<= 1``, where DuckDB's and the
  jar's agree (one edit is one edit, whichever variant of the distance); for a NULL the jar says
  100 where DuckDB says NULL, and both fail the level.

tests/rosters/test_spark_engine.py checks the two engines give every row the same outcome.
Spark runs in local mode (``local[*]``) unless `settings.CCCD_SPARK_MASTER` names a cluster; the
session is started once per process, on first use, and stopped at exit (`stop_spark`).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import ipaddress
import logging
import os
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa

from cccd.rosters.linkage.frames import FRAME_SCHEMA
from cccd.rosters.linkage.model import splink_api

if TYPE_CHECKING:
    from sqlglot import exp

ENGINES: Final = ("duckdb", "spark")
DEFAULT_ENGINE: Final = "duckdb"

SPARK_LOCAL_SHUFFLE_PARTITIONS: Final = 8
"""Shuffle partitions in local mode: Spark's 200 are for a cluster; on a few cores each is a task
of overhead. (1, 2 and 8 timed alike on the tests' 3,000 people: the run's cost is elsewhere.)"""

SPARK_CONNECT_SECONDS: Final = 5.0
"""How long `cccd link` waits for a cluster's master to answer before saying it is unreachable."""

_DATE_COLUMNS: Final = frozenset(f.name for f in FRAME_SCHEMA if pa.types.is_date(f.type))


class EngineUnavailable(RuntimeError):
    """The engine asked for cannot run here (not installed, no Java, master unreachable)."""


class Scoring:
    """One scoring run on an engine: Splink's database API and the few queries around it."""

    def __init__(self, engine: str) -> None:
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
        self.engine = engine
        if engine == "duckdb":
            self.db_api = splink_api()
        else:
            spark = spark_session()  # first: it says what is missing if pyspark is
            from splink.backends.spark import SparkAPI

            self.db_api = SparkAPI(  # type: ignore[no-untyped-call]
                spark_session=spark,
                break_lineage_method="persist",  # kept in memory: no checkpoint folder to share
                num_partitions_on_repartition=_partitions(spark),
                register_udfs_automatically=True,
            )

    def table(self, name: str, table: pa.Table) -> None:
        """Make an Arrow table queryable as ``name`` (a Spark temporary view: Arrow → Spark)."""
        if self.engine == "duckdb":
            self.db_api.duckdb_con.register(name, table)
        else:
            self.db_api.spark.createDataFrame(table).createOrReplaceTempView(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """A query's rows as plain tuples, fetched whole (written in the common SQL of both)."""
        if self.engine == "duckdb":
            found: list[tuple[Any, ...]] = self.db_api.duckdb_con.execute(sql).fetchall()
            return found
        return [tuple(row) for row in self.db_api.spark.sql(sql).collect()]

    def sql(self, query: str) -> str:
        """A query written in DuckDB's SQL, in this engine's dialect (`spark_sql` for Spark)."""
        return query if self.engine == "duckdb" else spark_sql(query)

    def model(self, model: dict[str, Any]) -> dict[str, Any]:
        """The trained model (a settings dict) in this engine's SQL dialect."""
        return model if self.engine == "duckdb" else spark_model(model)

    def close(self) -> None:
        """Free what the run made: the DuckDB connection, or Spark's cached tables and views.

        The Spark session itself stays for the next run of the process (its start is the slow
        part); `stop_spark` ends it.
        """
        if self.engine == "duckdb":
            self.db_api.duckdb_con.close()
            return
        spark = self.db_api.spark
        spark.catalog.clearCache()
        for view in spark.catalog.listTables():
            if view.isTemporary:  # Splink's and ours: the session is this process's own
                spark.catalog.dropTempView(view.name)


def engine_errors(engine: str) -> tuple[type[BaseException], ...]:
    """The errors a run on ``engine`` fails with when the engine itself fails (a cluster lost,
    the JVM out of memory), for callers that say so in a sentence instead of a traceback."""
    if engine != "spark":
        return ()
    try:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
    except ImportError:
        return ()
    return (Py4JError, PySparkException)


SPARK_MEMORY_ADVICE: Final = (
    "give Spark more memory: spark.driver.memory and spark.executor.memory in "
    "$SPARK_CONF_DIR/spark-defaults.conf (Spark's default 1g ran out on 100,000 people; 3g held "
    "them)"
)


def engine_failure(exc: BaseException) -> str:
    """What went wrong in a failed Spark run, in one line: the Java exception behind it
    ("java.lang.OutOfMemoryError: Java heap space", not py4j's "An error occurred while calling
    o178.persist" nor Spark's INTERNAL_ERROR wrapped around it), with what to do when it is the
    JVM's memory."""
    # py4j's Py4JJavaError holds the JVM's exception as java_exception; pyspark's captured
    # exceptions (a Java exception pyspark recognises, converted) as _origin
    java = getattr(exc, "java_exception", None) or getattr(exc, "_origin", None)
    lines = _java_causes(java)
    if not lines:
        lines = [str(exc).strip() or type(exc).__name__]
    out_of_memory = next((line for line in lines if "OutOfMemoryError" in line), None)
    if out_of_memory is not None:
        return f"{out_of_memory.splitlines()[0][:300]}; {SPARK_MEMORY_ADVICE}"
    said = lines[0].splitlines()[0][:300]
    if len(lines) > 1:  # Spark's wrapper first, then what it wraps
        said += f" (caused by {lines[-1].splitlines()[0][:200]})"
    return said


def _java_causes(java: Any) -> list[str]:
    """The Java exception and its causes, each as its toString (a short chain: at most 10)."""
    lines: list[str] = []
    with contextlib.suppress(Exception):  # the gateway may be gone with the JVM
        while java is not None and len(lines) < 10:
            text = str(java.toString()).strip()
            if text:
                lines.append(text)
            java = java.getCause()
    return lines


def spark_model(model: dict[str, Any]) -> dict[str, Any]:
    """The model with its SQL in Spark's dialect, meaning the same (see the module's docstring)."""
    out = copy.deepcopy(model)
    out["sql_dialect"] = "spark"
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            condition = level.get("sql_condition", "")
            if condition.strip().upper() != "ELSE":
                level["sql_condition"] = spark_sql(condition)
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule["blocking_rule"] = spark_sql(rule["blocking_rule"])
            rule["sql_dialect"] = "spark"
    return out


def spark_sql(condition: str) -> str:
    """One DuckDB condition of the model, or a whole query, in Spark SQL (`spark_model`)."""
    import sqlglot
    from sqlglot import exp

    def rewrite(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Sub) and _is_date(node.this) and _is_date(node.expression):
            return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
        if isinstance(node, exp.JarowinklerSimilarity):
            return _jaro_winkler(node.this, node.expression)
        return node

    tree = sqlglot.parse_one(condition, read="duckdb").transform(rewrite)
    return str(tree.sql(dialect="spark"))


JARO_WINKLER_SQL: Final = """
CASE WHEN __a__ IS NULL OR __b__ IS NULL THEN CAST(NULL AS DOUBLE)
WHEN length(__a__) = 0 OR length(__b__) = 0 THEN 0.0D ELSE aggregate(
  sequence(0, length(__a__) - 1),
  named_struct('fb', array_repeat(false, length(__b__)), 'ma', array_repeat(0, 0)),
  (acc, i) -> aggregate(
    array(get(filter(
      sequence(greatest(0, i - greatest(greatest(length(__a__), length(__b__)) DIV 2 - 1, 0)),
               least(length(__b__) - 1, i + greatest(greatest(length(__a__), length(__b__)) DIV 2 - 1, 0))),
      j -> j >= greatest(0, i - greatest(greatest(length(__a__), length(__b__)) DIV 2 - 1, 0))
        AND j <= least(length(__b__) - 1, i + greatest(greatest(length(__a__), length(__b__)) DIV 2 - 1, 0))
        AND NOT acc.fb[j] AND substr(__b__, j + 1, 1) = substr(__a__, i + 1, 1)), 0)),
    acc,
    (s, j) -> CASE WHEN j IS NULL THEN s ELSE named_struct(
      'fb', transform(s.fb, (f, k) -> f OR k = j), 'ma', concat(s.ma, array(i))) END),
  acc -> aggregate(
    array(size(acc.ma)),
    0.0D,
    (z, m) -> CASE WHEN m = 0 THEN 0.0D ELSE (
      m / length(__a__) + m / length(__b__)
      + (m - size(filter(zip_with(acc.ma, filter(sequence(0, length(__b__) - 1), k -> acc.fb[k]),
            (x, y) -> substr(__a__, x + 1, 1) != substr(__b__, y + 1, 1)), e -> e)) DIV 2) / m) / 3.0D END,
    jaro -> CASE WHEN jaro > 0.7D THEN jaro + size(filter(
        sequence(1, least(4, length(__a__), length(__b__))),
        k -> substr(__a__, 1, k) = substr(__b__, 1, k))) * 0.1D * (1.0D - jaro) ELSE jaro END))
END
"""
"""DuckDB's ``jaro_winkler_similarity(__a__, __b__)`` in Spark SQL, value for value (NULL for a
NULL, 0 when either string is empty). `_jaro_winkler` puts in the strings' UTF-8 bytes, which are
what DuckDB compares (folded names are ASCII: one byte a letter).

Jaro: each byte of ``a`` in turn takes the first equal byte of ``b`` not yet taken, at most
``max(len) // 2 - 1`` places away (``fb``: the bytes of ``b`` taken; ``ma``: the places of those
of ``a`` that took one); ``t`` is half the places where the two taken sequences differ, rounded
down (the jar does not round: the module's docstring); jaro = (m/|a| + m/|b| + (m - t)/m) / 3.
Winkler: above 0.7, plus 0.1 per byte of the common prefix (at most 4) of what is left to 1.
Only the pairs that reach the level (parents' names neither equal nor of the same given name)
compute it."""


def _jaro_winkler(left: exp.Expression, right: exp.Expression) -> exp.Expression:
    """`JARO_WINKLER_SQL` with the UTF-8 bytes of ``left`` and ``right`` (sqlglot nodes) as a and b."""
    import sqlglot
    from sqlglot import exp

    names = {"__a__": left, "__b__": right}

    def place(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table and node.name in names:
            return exp.Encode(this=names[node.name].copy(), charset=exp.Literal.string("UTF-8"))
        return node

    return exp.Paren(this=sqlglot.parse_one(JARO_WINKLER_SQL, read="spark").transform(place))


def _is_date(node: Any) -> bool:
    from sqlglot import exp

    if not isinstance(node, exp.Column):
        return False
    name = node.name
    return name in _DATE_COLUMNS or name.removesuffix("_l").removesuffix("_r") in _DATE_COLUMNS


# The Spark session: one per process, started on first use.

_session: Any = None
_session_lock = threading.Lock()
_spark_dir: Path | None = None


def spark_session() -> Any:
    """The process's Spark session, started on first use with `spark_conf` for the setting's
    master; EngineUnavailable (with what to do) when pyspark, Java or the master is missing."""
    global _session, _spark_dir
    with _session_lock:
        if _session is not None:
            return _session
        master = _master()
        try:
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location
        except ImportError:
            raise EngineUnavailable(
                "Spark is not installed: install the spark extra (pip install -e '.[spark]', "
                "as `make venv` does)."
            ) from None
        if not _java():
            raise EngineUnavailable(
                "Spark needs Java, and there is none: install Debian's default-jre-headless "
                "(as `make venv` does) or set JAVA_HOME."
            )
        _check_reachable(master)
        _spark_dir = Path(tempfile.mkdtemp(prefix="cccd-spark-"))
        conf = spark_conf(master, _spark_dir, similarity_jar_location())
        if _is_local_master(master):
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = SparkSession.builder.master(master).appName("cccd-link")
        for key, value in conf.items():
            builder = builder.config(key, value)
        try:
            session = builder.getOrCreate()
        except Exception as exc:  # noqa: BLE001 (the JVM's errors come in many types)
            shutil.rmtree(_spark_dir, ignore_errors=True)
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc)
            raise EngineUnavailable(f"Spark did not start on {master}: {first_line}") from None
        session.sparkContext.setLogLevel("ERROR")
        logging.getLogger("py4j").setLevel(logging.WARNING)  # its INFO lines on every stop
        _session = session
        atexit.register(stop_spark)
        return session


def spark_conf(master: str, folder: Path, jar: str) -> dict[str, str]:
    """Spark's settings for a roster check: the driver on 127.0.0.1 (unless the master is on
    another machine, whose executors must reach it), no web UI, scratch files in ``folder``,
    few shuffle partitions in local mode, Splink's similarity functions, logs at ERROR only (a
    log line can carry a row of data)."""
    log4j = folder / "log4j2.properties"
    log4j.write_text(
        "rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n",
        encoding="utf-8",
    )
    java_options = f"-Dlog4j2.configurationFile={log4j.as_uri()}"
    conf = {
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.local.dir": str(folder / "local"),
        "spark.sql.warehouse.dir": str(folder / "warehouse"),
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.jars": jar,
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.execution.arrow.pyspark.enabled": "true",
    }
    if _is_local_master(master):
        conf["spark.driver.host"] = "127.0.0.1"
        conf["spark.driver.bindAddress"] = "127.0.0.1"
    if master.startswith("local"):
        conf["spark.sql.shuffle.partitions"] = str(SPARK_LOCAL_SHUFFLE_PARTITIONS)
        conf["spark.default.parallelism"] = str(SPARK_LOCAL_SHUFFLE_PARTITIONS)
    return conf


def stop_spark() -> None:
    """Stop the process's Spark session (and its JVM's work), and remove its scratch folder."""
    global _session, _spark_dir
    with _session_lock:
        if _session is not None:
            _session.stop()
            _session = None
        if _spark_dir is not None:
            shutil.rmtree(_spark_dir, ignore_errors=True)
            _spark_dir = None


def _master() -> str:
    from django.conf import settings

    return str(getattr(settings, "CCCD_SPARK_MASTER", "local[*]"))


def _partitions(spark: Any) -> int:
    return int(spark.conf.get("spark.sql.shuffle.partitions", "200"))


def _java() -> bool:
    home = os.environ.get("JAVA_HOME")
    return (
        bool(home and (Path(home) / "bin" / "java").is_file()) or shutil.which("java") is not None
    )


def _hosts(master: str) -> list[tuple[str, int]]:
    """The (host, port) of each master of a ``spark://`` URL; none for local mode."""
    if not master.startswith("spark://"):
        return []
    pairs = []
    for item in master.removeprefix("spark://").split(","):
        host, _, port = item.rpartition(":")
        pairs.append((host, int(port)))
    return pairs


def _is_local_master(master: str) -> bool:
    """Local mode, or a cluster whose masters are all on this machine."""
    for host, _port in _hosts(master):
        if host != "localhost":
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    return False
            except ValueError:  # a host name
                return False
    return True


def _check_reachable(master: str) -> None:
    """Refuse at once a cluster none of whose masters answers within `SPARK_CONNECT_SECONDS`
    (Spark itself would retry for minutes)."""
    hosts = _hosts(master)
    for host, port in hosts:
        try:
            with socket.create_connection((host, port), timeout=SPARK_CONNECT_SECONDS):
                return
        except OSError:
            continue
    if hosts:
        raise EngineUnavailable(
            f"No Spark master answers at {master} (waited {SPARK_CONNECT_SECONDS:.0f} s); "
            "check CCCD_SPARK_MASTER and that the cluster is running."
        )
