"""`python -m bench desk`: the whole desk loop on PostgreSQL with concurrent desks, against pgbench.

A desk loop is what an officer does for one person: call the next number (→ the intake page),
photo, ten fingerprints, two irises (Law 2023 campaign), signature, finish (→ the dossier page),
the slip as PDF: 9 HTTP requests.
The app runs under gunicorn on a fresh database (`cccd_bench_desk`); one client thread per desk,
each logged in as its desk's officer, loops for a fixed time; a loop counts as an error if any of
its responses is not the expected one. The SQL of one loop (captured in-process through the same
views, grouped into the app's transactions) is replayed by `pgbench` on the same database with as
many clients: the rate the database alone could do.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DB_NAME = "cccd_bench_desk"
PASSWORD = "Bench@cccd2026"  # noqa: S105 (the bench officers' password, on a throw-away database)
FACES = ROOT / "tests" / "fixtures" / "faces"
STEPS = ("call", "intake", "photo", "fingerprints", "irises", "signature", "finish", "done", "slip")
SEQUENCE_STRIDE = 10_000_000  # every table's ids in their own range, so a literal id is unambiguous


# ---------------------------------------------------------------------------- database and seed


def fresh_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{DB_NAME}"')
    return f"{PG_SERVER}/{DB_NAME}"


def setup_django(url: str, data_dir: Path) -> None:
    os.environ.update(DATABASE_URL=url, CCCD_DATA_DIR=str(data_dir), CCCD_DEBUG="0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tests.builders
    import django

    django.setup()
    import logging

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("django.request").setLevel(logging.ERROR)


def spread_sequences() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1")
        for i, (name,) in enumerate(cur.fetchall(), start=1):
            cur.execute("SELECT setval(%s, %s)", [name, i * SEQUENCE_STRIDE])


@dataclass
class Desk:
    session_id: int
    number: int
    username: str


@dataclass
class Seed:
    desks: list[Desk]
    session_ids: list[int]
    leader: Any
    commune: Any
    pool_session: int = 0


def fingerprint_png(seed: int) -> bytes:
    import cv2
    import numpy as np

    rng = np.random.default_rng(seed)
    ridges = (np.sin(np.arange(400)[:, None] / 3 + rng.random()) * 100 + 128).astype(np.uint8)
    return cv2.imencode(".png", np.repeat(ridges, 300, axis=1))[1].tobytes()


def signature_png() -> bytes:
    import cv2
    import numpy as np

    image = np.full((160, 480), 255, np.uint8)
    cv2.line(image, (40, 120), (200, 40), 0, 3)
    cv2.line(image, (200, 40), (420, 110), 0, 3)
    return cv2.imencode(".png", image)[1].tobytes()


def seed(sessions: int, desks_per_session: int) -> Seed:
    import datetime

    from django.utils import timezone
    from tests.builders import make_tree, make_user

    from cccd.accounts.models import Role, User
    from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
    from cccd.tickets import services as tickets
    from cccd.tickets.models import Desk as DeskRow

    tree = make_tree()
    commander = make_user("bench.commander", Role.COMMANDER, tree.daknong_police)
    leader = make_user("bench.leader", Role.TEAM_LEADER, tree.dakmil_police)
    now = timezone.localtime()
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="Bench",
        law="2023",
        start_date=now.date() - datetime.timedelta(days=1),
        end_date=now.date() + datetime.timedelta(days=30),
        actor=commander,
    )
    venue = create_venue(unit_id=tree.dakmil_police.pk, kind="school", name="Bench", actor=leader)
    desks: list[Desk] = []
    session_ids: list[int] = []
    for s in range(sessions):
        officers: list[User] = []
        for d in range(desks_per_session):
            user = make_user(
                f"bench.s{s}d{d + 1}",
                Role.OFFICER,
                tree.dakmil_police,
                first_name=f"Bàn {d + 1}",
                last_name=f"Buổi {s}",
            )
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
            officers.append(user)
        team = create_team(
            unit_id=tree.dakmil_police.pk,
            name=f"Tổ {s}",
            leader_id=leader.pk,
            member_ids=[o.pk for o in officers],
            actor=leader,
        )
        start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=1)
        session = plan_session(
            campaign_id=campaign.pk,
            venue_id=venue.pk,
            team_id=team.pk,
            desks=desks_per_session,
            capacity=20_000,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=20),
            accept_clashes=True,  # five teams in one hall at the same hours, on purpose
            actor=leader,
        )
        tickets.open_queue(session.pk, actor=leader)
        for row, officer in zip(
            DeskRow.objects.filter(session=session).order_by("number"), officers, strict=True
        ):
            tickets.open_desk(row.pk, actor=officer)
            desks.append(Desk(session.pk, row.number, officer.username))
        session_ids.append(session.pk)
    return Seed(desks, session_ids, leader, tree.daklao)


def make_people(commune: Any, count: int, rng_seed: int) -> list[int]:
    import datetime
    import random

    from cccd.core import idnumber, names
    from cccd.registry.models import Person

    rng = random.Random(rng_seed)
    given = [
        "An",
        "Bình",
        "Chi",
        "Dũng",
        "Giang",
        "Hà",
        "Khánh",
        "Lan",
        "Minh",
        "Nga",
        "Phúc",
        "Quân",
    ]
    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
    seen = set(Person.objects.values_list("personal_id", flat=True))
    rows = []
    while len(rows) < count:
        sex = rng.choice("MF")
        born = datetime.date(2009, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        pid = idnumber.generate("067", sex, born.year, rng)
        if pid in seen:
            continue
        seen.add(pid)
        fam, mid, giv = rng.choice(family), rng.choice(["Văn", "Thị", "Minh"]), rng.choice(given)
        full = f"{fam} {mid} {giv}"
        rows.append(
            Person(
                personal_id=pid,
                full_name=full,
                name_folded=names.fold(full),
                family_folded=names.fold(fam),
                given_folded=names.fold(giv),
                birth_date=born,
                birth_date_precision="day",
                birth_year=born.year,
                sex=sex,
                birth_province_code=pid[:3],
                residence_unit=commune,
            )
        )
    return [p.pk for p in Person.objects.bulk_create(rows, batch_size=2000)]


def issue(the_seed: Seed, per_session: int, rng_seed: int) -> float:
    """Walk-in numbers with a person each, `per_session` in every session; seconds per number."""
    from cccd.tickets.services import issue_walk_in

    people = make_people(the_seed.commune, per_session * len(the_seed.session_ids), rng_seed)
    started = time.perf_counter()
    for i, person in enumerate(people):
        sid = the_seed.session_ids[i % len(the_seed.session_ids)]
        issue_walk_in(sid, person_id=person, actor=the_seed.leader)
    return (time.perf_counter() - started) / max(len(people), 1)


# ---------------------------------------------------------------------------- the HTTP desks


class Browser:
    """One officer's browser: cookies, CSRF header, one keep-alive-if-offered connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: bytes = b"", ctype: str = ""
    ) -> tuple[int, str, bytes, float]:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        if method == "POST":
            headers.update(
                {
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                    "Content-Type": ctype or "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{self.port}",
                }
            )
        for attempt in range(2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                self.conn.close()
                if attempt:
                    raise
        seconds = time.perf_counter() - started
        for cookie in resp.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if resp.will_close:
            self.conn.close()
        return resp.status, resp.headers.get("Location", ""), data, seconds

    def login(self, username: str) -> None:
        from urllib.parse import urlencode

        status, _, page, _ = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        body = urlencode(
            {
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token.group(1).decode() if token else "",
            }
        ).encode()
        status, location, page, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise RuntimeError(f"login of {username}: HTTP {status}: {page[:300]!r}")


def multipart(files: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, (filename, data, ctype) in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Bodies:
    photo: tuple[bytes, str]
    fingerprints: tuple[bytes, str]
    irises: tuple[bytes, str]
    signature: tuple[bytes, str]

    @classmethod
    def make(cls) -> Bodies:
        prints = {f"slot_{n}": (f"f{n}.png", fingerprint_png(n), "image/png") for n in range(1, 11)}
        irises = {f"slot_{n}": (f"i{n}.png", fingerprint_png(10 + n), "image/png") for n in (1, 2)}
        return cls(
            multipart(
                {"file": ("portrait.jpg", (FACES / "portrait.jpg").read_bytes(), "image/jpeg")}
            ),
            multipart(prints),
            multipart(irises),
            multipart({"file": ("sign.png", signature_png(), "image/png")}),
        )


@dataclass
class Tally:
    loops: list[float] = field(default_factory=list)
    requests: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    errors: list[str] = field(default_factory=list)
    dry: int = 0


def one_loop(b: Browser, desk: Desk, bodies: Bodies, tally: Tally) -> bool:
    """One person through the desk; False (and an error noted) at the first unexpected answer."""
    started = time.perf_counter()
    base = f"/queue/sessions/{desk.session_id}/desks/{desk.number}"
    status, location, data, sec = b.request("POST", f"{base}/call/")
    if status != 302 or "/intake/tickets/" not in location:
        if b"QUEUE_EMPTY" in data or status == 409 and b"queue" in data.lower():
            tally.dry += 1
        else:
            tally.errors.append(f"call {base}: HTTP {status} {location} {data[:200]!r}")
        return False
    tally.requests["call"].append(sec)
    intake = location
    tid = intake.rstrip("/").rsplit("/", 1)[-1]
    steps = [
        ("intake", "GET", intake, b"", "", 200),
        ("photo", "POST", f"/intake/tickets/{tid}/capture/photo/", *bodies.photo, 302),
        (
            "fingerprints",
            "POST",
            f"/intake/tickets/{tid}/slots/fingerprint/",
            *bodies.fingerprints,
            302,
        ),
        ("irises", "POST", f"/intake/tickets/{tid}/slots/iris/", *bodies.irises, 302),
        ("signature", "POST", f"/intake/tickets/{tid}/capture/signature/", *bodies.signature, 302),
        ("finish", "POST", f"/intake/tickets/{tid}/finish/", b"", "", 302),
    ]
    done = ""
    for step, method, path, body, ctype, expected in steps:
        status, location, data, sec = b.request(method, path, body, ctype)
        if status != expected:
            tally.errors.append(f"{step} ticket {tid}: HTTP {status} {data[:300]!r}")
            return False
        tally.requests[step].append(sec)
        done = location
    if "/intake/dossiers/" not in done:
        tally.errors.append(f"finish ticket {tid}: redirected to {done}")
        return False
    for step, path in (("done", done), ("slip", done.rstrip("/") + "/slip.pdf")):
        status, _, data, sec = b.request("GET", path)
        if status != 200 or (step == "slip" and not data.startswith(b"%PDF")):
            tally.errors.append(f"{step} {path}: HTTP {status} {data[:200]!r}")
            return False
        tally.requests[step].append(sec)
    tally.loops.append(time.perf_counter() - started)
    return True


def drive(port: int, desks: list[Desk], bodies: Bodies, seconds: float) -> tuple[Tally, float]:
    """Every desk loops until `seconds` have passed (the loop under way finishes)."""
    browsers = [Browser(port) for _ in desks]
    for b, desk in zip(browsers, desks, strict=True):
        b.login(desk.username)
    tallies = [Tally() for _ in desks]
    barrier = threading.Barrier(len(desks) + 1)
    deadline = [0.0]

    def run(b: Browser, desk: Desk, tally: Tally) -> None:
        barrier.wait()
        while time.perf_counter() < deadline[0]:
            try:
                if not one_loop(b, desk, bodies, tally) and tally.dry:
                    return
            except Exception as exc:  # noqa: BLE001 (reported, the desk goes on)
                tally.errors.append(f"{type(exc).__name__}: {exc}")
                b.conn.close()

    threads = [
        threading.Thread(target=run, args=a) for a in zip(browsers, desks, tallies, strict=True)
    ]
    for t in threads:
        t.start()
    start = time.perf_counter()
    deadline[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    total = Tally()
    for t in tallies:
        total.loops += t.loops
        total.errors += t.errors
        total.dry += t.dry
        for s in STEPS:
            total.requests[s] += t.requests[s]
    return total, elapsed


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def start_gunicorn(
    url: str, data_dir: Path, port: int, workers: int, threads: int, log: Path
) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=url,
        CCCD_DATA_DIR=str(data_dir),
        CCCD_DEBUG="0",
        CCCD_CSRF_TRUSTED_ORIGINS=f"http://127.0.0.1:{port}",
        CCCD_LOG_LEVEL="WARNING",
    )
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "cccd.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--backlog",
        "256",
        "--error-logfile",
        str(log),
    ]
    out = log.open("ab")
    proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(200):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/accounts/login/")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"gunicorn did not start; see {log}")


# ---------------------------------------------------------------------------- the SQL of one loop


def capture_loop_sql(
    the_seed: Seed, bodies_files: dict[str, Any]
) -> tuple[list[tuple[int | None, str]], dict[str, Any]]:
    """Run one desk loop in-process through the same URLs and record every statement with the
    outermost transaction it ran in (None: autocommit)."""
    from django.db import connection
    from django.test import Client

    from cccd.accounts.models import User

    desk = the_seed.desks[0]
    statements: list[Any] = []
    step_of = [STEPS[0]]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        tx = id(connection.atomic_blocks[0]) if connection.in_atomic_block else None
        for p in params if many else [params]:
            statements.append((tx, connection.ops.compose_sql(sql, p) if p else sql, step_of[0]))
        return execute(sql, params, many, context)

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(User.objects.get(username=desk.username))
    client.get("/accounts/login/")  # warm caches the way a running worker has them
    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM tickets_ticket")
    base = f"/queue/sessions/{desk.session_id}/desks/{desk.number}"
    timings: dict[str, float] = {}
    clock = [time.perf_counter()]

    def lap(step: str) -> None:
        now = time.perf_counter()
        timings[step], clock[0] = now - clock[0], now
        step_of[0] = STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]

    with connection.execute_wrapper(wrapper):
        r = client.post(f"{base}/call/")
        lap("call")
        assert r.status_code == 302, r.content[:300]
        intake = r["Location"]
        tid = int(intake.rstrip("/").rsplit("/", 1)[-1])
        assert client.get(intake).status_code == 200
        lap("intake")
        for step, path, data in (
            ("photo", f"/intake/tickets/{tid}/capture/photo/", {"file": bodies_files["photo"]}),
            ("fingerprints", f"/intake/tickets/{tid}/slots/fingerprint/", bodies_files["prints"]),
            ("irises", f"/intake/tickets/{tid}/slots/iris/", bodies_files["irises"]),
            (
                "signature",
                f"/intake/tickets/{tid}/capture/signature/",
                {"file": bodies_files["sign"]},
            ),
        ):
            r = client.post(path, data)
            assert r.status_code == 302, (path, r.status_code, r.content[:300])
            lap(step)
        r = client.post(f"/intake/tickets/{tid}/finish/")
        assert r.status_code == 302, r.content[:300]
        assert "/dossiers/" in r["Location"], r["Location"]
        lap("finish")
        done = r["Location"]
        assert client.get(done).status_code == 200
        lap("done")
        assert client.get(done.rstrip("/") + "/slip.pdf").status_code == 200
        lap("slip")
    per_step = {s: sum(1 for st in statements if st[2] == s) for s in STEPS}
    print(
        "one loop alone, in-process (ms, statements): "
        + ", ".join(f"{s} {timings[s] * 1000:.0f} ({per_step[s]})" for s in STEPS),
        flush=True,
    )
    statements[:] = [(tx, sql) for tx, sql, _ in statements]
    return statements, {
        "ticket": tid,
        "enrollment": int(done.rstrip("/").rsplit("/", 1)[-1]),
        "timings": timings,
    }


def pgbench_script(
    statements: list[tuple[int | None, str]],
    ids: dict[str, Any],
    pool: dict[str, int],
    the_seed: Seed,
) -> tuple[str, dict[str, int]]:
    """The captured loop as a pgbench script. Each client run takes a fresh waiting number and
    person from a pool (a counter sequence), spreads over the sessions' desks like the real desks,
    gets the ids of the rows it inserts back with \\gset, and makes the unique strings unique."""
    from cccd.enrollments.models import Enrollment
    from cccd.tickets.models import Desk as DeskRow
    from cccd.tickets.models import Ticket

    ticket = Ticket.objects.get(pk=ids["ticket"])
    enrollment = Enrollment.objects.get(pk=ids["enrollment"])
    desk_rows = list(
        DeskRow.objects.filter(session_id__in=the_seed.session_ids).order_by("session_id", "number")
    )
    n_desks = len(desk_rows)
    per = n_desks // len(the_seed.session_ids)
    first = the_seed.session_ids[0]
    assert the_seed.session_ids == list(range(first, first + len(the_seed.session_ids)))
    subst: dict[str, str] = {
        str(ticket.pk): ":b_tid",
        str(ticket.person_id): ":b_pid",
        str(ticket.session_id): ":b_sid",
        str(
            ticket.desk_id
        ): "(SELECT id FROM tickets_desk WHERE session_id = :b_sid AND number = :b_dn)",
    }
    uniques = [v for v in (enrollment.code,) if v]  # the link on the slip is signed, not stored
    head = [
        "SELECT nextval('bench_desk_counter') AS n \\gset b_",
        f"\\set b_tid {pool['ticket0']} + :b_n",
        f"\\set b_pid {pool['person0']} + :b_n",
        f"\\set b_k :b_n % {n_desks}",
        f"\\set b_sid {the_seed.session_ids[0]} + :b_k / {per}",
        f"\\set b_dn 1 + :b_k % {per}",
    ]
    # rows this loop inserted: the k-th INSERT into a table made its k-th new id
    inserted: dict[str, list[int]] = pool["inserted"]  # type: ignore[assignment]
    seen: dict[str, int] = {}
    lines: list[str] = []
    current: int | None = None
    gsets = 0
    for tx, sql in statements:
        if tx != current:
            if current is not None:
                lines.append("COMMIT;")
            if tx is not None:
                lines.append("BEGIN;")
            current = tx
        text = sql
        for u in uniques:
            text = text.replace(
                f"'{u}'", f"(left('{u}', {len(u) - 8}) || lpad(CAST(:b_n AS text), 8, '0'))"
            )
        # ids outside string literals only (inside them they are JSON of the audit trail); a bulk
        # insert's id arrays ('{1,2}'::int4[], Django's UNNEST form) become ARRAY[...] so they can
        # take pgbench variables
        text = "".join(_with_ids(part, subst) for part in re.split(r"('(?:[^']|'')*')", text))
        suffix = ";"
        table = re.match(r'INSERT INTO "(\w+)"', text)
        if table and " RETURNING " in text:
            k = seen.get(table.group(1), 0)
            seen[table.group(1)] = k + 1
            new = inserted.get(table.group(1), [])
            if k < len(new) and text.count("), (") == 0 and "UNNEST(" not in text:
                gsets += 1
                subst[str(new[k])] = f":b_r{gsets}_id"
                suffix = f" \\gset b_r{gsets}_"
        lines.append(text.rstrip().rstrip(";") + suffix)
    if current is not None:
        lines.append("COMMIT;")
    counts = {
        "statements": len(statements),
        "transactions": sum(1 for x in lines if x == "BEGIN;"),
        "autocommit": sum(1 for tx, _ in statements if tx is None),
        "gset": gsets,
    }
    return "\n".join(head + lines) + "\n", counts


def _with_ids(part: str, subst: dict[str, str]) -> str:
    def swap(m: re.Match[str]) -> str:
        return subst.get(m.group(1), m.group(1))

    ids = r"(?<![\w.:])(\d{8,})(?![\w.])"
    if re.fullmatch(r"'\{\d+(,\d+)*\}'", part):
        return "ARRAY[" + re.sub(ids, swap, part[2:-2]) + "]"
    return part if part.startswith("'") else re.sub(ids, swap, part)


def run_pgbench(url: str, script: Path, clients: int, seconds: int) -> tuple[float, str]:
    command = ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds)]
    command += ["-f", str(script), url]
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    out = done.stdout + done.stderr
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    aborted = "aborted" in out
    note = f"latency avg {lat.group(1) if lat else '?'} ms; failed {failed.group(1) if failed else '?'}"
    if done.returncode or aborted:
        note += (
            f"; pgbench rc {done.returncode}: "
            + " | ".join(
                line
                for line in out.splitlines()
                if "error" in line.lower() or "abort" in line.lower()
            )[:600]
        )
    return float(tps.group(1)) if tps else float("nan"), note


# ---------------------------------------------------------------------------- main


def machine() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres") as con:
        version = con.execute("SHOW server_version").fetchone()[0]
        buffers = con.execute("SHOW shared_buffers").fetchone()[0]
        sync = con.execute("SHOW synchronous_commit").fetchone()[0]
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()}), {ram:.0f} GiB RAM, "
        f"PostgreSQL {version} (shared_buffers {buffers}, synchronous_commit {sync}) on the same machine, "
        f"Python {platform.python_version()}"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench desk", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--desks", type=int, default=4, help="desks per session")
    parser.add_argument("--seconds", type=float, default=30, help="length of one run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", default="5", help="gunicorn workers, comma-separated settings")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument(
        "--per-session", type=int, default=600, help="numbers issued per session per run"
    )
    parser.add_argument("--pgbench-seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--keep", action="store_true", help="leave the database and data folder")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    data_dir = Path(tempfile.mkdtemp(prefix="cccd-bench-desk-"))
    url = fresh_database()
    setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connection, connections

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    spread_sequences()
    the_seed = seed(args.sessions, args.desks)
    issue(the_seed, 40, rng_seed=1)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")  # this server runs without autovacuum (see the register bench)
    print(
        f"database {DB_NAME} migrated and seeded in {time.perf_counter() - t:.1f} s; "
        f"{len(the_seed.desks)} desks in {args.sessions} sessions",
        flush=True,
    )
    bodies = Bodies.make()
    log = data_dir / "gunicorn.log"
    results: list[dict[str, Any]] = []
    for workers in [int(w) for w in args.workers.split(",")]:
        connections.close_all()
        proc = start_gunicorn(url, data_dir, args.port, workers, args.threads, log)
        try:
            per_number = issue(the_seed, 40, rng_seed=workers)
            connections.close_all()
            warm, _ = drive(args.port, the_seed.desks, bodies, 5)
            print(
                f"workers {workers}: warm-up {len(warm.loops)} loops, {len(warm.errors)} errors; "
                f"issuing a number {per_number * 1000:.1f} ms",
                flush=True,
            )
            for e in warm.errors[:3]:
                print("    warm-up error:", e)
            for run in range(args.runs):
                issue(the_seed, args.per_session, rng_seed=1000 * workers + run)
                connections.close_all()
                tally, elapsed = drive(args.port, the_seed.desks, bodies, args.seconds)
                n_req = sum(len(v) for v in tally.requests.values())
                all_req = [x for v in tally.requests.values() for x in v]
                r = {
                    "workers": workers,
                    "run": run,
                    "loops": len(tally.loops),
                    "elapsed": elapsed,
                    "loops_s": len(tally.loops) / elapsed,
                    "req_s": n_req / elapsed,
                    "loop_p50": pct(tally.loops, 0.5),
                    "loop_p99": pct(tally.loops, 0.99),
                    "req_p50": pct(all_req, 0.5),
                    "req_p99": pct(all_req, 0.99),
                    "steps": {s: (pct(v, 0.5), pct(v, 0.99)) for s, v in tally.requests.items()},
                    "errors": tally.errors,
                    "dry": tally.dry,
                }
                results.append(r)
                print(
                    f"  run {run + 1}: {r['loops']} loops in {elapsed:.1f} s = {r['loops_s']:.1f} loops/s, "
                    f"{r['req_s']:.1f} req/s; loop p50 {r['loop_p50'] * 1000:.0f} ms p99 {r['loop_p99'] * 1000:.0f} ms; "
                    f"request p50 {r['req_p50'] * 1000:.0f} ms p99 {r['req_p99'] * 1000:.0f} ms; "
                    f"{len(tally.errors)} errors, {tally.dry} desks ran dry",
                    flush=True,
                )
                for e in tally.errors[:10]:
                    print("    error:", e)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    # the SQL of one loop, replayed by pgbench on the same database
    from django.core.files.uploadedfile import SimpleUploadedFile

    issue(the_seed, 1, rng_seed=99)  # a number for the captured loop in every session
    tables = connection.introspection.table_names()
    with connection.cursor() as cur:
        before = {}
        for table in tables:
            try:
                cur.execute(f'SELECT coalesce(max(id), 0) FROM "{table}"')  # noqa: S608 (our own table names)
                before[table] = cur.fetchone()[0]
            except Exception:  # noqa: BLE001 (tables without an id column)
                connection.rollback() if not connection.get_autocommit() else None
    files = {
        "photo": SimpleUploadedFile("p.jpg", (FACES / "portrait.jpg").read_bytes(), "image/jpeg"),
        "sign": SimpleUploadedFile("s.png", signature_png(), "image/png"),
        "prints": {
            f"slot_{n}": SimpleUploadedFile(f"f{n}.png", fingerprint_png(n), "image/png")
            for n in range(1, 11)
        },
        "irises": {
            f"slot_{n}": SimpleUploadedFile(f"i{n}.png", fingerprint_png(10 + n), "image/png")
            for n in (1, 2)
        },
    }
    statements, ids = capture_loop_sql(the_seed, files)
    inserted: dict[str, list[int]] = {}
    with connection.cursor() as cur:
        for table, top in before.items():
            cur.execute(f'SELECT id FROM "{table}" WHERE id > %s ORDER BY id', [top])  # noqa: S608
            got = [row[0] for row in cur.fetchall()]
            if got:
                inserted[table] = got
    # the pool: fresh waiting numbers with their people, consecutive ids
    pool_size = 40_000
    first_session = the_seed.session_ids[0]
    pool_tickets = _bulk_pool(the_seed, first_session, pool_size)
    pool = {"ticket0": pool_tickets[0], "person0": pool_tickets[1], "inserted": inserted}
    script, counts = pgbench_script(statements, ids, pool, the_seed)  # type: ignore[arg-type]
    with connection.cursor() as cur:
        cur.execute("CREATE SEQUENCE IF NOT EXISTS bench_desk_counter MINVALUE 0 START 0")
        cur.execute("ANALYZE")
    script_path = ROOT / "var" / "bench-desk-loop.sql"
    script_path.parent.mkdir(exist_ok=True)
    script_path.write_text(script)
    connections.close_all()
    clients = len(the_seed.desks)
    tps, note = run_pgbench(url, script_path, clients, args.pgbench_seconds)
    print(f"pgbench: {counts}; {tps:.1f} loops/s ({note}); script {script_path}", flush=True)

    report(args, results, tps, note, counts, clients, log)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


def _bulk_pool(the_seed: Seed, session_id: int, size: int) -> tuple[int, int]:
    """`size` waiting numbers in one session, each with its own person, ids consecutive (made in
    bulk: they are only the rows the replayed SQL updates and points at)."""
    from django.db import transaction
    from django.utils import timezone

    from cccd.tickets.models import SessionQueue, Ticket

    people = make_people(the_seed.commune, size, rng_seed=7)
    with transaction.atomic():
        queue = SessionQueue.objects.select_for_update().get(pk=session_id)
        template = Ticket.objects.filter(session_id=session_id).order_by("-id").first()
        first = queue.last_number + 1
        now = timezone.now()
        rows = []
        for i, person in enumerate(people):
            rows.append(
                Ticket(
                    session_id=session_id,
                    number=first + i,
                    person_id=person,
                    kind=template.kind,
                    issued_by_id=template.issued_by_id,
                    line_at=now,
                    issued_at=now,
                    state=Ticket.State.WAITING,
                )
            )
        made = Ticket.objects.bulk_create(rows, batch_size=2000)
        queue.last_number = first + size - 1
        queue.save(update_fields=["last_number"])
    ids = [t.pk for t in made]
    assert ids == list(range(ids[0], ids[0] + size))
    assert people == list(range(people[0], people[0] + size))
    return ids[0], people[0]


def report(
    args: argparse.Namespace,
    results: list[dict[str, Any]],
    tps: float,
    note: str,
    counts: dict[str, int],
    clients: int,
    log: Path,
) -> None:
    def ms(x: float) -> str:
        return f"{x * 1000:,.0f}"

    lines = [
        f"Machine: {machine()}.",
        "",
        "| gunicorn workers | runs | intakes/s (loops/s) | requests/s | loop p50 / p99 ms | request p50 / p99 ms | errors | pgbench, same SQL, loops/s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_workers: dict[int, list[dict[str, Any]]] = {}
    for r in results:
        by_workers.setdefault(r["workers"], []).append(r)
    for workers, rs in by_workers.items():
        med = lambda key, rs=rs: statistics.median(r[key] for r in rs)  # noqa: E731
        errors = sum(len(r["errors"]) for r in rs)
        lines.append(
            f"| {workers} | {len(rs)} | {med('loops_s'):.1f} | {med('req_s'):.1f} | "
            f"{ms(med('loop_p50'))} / {ms(med('loop_p99'))} | {ms(med('req_p50'))} / {ms(med('req_p99'))} | "
            f"{errors} | {tps:,.0f} |"
        )
    lines += [
        "",
        "Per request (median over runs of each step's p50 / p99, ms):",
        "",
        "| workers | " + " | ".join(STEPS) + " |",
        "| ---: | " + " | ".join("---:" for _ in STEPS) + " |",
    ]
    for workers, rs in by_workers.items():
        cells = [
            f"{ms(statistics.median(r['steps'][s][0] for r in rs))} / {ms(statistics.median(r['steps'][s][1] for r in rs))}"
            for s in STEPS
        ]
        lines.append(f"| {workers} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"pgbench: {clients} clients, -j 2, {args.pgbench_seconds} s, one loop's SQL = "
        f"{counts['statements']} statements, {counts['transactions']} explicit transactions + "
        f"{counts['autocommit']} autocommit statements; {note}.",
    ]
    print("\n".join(lines))
    errors = [e for r in results for e in r["errors"]]
    if errors:
        print(f"\n{len(errors)} errors; first ones:")
        for e in errors[:20]:
            print("  ", e)
        print(f"gunicorn log: {log}")
        text = log.read_text(errors="replace")
        for block in text.split("Traceback")[1:4]:
            print("Traceback" + block[:3000])
