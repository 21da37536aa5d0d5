"""Register benchmark: importing generated rows, beside a raw load of the same rows, and look-ups.

`python -m bench register` runs, for SQLite and PostgreSQL:

- `cccd import_register FILE --quiet` of 100,000 rows (3 runs, medians) and of 1,000,000 rows
  (1 run), each into a fresh database, timed as a subprocess with its own peak RSS (`os.wait4`);
- a raw load of the same rows into the same freshly-migrated table (`registry_person` with its
  indexes): SQLite `executemany` in one transaction, PostgreSQL `COPY … FROM STDIN`;
- look-ups in the 1,000,000-person databases: `search.find` scoped like a national and like a
  district user, and the service `services.search_people` (which also writes the audit row); on
  PostgreSQL a few before `ANALYZE` (the import leaves no planner statistics), then all after it.

Options: `--rows N` one size only (e.g. 100000 for a quick check), `--runs K`, `--large-runs K`,
`--only sqlite|postgresql`, `--no-lookup`, `--profile` (cProfile of one import per database),
`--keep` (leave the databases), `--head` (measure the committed src/ of HEAD instead of the working
tree). Figures are printed as markdown and saved as JSON in bench/data/. Environment:
`BENCH_PG_URL` (default postgresql://postgres@127.0.0.1:5432; databases bench_register_<pid>_*,
`BENCH_PG_PREFIX` to name them otherwise).

"Fresh database": `cccd migrate` and `cccd load_units --scheme legacy 67 52` run once per database
kind into a template, which is then copied for each run (file copy for SQLite, `CREATE DATABASE …
TEMPLATE` for PostgreSQL): the same content as migrating anew, without paying for it 16 times.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import functools
import io
import json
import operator
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
CCCD = Path(sys.executable).with_name("cccd")
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_PREFIX = os.environ.get("BENCH_PG_PREFIX", "bench_register")
PROVINCES = ("67", "52")
SEED = 1
SMALL, LARGE = 100_000, 1_000_000
KINDS = ("sqlite", "postgresql")
NATIONAL_UNIT, DISTRICT_UNIT = "/ca/", "/ca/L67/663/"  # Bộ Công an; Công an huyện Đắk Mil
DISTRICT_ADMIN_PATH = "/hc/L67/663/"  # Huyện Đắk Mil, where the district user's people live
NAME_QUERIES, ID_QUERIES, WARM_UP = 300, 100, 20
RAW_COLUMNS = (
    "personal_id", "full_name", "name_folded", "family_folded", "given_folded", "birth_date",
    "birth_date_precision", "birth_year", "sex", "birth_province_code", "hometown", "residence_unit_id",
    "permanent_address", "ethnicity", "religion", "old_id_number", "father_name", "mother_name", "status",
    "household_id", "relation_to_head", "card_issue_date", "card_expiry", "last_import_id", "last_import_row",
    "updated_at",
)  # fmt: skip
RAW_UPDATED_AT = "2021-01-15 00:00:00+00:00"
Row = tuple[Any, ...]


# --- data files ---------------------------------------------------------------------------------


def register_file(rows: int) -> Path:
    label = f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k"
    if rows % 1000:
        label = str(rows)
    return DATA / f"register-{label}.csv"


def ensure_register(rows: int) -> Path:
    """The generated register of `rows` people (seed 1, provinces 67 and 52), made once and kept."""
    path = register_file(rows)
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    command = ["generate_register", "--provinces", *PROVINCES, "--people", str(rows)]
    command += ["--seed", str(SEED), "--out", str(partial)]
    print(f"generating {path.name} …", flush=True)
    env = child_env(f"sqlite:///{DATA / 'gen' / 'gen.sqlite3'}", DATA / "gen")
    run_cccd(command, env={**env, "CCCD_DEMO_TOOLS": "1"})  # `generate_register` is a demo tool
    partial.rename(path)
    return path


# --- databases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One database: its kind, its name (PostgreSQL) or file (SQLite), and its data folder."""

    kind: str
    label: str
    url: str
    data_dir: Path

    @property
    def sqlite_path(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))


def snapshot_head() -> Path:
    """The committed src/ of HEAD, unpacked once under bench/data: others edit the working tree,
    and a half-written file there can stop an import in the middle of a run."""
    sha = _git("rev-parse", "--short", "HEAD")
    target = DATA / f"src-{sha}"
    if not (target / "src").is_dir():
        partial = DATA / f"src-{sha}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        command = ["git", "archive", "HEAD", "src"]
        archive = subprocess.run(command, cwd=ROOT, capture_output=True, check=True)  # noqa: S603, S607
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(partial, filter="data")
        partial.rename(target)
    return target / "src"


def source_dir() -> Path:
    """Where the measured `cccd` package comes from: the working tree, or a snapshot (--head)."""
    return Path(os.environ.get("BENCH_REGISTER_SRC", ROOT / "src"))


def child_env(url: str, data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    if "BENCH_REGISTER_SRC" in env:  # ahead of the editable install's .pth entry
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [env["BENCH_REGISTER_SRC"], env.get("PYTHONPATH")])
        )
    # measured as production runs: without the tools for tests and demos (`ensure_register` needs them)
    env.update(DATABASE_URL=url, CCCD_DATA_DIR=str(data_dir), CCCD_DEBUG="0", CCCD_DEMO_TOOLS="0")
    env.update(CCCD_SECRET_KEY="bench-register-" + "k" * 40, DJANGO_SETTINGS_MODULE="cccd.settings")
    return env


def run_cccd(args: Sequence[str], *, env: dict[str, str]) -> str:
    done = subprocess.run([str(CCCD), *args], env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603 (our own command)
    if done.returncode:
        raise RuntimeError(f"cccd {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def pg_admin() -> Any:
    import psycopg

    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


class Workspace:
    """Databases and folders made by this run; all removed at the end unless kept."""

    def __init__(self, *, keep: bool) -> None:
        self.root = DATA / f"run-{os.getpid()}"
        self.keep = keep
        self.pg_databases: list[str] = []
        self.templates: dict[str, Target] = {}

    def __enter__(self) -> Workspace:
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.keep:
            print(f"kept: {self.root} and PostgreSQL databases {', '.join(self.pg_databases)}")
            return
        self.drop(*self.pg_databases)
        shutil.rmtree(self.root, ignore_errors=True)
        if self.root.exists():
            print(f"warning: {self.root} could not be removed entirely")

    def target(self, kind: str, label: str) -> Target:
        data_dir = self.root / label
        data_dir.mkdir(parents=True, exist_ok=True)
        if kind == "sqlite":
            return Target(kind, label, f"sqlite:///{data_dir / 'db.sqlite3'}", data_dir)
        name = f"{PG_PREFIX}_{os.getpid()}_{label}"
        return Target(kind, label, f"{PG_SERVER}/{name}", data_dir)

    def template(self, kind: str) -> tuple[Target, dict[str, float]]:
        """Migrate and load the units once; every run starts from a copy of this database."""
        target = self.target(kind, f"{kind}-template")
        if kind == "postgresql":
            self._create(target.url.rsplit("/", 1)[1])
        env = child_env(target.url, target.data_dir)
        timings = {
            "migrate": timed(lambda: run_cccd(["migrate", "--noinput", "-v", "0"], env=env)),
            "load_units": timed(
                lambda: run_cccd(["load_units", "--scheme", "legacy", *PROVINCES], env=env)
            ),
        }
        if kind == "sqlite":
            with contextlib.closing(sqlite3.connect(target.sqlite_path)) as con:
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.templates[kind] = target
        return target, timings

    def fresh(self, kind: str, label: str) -> Target:
        target = self.target(kind, label)
        template = self.templates[kind]
        if kind == "sqlite":
            shutil.copyfile(template.sqlite_path, target.sqlite_path)
        else:
            self._create(target.url.rsplit("/", 1)[1], template=template.url.rsplit("/", 1)[1])
        return target

    def discard(self, target: Target) -> None:
        if self.keep:
            return
        if target.kind == "postgresql":
            self.drop(target.url.rsplit("/", 1)[1])
        shutil.rmtree(target.data_dir, ignore_errors=True)

    def _create(self, name: str, *, template: str | None = None) -> None:
        with pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            suffix = f' TEMPLATE "{template}"' if template else ""
            admin.execute(f'CREATE DATABASE "{name}"{suffix}')
        self.pg_databases.append(name)

    def drop(self, *names: str) -> None:
        with pg_admin() as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                if name in self.pg_databases:
                    self.pg_databases.remove(name)


def timed(action: Any) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


# --- our import ---------------------------------------------------------------------------------


@dataclass
class ImportRun:
    kind: str
    rows: int
    seconds: float
    peak_rss_mib: float
    added: int
    rejected: int
    cpu_seconds: float = 0.0  # user + system, the import's parser processes included

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


_SUMMARY = re.compile(r"(\d+) rows — (\d+) added, (\d+) updated, (\d+) unchanged, (\d+) rejected")


# Linux carries a process's peak RSS across fork and exec, so a child forked from this (large)
# process would report at least our own peak. A small Python in between forks the measured command
# and reports the command's own wall time and rusage.
_MEASURE = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:])
_pid, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime}")
"""


_last_cpu = [0.0]  # CPU seconds (user + system) of the last measured command and its children


def measure_child(args: Sequence[str], *, env: dict[str, str], log: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command, measured by a small parent of its own."""
    figures = log.with_suffix(".rusage")
    command = [sys.executable, "-c", _MEASURE, str(figures), *args]
    with log.open("w") as out:
        subprocess.run(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True)  # noqa: S603
    seconds, max_rss_kib, exit_code, cpu = figures.read_text().split()
    _last_cpu[0] = float(cpu)
    if int(exit_code):
        raise RuntimeError(f"{' '.join(args)} failed:\n{log.read_text()[-3000:]}")
    return float(seconds), int(max_rss_kib) / 1024


def import_once(target: Target, path: Path, rows: int) -> ImportRun:
    log = target.data_dir / "import.log"
    args = [str(CCCD), "import_register", str(path), "--quiet"]
    seconds, rss = measure_child(args, env=child_env(target.url, target.data_dir), log=log)
    match = _SUMMARY.search(log.read_text())
    if match is None:
        raise RuntimeError(f"no summary line in {log}")
    added, rejected = int(match.group(2)), int(match.group(5))
    if added != rows:
        print(f"  warning: {target.kind} import added {added} of {rows} rows ({rejected} rejected)")
    return ImportRun(target.kind, rows, seconds, rss, added, rejected, _last_cpu[0])


def startup_seconds(target: Target, runs: int = 3) -> float:
    """Wall time of `cccd import_register --help`: Python, Django and the command's imports."""
    env = child_env(target.url, target.data_dir)
    args = [str(CCCD), "import_register", "--help"]
    log = target.data_dir / "startup.log"
    return statistics.median(measure_child(args, env=env, log=log)[0] for _ in range(runs))


# --- the raw baseline ---------------------------------------------------------------------------


@dataclass
class RawRun:
    kind: str
    rows: int
    parse_seconds: float
    load_seconds: float

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.load_seconds


def commune_ids(target: Target) -> dict[str, int]:
    sql = "SELECT code, id FROM units_unit WHERE category = 'admin' AND level = 'commune' AND scheme = 'legacy'"
    if target.kind == "sqlite":
        with contextlib.closing(sqlite3.connect(target.sqlite_path)) as con:
            return dict(con.execute(sql).fetchall())
    import psycopg

    with psycopg.connect(target.url) as con:
        return dict(con.execute(sql).fetchall())


def _iso(dmy: str) -> str:
    """dd/mm/yyyy → yyyy-mm-dd; a year alone → 1 January of it."""
    if len(dmy) == 4:
        return f"{dmy}-01-01"
    day, month, year = dmy.split("/")
    return f"{year}-{month}-{day}"


def raw_row(rec: dict[str, str], communes: dict[str, int]) -> Row:
    """The person's columns with only what NOT NULL needs, computed trivially."""
    name = rec["full_name"]
    words = name.split()
    born = rec["birth_date"]
    issued = rec["card_issue_date"]
    return (
        rec["personal_id"],
        name,
        name.lower(),
        words[0].lower(),
        words[-1].lower(),
        _iso(born),
        "year" if len(born) == 4 else "day",
        int(born[-4:]),
        "M" if rec["sex"] == "Nam" else "F",
        rec["personal_id"][:3],
        rec["hometown"],
        communes[rec["commune_code"]],
        rec["permanent_address"],
        rec["ethnicity"],
        rec["religion"],
        rec["old_id_number"],
        rec["father_name"],
        rec["mother_name"],
        rec["status"],
        None,
        rec["relation"],
        _iso(issued) if issued else None,
        None,
        None,
        None,
        RAW_UPDATED_AT,
    )


def parse_raw(path: Path, communes: dict[str, int]) -> tuple[list[Row], float]:
    start = time.perf_counter()
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [raw_row(rec, communes) for rec in csv.DictReader(handle)]
    return rows, time.perf_counter() - start


def load_sqlite(target: Target, rows: list[Row]) -> float:
    """executemany of one INSERT in one transaction, with the project's pragmas."""
    sql = f"INSERT INTO registry_person ({', '.join(RAW_COLUMNS)}) VALUES ({', '.join('?' * len(RAW_COLUMNS))})"  # noqa: S608
    con = sqlite3.connect(target.sqlite_path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        con.execute("PRAGMA foreign_keys=ON")
        start = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.executemany(sql, rows)
        con.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        con.close()


def load_postgresql(target: Target, rows: list[Row]) -> float:
    """COPY registry_person (…) FROM STDIN of the same values, one transaction."""
    import psycopg

    with psycopg.connect(target.url) as con:
        start = time.perf_counter()
        with (
            con.cursor() as cur,
            cur.copy(f"COPY registry_person ({', '.join(RAW_COLUMNS)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        con.commit()
        return time.perf_counter() - start


def raw_once(target: Target, rows: list[Row], parse_seconds: float) -> RawRun:
    load = load_sqlite if target.kind == "sqlite" else load_postgresql
    return RawRun(target.kind, len(rows), parse_seconds, load(target, rows))


# --- look-ups (run in a child process with the database's settings) -----------------------------


@dataclass
class Probe:
    kind: str  # exact | caps | typo | typo-first | id
    text: str
    personal_id: str


@dataclass
class Latency:
    db: str
    scope: str
    call: str
    kind: str
    n: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    recall_1: float
    recall_20: float
    candidates_p50: float | None = None  # rows matching the candidate filter, before LIMIT
    candidates_p95: float | None = None
    over_cap: float | None = None  # share of queries with more candidates than search fetches
    misses_over_cap: int | None = None  # of the queries missing at 20, how many were over it
    with_namesake: float | None = None  # share whose person shares folded name and birth year


# seconds, rank of the right person, candidates, whether someone else in scope has the same folded
# name and birth year (then no ranking can put the right person first every time)
Timing = tuple[float, int | None, int | None, bool | None]


def fold(text: str) -> str:
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def typo(name: str, rng: random.Random) -> tuple[str, bool]:
    """The name with one letter of the given name (last word) replaced; and whether it was the first."""
    start = name.rstrip().rfind(" ") + 1
    position = rng.randrange(start, len(name))
    wrong = rng.choice([c for c in "abcdeghiklmnopqrstuvxy" if c != fold(name[position]).lower()])
    return name[:position] + wrong + name[position + 1 :], position == start


def probes(records: list[dict[str, str]], rng: random.Random) -> list[Probe]:
    """A third exact with the year, a third capitals without diacritics, a third one typo; then IDs."""
    out: list[Probe] = []
    for index, rec in enumerate(records[:NAME_QUERIES]):
        year = rec["birth_date"][-4:]
        if index % 3 == 0:
            out.append(Probe("exact", f"{rec['full_name']} {year}", rec["personal_id"]))
        elif index % 3 == 1:
            out.append(
                Probe("caps", f"{fold(rec['full_name']).upper()} {year}", rec["personal_id"])
            )
        else:
            wrong, first = typo(rec["full_name"], rng)
            kind = "typo-first" if first else "typo"
            out.append(Probe(kind, f"{wrong} {year}", rec["personal_id"]))
    out += [Probe("id", r["personal_id"], r["personal_id"]) for r in records[NAME_QUERIES:]]
    return out


def sample_records(
    path: Path, communes: set[str] | None, count: int, seed: int
) -> list[dict[str, str]]:
    """`count` rows drawn with a fixed seed, among the rows living in `communes` (None: all)."""
    with path.open(encoding="utf-8", newline="") as handle:
        eligible = [
            i
            for i, rec in enumerate(csv.DictReader(handle))
            if communes is None or rec["commune_code"] in communes
        ]
    wanted = set(random.Random(seed).sample(eligible, count))
    with path.open(encoding="utf-8", newline="") as handle:
        picked = [rec for i, rec in enumerate(csv.DictReader(handle)) if i in wanted]
    random.Random(seed).shuffle(picked)
    return picked


def summarize(
    db: str, scope: str, call: str, kind: str, results: list[Timing], cap: int
) -> Latency:
    ms = sorted(1000 * t[0] for t in results)
    p95 = statistics.quantiles(ms, n=100, method="inclusive")[94] if len(ms) > 1 else ms[0]
    found_1 = sum(1 for t in results if t[1] == 0)
    found_20 = sum(1 for t in results if t[1] is not None and t[1] < 20)
    latency = Latency(
        db,
        scope,
        call,
        kind,
        len(ms),
        statistics.median(ms),
        p95,
        ms[-1],
        found_1 / len(ms),
        found_20 / len(ms),
    )
    counts = sorted(t[2] for t in results if t[2] is not None)
    if len(counts) > 1:
        latency.candidates_p50 = statistics.median(counts)
        latency.candidates_p95 = statistics.quantiles(counts, n=100, method="inclusive")[94]
        latency.over_cap = sum(1 for c in counts if c > cap) / len(counts)
        latency.misses_over_cap = sum(
            1 for t in results if (t[1] is None or t[1] >= 20) and t[2] is not None and t[2] > cap
        )
        latency.with_namesake = sum(1 for t in results if t[3]) / len(results)
    return latency


def lookup_worker(argv: list[str]) -> None:
    """In the database's own Django process: time `find` and `search_people` for two personas."""
    parser = argparse.ArgumentParser(prog="bench.register lookup-worker")
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--db", required=True, help="label of the database in the report")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--limit", type=int, help="only this many name queries per scope")
    parser.add_argument("--calls", default="find,search_people")
    args = parser.parse_args(argv)
    import django

    django.setup()
    latencies: list[Latency] = []
    for scope, user in _personas().items():
        measured, warm_up = _scope_probes(args.csv, scope)
        if args.limit:
            measured, warm_up = [p for p in measured if p.kind != "id"][: args.limit], []
        for call in args.calls.split(","):
            latencies += _time_scope(args.db, scope, (user, call), measured, warm_up)
    args.out.write_text(json.dumps([asdict(x) for x in latencies], indent=1))


def _personas() -> dict[str, Any]:
    from django.contrib.auth.models import Group

    from cccd.accounts.models import Role, User
    from cccd.units.models import Unit

    made = {}
    for scope, path, role in (
        ("national", NATIONAL_UNIT, Role.ADMINISTRATOR),
        ("district", DISTRICT_UNIT, Role.OFFICER),
    ):
        user, _created = User.objects.get_or_create(
            username=f"bench.{scope}", defaults={"unit": Unit.objects.get(path=path), "role": role}
        )
        user.groups.set([Group.objects.get(name=role)])
        made[scope] = User.objects.select_related("unit").get(pk=user.pk)  # fresh permission cache
    return made


def _scope_probes(path: Path, scope: str) -> tuple[list[Probe], list[Probe]]:
    """The measured queries, and the warm-up ones (other people, names typed exactly)."""
    from cccd.units.models import Unit

    communes = None
    if scope == "district":
        communes = set(
            Unit.objects.filter(
                path__startswith=DISTRICT_ADMIN_PATH, level=Unit.Level.COMMUNE
            ).values_list("code", flat=True)
        )
    records = sample_records(path, communes, NAME_QUERIES + ID_QUERIES + WARM_UP, seed=SEED)
    warm_up = [Probe("warm-up", r["full_name"], r["personal_id"]) for r in records[:WARM_UP]]
    return probes(records[WARM_UP:], random.Random(SEED)), warm_up


def _time_scope(
    db: str, scope: str, persona: tuple[Any, str], measured: list[Probe], warm_up: list[Probe]
) -> list[Latency]:
    """Time one call for each query (after a warm-up); `find` also counts the candidates."""
    from cccd.accounts.scoping import visible_to
    from cccd.registry import search, services
    from cccd.registry.models import Person

    user, call = persona

    def run(text: str) -> list[Any]:
        if call == "search_people":
            return services.search_people(text, actor=user)
        return search.find(visible_to(user, Person.objects.all()), search.parse_query(text))

    def candidates(probe: Probe) -> tuple[int | None, bool | None]:
        query = search.parse_query(probe.text)
        if call != "find" or query.personal_id:
            return None, None
        scoped = visible_to(user, Person.objects.all())
        tokens = query.name.split()
        if hasattr(search, "_candidate_rounds"):  # from dbd7149: capped rounds
            condition = functools.reduce(
                operator.or_, search._candidate_rounds(tokens, query.birth_year)
            )
        else:
            condition = search._candidate_filter(tokens, query.birth_year)
        person = Person.objects.get(personal_id=probe.personal_id)
        twins = scoped.filter(name_folded=person.name_folded, birth_year=person.birth_year)
        return scoped.filter(condition).count(), twins.exclude(pk=person.pk).exists()

    for probe in warm_up:
        run(probe.text)
    timings: dict[str, list[Timing]] = {}
    for probe in measured:
        start = time.perf_counter()
        matches = run(probe.text)
        seconds = time.perf_counter() - start
        ids = [m.person.personal_id for m in matches]
        rank = ids.index(probe.personal_id) if probe.personal_id in ids else None
        timings.setdefault(probe.kind, []).append((seconds, rank, *candidates(probe)))
    cap = 2000  # a large candidate set: the single slice `find` fetched before dbd7149
    out = [summarize(db, scope, call, "all", [t for ts in timings.values() for t in ts], cap)]
    names = [t for kind, ts in timings.items() if kind != "id" for t in ts]
    if names and "id" in timings:
        out.append(summarize(db, scope, call, "names", names, cap))
    out += [summarize(db, scope, call, kind, ts, cap) for kind, ts in sorted(timings.items())]
    return out


def analyze(target: Target) -> float:
    """What autovacuum would do some time after the import: planner statistics (PostgreSQL)."""
    import psycopg

    with psycopg.connect(target.url, autocommit=True) as con:
        start = time.perf_counter()
        con.execute("ANALYZE")
        return time.perf_counter() - start


def lookups(target: Target, path: Path) -> tuple[list[Latency], dict[str, float]]:
    """SQLite as imported. PostgreSQL as imported (a few queries: the import leaves no planner
    statistics, and this server runs without autovacuum), then after ANALYZE (all queries)."""
    if target.kind == "sqlite":
        return _lookup_run(target, path, "sqlite"), {}
    before = _lookup_run(target, path, "postgresql, no ANALYZE", "--limit", "5", "--calls", "find")
    seconds = analyze(target)
    return before + _lookup_run(target, path, "postgresql"), {"analyze_s": seconds}


def _lookup_run(target: Target, path: Path, label: str, *extra: str) -> list[Latency]:
    out = target.data_dir / "lookups.json"
    args = [sys.executable, "-m", "bench.register", "lookup-worker", "--csv", str(path)]
    args += ["--db", label, "--out", str(out), *extra]
    env = child_env(target.url, target.data_dir)
    done = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True)  # noqa: S603
    if done.returncode:
        raise RuntimeError(f"look-up worker failed:\n{done.stderr[-3000:]}")
    return [Latency(**x) for x in json.loads(out.read_text())]


# --- profile --------------------------------------------------------------------------------------


def profile_import(target: Target, path: Path, top: int = 20) -> dict[str, Any]:
    """cProfile of one import: its wall time, the top functions by own time, and the project's
    own functions (and the database calls) by cumulative time, which show the phases."""
    out = target.data_dir / "import.prof"
    args = [sys.executable, "-m", "cProfile", "-o", str(out), str(CCCD), "import_register"]
    args += [str(path), "--quiet"]
    seconds, _rss = measure_child(
        args, env=child_env(target.url, target.data_dir), log=target.data_dir / "profile.log"
    )
    stats = pstats.Stats(str(out))
    rows = []
    for (file, line, func), (_cc, calls, own, cumulative, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append(
            {
                "function": f"{_short(file)}:{line}({func})",
                "calls": calls,
                "own_s": own,
                "cumulative_s": cumulative,
            }
        )
    print(f"  profiled {target.kind} import: {seconds:.1f} s under cProfile", flush=True)
    phases = [r for r in rows if r["function"].startswith("cccd/") or "execute" in r["function"]]
    return {
        "wall_s": seconds,
        "own": sorted(rows, key=lambda r: -r["own_s"])[:top],
        "cumulative": sorted(phases, key=lambda r: -r["cumulative_s"])[:top],
    }


def _short(file: str) -> str:
    for marker in ("site-packages/", "src/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


# --- the run ------------------------------------------------------------------------------------


@dataclass
class Results:
    machine: dict[str, Any]
    setup: dict[str, Any] = field(default_factory=dict)
    imports: list[ImportRun] = field(default_factory=list)
    raws: list[RawRun] = field(default_factory=list)
    latencies: list[Latency] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)


def machine() -> dict[str, Any]:
    import psycopg

    with pg_admin() as admin:
        pg_version = admin.execute("SHOW server_version").fetchone()[0]
        shared_buffers = admin.execute("SHOW shared_buffers").fetchone()[0]
    memory = next(
        line
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory": f"{int(memory.split()[1]) / 2**20:.1f} GiB",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "pg_shared_buffers": shared_buffers,
        "psycopg": psycopg.__version__,
        "load_average_start": os.getloadavg(),
        "git": git_state(),
        "code_start": code_hash(),
    }


def code_hash() -> str:
    """A digest of the code the figures depend on, to tell whether it changed during the run."""
    import hashlib

    src = source_dir() / "cccd"
    files = [src / "settings.py"]
    for app in ("core", "units", "accounts", "registry"):
        files += [f for f in (src / app).rglob("*.py") if "migrations" not in f.parts]
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True)  # noqa: S603, S607
    return done.stdout.strip()


def git_state() -> str:
    """The commit measured, and whether the working tree's src/ had uncommitted changes."""
    if "BENCH_REGISTER_SRC" in os.environ:
        return f"{_git('rev-parse', '--short', 'HEAD')} (committed src/ only, --head)"
    dirty = _git("status", "--porcelain", "--", "src")
    return _git("rev-parse", "--short", "HEAD") + (
        f" + {len(dirty.splitlines())} uncommitted file(s) in src/" if dirty else ""
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench register", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, help="one size only (default: 100000 and 1000000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the small size (medians)")
    parser.add_argument("--large-runs", type=int, default=1, help="runs of 1,000,000 rows")
    parser.add_argument("--only", choices=KINDS, help="one database kind")
    parser.add_argument("--no-lookup", action="store_true", help="skip the look-up latency")
    parser.add_argument("--profile", action="store_true", help="cProfile one import per database")
    parser.add_argument("--keep", action="store_true", help="leave the databases and folders")
    parser.add_argument(
        "--head",
        action="store_true",
        help="measure the committed src/ of HEAD, not the working tree",
    )
    return parser.parse_args(argv)


def plan(args: argparse.Namespace) -> list[tuple[int, int]]:
    if args.rows:
        return [(args.rows, args.runs)]
    return [(SMALL, args.runs), (LARGE, args.large_runs)]


def run(args: argparse.Namespace) -> Results:
    kinds = [args.only] if args.only else list(KINDS)
    sizes = plan(args)
    if args.head:
        os.environ["BENCH_REGISTER_SRC"] = str(snapshot_head())
    files = {rows: ensure_register(rows) for rows, _runs in sizes}
    largest = max(files)
    results = Results(machine())
    with Workspace(keep=args.keep) as ws:
        for kind in kinds:
            _template, timings = ws.template(kind)
            results.setup[f"{kind} template"] = timings
        results.setup["startup_s"] = startup_seconds(ws.templates[kinds[0]])
        kept: dict[str, Target] = {}
        for rows, runs in sizes:
            measure_size(ws, results, kinds, (rows, runs), files[rows], kept)
        if not args.no_lookup:
            for kind in kinds:
                print(f"look-ups in {kind} ({largest:,} people) …", flush=True)
                latencies, extra = lookups(kept[kind], files[largest])
                results.latencies += latencies
                results.setup |= extra
        if args.profile:
            profile_rows = args.rows or SMALL
            for kind in kinds:
                target = ws.fresh(kind, f"profile-{kind}")
                results.profiles[kind] = profile_import(target, ensure_register(profile_rows))
                ws.discard(target)
    results.machine["load_average_end"] = os.getloadavg()
    results.machine["code_end"] = code_hash()
    if results.machine["code_end"] != results.machine["code_start"]:
        print("warning: src/ changed during the run; the figures mix two versions of the code")
    return results


def measure_size(
    ws: Workspace,
    results: Results,
    kinds: list[str],
    size: tuple[int, int],
    path: Path,
    kept: dict[str, Target],
) -> None:
    """`runs` × (our import, raw load) per database kind; the last import per kind stays in `kept`."""
    rows, runs = size
    raw_rows: list[Row] | None = None
    parse_seconds = 0.0
    for run_index in range(runs):
        for kind in kinds:
            ours = ws.fresh(kind, f"{kind}-{rows}-{run_index}-ours")
            print(f"{rows:,} rows, run {run_index + 1}/{runs}, {kind}: import …", flush=True)
            results.imports.append(import_once(ours, path, rows))
            print(
                f"  {results.imports[-1].seconds:.1f} s, peak RSS {results.imports[-1].peak_rss_mib:.0f} MiB",
                flush=True,
            )
            if kept.get(kind):
                ws.discard(kept[kind])
            kept[kind] = ours
            raw = ws.fresh(kind, f"{kind}-{rows}-{run_index}-raw")
            if raw_rows is None:
                raw_rows, parse_seconds = parse_raw(path, commune_ids(raw))
            results.raws.append(raw_once(raw, raw_rows, parse_seconds))
            print(f"  raw load {results.raws[-1].load_seconds:.1f} s", flush=True)
            ws.discard(raw)


# --- report -------------------------------------------------------------------------------------


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def import_table(results: Results) -> list[str]:
    sizes = sorted({r.rows for r in results.imports})
    lines = [
        "| rows | DB | runs | our import s | our CPU s | our rows/s | raw load s | raw rows/s | ratio (ours ÷ raw time) | raw parse s | peak RSS MiB | rejected |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for rows in sizes:
        for kind in KINDS:
            ours = [r for r in results.imports if r.rows == rows and r.kind == kind]
            raws = [r for r in results.raws if r.rows == rows and r.kind == kind]
            if not ours:
                continue
            seconds = median_of([r.seconds for r in ours])
            load = median_of([r.load_seconds for r in raws])
            lines.append(
                f"| {rows:,} | {kind} | {len(ours)} | {seconds:.1f} | {median_of([r.cpu_seconds for r in ours]):.1f} | {rows / seconds:,.0f} | {load:.1f} | "
                f"{rows / load:,.0f} | {seconds / load:.1f}× | {median_of([r.parse_seconds for r in raws]):.1f} | "
                f"{median_of([r.peak_rss_mib for r in ours]):.0f} | {ours[-1].rejected} |"
            )
    return lines


def _latency(results: Results, db: str, scope: str, call: str, kind: str) -> Latency | None:
    return next(
        (
            x
            for x in results.latencies
            if (x.db, x.scope, x.call, x.kind) == (db, scope, call, kind)
        ),
        None,
    )


def latency_table(results: Results) -> list[str]:
    """p50/p95/max over all queries, the p95 of name and of ID queries apart, and for `find` the
    number of candidate rows its filter matches (it fetches at most 2,000 of them)."""
    lines = [
        "| DB | scope | call | queries | p50 ms | p95 ms | max ms | p95 names ms | p95 IDs ms | candidates p50 / p95 | > 2,000 candidates |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for x in (x for x in results.latencies if x.kind == "all"):
        names = _latency(results, x.db, x.scope, x.call, "names") or x
        ids = _latency(results, x.db, x.scope, x.call, "id")
        counts = "—"
        if names.candidates_p50 is not None:
            counts = f"{names.candidates_p50:,.0f} / {names.candidates_p95:,.0f}"
        over = f"{names.over_cap:.0%}" if names.over_cap is not None else "—"
        lines.append(
            f"| {x.db} | {x.scope} | `{x.call}` | {x.n} | {x.p50_ms:.1f} | {x.p95_ms:.1f} | "
            f"{x.max_ms:.1f} | {names.p95_ms:.1f} | {f'{ids.p95_ms:.1f}' if ids else '—'} | {counts} | {over} |"
        )
    return lines


RECALL_KINDS = ("exact", "caps", "typo", "typo-first", "id")


def recall_table(results: Results) -> list[str]:
    """recall@1 / recall@20 of `find` per kind of query (n in brackets)."""
    lines = [
        "| DB | scope | exact + year | capitals, no diacritics + year | typo in given name (not 1st letter) | typo in 1st letter of given name | personal ID | misses@20 with > 2,000 candidates | name queries whose person has a namesake born the same year |",
        "| --- | --- | --- | --- | --- | --- | --- | ---: | ---: |",
    ]
    for x in (x for x in results.latencies if x.kind == "all" and x.call == "find" and x.n >= 100):
        cells = []
        for kind in RECALL_KINDS:
            k = _latency(results, x.db, x.scope, "find", kind)
            cells.append(f"{k.recall_1:.0%} / {k.recall_20:.0%} (n={k.n})" if k else "—")
        misses = round(x.n * (1 - x.recall_20))
        names = _latency(results, x.db, x.scope, "find", "names") or x
        twins = f"{names.with_namesake:.0%}" if names.with_namesake is not None else "—"
        cells += [f"{x.misses_over_cap} of {misses}", twins]
        lines.append(f"| {x.db} | {x.scope} | {' | '.join(cells)} |")
    return lines


def profile_table(kind: str, profile: dict[str, Any]) -> list[str]:
    lines = []
    for order, title in (
        ("own", "own time"),
        ("cumulative", "cumulative time (project code and execute calls)"),
    ):
        lines += [
            f"{kind} import under cProfile ({profile['wall_s']:.1f} s wall), top by {title}:",
            "",
            "| function | calls | own s | cumulative s |",
            "| --- | ---: | ---: | ---: |",
        ]
        lines += [
            f"| `{r['function']}` | {r['calls']:,} | {r['own_s']:.2f} | {r['cumulative_s']:.2f} |"
            for r in profile[order]
        ]
        lines.append("")
    return lines


def report(results: Results) -> str:
    m = results.machine
    lines = [
        f"machine: {m['nproc']} cores, {m['memory']}, Python {m['python']}, SQLite {m['sqlite']}, "
        f"PostgreSQL {m['postgresql']} (shared_buffers {m['pg_shared_buffers']}), psycopg {m['psycopg']}; "
        f"{m['date']}; git {m.get('git', '?')}, code {m.get('code_start')}→{m.get('code_end')}; load average {m['load_average_start'][0]:.2f} at start, {m['load_average_end'][0]:.2f} at end",
        f"setup: {json.dumps(results.setup)}",
        "",
        *import_table(results),
    ]
    if results.latencies:
        lines += ["", *latency_table(results), "", "recall@1 / recall@20 of `find`:", ""]
        lines += recall_table(results)
    for kind, profile in results.profiles.items():
        lines += ["", *profile_table(kind, profile)]
    return "\n".join(lines)


def save(results: Results) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    path = DATA / f"register-results-{stamp}.json"
    payload = asdict(results)
    path.write_text(json.dumps(payload, indent=1, default=str))
    return path


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lookup-worker"]:
        lookup_worker(argv[1:])
        return
    results = run(parse_args(argv))
    text = report(results)
    print()
    print(text)
    print(f"\n(saved to {save(results)})")


if __name__ == "__main__":
    main()
