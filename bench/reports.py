"""`python -m bench reports`: the national and a district dashboard at 10 million dossiers, beside
the same figures computed by plain `GROUP BY` queries over the dossiers, in the same run.

A fresh PostgreSQL database (`cccd_bench_reports`), migrated; a national unit tree (the ministry,
63 provinces, ~700 districts, with their administrative mirrors and one commune per district where
the people live); one Law 2023 campaign at the ministry over 60 days with a target per district;
`--dossiers` people and as many dossiers written with COPY in chunks (memory stays flat); ANALYZE
(the server runs without autovacuum); `counters.rebuild()`, timed: what a repair costs at this
scale. Then, in-process with Django's test client, the dashboard of a ministry commander (`/reports/`)
and of a district commander, `--repeat` times each after a warm-up (wall time of the request, and
its SQL query count), and the baseline: the dashboard's figures from two plain `GROUP BY` scans of
`enrollments_enrollment` joined to the units by path, `--baseline-repeat` times each, asserted
equal to `cccd.reports.queries.figures` first, so both sides give the same, correct answer.

Generation is deterministic (`--seed`). While loading, the dossier and people tables' secondary
indexes and constraints are dropped and made again afterwards from their own definitions (the FK
constraints are re-added, so PostgreSQL checks every row once): what a bulk load does, and the
schema is the migrated one when the measuring starts (the same index names are checked).

Options: `--dossiers N` (10,000,000; 200,000 for a quick check), `--repeat K` page requests,
`--baseline-repeat K` runs of the plain queries, `--keep` leaves the database, `--reuse` measures
again in the database a `--keep` run left (no generation, no rebuild), `--chunk`, `--seed`.
Environment: `BENCH_PG_URL` (default postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "cccd_bench_reports"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN_DAYS, DAYS_AHEAD = 60, 10  # the dashboard's day is the 50th of 60: 10 days still to go
PROVINCE_CODES = (
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20", "22", "24", "25",
    "26", "27", "30", "31", "33", "34", "35", "36", "37", "38", "40", "42", "44", "45", "46", "48",
    "49", "51", "52", "54", "56", "58", "60", "62", "64", "66", "67", "68", "70", "72", "74", "75",
    "77", "79", "80", "82", "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96",
)  # fmt: skip  # the 63 provinces' codes before July 2025
GROUP_SHARES = {
    "general": 0.55,
    "student": 0.25,
    "elderly": 0.08,
    "disabled": 0.02,
    "sick_at_home": 0.01,
    "pregnant": 0.01,
    "elderly_alone": 0.01,
    "religious": 0.005,
    "hero": 0.002,
    "heroic_mother": 0.001,
    None: 0.062,
}
KIND_SHARES = {
    "first_issue": 0.45,
    "from_cmnd": 0.25,
    "exchange_age": 0.20,
    "exchange_change": 0.06,
    "reissue": 0.04,
}
STATES = (
    "captured",
    "returned_for_correction",
    "completed",
    "approved",
    "in_production",
    "produced",
    "at_unit",
    "delivered",
    "rejected",
    "cancelled",
)
LATE_STATES = (
    "captured",
    "returned_for_correction",
    "completed",
    "approved",
    "in_production",
    "produced",
)
# The state a dossier has reached, by its age in days (rows: ages from the edge on; columns: STATES).
AGE_EDGES = (0, 2, 5, 9, 15)
STATE_SHARES = (
    (0.90, 0.01, 0.07, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.02),
    (0.15, 0.04, 0.36, 0.40, 0.03, 0.00, 0.00, 0.00, 0.01, 0.01),
    (0.02, 0.02, 0.05, 0.15, 0.45, 0.29, 0.00, 0.00, 0.01, 0.01),
    (0.01, 0.01, 0.01, 0.02, 0.05, 0.20, 0.30, 0.38, 0.01, 0.01),
    (0.003, 0.002, 0.003, 0.005, 0.005, 0.012, 0.06, 0.88, 0.015, 0.015),
)  # fmt: skip
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Đức", "Thanh")
GIVEN = (
    "An",
    "Bình",
    "Chi",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
)
PERSON_COLUMNS = (
    "id", "personal_id", "full_name", "name_folded", "family_folded", "given_folded", "birth_date",
    "birth_date_precision", "birth_year", "sex", "birth_province_code", "residence_unit_id", "hometown",
    "permanent_address", "ethnicity", "religion", "old_id_number", "father_name", "mother_name", "status",
    "relation_to_head", "updated_at",
)  # fmt: skip
DOSSIER_COLUMNS = (
    "id", "code", "unit_id", "campaign_id", "person_id", "group_id", "kind", "law", "return_method",
    "post_address", "state", "state_changed_at", "reason", "return_date", "created_at", "received_at",
    "public_token", "chip_serial", "delivery", "tracking_number", "delivery_signature",
)  # fmt: skip


# ---------------------------------------------------------------------------- database and Django


def fresh_database(name: str = DB_NAME) -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    return f"{PG_SERVER}/{name}"


def drop_database(name: str = DB_NAME) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str, data_dir: Path) -> None:
    os.environ.update(
        DATABASE_URL=url,
        CCCD_DATA_DIR=str(data_dir),
        CCCD_DEBUG="0",
        CCCD_ALLOWED_HOSTS="testserver,127.0.0.1",
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.builders
    import django

    django.setup()
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)


def raw() -> Any:
    """The psycopg connection under Django's (COPY is psycopg's, not the ORM's)."""
    from django.db import connection

    connection.ensure_connection()
    return connection.connection


# ---------------------------------------------------------------------------- units, campaign, users


@dataclass
class World:
    ministry: Any
    provinces: list[Any]  # police
    districts: list[Any]  # police, in the order of `weights`
    communes: list[int]  # administrative commune id per district (where its people live)
    places: list[str]  # "Huyện …, Tỉnh …" per district (hometown and address)
    weights: list[float]  # share of the dossiers per district
    campaign: Any = None
    day: datetime.date = datetime.date.min
    national_user: Any = None
    district_user: Any = None
    district: Any = None


def build_units(rng: Any) -> World:
    """The ministry, 63 provinces, 10–12 districts each and their administrative mirrors (one commune
    per district), in bulk, level by level; paths and codes as `Unit.path_for` makes them."""
    from cccd.units.models import Unit
    from cccd.units.roots import national_roots

    country, ministry = national_roots()
    admin_p, police_p, admin_d, police_d, admin_c = [], [], [], [], []
    for p in PROVINCE_CODES:
        admin_p.append(_unit(country, "province", p, f"Tỉnh {p}", "Tỉnh"))
        police_p.append(_unit(ministry, "province", p, f"Công an tỉnh {p}", "Công an tỉnh"))
    Unit.objects.bulk_create(admin_p + police_p)
    number = 0
    for ap, pp in zip(admin_p, police_p, strict=True):
        for _ in range(int(rng.integers(10, 13))):
            number += 1
            code = f"{number:03d}"
            admin_d.append(_unit(ap, "district", code, f"Huyện {code}", "Huyện"))
            police_d.append(_unit(pp, "district", code, f"Công an huyện {code}", "Công an huyện"))
    Unit.objects.bulk_create(admin_d + police_d)
    for i, ad in enumerate(admin_d):
        admin_c.append(_unit(ad, "commune", f"{i + 1:05d}", f"Xã {i + 1:05d}", "Xã"))
    Unit.objects.bulk_create(admin_c)
    # uneven like a population: provinces and districts lognormal (a few cities dominate)
    province_w = {p.pk: float(rng.lognormal(0, 0.7)) for p in police_p}
    weights = [province_w[d.parent.pk] * float(rng.lognormal(0, 0.6)) for d in police_d]
    total = sum(weights)
    places = [f"{ad.name}, {ad.parent.name}" for ad in admin_d]
    return World(
        ministry, police_p, police_d, [c.pk for c in admin_c], places, [w / total for w in weights]
    )


def _unit(parent: Any, level: str, code: str, name: str, kind: str) -> Any:
    from cccd.units.models import Unit

    return Unit(
        category=parent.category,
        scheme="legacy",
        level=level,
        code=code,
        name=name,
        division_type=kind,
        parent=parent,
        path=Unit.path_for(parent, parent.category, "legacy", level, code),
    )


def build_campaign(world: World, dossiers: int, rng: Any) -> None:
    """One campaign at the ministry (the service, as a ministry commander), a target per district,
    and the district commander of a district of median size."""
    from tests.builders import make_user

    from cccd.accounts.models import Role
    from cccd.campaigns.models import Target
    from cccd.campaigns.services import create_campaign

    world.day = datetime.datetime.now(ZONE).date()
    start = world.day - datetime.timedelta(days=CAMPAIGN_DAYS - DAYS_AHEAD - 1)
    world.national_user = make_user("bench.national", Role.COMMANDER, world.ministry)
    world.campaign = create_campaign(
        unit_id=world.ministry.pk,
        name="Bench: 10 triệu hồ sơ",
        law="2023",
        start_date=start,
        end_date=start + datetime.timedelta(days=CAMPAIGN_DAYS - 1),
        actor=world.national_user,
    )
    targets = [
        Target(
            campaign=world.campaign,
            unit=d,
            group=None,
            total=max(100, int(w * dossiers * float(rng.uniform(1.0, 1.4)))),
        )
        for d, w in zip(world.districts, world.weights, strict=True)
    ]
    Target.objects.bulk_create(targets)
    median = sorted(range(len(world.weights)), key=world.weights.__getitem__)[
        len(world.weights) // 2
    ]
    world.district = world.districts[median]
    world.district_user = make_user("bench.district", Role.COMMANDER, world.district)


# ---------------------------------------------------------------------------- people and dossiers


@dataclass
class Load:
    seconds: dict[str, float] = field(default_factory=dict)
    peak_rss_mib: float = 0.0


class Indexes:
    """A table's secondary indexes and its constraints (but the primary key), dropped for a bulk
    load and made again from their own definitions after it."""

    def __init__(self, cur: Any, table: str) -> None:
        self.table = table
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype <> 'p' ORDER BY contype DESC",
            [table],
        )
        self.constraints = cur.fetchall()
        cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = %s::regclass AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        self.indexes = cur.fetchall()

    def drop(self, cur: Any) -> None:
        for name, _ in self.constraints:
            cur.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
        for name, _ in self.indexes:
            cur.execute(f"DROP INDEX {name}")

    def restore(self, cur: Any) -> None:
        for _, definition in self.indexes:
            cur.execute(definition)
        for name, definition in self.constraints:  # unique before foreign keys (ORDER BY contype)
            cur.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
        # by name: a partial index's predicate, parsed again, prints its casts differently
        again = Indexes(cur, self.table)
        names = {n for n, _ in self.constraints + self.indexes}
        if {n for n, _ in again.constraints + again.indexes} != names:
            raise RuntimeError(
                f"{self.table}: the indexes made again differ from the migrated ones"
            )


def generate(world: World, count: int, chunk: int, seed: int) -> Load:
    """`count` people and one dossier each, COPYed chunk by chunk."""
    import numpy as np

    from cccd.campaigns.models import PriorityGroup

    load = Load()
    rng = np.random.default_rng(seed)
    con = raw()
    groups = dict(PriorityGroup.objects.values_list("code", "pk"))
    g_values = [str(groups[g]) if g else "\\N" for g in GROUP_SHARES]
    g_p = np.array(list(GROUP_SHARES.values()))
    k_values, k_p = list(KIND_SHARES), np.array(list(KIND_SHARES.values()))
    d_p = np.array(world.weights)
    start = world.campaign.start_date
    intake_days = (world.day - start).days + 1
    day_w = np.array(
        [
            (1.2 if (start + datetime.timedelta(days=k)).weekday() < 5 else 0.9)
            * min(1.0, (k + 1) / 7)
            for k in range(intake_days)
        ]
    )
    day_w /= day_w.sum()
    horizon = intake_days + 20
    dates = [(start + datetime.timedelta(days=k)).isoformat() for k in range(horizon)]
    clock = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+07" for s in range(86400)]
    state_cum = np.cumsum(np.array(STATE_SHARES), axis=1)
    state_cum[:, -1] = 1.0
    names = _names()
    births = _births()
    provinces = [d.parent.code.zfill(3) for d in world.districts]
    district_ids = [str(d.pk) for d in world.districts]
    communes = [str(c) for c in world.communes]
    person_tail = (
        "\t\t\t\t\t\talive\t\t2021-01-15 00:00:00+00\n"  # ethnicity … relation, updated_at
    )
    with con.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        people_ix = Indexes(cur, "registry_person")
        dossier_ix = Indexes(cur, "enrollments_enrollment")
        people_ix.drop(cur)
        dossier_ix.drop(cur)
    con.commit()
    t = time.perf_counter()
    campaign = str(world.campaign.pk)
    for first in range(1, count + 1, chunk):
        n = min(chunk, count - first + 1)
        ids = range(first, first + n)
        district = rng.choice(len(d_p), n, p=d_p).tolist()
        day = rng.choice(intake_days, n, p=day_w)
        # the hour: evenings (17:30–24:00) mostly, some daytime, and some in the small hours (an
        # evening session that ran past midnight: its dossiers count on the next day)
        part = rng.random(n)
        second = np.where(
            part < 0.70,
            rng.integers(63000, 86400, n),
            np.where(part < 0.92, rng.integers(27000, 61200, n), rng.integers(0, 5400, n)),
        )
        age = (intake_days - 1) - day
        bucket = np.searchsorted(np.array(AGE_EDGES), age, side="right") - 1
        state = (rng.random(n)[:, None] > state_cum[np.clip(bucket, 0, None)]).sum(axis=1)
        return_in = rng.integers(7, 16, n)
        # the last move: within the dossier's age (the same day for a captured one); delivered ones
        # after the card came back, never after the dashboard's day
        moved = np.where(
            state == 0,
            day,
            np.minimum(day + np.minimum(age, rng.integers(1, 20, n)), intake_days - 1),
        )
        moved_second = np.where(state == 0, second, rng.integers(27000, 61200, n))
        moved_second = np.where(moved == day, np.maximum(moved_second, second), moved_second)
        group = rng.choice(len(g_p), n, p=g_p).tolist()
        kind = rng.choice(len(k_p), n, p=k_p).tolist()
        name = rng.integers(0, len(names), n).tolist()
        birth = rng.integers(0, len(births), n).tolist()
        token = rng.integers(0, 2**63, n).tolist()
        day_l, second_l, state_l = day.tolist(), second.tolist(), state.tolist()
        return_l = (day + return_in).tolist()
        moved_l, moved_s = moved.tolist(), moved_second.tolist()
        people, dossiers = [], []
        for j, i in enumerate(ids):
            dd = district[j]
            place = world.places[dd]
            people.append(
                f"{i}\t{provinces[dd]}{i:09d}\t{names[name[j]]}\t{births[birth[j]]}\t"
                f"{'M' if i & 1 else 'F'}\t{provinces[dd]}\t{communes[dd]}\t{place}\t"
                f"Thôn {i % 12 + 1}, {place}{person_tail}"
            )
            received = f"{dates[day_l[j]]} {clock[second_l[j]]}"
            dossiers.append(
                f"{i}\tHS{i:010d}\t{district_ids[dd]}\t{campaign}\t{i}\t{g_values[group[j]]}\t"
                f"{k_values[kind[j]]}\t2023\toffice\t\t{STATES[state_l[j]]}\t"
                f"{dates[moved_l[j]]} {clock[moved_s[j]]}\t\t{dates[return_l[j]]}\t{received}\t"
                f"{received}\t{token[j]:016x}{i:08x}\t\t\t\t\n"
            )
        with con.cursor() as cur:
            with cur.copy(f"COPY registry_person ({', '.join(PERSON_COLUMNS)}) FROM STDIN") as copy:
                copy.write("".join(people))
            with cur.copy(
                f"COPY enrollments_enrollment ({', '.join(DOSSIER_COLUMNS)}) FROM STDIN"
            ) as copy:
                copy.write("".join(dossiers))
        con.commit()
        del people, dossiers
        done = first + n - 1
        if done % (chunk * 10) == 0 or done == count:
            rate = done / (time.perf_counter() - t)
            print(f"  {done:,} people and dossiers ({rate:,.0f}/s)", flush=True)
    load.seconds["copy"] = time.perf_counter() - t
    t = time.perf_counter()
    with con.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        people_ix.restore(cur)
        dossier_ix.restore(cur)
        for table in ("registry_person", "enrollments_enrollment"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [count])
        cur.execute("RESET maintenance_work_mem")  # the measuring runs with the server's settings
    con.commit()
    load.seconds["indexes"] = time.perf_counter() - t
    load.peak_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return load


def _names() -> list[str]:
    """Full name, folded, family and given (folded) of every combination, tab-separated."""
    from cccd.core import names

    return [
        f"{full}\t{names.fold(full)}\t{names.fold(f)}\t{names.fold(g)}"
        for f in FAMILY
        for m in MIDDLE
        for g in GIVEN
        for full in [f"{f} {m} {g}"]
    ]


def _births() -> list[str]:
    """Birth date, precision and year of every day from 1940 to 2012, tab-separated."""
    first = datetime.date(1940, 1, 1)
    days = (datetime.date(2012, 12, 31) - first).days + 1
    return [
        f"{d.isoformat()}\tday\t{d.year}"
        for d in (first + datetime.timedelta(days=k) for k in range(days))
    ]


# ---------------------------------------------------------------------------- measuring


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Timing:
    samples: list[float]
    queries: int = 0
    sql: float = 0.0  # seconds in SQL of the request whose queries were counted
    slowest: tuple[float, str] = (0.0, "")  # its slowest statement: seconds, first words

    @property
    def p50(self) -> float:
        return pct(self.samples, 0.5)

    @property
    def p95(self) -> float:
        return pct(self.samples, 0.95)


def time_page(user: Any, path: str, repeat: int, warm_up: int = 3) -> Timing:
    """Wall time of GET `path` in-process, logged in as `user`; one more request counts the SQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warm_up):
        _get(client, path)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        _get(client, path)
        samples.append(time.perf_counter() - t)
    with CaptureQueriesContext(connection) as captured:
        _get(client, path)
    times = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
    slowest = max(times)
    return Timing(samples, len(times), sum(t for t, _ in times), (slowest[0], slowest[1][:90]))


def time_figures(unit: Any, campaign: Any, day: datetime.date, repeat: int) -> Timing:
    """`queries.figures` alone, without the request, the session and the template around it."""
    from cccd.reports import queries

    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        queries.figures(unit, campaign, day)
        samples.append(time.perf_counter() - t)
    return Timing(samples)


def _get(client: Any, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path}: {response.status_code}")


@dataclass
class Plain:
    """The dashboard's figures as the plain GROUP BY queries give them."""

    done: int = 0
    today: int = 0
    yesterday: int = 0
    week: int = 0
    delivered: int = 0
    overdue: int = 0
    daily: dict[datetime.date, int] = field(default_factory=dict)
    by_group: dict[int, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)
    pipeline: dict[str, int] = field(default_factory=dict)
    children: dict[str, tuple[int, int]] = field(default_factory=dict)  # child path → (done, today)


CAPTURED_SQL = """
SELECT split_part(u.path, '/', %(segment)s) AS child,
       (e.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day, e.group_id, e.kind, count(*)
FROM enrollments_enrollment e JOIN units_unit u ON u.id = e.unit_id
WHERE u.path LIKE %(prefix)s AND e.campaign_id = %(campaign)s
  AND e.state NOT IN ('draft', 'rejected', 'cancelled')  -- progress: counters.counts_as_progress
  AND e.received_at >= %(start)s AND e.received_at < %(end)s
GROUP BY 1, 2, 3, 4
"""
STATES_SQL = """
SELECT e.state,
       count(*) FILTER (WHERE e.campaign_id = %(campaign)s),
       count(*) FILTER (WHERE e.campaign_id = %(campaign)s AND e.state = 'delivered'
                          AND e.state_changed_at >= %(start)s AND e.state_changed_at < %(end)s),
       count(*) FILTER (WHERE e.state = ANY(%(late)s) AND e.return_date < %(day)s)
FROM enrollments_enrollment e JOIN units_unit u ON u.id = e.unit_id
WHERE u.path LIKE %(prefix)s AND e.state <> 'draft'
GROUP BY 1
"""


def plain_figures(unit: Any, campaign: Any, day: datetime.date) -> Plain:
    """Every figure of the dashboard straight from the dossiers: two GROUP BY scans of the unit's
    subtree (joined to the units by path), the rest added up here."""
    from django.db import connection

    start = datetime.datetime.combine(campaign.start_date, datetime.time(), ZONE)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), ZONE)
    params = {
        "prefix": unit.path + "%",
        "campaign": campaign.pk,
        "start": start,
        "end": end,
        "day": day,
        "late": list(LATE_STATES),
        "segment": unit.path.count("/") + 1,
    }
    plain = Plain()
    with connection.cursor() as cur:
        cur.execute(CAPTURED_SQL, params)
        rows = cur.fetchall()
        cur.execute(STATES_SQL, params)
        states = cur.fetchall()
    week_from = day - datetime.timedelta(days=6)
    daily: Counter[datetime.date] = Counter()
    by_group: Counter[int] = Counter()
    by_kind: Counter[str] = Counter()
    children: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for child, d, group, kind, n in rows:
        daily[d] += n
        by_group[group or 0] += n
        by_kind[kind] += n
        if child:
            children[f"{unit.path}{child}/"][0] += n
            children[f"{unit.path}{child}/"][1] += n if d == day else 0
    plain.daily, plain.by_group, plain.by_kind = dict(daily), dict(by_group), dict(by_kind)
    plain.done = sum(daily.values())
    plain.today = daily.get(day, 0)
    plain.yesterday = daily.get(day - datetime.timedelta(days=1), 0)
    plain.week = sum(n for d, n in daily.items() if d >= week_from)
    plain.children = {path: (done, today) for path, (done, today) in children.items()}
    plain.pipeline = {state: n for state, n, _d, _o in states}
    plain.delivered = sum(d for _s, _n, d, _o in states)
    plain.overdue = sum(o for _s, _n, _d, o in states)
    return plain


def check_equal(plain: Plain, unit: Any, campaign: Any, day: datetime.date) -> None:
    """The plain queries and `queries.figures` (the counters) must give the same figures."""
    from django.utils.translation import gettext as _

    from cccd.campaigns.models import PriorityGroup
    from cccd.enrollments.models import Kind
    from cccd.reports import queries

    f = queries.figures(unit, campaign, day)
    names = dict(PriorityGroup.objects.values_list("pk", "name"))
    expected = {
        "done": f.done,
        "today": f.today,
        "yesterday": f.yesterday,
        "week": f.week,
        "delivered": f.delivered,
        "overdue": f.overdue,
        "daily": {d: n for d, n, _c in f.daily if n},
        "by_group": sorted(f.by_group),
        "by_kind": sorted(f.by_kind),
        "pipeline": {s: n for s, _label, n in f.pipeline if n},
        "children": {c.unit.path: (c.done, c.today) for c in f.children if c.done or c.today},
    }
    got = {
        "done": plain.done,
        "today": plain.today,
        "yesterday": plain.yesterday,
        "week": plain.week,
        "delivered": plain.delivered,
        "overdue": plain.overdue,
        "daily": {d: n for d, n in plain.daily.items() if n},
        "by_group": sorted(
            (names.get(g, _("no group")), n) for g, n in plain.by_group.items() if n
        ),
        "by_kind": sorted((str(Kind(k).label), n) for k, n in plain.by_kind.items() if n),
        "pipeline": {s: n for s, n in plain.pipeline.items() if n},
        "children": {p: v for p, v in plain.children.items() if any(v)},
    }
    wrong = [key for key in expected if expected[key] != got[key]]
    if wrong:
        detail = "; ".join(
            f"{k}: counters {expected[k]!r:.300} ≠ plain {got[k]!r:.300}" for k in wrong
        )
        raise AssertionError(f"{unit.path}: the figures differ: {detail}")


def time_plain(unit: Any, campaign: Any, day: datetime.date, repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        plain_figures(unit, campaign, day)
        samples.append(time.perf_counter() - t)
    return Timing(samples, 2)


# ---------------------------------------------------------------------------- report


def machine() -> dict[str, str]:
    from django.db import connection

    settings = (
        "server_version",
        "shared_buffers",
        "effective_cache_size",
        "work_mem",
        "maintenance_work_mem",
        "max_parallel_workers_per_gather",
        "jit",
        "random_page_cost",
        "synchronous_commit",
        "wal_level",
        "max_wal_size",
        "autovacuum",
    )
    shown = {}
    with connection.cursor() as cur:
        for name in settings:
            cur.execute(f"SHOW {name}")
            shown[name] = cur.fetchone()[0]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = platform.processor() or platform.machine()
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {
        "cpu": f"{os.cpu_count()} CPUs ({cpu})",
        "ram": f"{ram:.0f} GiB",
        "python": platform.python_version(),
        **shown,
    }


def table_sizes() -> dict[str, int]:
    from django.db import connection

    tables = (
        "enrollments_enrollment",
        "registry_person",
        "reports_dailycount",
        "reports_statecount",
        "reports_duecount",
    )
    sizes = {}
    with connection.cursor() as cur:
        for table in tables:
            sql = f"SELECT pg_total_relation_size(%s), (SELECT count(*) FROM {table})"  # noqa: S608 (our own table names)
            cur.execute(sql, [table])
            sizes[table] = cur.fetchone()
    return sizes


def report(args: argparse.Namespace, info: dict[str, Any]) -> str:
    def ms(x: float) -> str:
        return f"{x * 1000:,.1f}" if x < 1 else f"{x * 1000:,.0f}"

    m = info["machine"]
    lines = [
        f"Machine: {m['cpu']}, {m['ram']} RAM, Python {m['python']}; PostgreSQL {m['server_version']} on the "
        f"same machine (shared_buffers {m['shared_buffers']}, effective_cache_size {m['effective_cache_size']}, "
        f"work_mem {m['work_mem']}, maintenance_work_mem {m['maintenance_work_mem']}, "
        f"max_parallel_workers_per_gather {m['max_parallel_workers_per_gather']}, jit {m['jit']}, "
        f"random_page_cost {m['random_page_cost']}, synchronous_commit {m['synchronous_commit']}, "
        f"wal_level {m['wal_level']}, max_wal_size {m['max_wal_size']}, autovacuum {m['autovacuum']}).",
        f"Command: `.venv/bin/python -m bench reports {' '.join(info['argv'])}`; "
        f"run {info['started']} – {info['ended']} UTC, code {info['code']}.",
        f"Load average (1/5/15 min) before: {info['load_before']}; after: {info['load_after']}.",
        "",
        f"Data: {info['sizes']['registry_person'][1]:,} people and "
        f"{info['sizes']['enrollments_enrollment'][1]:,} dossiers; {info['units']}; "
        f"campaign {info['campaign']}, dashboard day {info['day']:%d/%m/%Y}.",
        generation(info),
        "",
        "| table | rows | total size (pg_total_relation_size) |",
        "| --- | ---: | ---: |",
    ]
    for table, (size, rows) in info["sizes"].items():
        lines.append(f"| {table} | {rows:,} | {size / 2**20:,.0f} MiB |")
    lines += [
        "",
        f"| dashboard | page p50 / p95 ms ({args.repeat} requests) | SQL queries per page | "
        f"plain GROUP BY p50 / p95 ms ({args.baseline_repeat} runs) | p50 ratio | p95 ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, page, plain, _alone in info["rows"]:
        lines.append(
            f"| {label} | {ms(page.p50)} / {ms(page.p95)} | {page.queries} | "
            f"{ms(plain.p50)} / {ms(plain.p95)} | {ratio(plain.p50, page.p50)} | "
            f"{ratio(plain.p95, page.p95)} |"
        )
    lines.append("")
    for label, page, _plain, alone in info["rows"]:
        lines.append(
            f"- {label.split(' (')[0]}: `queries.figures()` alone p50 {ms(alone.p50)} / p95 "
            f"{ms(alone.p95)} ms; in one counted request {ms(page.sql)} ms of SQL, the slowest "
            f"statement {ms(page.slowest[0])} ms (`{page.slowest[1]}…`)."
        )
    return "\n".join(lines)


def generation(info: dict[str, Any]) -> str:
    if "load" not in info:
        return "Generation: none (--reuse: the database an earlier run kept)."
    seconds = info["load"].seconds
    return (
        f"Generation: COPY {seconds['copy']:,.0f} s, indexes and constraints made again "
        f"{seconds['indexes']:,.0f} s, ANALYZE {info['analyze']:,.0f} s; peak RSS of the generator "
        f"{info['load'].peak_rss_mib:,.0f} MiB. `counters.rebuild()`: {info['rebuild']:,.1f} s "
        f"({info['rebuilt']})."
    )


def ratio(baseline: float, page: float) -> str:
    r = baseline / page
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×"


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench reports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--dossiers", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30, help="requests per dashboard")
    parser.add_argument("--baseline-repeat", type=int, default=5, help="runs of the plain queries")
    parser.add_argument("--chunk", type=int, default=100_000, help="rows per COPY")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure again in the database a run with --keep left (no generation)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv[1:]
    args = parse_args(argv)
    info: dict[str, Any] = {
        "code": _code(),
        "argv": argv,
        "load_before": _load(),
        "started": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}",
    }
    data_dir = Path(tempfile.mkdtemp(prefix="cccd-bench-reports-"))
    url = f"{PG_SERVER}/{DB_NAME}" if args.reuse else fresh_database()
    setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connections

    try:
        if not args.reuse:
            call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0: the manifest
        world = existing_world(info) if args.reuse else build(args, info)
        info["sizes"] = table_sizes()
        info["rows"] = measure(world, args)
        info["machine"] = machine()
        info["load_after"] = _load()
        info["ended"] = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"
        print()
        print(report(args, info))
    finally:
        connections.close_all()
        if args.keep:
            print(f"kept: database {DB_NAME}")
        else:
            drop_database()
        shutil.rmtree(data_dir, ignore_errors=True)


def build(args: argparse.Namespace, info: dict[str, Any]) -> World:
    """Units, campaign, people and dossiers, planner statistics, then the counters rebuilt."""
    import numpy as np
    from django.db import connection

    from cccd.reports import counters

    t = time.perf_counter()
    rng = np.random.default_rng(args.seed)
    world = build_units(rng)
    build_campaign(world, args.dossiers, rng)
    _describe(world, info)
    print(
        f"database {DB_NAME} migrated, {len(world.districts)} districts, in "
        f"{time.perf_counter() - t:.1f} s",
        flush=True,
    )
    info["load"] = generate(world, args.dossiers, args.chunk, args.seed)
    print(
        f"generated in {sum(info['load'].seconds.values()):,.0f} s "
        f"({info['load'].seconds}); peak RSS {info['load'].peak_rss_mib:,.0f} MiB",
        flush=True,
    )
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # this server runs without autovacuum
    info["analyze"] = time.perf_counter() - t
    t = time.perf_counter()
    info["rebuilt"] = counters.rebuild()
    info["rebuild"] = time.perf_counter() - t
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # the counters' statistics
    print(f"counters.rebuild() {info['rebuild']:,.1f} s: {info['rebuilt']}", flush=True)
    return world


def existing_world(info: dict[str, Any]) -> World:
    """The database a run with --keep left, to measure again without generating it again."""
    from cccd.accounts.models import User
    from cccd.campaigns.models import Campaign
    from cccd.units.models import Unit

    ministry = Unit.objects.get(path="/ca/")
    district_user = User.objects.select_related("unit").get(username="bench.district")
    world = World(
        ministry,
        list(Unit.objects.filter(parent=ministry)),
        list(Unit.objects.filter(category="police", level="district")),
        [],
        [],
        [],
    )
    world.campaign = Campaign.objects.get(unit=ministry, name__startswith="Bench")
    world.day = world.campaign.start_date + datetime.timedelta(days=CAMPAIGN_DAYS - DAYS_AHEAD - 1)
    world.national_user = User.objects.get(username="bench.national")
    world.district_user, world.district = district_user, district_user.unit
    _describe(world, info)
    return world


def _describe(world: World, info: dict[str, Any]) -> None:
    info["units"] = (
        f"1 ministry, {len(world.provinces)} provinces, {len(world.districts)} districts "
        "(police) and their administrative mirrors with one commune each"
    )
    info["campaign"] = (
        f"{world.campaign.start_date:%d/%m/%Y}–{world.campaign.end_date:%d/%m/%Y}, "
        f"Law 2023, at the ministry, {len(world.districts)} district targets"
    )
    info["day"] = world.day


def measure(world: World, args: argparse.Namespace) -> list[tuple[str, Timing, Timing, Timing]]:
    """For the ministry and the district: the figures checked equal, then the page, `figures()`
    alone and the plain queries timed."""
    rows = []
    day_param = f"?day={world.day.isoformat()}"
    for label, unit, user in (
        ("national (ministry commander, /reports/)", world.ministry, world.national_user),
        (
            f"district ({world.district.name}, its commander, /reports/)",
            world.district,
            world.district_user,
        ),
    ):
        plain = plain_figures(unit, world.campaign, world.day)
        check_equal(plain, unit, world.campaign, world.day)
        print(
            f"{unit.path}: the plain GROUP BY figures equal the counters' "
            f"(done {plain.done:,}, overdue {plain.overdue:,})",
            flush=True,
        )
        page = time_page(user, "/reports/" + day_param, args.repeat)
        alone = time_figures(unit, world.campaign, world.day, args.repeat)
        base = time_plain(unit, world.campaign, world.day, args.baseline_repeat)
        rows.append((label, page, base, alone))
        print(
            f"  page p50 {page.p50 * 1000:.1f} ms p95 {page.p95 * 1000:.1f} ms "
            f"({page.queries} queries); plain p50 {base.p50 * 1000:.0f} ms p95 {base.p95 * 1000:.0f} ms",
            flush=True,
        )
    return rows


def _code() -> str:
    """HEAD, and whether the working tree's src/ differs from it (others edit it meanwhile)."""
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "src")
    return git("rev-parse", "--short", "HEAD") + (
        " + working tree changes in src/" if changed else ""
    )


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())
