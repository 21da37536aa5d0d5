"""`cccd link` on a Spark standalone cluster against DuckDB: the same file, and the times.

`python -m bench spark_cluster` starts a standalone master and one worker from pyspark's own
jars (`spark-class org.apache.spark.deploy.master.Master` / `…worker.Worker`) on 127.0.0.1 at free
ports, runs `cccd link --engine spark` with `CCCD_SPARK_MASTER=spark://127.0.0.1:PORT` and
`cccd link` on DuckDB on the same register and roster (bench/linkage_data.py's, made once), says
whether the two result files are equal byte for byte, and stops both JVMs by their PIDs.

Spark's driver and executors get `--memory` (default 3g) through a spark-defaults.conf of the
run's own (`SPARK_CONF_DIR`): Spark's default 1g runs out on 100,000 people.

Options: `--people N` (register, default 100,000), `--rows N` (roster, default 2,000), `--cores N`
(the worker's, default 2), `--memory SIZE`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60.0  # seconds the master or the worker may take to start


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def start(command: list[str], log: Path, env: dict[str, str], ready: str) -> subprocess.Popen:
    """A JVM of the cluster, started in its own process group; waits for ``ready`` in its log."""
    proc = subprocess.Popen(  # noqa: S603 (pyspark's own launcher, arguments of ours)
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + DEADLINE
    while ready not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise SystemExit(f"{command[1]} did not start; its log: {log}")
        time.sleep(0.2)  # poll the log; the deadline bounds the wait
    return proc


def stop(proc: subprocess.Popen) -> None:
    """Stop a JVM of the cluster (and the executors it started) by its process group."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def link(register: Path, roster: Path, out: Path, env: dict[str, str], engine: str) -> float:
    command = [sys.executable, "-m", "cccd", "link", "--engine", engine]
    command += ["--register", str(register), "--roster", str(roster), "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["(nothing on stderr)"])[-1]
        raise SystemExit(f"cccd link --engine {engine} failed: {tail}")
    print(f"  {engine}: {seconds:.1f} s — {done.stdout.strip()}", flush=True)
    return seconds


def main(argv: Sequence[str] = ()) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench spark_cluster")
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=2_000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--memory", default="3g")
    options = parser.parse_args(list(argv))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
    import django

    django.setup()
    from tests.replica import free_port

    from bench import linkage_data

    register = linkage_data.ensure_register(1, options.people)
    roster = linkage_data.ensure_roster(register, rows=options.rows, seed=5).roster
    folder = Path(tempfile.mkdtemp(prefix="cccd-bench-spark-"))
    conf = folder / "conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text(
        f"spark.driver.memory {options.memory}\nspark.executor.memory {options.memory}\n",
        encoding="utf-8",
    )
    home = spark_home()
    env = dict(
        os.environ,
        SPARK_HOME=str(home),
        SPARK_CONF_DIR=str(conf),
        SPARK_LOG_DIR=str(folder),
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        CCCD_DEBUG="0",
    )
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    port = free_port()
    launcher = str(home / "bin" / "spark-class")
    master = start(
        [launcher, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1"]
        + ["--port", str(port), "--webui-port", str(free_port())],
        folder / "master.log",
        env,
        "I have been elected leader",
    )
    worker = None
    try:
        worker = start(
            [launcher, "org.apache.spark.deploy.worker.Worker", f"spark://127.0.0.1:{port}"]
            + ["--host", "127.0.0.1", "--cores", str(options.cores)]
            + ["--memory", options.memory, "--webui-port", str(free_port())]
            + ["--work-dir", str(folder / "work")],
            folder / "worker.log",
            env,
            "Successfully registered with master",
        )
        print(
            f"{options.rows:,} rows against {options.people:,} people; a master and one worker "
            f"({options.cores} cores, {options.memory}) on 127.0.0.1:{port}",
            flush=True,
        )
        duckdb = link(register, roster, folder / "duckdb.csv", env, "duckdb")
        cluster_env = dict(env, CCCD_SPARK_MASTER=f"spark://127.0.0.1:{port}")
        spark = link(register, roster, folder / "cluster.csv", cluster_env, "spark")
        same = (folder / "duckdb.csv").read_bytes() == (folder / "cluster.csv").read_bytes()
        print(
            f"  the same file byte for byte: {'yes' if same else 'NO'}; spark / duckdb "
            f"{spark / duckdb:.0f}×",
            flush=True,
        )
    finally:
        if worker is not None:
            stop(worker)
        stop(master)
        shutil.rmtree(folder, ignore_errors=True)
