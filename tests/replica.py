"""A hot standby of a PostgreSQL server, made and started here for the replica tests and the
evening benchmark (`bench/evening.py`): `pg_basebackup` of the server, then `pg_ctl` on a free
port of 127.0.0.1, stopped by its postmaster's PID.

The server must accept replication connections from 127.0.0.1: Debian's default pg_hba.conf does
not, and `.ci/run` adds the line before the PostgreSQL pass (docs/operations.md, "A reporting
replica"). A refusal raises `ReplicationRefused` with the line to add.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

DEADLINE = 30.0  # seconds any wait on the standby may take
LIMITS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
"""Settings a hot standby must not set below its primary's: copied from the primary."""


class ReplicationRefused(RuntimeError):
    """The server's pg_hba.conf has no line for replication connections from this host."""


class ServerProgramMissing(RuntimeError):
    """PostgreSQL's server programs (pg_basebackup, pg_ctl) are not installed."""


@dataclass
class Standby:
    port: int
    data: Path
    folder: Path
    pg_ctl: str

    def sql(self, statement: str) -> Any:
        """One statement on the standby's maintenance database, as the superuser."""
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="postgres", autocommit=True
        ) as conn:
            row = conn.execute(statement).fetchone()
            return row[0] if row else None

    def accepts(self) -> bool:
        try:
            return bool(self.sql("SELECT pg_is_in_recovery()"))
        except psycopg.OperationalError:
            return False

    def wait_until(self, condition: Any, what: str, timeout: float = DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {what}")
            time.sleep(0.05)  # poll the condition; its deadline bounds the wait

    def wait_caught_up(self, primary_dsn: str, timeout: float = DEADLINE) -> None:
        """Until the standby has replayed what the primary had written when this was called."""
        with psycopg.connect(primary_dsn, autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        target = row[0] if row else "0/0"
        self.wait_until(
            lambda: bool(self.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")),
            "the standby to catch up",
            timeout,
        )

    def stop(self) -> None:
        """Stop the standby by its postmaster's PID, whatever state it is in; remove its folder."""
        try:
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():
                pid = int(pid_file.read_text(encoding="ascii").split("\n", 1)[0])
                stopped = _run(
                    [self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "-t", "30", "stop"]
                )
                if stopped.returncode != 0:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_standby(
    *, host: str, port: str, user: str, password: str = "", limits: dict[str, str]
) -> Standby:
    """A hot standby of the server at host:port, streaming from it, accepting connections.

    ``limits`` are the primary's values of `LIMITS` (`primary_limits`).
    """
    version = _major_version(host, port, user, password)
    folder = Path(tempfile.mkdtemp(prefix="cccd-replica-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    env = {"PGPASSWORD": password} if password else None
    pg_ctl = _binary("pg_ctl", version)
    standby = Standby(port=0, data=data, folder=folder, pg_ctl=pg_ctl)
    try:
        backup = _run(
            [_binary("pg_basebackup", version), "-h", host, "-p", port, "-U", user]
            + ["-D", str(data), "-R", "-X", "stream", "-c", "fast"],
            env=env,
        )
        if "no pg_hba.conf entry for replication" in backup.stderr:
            raise ReplicationRefused(
                f"the PostgreSQL server at {host}:{port} refuses replication connections: add "
                f"the line `host replication {user} {host}/32 trust` (or a password method) to "
                "its pg_hba.conf, then `SELECT pg_reload_conf()`"
            )
        if backup.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {backup.stderr}")
        standby.port = free_port()
        # Debian keeps the configuration outside the data folder: the standby gets its own.
        (data / "postgresql.conf").write_text(
            "".join(f"{name} = {value}\n" for name, value in limits.items())
            + "hot_standby = on\nshared_buffers = 32MB\nfsync = off\n",
            encoding="utf-8",
        )
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 trust\n", encoding="utf-8"
        )
        options = (
            f"-p {standby.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder}"
        )
        started = _run(
            [pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-o", options]
            + ["-w", "-t", "30", "start"]
        )
        if started.returncode != 0:
            raise RuntimeError(f"the standby did not start: {started.stderr}")
        standby.wait_until(standby.accepts, "the standby to accept connections")
    except BaseException:
        standby.stop()
        raise
    return standby


def primary_limits(cursor: Any) -> dict[str, str]:
    """The primary's values of `LIMITS`, read through a DB-API cursor on it."""
    cursor.execute("SELECT name, setting FROM pg_settings WHERE name = ANY(%s)", [list(LIMITS)])
    return dict(cursor.fetchall())


def _major_version(host: str, port: str, user: str, password: str) -> int:
    with psycopg.connect(
        host=host, port=port, user=user, password=password or None, dbname="postgres"
    ) as conn:
        row = conn.execute("SELECT current_setting('server_version_num')::int / 10000").fetchone()
    return int(row[0]) if row else 0


def free_port() -> int:
    """A port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _binary(name: str, version: int) -> str:
    """The PostgreSQL program of the server's major version (Debian keeps them per version)."""
    for candidate in [f"/usr/lib/postgresql/{version}/bin/{name}", shutil.which(name)]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise ServerProgramMissing(
            f"{name} is not installed: a standby needs PostgreSQL's server programs"
        )
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's programs refuse to run a server as root: run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(
    command: list[str], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (PostgreSQL's own programs, arguments of ours)
        _as_postgres(command),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )
