"""`python -m bench coverage`: the coverage pages at 10 million people and 5 million dossiers, beside
the same figures computed by a plain query over the people and the dossiers, in the same run.

A fresh PostgreSQL database (`cccd_bench_coverage`), migrated, with the whole national unit tree
(`load_units --scheme legacy`: 63 provinces, ~700 districts, ~10,000 communes and their police
mirrors). `--people` people are generated inside PostgreSQL (`INSERT … SELECT` over
`generate_series`, every random draw a hash of the row's id and a salt, so the data is the same on
every run made the same day: the campaign ends on the day of generation) over every commune of the country, skewed (provinces, districts and communes weighted
lognormal; cities heavier), each with a village ("Thôn N" in a commune, "Tổ dân phố N" in a ward or
town, 5–15 per commune), a birth date from 1930 to 2015 (3 % year only), the card they hold (about
60 % a chip CCCD or the 2024 card, with the expiry the law gives it), a few deaths and emigrants,
some past and temporary residences; then `--dossiers` dossiers for people of the register, chosen
by weighted sampling (people eligible for the campaign much more often), received over the 90 days
of one Law 2023 campaign at the ministry, states by age (about 2 % rejected or cancelled). The
people and dossier tables' secondary indexes and constraints are dropped during the load and made
again from their own definitions after it (the same names are checked), then `ANALYZE` (the server
runs without autovacuum).

Then `cccd.reach.cohort.build(campaign)` is timed, phase by phase (the cohort and the coverage
counters at this scale; then `VACUUM (ANALYZE)` of the tables it filled, as autovacuum would do),
beside a baseline for its counters: the same `CoverageDay` rows by one `INSERT … SELECT … GROUP BY`
(checked equal, rolled back). And, on the campaign's last day, for the nation (a ministry
commander), the largest and the median district (their commanders):

- the coverage page (`/coverage/`) and `/api/v1/coverage/`, in-process through Django's test client
  (`--repeat` requests after a warm-up, `CCCD_DEBUG=0` with the static manifest, as production
  runs; wall and CPU time per request), and `queries.coverage` alone;
- the plain query (`--baseline-repeat` runs): the same figures per child unit (the provinces of
  the nation, the communes of a district) straight from `registry_person`,
  `registry_residencerecord` and `enrollments_enrollment` by the rule of docs/reach.md; its result
  is first checked equal to the page's figures.

Options: `--people N` (10,000,000), `--dossiers N` (5,000,000), `--repeat K`, `--baseline-repeat
K`, `--batches K` (the people are inserted in K statements, for progress), `--reuse` (measure again
in the database an earlier run left; it is always kept), `--drop` (drop it at the end instead),
`--no-build` (reuse the cohort already built), `--data-only` (generate, then stop), `--database
NAME` (another database, e.g. for a quick check beside a kept 10-million one). Environment:
`BENCH_PG_URL` (default postgresql://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.reports import (
    Indexes,
    Timing,
    _get,
    drop_database,
    machine,
    pct,
    ratio,
    raw,
    setup_django,
)
from bench.reports import fresh_database as create_database

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
DB_NAME = "cccd_bench_coverage"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
CAMPAIGN_DAYS = 90
CAMPAIGN_NAME = "Bench: độ phủ 10 triệu người"
SEED = 1
FAMILY = {
    "Nguyễn": 38, "Trần": 11, "Lê": 9.5, "Phạm": 7, "Hoàng": 5, "Huỳnh": 4, "Phan": 4.5, "Vũ": 3.9,
    "Võ": 3, "Đặng": 2.1, "Bùi": 2, "Đỗ": 1.4, "Hồ": 1.3, "Ngô": 1.3, "Dương": 1, "Lý": 0.5,
    "Đinh": 1, "Trương": 1, "Lương": 0.6, "Mai": 0.6,
}  # fmt: skip  # shares in %, roughly as published
MIDDLE = {
    "M": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh"),
    "F": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim"),
}
GIVEN = {
    "M": ("An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam",
          "Phúc", "Quân", "Sơn", "Tâm", "Thắng", "Trung", "Tuấn", "Việt"),
    "F": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh", "Mai",
          "Nga", "Ngọc", "Nhung", "Phương", "Thảo", "Trang", "Vân", "Yến"),
}  # fmt: skip
STATE_COLUMNS = ("captured", "completed", "approved", "in_production", "produced", "at_unit", "delivered", "rejected", "cancelled")  # fmt: skip
# The state a dossier has reached, by its age in days (from the edge on), as cumulative shares of
# STATE_COLUMNS; about 2 % of the old ones rejected or cancelled.
STATE_BY_AGE = (
    (0, (0.88, 0.97, 0.98, 0.98, 0.98, 0.98, 0.98, 0.99)),
    (2, (0.15, 0.55, 0.95, 0.98, 0.98, 0.98, 0.98, 0.99)),
    (5, (0.03, 0.08, 0.20, 0.62, 0.98, 0.98, 0.98, 0.99)),
    (9, (0.01, 0.02, 0.04, 0.10, 0.30, 0.62, 0.98, 0.99)),
    (15, (0.003, 0.006, 0.01, 0.015, 0.025, 0.08, 0.98, 0.99)),
)


def u(key: str, salt: int) -> str:
    """SQL for a uniform draw in [0, 1) from a hash of `key` (an integer expression) and `salt`."""
    return f"((hashint8extended(({key})::bigint, {SEED * 1000 + salt}) & 9007199254740991)::float8 / 9007199254740992.0)"


# ---------------------------------------------------------------------------- database and Django


def timed(seconds: dict[str, float], key: str, action: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    result = action()
    seconds[key] = time.perf_counter() - t
    print(f"  {key}: {seconds[key]:,.1f} s", flush=True)
    return result


# ---------------------------------------------------------------------------- the world


@dataclass
class World:
    campaign: Any
    day: datetime.date
    ministry: Any
    national_user: Any
    districts: list[tuple[str, Any, Any]] = field(default_factory=list)  # label, unit, user


def load_units() -> None:
    from cccd.unitadmin.services import load_units as load
    from cccd.units import divisions

    load("legacy", divisions.province_codes("legacy"), actor=None)


def make_campaign() -> World:
    """A 90-day Law 2023 campaign at the ministry, ending today (the day measured), made by the
    service as a ministry commander."""
    from tests.builders import make_user

    from cccd.accounts.models import Role
    from cccd.campaigns.services import create_campaign
    from cccd.units.models import Unit

    ministry = Unit.objects.get(path="/ca/")
    national_user = make_user("bench.national", Role.COMMANDER, ministry)
    end = datetime.datetime.now(ZONE).date()
    start = end - datetime.timedelta(days=CAMPAIGN_DAYS - 1)
    campaign = create_campaign(
        unit_id=ministry.pk,
        name=CAMPAIGN_NAME,
        law="2023",
        start_date=start,
        end_date=end,
        actor=national_user,
    )
    return World(campaign, end, ministry, national_user)


def existing_world() -> World:
    from cccd.accounts.models import User
    from cccd.campaigns.models import Campaign
    from cccd.units.models import Unit

    campaign = Campaign.objects.get(name=CAMPAIGN_NAME)
    ministry = Unit.objects.get(path="/ca/")
    return World(campaign, campaign.end_date, ministry, User.objects.get(username="bench.national"))


def pick_districts(world: World) -> None:
    """The largest district by people, and the median one; each gets a commander (police unit)."""
    from tests.builders import make_user

    from cccd.accounts.models import Role, User
    from cccd.units.models import Unit

    with raw().cursor() as cur:
        cur.execute(
            "SELECT d.path, count(*) FROM registry_person p JOIN units_unit c ON c.id = p.residence_unit_id "
            "JOIN units_unit d ON d.id = c.parent_id GROUP BY d.path ORDER BY count(*) DESC, d.path"
        )
        sizes = cur.fetchall()
    for label, (path, people) in (
        ("largest district", sizes[0]),
        ("median district", sizes[len(sizes) // 2]),
    ):
        police = Unit.objects.get(path="/ca/" + path.removeprefix("/hc/"))
        username = f"bench.{label.split()[0]}"
        user = User.objects.filter(username=username).first()
        if user is None or user.unit_id != police.pk:
            User.objects.filter(username=username).delete()
            user = make_user(username, Role.COMMANDER, police)
        world.districts.append((f"{label} ({police.name}, {people:,} people)", police, user))


# ---------------------------------------------------------------------------- people


def place_table(cur: Any, people: int) -> int:
    """`bench_place`: one row per commune with its names, villages, its police district, and the
    block of person ids it gets; the skew is drawn here (numpy, seeded)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    cur.execute(
        "SELECT c.id, c.name, c.division_type, d.id, d.name, d.division_type, p.code, p.name, "
        "pd.id FROM units_unit c JOIN units_unit d ON d.id = c.parent_id "
        "JOIN units_unit p ON p.id = d.parent_id "
        "JOIN units_unit pd ON pd.path = '/ca/' || substr(d.path, 5) "
        "WHERE c.category = 'admin' AND c.level = 'commune' AND c.scheme = 'legacy' ORDER BY c.path"
    )
    rows = cur.fetchall()
    provinces = sorted({r[6] for r in rows})
    districts = sorted({r[3] for r in rows})
    p_w = dict(zip(provinces, rng.lognormal(0, 0.4, len(provinces)), strict=True))
    for big in ("01", "79"):  # Hà Nội, Hồ Chí Minh City
        p_w[big] *= 2
    d_w = dict(zip(districts, rng.lognormal(0, 0.5, len(districts)), strict=True))
    reach_w = dict(zip(districts, rng.lognormal(0, 0.5, len(districts)), strict=True))
    weights = np.array(
        [
            p_w[r[6]]
            * d_w[r[3]]
            * (1.3 if r[5] in ("Quận", "Thành phố", "Thị xã") else 1.0)
            * float(rng.lognormal(0, 0.4))
            for r in rows
        ]
    )
    share = weights / weights.sum() * people
    counts = np.floor(share).astype(int)
    rest = people - int(counts.sum())
    counts[np.argsort(counts - share)[:rest]] += 1  # largest remainders
    villages = rng.integers(5, 16, len(rows))
    cur.execute(
        "CREATE UNLOGGED TABLE bench_place (ord int PRIMARY KEY, commune_id bigint, commune text, "
        "urban bool, district text, province_code text, province text, police_district_id bigint, "
        "villages int, reach_w float8, first_id bigint, n int)"
    )
    first = 1
    with cur.copy("COPY bench_place FROM STDIN") as copy:
        for i, (r, n, v) in enumerate(zip(rows, counts.tolist(), villages.tolist(), strict=True)):
            urban = r[2] in ("Phường", "Thị trấn")
            copy.write_row(
                (i + 1, r[0], r[1], urban, r[4], r[6], r[7], r[8], v, reach_w[r[3]], first, n)
            )
            first += n
    cur.execute("ANALYZE bench_place")
    return len(rows)


def _names_sql() -> dict[str, str]:
    """SQL arrays of family names (repeated by their share), middle and given names by sex, and
    their folded forms in the same order (`cccd.core.names.fold`)."""
    from cccd.core import names

    family = [f for f, share in FAMILY.items() for _ in range(round(share * 2))]

    def arrays(values: Sequence[str]) -> tuple[str, str]:
        plain = "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]"
        folded = "ARRAY[" + ", ".join(f"'{names.fold(v)}'" for v in values) + "]"
        return plain, folded

    out: dict[str, str] = {}
    out["family"], out["family_f"] = arrays(family)
    out["n_family"] = str(len(family))
    for sex in ("M", "F"):
        out[f"middle_{sex}"], out[f"middle_{sex}_f"] = arrays(MIDDLE[sex])
        out[f"given_{sex}"], out[f"given_{sex}_f"] = arrays(GIVEN[sex])
    return out


PERSON_INSERT = """
INSERT INTO registry_person (
    id, personal_id, full_name, name_folded, family_folded, given_folded, birth_date,
    birth_date_precision, birth_year, sex, birth_province_code, hometown, residence_unit_id,
    permanent_address, village, residence_since, ethnicity, religion, old_id_number, father_name,
    mother_name, status, household_id, relation_to_head, died_on, card_kind, card_number,
    card_issue_date, card_expiry, last_import_id, last_import_row, updated_at)
SELECT
    g.id,
    lpad(c.province_code, 3, '0') || (CASE WHEN b.year >= 2000 THEN 2 ELSE 0 END
        + CASE WHEN s.sex = 'F' THEN 1 ELSE 0 END)::text || lpad(g.id::text, 8, '0'),
    n.family || ' ' || n.middle || ' ' || n.given,
    n.family_f || ' ' || n.middle_f || ' ' || n.given_f,
    n.family_f, n.given_f,
    b.born, CASE WHEN b.year_only THEN 'year' ELSE 'day' END, b.year, s.sex,
    lpad(c.province_code, 3, '0'),
    c.district || ', ' || c.province,
    c.commune_id,
    'Số ' || (1 + floor({u_house} * 200))::int || ', ' || v.village || ', ' || c.commune || ', '
        || c.district || ', ' || c.province,
    v.village,
    CASE WHEN {u_move} < {mover_share} THEN %(start)s::date + 1 + floor({u_move2} * (%(end)s::date - %(start)s::date))::int
         WHEN {u_move} < 0.12 THEN DATE '1990-01-01' + floor({u_move2} * 10957)::int END,
    'Kinh', '', CASE WHEN k.kind = 'cmnd' THEN k.number ELSE '' END,
    n.family || ' Văn ' || {father}, {mother},
    d.status, NULL, '', d.died_on,
    k.kind, k.number, k.issued, k.expiry,
    NULL, NULL, TIMESTAMPTZ '2026-01-15 00:00:00+07'
FROM bench_place c
CROSS JOIN LATERAL generate_series(c.first_id, c.first_id + c.n - 1) AS g(id)
CROSS JOIN LATERAL (SELECT CASE WHEN {u_sex} < 0.5 THEN 'M' ELSE 'F' END AS sex) s
CROSS JOIN LATERAL (
    SELECT ({family})[1 + floor({u_family} * {n_family})::int] AS family,
           ({family_f})[1 + floor({u_family} * {n_family})::int] AS family_f,
           CASE WHEN s.sex = 'M' THEN ({middle_M})[1 + floor({u_middle} * 6)::int] ELSE ({middle_F})[1 + floor({u_middle} * 6)::int] END AS middle,
           CASE WHEN s.sex = 'M' THEN ({middle_M_f})[1 + floor({u_middle} * 6)::int] ELSE ({middle_F_f})[1 + floor({u_middle} * 6)::int] END AS middle_f,
           CASE WHEN s.sex = 'M' THEN ({given_M})[1 + floor({u_given} * 20)::int] ELSE ({given_F})[1 + floor({u_given} * 20)::int] END AS given,
           CASE WHEN s.sex = 'M' THEN ({given_M_f})[1 + floor({u_given} * 20)::int] ELSE ({given_F_f})[1 + floor({u_given} * 20)::int] END AS given_f
) n
CROSS JOIN LATERAL (SELECT 1930 + floor(power({u_year}, 0.7) * 86)::int AS year, {u_year_only} < 0.03 AS year_only) y
CROSS JOIN LATERAL (
    SELECT y.year, y.year_only,
           CASE WHEN y.year_only THEN make_date(y.year, 1, 1)
                ELSE make_date(y.year, 1, 1) + floor({u_day} * (make_date(y.year + 1, 1, 1) - make_date(y.year, 1, 1)))::int END AS born
) b
CROSS JOIN LATERAL (
    SELECT (CASE WHEN c.urban THEN 'Tổ dân phố ' ELSE 'Thôn ' END) || (1 + floor(power({u_village}, 1.3) * c.villages))::int AS village
) v
CROSS JOIN LATERAL (
    SELECT date_part('year', age(%(start)s::date, b.born))::int AS age_start,
           (b.born + interval '14 years')::date AS at14
) a
CROSS JOIN LATERAL (
    SELECT CASE
             WHEN a.age_start < 14 THEN CASE WHEN {u_card} < 0.05 THEN 'card_2024' ELSE '' END
             WHEN {u_card} < 0.60 THEN 'cccd_chip'
             WHEN {u_card} < 0.63 THEN 'card_2024'
             WHEN {u_card} < 0.73 THEN 'cccd_barcode'
             WHEN {u_card} < 0.88 THEN 'cmnd'
             ELSE '' END AS kind
) k0
CROSS JOIN LATERAL (
    SELECT CASE k0.kind
             WHEN 'cccd_chip' THEN greatest(DATE '2021-01-01' + floor({u_issue} * 1276)::int, a.at14)
             WHEN 'card_2024' THEN greatest(DATE '2024-07-01', b.born) + floor({u_issue} * greatest(1, %(start)s::date - greatest(DATE '2024-07-01', b.born)))::int
             WHEN 'cccd_barcode' THEN DATE '2016-01-01' + floor({u_issue} * 1826)::int
             WHEN 'cmnd' THEN DATE '1995-01-01' + floor({u_issue} * 7305)::int
           END AS issued
) i0
CROSS JOIN LATERAL (
    -- a card of the 2014 law needs 14 at issue: who was younger then holds none
    SELECT CASE WHEN k0.kind IN ('cccd_barcode', 'cmnd') AND i0.issued < a.at14 THEN '' ELSE k0.kind END AS kind,
           CASE WHEN k0.kind IN ('cccd_barcode', 'cmnd') AND i0.issued < a.at14 THEN NULL ELSE i0.issued END AS issued,
           date_part('year', age(i0.issued, b.born))::int AS age_issue
) i
CROSS JOIN LATERAL (
    SELECT i.kind, i.issued,
           CASE i.kind
             WHEN 'cmnd' THEN (i.issued + interval '15 years')::date
             WHEN '' THEN NULL
             ELSE (b.born + make_interval(years => CASE
                     WHEN i.kind = 'card_2024' AND i.age_issue < 12 THEN 14
                     WHEN i.age_issue < 23 THEN 25 WHEN i.age_issue < 38 THEN 40
                     WHEN i.age_issue < 58 THEN 60 END))::date
           END AS expiry,
           CASE i.kind WHEN '' THEN '' WHEN 'cmnd' THEN lpad((floor({u_cmnd} * 1e9))::bigint::text, 9, '0')
             ELSE lpad(c.province_code, 3, '0') || (CASE WHEN b.year >= 2000 THEN 2 ELSE 0 END
                  + CASE WHEN s.sex = 'F' THEN 1 ELSE 0 END)::text || lpad(g.id::text, 8, '0') END AS number
) k
CROSS JOIN LATERAL (
    SELECT CASE WHEN {u_dead} < 0.004 + CASE WHEN a.age_start >= 80 THEN 0.04 ELSE 0 END THEN 'dead'
                WHEN {u_dead} > 0.999 THEN 'emigrated' ELSE 'alive' END AS status
) d0
CROSS JOIN LATERAL (
    SELECT d0.status,
           CASE WHEN d0.status = 'dead' AND {u_died} >= 0.05
                THEN greatest(b.born + 1, DATE '2012-01-01' + floor({u_died} * (%(end)s::date - DATE '2012-01-01'))::int) END AS died_on
) d
WHERE c.ord BETWEEN %(first)s AND %(last)s
"""


def person_sql(mover_share: float) -> str:
    names = _names_sql()
    draws = {
        f"u_{name}": u("g.id", salt)
        for salt, name in enumerate(
            (
                "sex",
                "family",
                "middle",
                "given",
                "year",
                "year_only",
                "day",
                "village",
                "card",
                "issue",
                "cmnd",
                "dead",
                "died",
                "house",
                "move",
                "move2",
                "father",
                "mother",
                "mother2",
            ),
            start=1,
        )
    }
    father = f"({names['given_M']})[1 + floor({draws['u_father']} * 20)::int]"
    mother = (
        f"({names['family']})[1 + floor({draws['u_mother']} * {names['n_family']})::int] || ' Thị ' || "
        f"({names['given_F']})[1 + floor({draws['u_mother2']} * 20)::int]"
    )
    return PERSON_INSERT.format(
        **names, **draws, father=father, mother=mother, mover_share=mover_share
    )


# Residences (docs/reach.md): people who moved in during the campaign lived, on its first day, in
# another commune (a past permanent record ending the day before the move); 2 % of people aged
# 18–40 live in a city commune on a temporary residence (70 % still in force, 30 % ended before
# the campaign).
PAST_RESIDENCE_INSERT = """
INSERT INTO registry_residencerecord (person_id, kind, unit_id, village, address, start, "end")
SELECT p.id, 'permanent', o.commune_id, 'Thôn 1', 'Thôn 1, ' || o.commune || ', ' || o.district || ', ' || o.province,
       NULL, p.residence_since - 1
FROM registry_person p
JOIN bench_place c ON c.commune_id = p.residence_unit_id
JOIN bench_place o ON o.ord = 1 + (c.ord + 1 + floor({u_where} * 40)::int) %% %(communes)s
WHERE p.residence_since > %(start)s
"""
TEMPORARY_RESIDENCE_INSERT = """
INSERT INTO registry_residencerecord (person_id, kind, unit_id, village, address, start, "end")
SELECT p.id, 'temporary', t.commune_id, 'Tổ dân phố 2', 'Tổ dân phố 2, ' || t.commune || ', ' || t.district || ', ' || t.province,
       s.since, CASE WHEN {u_ended} < 0.3 THEN least(%(start)s::date - 1, s.since + 365) END
FROM registry_person p
CROSS JOIN LATERAL (SELECT DATE '2015-01-01' + floor({u_since} * (%(start)s::date - DATE '2015-01-01'))::int AS since) s
JOIN bench_city t ON t.k = floor({u_city} * %(cities)s)::int
WHERE p.birth_year BETWEEN %(year_from)s AND %(year_to)s AND {u_temp} < 0.02
"""


@dataclass
class Load:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)


def generate(world: World, people: int, dossiers: int, batches: int) -> Load:
    """People, residences and dossiers, inside PostgreSQL, with the tables' secondary indexes and
    constraints dropped meanwhile and made again after."""
    load = Load()
    con = raw()
    start, end = world.campaign.start_date, world.campaign.end_date
    with con.cursor() as cur:
        cur.execute("SET work_mem = '256MB'")
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        # compiling the long generating expressions costs more than it saves
        cur.execute("SET jit = off")
        communes = timed(
            load.seconds, "communes and their shares", lambda: place_table(cur, people)
        )
        indexes = [
            Indexes(cur, t)
            for t in ("registry_person", "registry_residencerecord", "enrollments_enrollment")
        ]
        for ix in indexes:
            ix.drop(cur)
        con.commit()
        sql = person_sql(mover_share=0.005)
        t = time.perf_counter()
        step = -(-communes // batches)
        for first in range(1, communes + 1, step):
            cur.execute(sql, {"start": start, "end": end, "first": first, "last": first + step - 1})
            con.commit()
            cur.execute(
                "SELECT coalesce(max(first_id + n - 1), 0) FROM bench_place WHERE ord < %s",
                [first + step],
            )
            done = cur.fetchone()[0]
            print(f"  {done:,} people ({done / (time.perf_counter() - t):,.0f}/s)", flush=True)
        load.seconds["people"] = time.perf_counter() - t
        timed(load.seconds, "residences", lambda: residences(cur, world, communes))
        con.commit()
        timed(load.seconds, "dossiers", lambda: insert_dossiers(cur, world, dossiers))
        con.commit()

        def restore() -> None:
            for ix in indexes:
                ix.restore(cur)
            for table in ("registry_person", "registry_residencerecord", "enrollments_enrollment"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 (our own table names)
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )

        timed(load.seconds, "indexes and constraints made again", restore)
        con.commit()
        timed(load.seconds, "ANALYZE", lambda: cur.execute("ANALYZE"))
        for setting in ("work_mem", "maintenance_work_mem", "synchronous_commit", "jit"):
            cur.execute(f"RESET {setting}")  # the measuring runs with the server's settings
        con.commit()
        for table in ("registry_person", "registry_residencerecord", "enrollments_enrollment"):
            cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
            load.counts[table] = cur.fetchone()[0]
    return load


def residences(cur: Any, world: World, communes: int) -> None:
    start = world.campaign.start_date
    cur.execute(
        "CREATE TEMP TABLE bench_city AS SELECT (row_number() OVER (ORDER BY ord) - 1)::int AS k, "
        "commune_id, commune, district, province FROM bench_place "
        "WHERE urban AND province_code IN ('01', '79', '48', '31', '92')"  # the five big cities
    )
    cur.execute("SELECT count(*) FROM bench_city")
    cities = cur.fetchone()[0]
    cur.execute(
        PAST_RESIDENCE_INSERT.format(u_where=u("p.id", 51)),
        {"start": start, "communes": communes},
    )
    cur.execute(
        TEMPORARY_RESIDENCE_INSERT.format(
            u_ended=u("p.id", 52), u_since=u("p.id", 53), u_city=u("p.id", 54), u_temp=u("p.id", 55)
        ),
        {
            "start": start,
            "cities": cities,
            "year_from": start.year - 40,
            "year_to": start.year - 18,
        },
    )


# ---------------------------------------------------------------------------- dossiers


def eligible_condition(alias: str, campaign: Any) -> tuple[str, dict[str, Any]]:
    """The age, card and alive parts of the rule (docs/reach.md, `cccd.core.eligibility`) on the
    campaign's first day, as SQL over `registry_person` (alias) and its parameters."""
    from cccd.core import eligibility

    start, end = campaign.start_date, campaign.end_date
    kinds = sorted(eligibility.COUNTED_KINDS[campaign.law])
    if campaign.law == "2023":
        holds = f"({alias}.card_expiry IS NULL OR {alias}.card_expiry > %(end)s)"
        due = f" OR ({alias}.card_kind = ANY(%(kinds)s) AND {alias}.card_expiry BETWEEN %(start)s AND %(end)s)"
    else:
        holds = f"({alias}.card_expiry IS NULL OR {alias}.card_expiry >= %(start)s)"
        due = ""
    sql = (
        f"{alias}.status <> 'emigrated' AND ({alias}.died_on > %(start)s OR "
        f"({alias}.died_on IS NULL AND {alias}.status <> 'dead')) "
        f"AND NOT ({alias}.card_kind = ANY(%(kinds)s) AND {holds}) "
        f"AND ({alias}.birth_date <= %(born_by)s{due})"
    )
    params = {
        "start": start,
        "end": end,
        "kinds": kinds,
        "born_by": eligibility.latest_birth_date_at_age(start, eligibility.ELIGIBLE_AGE),
    }
    return sql, params


DOSSIER_INSERT = """
INSERT INTO enrollments_enrollment (
    id, code, kind, law, fee, return_method, post_address, state, return_date, created_at,
    received_at, campaign_id, created_by_id, group_id, person_id, received_by_id, session_id,
    ticket_id, unit_id, exemption_id, card_expiry, card_issue_date, chip_serial, delivery,
    delivery_signature, reason, state_changed_at, state_changed_by_id, tracking_number, batch_id,
    kind_reason, legacy_link_sha256)
SELECT
    x.n, 'HS' || lpad(x.n::text, 10, '0'), x.kind, '2023', NULL, 'office', '', st.state,
    r.day + 7 + floor({u_return} * 9)::int, r.at - interval '12 minutes', r.at,
    %(campaign)s, NULL, x.group_id, x.id, NULL, NULL, NULL, x.unit_id, NULL, NULL, NULL, '',
    CASE WHEN st.state = 'delivered' THEN 'handed_over' ELSE '' END, '',
    CASE WHEN st.state IN ('rejected', 'cancelled') THEN 'Bench' ELSE '' END,
    r.at + make_interval(days => least(r.age, floor({u_moved} * 20)::int)), NULL, '', NULL, '', NULL
FROM (
    SELECT row_number() OVER (ORDER BY s.key) AS n, s.*
    FROM (
        SELECT p.id, c.police_district_id AS unit_id,
               CASE WHEN e.eligible THEN CASE p.card_kind WHEN 'cmnd' THEN 'from_cmnd'
                                                          WHEN 'cccd_barcode' THEN 'exchange_change'
                                                          WHEN '' THEN 'first_issue' ELSE 'exchange_age' END
                    WHEN p.card_kind = '' THEN 'first_issue'
                    WHEN {u_kind} < 0.6 THEN 'exchange_change' ELSE 'reissue' END AS kind,
               CASE WHEN p.birth_year <= %(elderly_by)s THEN %(elderly)s
                    WHEN p.birth_year >= %(student_from)s THEN %(student)s
                    WHEN {u_group} < 0.9 THEN %(general)s END AS group_id,
               -ln(1 - {u_pick}) / CASE WHEN e.eligible THEN c.reach_w
                                        WHEN p.birth_date > %(born_by)s THEN 0.25 ELSE 0.12 END AS key
        FROM registry_person p
        JOIN bench_place c ON c.commune_id = p.residence_unit_id
        CROSS JOIN LATERAL (SELECT ({eligible}) AS eligible) e
        ORDER BY key
        LIMIT %(dossiers)s
    ) s
) x
CROSS JOIN LATERAL (
    SELECT %(start)s::date + floor(power({u_day}, 1.4) * %(days)s)::int AS day
) d
CROSS JOIN LATERAL (
    SELECT d.day, %(end)s::date - d.day AS age,
           (d.day + make_interval(secs => 27000 + floor({u_second} * 50400)))::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh' AS at
) r
CROSS JOIN LATERAL (SELECT {state} AS state) st
"""


def state_sql(draw: str) -> str:
    """SQL of a dossier's state by its age in days (`r.age`), from STATE_BY_AGE."""
    branches = []
    for edge, cumulative in reversed(STATE_BY_AGE):
        cases = " ".join(
            f"WHEN {draw} < {c} THEN '{s}'" for s, c in zip(STATE_COLUMNS, cumulative, strict=False)
        )
        branches.append(f"WHEN r.age >= {edge} THEN CASE {cases} ELSE 'cancelled' END")
    return "CASE " + " ".join(branches) + " END"


def insert_dossiers(cur: Any, world: World, dossiers: int) -> None:
    from cccd.campaigns.models import PriorityGroup

    campaign = world.campaign
    eligible, params = eligible_condition("p", campaign)
    groups = dict(PriorityGroup.objects.values_list("code", "pk"))
    sql = DOSSIER_INSERT.format(
        eligible=eligible,
        u_return=u("x.id", 61),
        u_moved=u("x.id", 62),
        u_kind=u("p.id", 63),
        u_group=u("p.id", 64),
        u_pick=u("p.id", 65),
        u_day=u("x.id", 66),
        u_second=u("x.id", 67),
        state=state_sql(u("x.id", 68)),
    )
    start = campaign.start_date
    cur.execute(
        sql,
        {
            **params,
            "campaign": campaign.pk,
            "dossiers": dossiers,
            "days": CAMPAIGN_DAYS,
            "elderly_by": start.year - 60,
            "student_from": start.year - 18,
            "elderly": groups["elderly"],
            "student": groups["student"],
            "general": groups["general"],
        },
    )


# ---------------------------------------------------------------------------- the plain query

PLAIN_SQL = """
WITH {candidates}
lived AS (  -- where each eligible person lived on the campaign's first day (docs/reach.md)
    SELECT p.id,
           coalesce(t.unit_id, CASE WHEN p.residence_since IS NULL OR p.residence_since <= %(start)s
                                    THEN p.residence_unit_id ELSE o.unit_id END) AS unit_id
    FROM {people}
    LEFT JOIN registry_residencerecord t
           ON t.person_id = p.id AND t.kind = 'temporary'
          AND (t.start IS NULL OR t.start <= %(start)s) AND (t."end" IS NULL OR t."end" >= %(start)s)
    LEFT JOIN registry_residencerecord o
           ON o.person_id = p.id AND o.kind = 'permanent'
          AND (o.start IS NULL OR o.start <= %(start)s) AND o."end" >= %(start)s
    WHERE {eligible}
),
placed AS (
    SELECT l.id, %(prefix)s || split_part(substr(u.path, length(%(prefix)s) + 1), '/', 1) || '/' AS child
    FROM lived l JOIN units_unit u ON u.id = l.unit_id
    WHERE u.path LIKE %(prefix)s || '%%' AND u.path <> %(prefix)s
),
first_reached AS (  -- the first dossier received by the day's end and not rejected or cancelled now
    SELECT x.child, min(e.received_at) AS first_at
    FROM placed x
    LEFT JOIN enrollments_enrollment e
           ON e.person_id = x.id AND e.received_at < %(day_end)s
          AND e.state NOT IN ('rejected', 'cancelled')
    GROUP BY x.id, x.child
)
SELECT child, count(*), count(first_at), count(*) FILTER (WHERE first_at >= %(day_start)s)
FROM first_reached GROUP BY child ORDER BY child
"""
CANDIDATES = """
scope AS (SELECT id FROM units_unit WHERE path LIKE %(prefix)s || '%%'),
candidates AS (  -- people living in the subtree now, or with a residence record there
    SELECT p.id FROM registry_person p WHERE p.residence_unit_id IN (SELECT id FROM scope)
    UNION
    SELECT r.person_id FROM registry_residencerecord r WHERE r.unit_id IN (SELECT id FROM scope)
),
"""

Figures = dict[
    str, tuple[int, int, int]
]  # child unit's (administrative) path: eligible, reached, today


def plain_figures(admin_path: str, campaign: Any, day: datetime.date) -> Figures:
    """Per child unit of `admin_path`: the cohort (eligible on the campaign's first day, where they
    lived that day), reached by `day`, and first reached on `day` — straight from the people, their
    residence records and the dossiers."""
    eligible, params = eligible_condition("p", campaign)
    national = admin_path.count("/") == 2
    sql = PLAIN_SQL.format(
        candidates="" if national else CANDIDATES,
        people="registry_person p"
        if national
        else "candidates c JOIN registry_person p ON p.id = c.id",
        eligible=eligible,
    )
    day_start = datetime.datetime.combine(day, datetime.time(), ZONE)
    params |= {
        "prefix": admin_path,
        "day_start": day_start,
        "day_end": day_start + datetime.timedelta(days=1),
    }
    with raw().cursor() as cur:
        cur.execute(sql, params)
        return {child: (n, reached, today) for child, n, reached, today in cur.fetchall()}


def time_plain(admin_path: str, campaign: Any, day: datetime.date, repeat: int) -> Timing:
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        plain_figures(admin_path, campaign, day)
        samples.append(time.perf_counter() - t)
    return Timing(samples)


# ---------------------------------------------------------------------------- report


def table_sizes() -> dict[str, tuple[int, int]]:
    tables = (
        "registry_person",
        "registry_residencerecord",
        "enrollments_enrollment",
        "reach_reachable",
        "reach_coveragebase",
        "reach_coverageday",
    )
    sizes = {}
    with raw().cursor() as cur:
        for table in tables:
            sql = f"SELECT pg_total_relation_size(%s), (SELECT count(*) FROM {table})"  # noqa: S608
            cur.execute(sql, [table])
            sizes[table] = cur.fetchone()
        cur.execute("SELECT pg_database_size(current_database())")
        sizes["(database)"] = (cur.fetchone()[0], 0)
    return sizes


def data_summary(world: World) -> list[str]:
    """What the generated data holds: cards, deaths, residences, dossiers' states, the cohort."""
    eligible, params = eligible_condition("p", world.campaign)
    lines = []
    with raw().cursor() as cur:
        people = (
            "SELECT count(*), count(*) FILTER (WHERE card_kind IN ('cccd_chip', 'card_2024')), "
            "count(*) FILTER (WHERE status = 'dead'), count(*) FILTER (WHERE status = 'emigrated'), "
            "count(*) FILTER (WHERE birth_date_precision = 'year'), "
            "count(*) FILTER (WHERE {eligible}), "
            "count(*) FILTER (WHERE residence_since > %(start)s) FROM registry_person p"
        )
        cur.execute(people.format(eligible=eligible), params)
        total, chip, dead, emigrated, year_only, cohort, movers = cur.fetchone()
        lines.append(
            f"people {total:,}: chip CCCD or 2024 card {chip / total:.1%}, dead {dead:,}, emigrated "
            f"{emigrated:,}, year-only birth date {year_only / total:.1%}, moved in during the campaign "
            f"{movers:,}; eligible on the first day by age, card and alive (any residence) {cohort:,}"
        )
        cur.execute(
            'SELECT kind, count(*), count(*) FILTER (WHERE "end" IS NULL) FROM registry_residencerecord '
            "GROUP BY kind ORDER BY kind"
        )
        lines.append(
            "residence records: "
            + ", ".join(f"{k} {n:,} ({open_:,} without end)" for k, n, open_ in cur.fetchall())
        )
        cur.execute(
            "SELECT state, count(*) FROM enrollments_enrollment GROUP BY state ORDER BY count(*) DESC"
        )
        lines.append("dossiers by state: " + ", ".join(f"{s} {n:,}" for s, n in cur.fetchall()))
        cur.execute(
            f"SELECT count(*) FILTER (WHERE {eligible}), count(*) FROM enrollments_enrollment e "  # noqa: S608
            "JOIN registry_person p ON p.id = e.person_id",
            params,
        )
        of_eligible, dossiers = cur.fetchone()
        lines.append(
            f"dossiers of people eligible on the first day: {of_eligible:,} of {dossiers:,}"
        )
        cur.execute(
            "SELECT d.path, count(*) FROM registry_person p JOIN units_unit c ON c.id = p.residence_unit_id "
            "JOIN units_unit d ON d.id = c.parent_id GROUP BY d.path ORDER BY 2"
        )
        sizes = [n for _p, n in cur.fetchall()]
        lines.append(
            f"people per district: {len(sizes)} districts, smallest {sizes[0]:,}, median "
            f"{sizes[len(sizes) // 2]:,}, largest {sizes[-1]:,}"
        )
    return lines


def _code() -> str:
    import subprocess

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "src", "bench")
    return git("rev-parse", "--short", "HEAD") + (" + working tree changes" if changed else "")


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _now() -> str:
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------- main


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench coverage", description=(__doc__ or "").split("\n")[0]
    )
    parser.add_argument("--people", type=int, default=10_000_000)
    parser.add_argument("--dossiers", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=30, help="requests per page")
    parser.add_argument("--baseline-repeat", type=int, default=5, help="runs of the plain query")
    parser.add_argument("--batches", type=int, default=20, help="statements the people go in")
    parser.add_argument("--database", default=DB_NAME, help=f"its name (default {DB_NAME})")
    parser.add_argument("--reuse", action="store_true", help="measure the database a run left")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--no-build", action="store_true", help="keep the cohort already built")
    parser.add_argument("--data-only", action="store_true", help="generate the data, then stop")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv[1:]
    args = parse_args(argv)
    info: dict[str, Any] = {
        "code": _code(),
        "argv": argv,
        "load_before": _load(),
        "started": _now(),
    }
    data_dir = Path(tempfile.mkdtemp(prefix="cccd-bench-coverage-"))
    url = f"{PG_SERVER}/{args.database}" if args.reuse else create_database(args.database)
    setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connections

    try:
        seconds: dict[str, float] = {}
        if args.reuse:
            world = existing_world()
        else:
            timed(seconds, "migrate", lambda: call_command("migrate", verbosity=0))
            timed(seconds, "load_units (legacy, all provinces)", load_units)
            world = make_campaign()
            info["load"] = generate(world, args.people, args.dossiers, args.batches)
        info["setup"] = seconds
        pick_districts(world)
        info["summary"] = data_summary(world)
        print("\n".join(info["summary"]), flush=True)
        if args.data_only:
            info["sizes"] = table_sizes()
            print(report(args, info, world))
            return
        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG=0: the manifest
        if not args.no_build:
            info["build"] = build_cohort(world)
            info["build"]["sql_day"] = sql_day_counters(world)
        info["sizes"] = table_sizes()
        info["rows"] = measure(world, args)
        info["machine"] = machine()
        info["load_after"] = _load()
        info["ended"] = _now()
        print()
        print(report(args, info, world))
    finally:
        connections.close_all()
        if args.drop:
            drop_database(args.database)
        else:
            print(f"kept: database {args.database} (rerun with --reuse)")
        shutil.rmtree(data_dir, ignore_errors=True)


def build_cohort(world: World) -> dict[str, Any]:
    """`cohort.build(campaign)` timed, with its phases (its own functions and the two bulk
    inserts, wrapped by timers), and the process's peak RSS; then VACUUM and ANALYZE of what it
    filled."""
    import resource
    from unittest import mock

    from django.db import transaction
    from django.db.models import QuerySet

    from cccd.reach import cohort

    phases: dict[str, float] = defaultdict(float)

    def timer(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            t = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases[name] += time.perf_counter() - t

        return wrapped

    bulk_create = QuerySet.bulk_create

    def timed_bulk_create(self: QuerySet[Any], objs: Any, *args: Any, **kwargs: Any) -> Any:
        name = f"bulk_create {self.model.__name__}"
        return timer(name, bulk_create)(self, objs, *args, **kwargs)

    patches = [
        mock.patch.object(cohort, name, timer(name, getattr(cohort, name)))
        for name in ("_insert_cohort", "ancestor_chains", "_rolled_up")
    ]
    patches.append(mock.patch.object(QuerySet, "bulk_create", timed_bulk_create))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t = time.perf_counter()
    # An outer transaction, so that its commit — where PostgreSQL checks the deferred foreign keys
    # of every row written — is timed apart; `build`'s own atomic block becomes a savepoint.
    with transaction.atomic():
        with contextlib.ExitStack() as stack:
            for patch in patches:
                stack.enter_context(patch)
            result = cohort.build(world.campaign)
        commit_from = time.perf_counter()
    phases["commit"] = time.perf_counter() - commit_from
    seconds = time.perf_counter() - t
    phases["the rest (deletes, the per-commune sums query, CohortBuild)"] = seconds - sum(
        phases.values()
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  cohort.build: {seconds:,.1f} s ({result}); {dict(phases)}", flush=True)
    with raw().cursor() as cur:
        # what autovacuum would do soon after (this server runs without it): a rebuild leaves the
        # previous build's rows dead in the tables and their indexes
        cur.execute("VACUUM (ANALYZE) reach_reachable, reach_coveragebase, reach_coverageday")
    return {
        "seconds": seconds,
        "result": result,
        "phases": dict(phases),
        "rss": (rss_before, rss),
    }


# The ancestors of every commune (itself included), from its path.
CHAINS = """
CREATE TEMP TABLE bench_chain ON COMMIT DROP AS
SELECT c.id AS commune_id, a.id AS ancestor_id
FROM units_unit c
CROSS JOIN LATERAL (SELECT string_to_array(trim(both '/' from c.path), '/') AS parts) s
CROSS JOIN LATERAL generate_series(1, array_length(s.parts, 1)) k
JOIN units_unit a ON a.path = '/' || array_to_string(s.parts[1:k], '/') || '/'
WHERE c.level = 'commune' AND c.category = 'admin'
"""
# `CoverageDay` as `cohort.build` makes it (models.py: every unit above the commune for group 0
# and the person's group, the village at the commune for group 0), straight from the cohort.
DAY_COUNTERS = """
INSERT INTO bench_day (campaign, unit_id, village, "group", day, reached)
SELECT campaign, unit_id, village, grp, day, sum(n) FROM (
    SELECT r.campaign_id AS campaign, ch.ancestor_id AS unit_id, '' AS village, 0::bigint AS grp,
           r.reached_on AS day, count(*) AS n
    FROM reach_reachable r JOIN bench_chain ch ON ch.commune_id = r.unit_id
    WHERE r.campaign_id = %(campaign)s AND r.reached_on IS NOT NULL GROUP BY 1, 2, 5
    UNION ALL
    SELECT r.campaign_id, ch.ancestor_id, '', r.group_id, r.reached_on, count(*)
    FROM reach_reachable r JOIN bench_chain ch ON ch.commune_id = r.unit_id
    WHERE r.campaign_id = %(campaign)s AND r.reached_on IS NOT NULL AND r.group_id IS NOT NULL
    GROUP BY 1, 2, 4, 5
    UNION ALL
    SELECT r.campaign_id, r.unit_id, r.village, 0, r.reached_on, count(*)
    FROM reach_reachable r
    WHERE r.campaign_id = %(campaign)s AND r.reached_on IS NOT NULL AND r.village <> ''
    GROUP BY 1, 2, 3, 5
) q GROUP BY 1, 2, 3, 4, 5
"""
DAY_DIFFERENCES = """
SELECT count(*) FROM (
    (SELECT campaign, unit_id, village, "group", day, reached FROM bench_day
     EXCEPT SELECT campaign, unit_id, village, "group", day, reached FROM reach_coverageday
     WHERE campaign = %(campaign)s)
    UNION ALL
    (SELECT campaign, unit_id, village, "group", day, reached FROM reach_coverageday
     WHERE campaign = %(campaign)s
     EXCEPT SELECT campaign, unit_id, village, "group", day, reached FROM bench_day)
) d
"""


def sql_day_counters(world: World) -> dict[str, Any]:
    """A baseline for the build's counters: the same `CoverageDay` rows from the cohort by one
    `INSERT … SELECT … GROUP BY` into a copy of the table (its unique index included), timed,
    checked equal to what `cohort.build` wrote, and rolled back."""
    from django.db import transaction

    params = {"campaign": world.campaign.pk}
    with transaction.atomic(), raw().cursor() as cur:
        cur.execute(CHAINS)
        cur.execute(
            "CREATE TEMP TABLE bench_day (LIKE reach_coverageday INCLUDING ALL) ON COMMIT DROP"
        )
        t = time.perf_counter()
        cur.execute(DAY_COUNTERS, params)
        seconds = time.perf_counter() - t
        rows = cur.rowcount
        cur.execute(DAY_DIFFERENCES, params)
        differences = cur.fetchone()[0]
        transaction.set_rollback(True)
    print(
        f"  CoverageDay by INSERT … SELECT: {rows:,} rows in {seconds:,.1f} s, {differences} differ"
    )
    return {"seconds": seconds, "rows": rows, "differences": differences}


@dataclass
class Row:
    label: str
    children: int
    pages: dict[str, PageTiming]  # "page" (HTML, when cccd has it), "API": GET requests
    alone: Timing
    plain: Timing

    @property
    def page(self) -> PageTiming:
        """The HTML page if there is one, else the API: what the ratio is taken against."""
        return self.pages.get("page") or self.pages["API"]


def ms(x: float) -> str:
    return f"{x * 1000:,.1f}" if x < 1 else f"{x * 1000:,.0f}"


def measure(world: World, args: argparse.Namespace) -> list[Row]:
    """For the nation and each district: the figures checked equal, then the page, the query
    alone and the plain query timed."""
    rows = []
    scopes = [
        ("nation (ministry commander)", world.ministry, world.national_user),
        *world.districts,
    ]
    for label, unit, user in scopes:
        admin_path = "/hc/" + unit.path.removeprefix("/ca/")
        plain = plain_figures(admin_path, world.campaign, world.day)
        check_equal(plain, unit, world)
        totals = [sum(v[i] for v in plain.values()) for i in range(3)]
        print(
            f"{label}: the plain query's figures equal the page's ({len(plain)} child units; "
            f"eligible {totals[0]:,}, reached {totals[1]:,}, today {totals[2]:,})",
            flush=True,
        )
        pages = {
            name: time_page(user, url, args.repeat)
            for name, url in urls(world, unit).items()
            if url is not None
        }
        alone = time_coverage(unit, world, args.repeat)
        base = time_plain(admin_path, world.campaign, world.day, args.baseline_repeat)
        rows.append(Row(label, len(plain), pages, alone, base))
        for name, page in pages.items():
            print(
                f"  {name} p50 {ms(page.p50)} p95 {ms(page.p95)} ms ({page.queries} queries; "
                f"CPU p50 {ms(page.cpu_p50)} p95 {ms(page.cpu_p95)} ms)"
            )
        print(
            f"  queries.coverage p50 {ms(alone.p50)} p95 {ms(alone.p95)} ms; "
            f"plain p50 {ms(base.p50)} p95 {ms(base.p95)} ms",
            flush=True,
        )
    return rows


def report(args: argparse.Namespace, info: dict[str, Any], world: World) -> str:
    lines = []
    if "machine" in info:
        m = info["machine"]
        lines += [
            f"Machine: {m['cpu']}, {m['ram']} RAM, Python {m['python']}; PostgreSQL {m['server_version']} on the "
            f"same machine (shared_buffers {m['shared_buffers']}, effective_cache_size {m['effective_cache_size']}, "
            f"work_mem {m['work_mem']}, max_parallel_workers_per_gather {m['max_parallel_workers_per_gather']}, "
            f"jit {m['jit']}, synchronous_commit {m['synchronous_commit']}, autovacuum {m['autovacuum']}).",
            f"Command: `.venv/bin/python -m bench coverage {' '.join(info['argv'])}`; run {info['started']} – "
            f"{info['ended']} UTC, code {info['code']}. Load average before {info['load_before']}, after "
            f"{info['load_after']}.",
        ]
    lines.append(
        f"Campaign {world.campaign.start_date:%d/%m/%Y}–{world.campaign.end_date:%d/%m/%Y} (Law "
        f"{world.campaign.law}, at the ministry); the day measured {world.day:%d/%m/%Y}."
    )
    if info.get("setup"):
        lines.append("Setup: " + ", ".join(f"{k} {v:,.1f} s" for k, v in info["setup"].items()))
    if "load" in info:
        lines.append(
            "Generation: " + ", ".join(f"{k} {v:,.1f} s" for k, v in info["load"].seconds.items())
        )
    if "build" in info:
        build = info["build"]
        phases = ", ".join(f"{k} {v:,.1f} s" for k, v in build["phases"].items())
        lines.append(
            f"`cohort.build`: {build['seconds']:,.1f} s ({build['result']}); of which {phases}; "
            f"peak RSS of the process {build['rss'][0]:,.0f} MiB before, {build['rss'][1]:,.0f} MiB after."
        )
        sql_day = build["sql_day"]
        lines.append(
            f"Baseline for its counters: the same {sql_day['rows']:,} `CoverageDay` rows by one "
            f"SQL statement from the cohort (grouped): {sql_day['seconds']:,.1f} s "
            f"({sql_day['differences']} rows differ from the build's)."
        )
    lines += [f"- {line}" for line in info.get("summary", [])]
    lines += ["", "| table | rows | total size |", "| --- | ---: | ---: |"]
    for table, (size, count) in info.get("sizes", {}).items():
        lines.append(f"| {table} | {count:,} | {size / 2**20:,.0f} MiB |")
    if "rows" in info:
        lines += ["", *rows_table(args, info["rows"])]
    return "\n".join(lines)


def rows_table(args: argparse.Namespace, rows: list[Row]) -> list[str]:
    names = [n for n in ("page", "API") if any(n in r.pages for r in rows)]
    lines = [
        "| scope | child units | "
        + "".join(f"{n} p50 / p95 ms ({args.repeat} requests) | SQL queries | " for n in names)
        + f"`queries.coverage` alone p50 / p95 ms | plain query p50 / p95 ms ({args.baseline_repeat} "
        f"runs) | ratio plain ÷ {names[0] if names else 'page'} p50 / p95 |",
        "| --- | ---: | " + "---: | ---: | " * len(names) + "---: | ---: | ---: |",
    ]
    for r in rows:
        cells = [r.label, str(r.children)]
        for n in names:
            t = r.pages.get(n)
            cells += [f"{ms(t.p50)} / {ms(t.p95)}", str(t.queries)] if t else ["—", ""]
        cells += [
            f"{ms(r.alone.p50)} / {ms(r.alone.p95)}",
            f"{ms(r.plain.p50)} / {ms(r.plain.p95)}",
        ]
        cells.append(
            f"{ratio(r.plain.p50, r.page.p50)} / {ratio(r.plain.p95, r.page.p95)}"
            if r.pages
            else ""
        )
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for r in rows:
        for n, t in r.pages.items():
            lines.append(
                f"- {r.label}, {n}: CPU time of the process per request p50 {ms(t.cpu_p50)} / p95 "
                f"{ms(t.cpu_p95)} ms; in one counted request {ms(t.sql)} ms of SQL as Django "
                f"times it, the slowest statement {ms(t.slowest[0])} ms (`{t.slowest[1]}…`)."
            )
    return lines


# ---------------------------------------------------------------------------- the page (cccd.reach)


def place_of(unit: Any) -> Any:
    """The administrative unit whose coverage a police unit's commander opens."""
    from cccd.reach.eligible import admin_prefix
    from cccd.units.models import Unit

    return Unit.objects.get(path=admin_prefix(unit))


def urls(world: World, unit: Any) -> dict[str, str | None]:
    """The coverage page of the unit's place on the day (None while cccd has no such page) and
    `/api/v1/coverage/` with the same question."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    query = urlencode(
        {"campaign": world.campaign.pk, "unit": place_of(unit).pk, "day": world.day.isoformat()}
    )
    try:
        page: str | None = f"{reverse('reach:coverage')}?{query}"
    except NoReverseMatch:
        page = None
    return {"page": page, "API": f"/api/v1/coverage/?{query}"}


def page_figures(unit: Any, world: World) -> Figures:
    """Per child unit: what `queries.coverage` (what the page shows) says."""
    from cccd.reach import queries

    result = queries.coverage(world.campaign, place_of(unit), world.day)
    return {
        f.unit.path: (f.eligible, f.reached, f.today)
        for f in result.children
        if f.unit is not None and (f.eligible or f.reached or f.today)
    }


def check_equal(plain: Figures, unit: Any, world: World) -> None:
    """The plain query and the counters must give the same figures for every child unit."""
    page = page_figures(unit, world)
    if page != plain:
        wrong = sorted(k for k in set(page) | set(plain) if page.get(k) != plain.get(k))
        detail = "; ".join(f"{k}: page {page.get(k)} ≠ plain {plain.get(k)}" for k in wrong[:10])
        raise AssertionError(f"{unit.path}: {len(wrong)} child units differ: {detail}")


def time_coverage(unit: Any, world: World, repeat: int) -> Timing:
    """`queries.coverage` alone: the counters read, without the request and the template."""
    from cccd.reach import queries

    place = place_of(unit)
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        queries.coverage(world.campaign, place, world.day)
        samples.append(time.perf_counter() - t)
    return Timing(samples)


@dataclass
class PageTiming(Timing):
    """Wall time per request, and the CPU time this process spent on each (`time.process_time`:
    the request's Python — session, forms, queries built and read, template — without the
    database server's work and without the time spent waiting for a core)."""

    cpu: list[float] = field(default_factory=list)

    @property
    def cpu_p50(self) -> float:
        return pct(self.cpu, 0.5)

    @property
    def cpu_p95(self) -> float:
        return pct(self.cpu, 0.95)


def time_page(user: Any, path: str, repeat: int, warm_up: int = 3) -> PageTiming:
    """GET `path` in-process as `user`, `repeat` times after a warm-up; one more request
    counts the SQL (Django's own timing of each statement, as the client sees it)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    for _ in range(warm_up):
        _get(client, path)
    samples, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        _get(client, path)
        samples.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    with CaptureQueriesContext(connection) as captured:
        _get(client, path)
    times = [(float(q["time"]), q["sql"]) for q in captured.captured_queries]
    slowest = max(times)
    return PageTiming(
        samples, len(times), sum(t for t, _ in times), (slowest[0], slowest[1][:90]), cpu=cpu
    )
