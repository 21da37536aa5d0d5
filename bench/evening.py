"""`python -m bench evening`: one province's evening — desks, hall boards and commanders' dashboards
at once — with every read on one server, beside the same load with the reports read from a
streaming replica (`CCCD_REPLICA_URL`), in the same run.

The app runs under gunicorn on a fresh PostgreSQL database seeded as the desk bench seeds it
(`bench.desk.seed`: sessions of one district, their desks open, walk-in numbers issued). Three
kinds of client run together for `--seconds`:
- the desks (`--sessions` × `--desks`), each looping call-next → photo → fingerprints → irises →
  signature → finish → dossier → slip as fast as answers come (`bench.desk.one_loop`);
- one hall board per session, polling its state once a second as the hall's screen does;
- `--commanders` commanders, each reading the province's dashboard, the district's and the daily
  report page, with `--think` seconds between pages.
Each request's wall time is kept per endpoint; the report prints p50 and p95 per endpoint for
each layout. The replica is a second PostgreSQL cluster made by `pg_basebackup` from the machine's
server and started on another port (`tests.replica`), so the machine must accept replication
connections from 127.0.0.1 (docs/operations.md, "A reporting replica").

On one machine the replica shares the primary's CPUs: the figure says what the router and the
replay cost and what the primary is spared, not what a second machine would add.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import desk

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timings:
    """Wall times of one kind of request, and the unexpected answers."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    from_replica: int = 0
    reports: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            self.seconds.setdefault(endpoint, []).append(seconds)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)


def commanders(count: int) -> list[str]:
    """Province commanders, logged in with the bench password (the seed makes one)."""
    from tests.builders import make_user

    from cccd.accounts.models import Role, User

    province = User.objects.get(username="bench.commander").unit
    names = []
    for n in range(count):
        user = make_user(f"bench.cmd{n}", Role.COMMANDER, province)
        user.set_password(desk.PASSWORD)
        user.save(update_fields=["password"])
        names.append(user.username)
    return names


def team_leader() -> str:
    from cccd.accounts.models import User

    user = User.objects.get(username="bench.leader")
    user.set_password(desk.PASSWORD)
    user.save(update_fields=["password"])
    return user.username


def report_paths() -> list[tuple[str, str]]:
    from cccd.accounts.models import User

    district = User.objects.get(username="bench.leader").unit
    return [
        ("dashboard: province", "/reports/"),
        ("dashboard: district", f"/reports/units/{district.pk}/"),
        ("daily report page", "/reports/report/"),
    ]


def drive(
    port: int,
    the_seed: desk.Seed,
    bodies: desk.Bodies,
    commander_names: list[str],
    leader: str,
    paths: list[tuple[str, str]],
    seconds: float,
    think: float,
) -> tuple[Timings, float, int]:
    """Every client runs until `seconds` have passed; (timings, elapsed, desk loops done)."""
    timings = Timings()
    loops = [0]
    stop = threading.Event()
    desk_browsers = [desk.Browser(port) for _ in the_seed.desks]
    for b, d in zip(desk_browsers, the_seed.desks, strict=True):
        b.login(d.username)
    boards = [desk.Browser(port) for _ in the_seed.session_ids]
    for b in boards:
        b.login(leader)
    readers = [desk.Browser(port) for _ in commander_names]
    for b, name in zip(readers, commander_names, strict=True):
        b.login(name)

    def run_desk(b: desk.Browser, d: desk.Desk) -> None:
        while not stop.is_set():
            tally = desk.Tally()
            try:
                done = desk.one_loop(b, d, bodies, tally)
            except Exception as exc:  # noqa: BLE001 (reported, the desk goes on)
                timings.error(f"desk: {type(exc).__name__}: {exc}")
                b.conn.close()
                continue
            for step, values in tally.requests.items():
                for value in values:
                    timings.add(f"desk: {step}", value)
            for e in tally.errors:
                timings.error(f"desk: {e}")
            if done:
                loops[0] += 1
            elif tally.dry:
                return

    def run_board(b: desk.Browser, session_id: int) -> None:
        while not stop.wait(1.0):  # the hall's screen polls once a second
            status, _, data, sec = b.request("GET", f"/queue/sessions/{session_id}/board/state/")
            if status != 200:
                timings.error(f"board: HTTP {status} {data[:200]!r}")
            timings.add("board state", sec)

    def run_reader(b: desk.Browser) -> None:
        while not stop.is_set():
            for endpoint, path in paths:
                status, _, data, sec = b.request("GET", path)
                if status != 200:
                    timings.error(f"{endpoint}: HTTP {status} {data[:200]!r}")
                timings.add(endpoint, sec)
                with timings.lock:  # the page says how old its figures are when a replica gave them
                    timings.reports += 1
                    timings.from_replica += b'data-testid="figures-age"' in data
                if stop.wait(think):
                    return

    threads = [
        threading.Thread(target=run_desk, args=a)
        for a in zip(desk_browsers, the_seed.desks, strict=True)
    ]
    threads += [
        threading.Thread(target=run_board, args=a)
        for a in zip(boards, the_seed.session_ids, strict=True)
    ]
    threads += [threading.Thread(target=run_reader, args=(b,)) for b in readers]
    started = time.perf_counter()
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join(timeout=300)
    return timings, time.perf_counter() - started, loops[0]


def summary(layout: str, timings: Timings, elapsed: float, loops: int) -> list[str]:
    lines = [
        f"{layout}: {loops} desk loops in {elapsed:.0f} s ({loops / elapsed:.2f}/s), "
        f"{len(timings.errors)} errors; {timings.from_replica} of {timings.reports} report pages "
        "read from the replica"
    ]
    for endpoint in sorted(timings.seconds):
        values = timings.seconds[endpoint]
        lines.append(
            f"  {endpoint:<24} n={len(values):>5}  p50 {desk.pct(values, 0.5) * 1000:7.0f} ms"
            f"  p95 {desk.pct(values, 0.95) * 1000:7.0f} ms"
        )
    lines += [f"  error: {e}" for e in timings.errors[:5]]
    return lines


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench evening", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--desks", type=int, default=4, help="desks per session")
    parser.add_argument("--commanders", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between a reader's pages")
    parser.add_argument("--seconds", type=float, default=60, help="length of one run")
    parser.add_argument("--runs", type=int, default=3, help="runs of each layout, alternating")
    parser.add_argument("--per-session", type=int, default=600)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--layouts", default="one,replica", help="one server, reports on the replica, or both"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    layouts = [name.strip() for name in args.layouts.split(",")]
    if set(layouts) - {"one", "replica"}:
        raise SystemExit("--layouts takes one, replica or both (one,replica)")
    data_dir = Path(tempfile.mkdtemp(prefix="cccd-bench-evening-"))
    url = desk.fresh_database()
    desk.setup_django(url, data_dir)
    from django.core.management import call_command
    from django.db import connection, connections

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    desk.spread_sequences()
    the_seed = desk.seed(args.sessions, args.desks)
    names = commanders(args.commanders)
    leader = team_leader()
    paths = report_paths()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"seeded in {time.perf_counter() - t:.1f} s; machine: {desk.machine()}", flush=True)
    bodies = desk.Bodies.make()
    replica = None
    if "replica" in layouts:
        from tests.replica import primary_limits, start_standby

        with connection.cursor() as cur:
            limits = primary_limits(cur)
        connections.close_all()
        replica = start_standby(host="127.0.0.1", port="5432", user="postgres", limits=limits)
        print(f"standby streaming on 127.0.0.1:{replica.port}", flush=True)
    results: dict[str, list[tuple[Timings, float, int]]] = {name: [] for name in layouts}
    log = data_dir / "gunicorn.log"
    try:
        for run in range(args.runs):
            for layout in layouts:
                desk.issue(the_seed, args.per_session, rng_seed=1000 + 10 * run + len(layout))
                connections.close_all()
                if layout == "replica" and replica is not None:
                    replica.wait_caught_up(url, timeout=120)
                    os.environ["CCCD_REPLICA_URL"] = re.sub(
                        r":\d+/", f":{replica.port}/", url, count=1
                    )
                else:
                    os.environ.pop("CCCD_REPLICA_URL", None)
                proc = desk.start_gunicorn(url, data_dir, args.port, args.workers, 1, log)
                try:
                    outcome = drive(
                        args.port, the_seed, bodies, names, leader, paths, args.seconds, args.think
                    )
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                results[layout].append(outcome)
                print("\n".join(summary(f"run {run + 1}, {layout}", *outcome)), flush=True)
    finally:
        if replica is not None:
            replica.stop()
        connections.close_all()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\nmedians over {args.runs} runs (p95 of each run, then the median):", flush=True)
    endpoints = sorted({e for runs in results.values() for r in runs for e in r[0].seconds})
    header = f"{'endpoint':<24}" + "".join(f"  {name:>14}" for name in layouts)
    print(header)
    for endpoint in endpoints:
        cells = []
        for name in layouts:
            p95s = [desk.pct(r[0].seconds.get(endpoint, []), 0.95) for r in results[name]]
            cells.append(f"  {sorted(p95s)[len(p95s) // 2] * 1000:11.0f} ms")
        print(f"{endpoint:<24}" + "".join(cells))
    for name in layouts:
        rates = sorted(loops / elapsed for _t, elapsed, loops in results[name])
        errors = sum(len(t.errors) for t, _e, _l in results[name])
        print(f"{name}: desk loops/s median {rates[len(rates) // 2]:.2f}, {errors} errors in all")
