"""Register deduplication benchmark: `cccd dedupe_register` on registers with planted duplicates.

`python -m bench dedupe` generates (once, cached in bench/data/dedupe/) a register of provinces 67
and 52 (names as concentrated as Vietnam's, the hard case for blocking) with a second record
planted for 0.5 % of its people (`cccd.demo.generator.generate_people(plant_duplicates=…)`: a new
personal ID and residence; sometimes a typo, no diacritics, day and month swapped, no parents),
then runs `cccd dedupe_register` end to end as a subprocess: wall time, peak RSS (`os.wait4`),
its summary line, and the precision and recall of what it wrote against the planted truth, at
each probability from the review threshold up (the pairs file lists them all) and for the
clustered pairs.

Options: `--people N` (repeatable; default 1,000,000), `--rate R` (share of people planted twice,
default 0.005), `--kind default|vietnam` (default vietnam), `--seed S`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "dedupe"
PROVINCES = ("67", "52")
REFERENCE_DATE = dt.date(2021, 1, 15)
CUTS = (0.01, 0.1, 0.5, 0.9, 0.99, 0.999)


def ensure_register(seed: int, people: int, rate: float, kind: str) -> tuple[Path, Path]:
    """(register CSV, truth CSV) of ``people`` people with ``rate`` of them planted twice."""
    from cccd.demo.generator import (
        DUPLICATE_TRUTH_COLUMNS,
        communes_for_provinces,
        generate_people,
        write_csv,
    )

    planted = round(people * rate)
    stem = f"register-s{seed}-{people}-{kind}-d{planted}"
    register, truth = DATA / f"{stem}.csv", DATA / f"{stem}-truth.csv"
    if register.exists() and truth.exists():
        return register, truth
    DATA.mkdir(parents=True, exist_ok=True)
    pairs: list[tuple[str, str, str]] = []
    rows = generate_people(
        seed=seed,
        communes=communes_for_provinces(PROVINCES),
        people=people,
        reference_date=REFERENCE_DATE,
        concentration=kind,
        plant_duplicates=planted,
        truth=lambda *pair: pairs.append(pair),
    )
    partial = register.with_suffix(".partial")
    write_csv(rows, partial)
    with truth.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(DUPLICATE_TRUTH_COLUMNS)
        writer.writerows(pairs)
    partial.rename(register)
    return register, truth


def run_dedupe(register: Path, out: Path) -> tuple[float, int, str]:
    """`cccd dedupe_register` as a subprocess: wall seconds, peak RSS in MiB, its summary."""
    env = dict(os.environ, CCCD_DEBUG="0", DJANGO_SETTINGS_MODULE="cccd.settings")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "cccd", "dedupe_register"]
    command += ["--register", str(register), "--out", str(out), "--threshold", str(CUTS[0])]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)  # noqa: S603 (our own command)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise RuntimeError(f"dedupe_register failed:\n{stderr.read().decode()[-3000:]}")
        line = stdout.read().decode().strip().splitlines()[-1]
    return elapsed, usage.ru_maxrss // 1024, line


def quality(out: Path, truth_path: Path) -> dict[str, Any]:
    """Precision and recall of the listed pairs at each of `CUTS`, and of the clustered ones."""
    with truth_path.open(encoding="utf-8", newline="") as file:
        truth = {
            tuple(sorted((row["personal_id"], row["duplicate_id"]))) for row in csv.DictReader(file)
        }
    with (out / "pairs.csv").open(encoding="utf-8", newline="") as file:
        pairs = list(csv.DictReader(file))
    figures: dict[str, Any] = {"planted": len(truth)}
    for cut in CUTS:
        listed = {
            tuple(sorted((p["personal_id_l"], p["personal_id_r"])))
            for p in pairs
            if float(p["match_probability"]) >= cut
        }
        figures[f"listed_{cut}"] = _scores(listed, truth)
    clustered = {
        tuple(sorted((p["personal_id_l"], p["personal_id_r"]))) for p in pairs if p["cluster_id"]
    }
    figures["clustered"] = _scores(clustered, truth)
    return figures


def _scores(found: set[tuple[str, ...]], truth: set[tuple[str, ...]]) -> dict[str, Any]:
    hits = len(found & truth)
    return {
        "pairs": len(found),
        "true": hits,
        "precision": hits / len(found) if found else 1.0,
        "recall": hits / len(truth) if truth else 1.0,
    }


def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dedupe")
    parser.add_argument("--people", type=int, action="append", default=[])
    parser.add_argument("--rate", type=float, default=0.005)
    parser.add_argument("--kind", choices=("default", "vietnam"), default="vietnam")
    parser.add_argument("--seed", type=int, default=19)
    options = parser.parse_args(list(argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    report: dict[str, Any] = {
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg(),
        "runs": [],
    }
    for people in options.people or [1_000_000]:
        started = time.perf_counter()
        register, truth = ensure_register(options.seed, people, options.rate, options.kind)
        generated = time.perf_counter() - started
        out = DATA / f"out-{register.stem}"
        out.mkdir(exist_ok=True)
        seconds, peak, line = run_dedupe(register, out)
        figures = quality(out, truth)
        report["runs"].append(
            {
                "people": people,
                "kind": options.kind,
                "generate_seconds": generated,
                "seconds": seconds,
                "peak_rss_mib": peak,
                "summary": line,
                "quality": figures,
                "load_after": os.getloadavg(),
            }
        )
        print(f"{people:,} people ({options.kind}, {figures['planted']:,} planted):", flush=True)
        print(f"  {seconds:.1f} s, peak RSS {peak:,} MiB — {line}")
        for key in [f"listed_{cut}" for cut in CUTS] + ["clustered"]:
            s = figures[key]
            print(
                f"  {key:>14}: {s['pairs']:,} pairs, precision {s['precision']:.2%}, "
                f"recall {s['recall']:.2%}"
            )
        print(f"  load average after: {os.getloadavg()}", flush=True)
    stamp = re.sub(r"\D", "", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))[:14]
    path = DATA / f"dedupe-results-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    print(f"figures in {path.relative_to(ROOT)}")
