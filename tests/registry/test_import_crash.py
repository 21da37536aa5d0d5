"""Must show (issue 12): a worker killed during a 100,000-row import; another worker started
afterwards finishes it by itself, with every row exactly once.

Real `cccd db_worker` processes run on the test database (a file on SQLite; PostgreSQL's test
database when DATABASE_URL names one), with the files in the test's own folder and a five-second
lease. Every wait polls the database and is bounded; nothing waits for a fixed time.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import UploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import QuerySet
from django_tasks_db.models import DBTaskResult

from cccd.accounts.models import AuditEvent, User
from cccd.registry import importing, services
from cccd.registry.models import Person, RegisterImport, RejectedRow

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = 100_000
LEASE_SECONDS = 5  # long enough for a batch on a busy machine, short enough to wait for
CCCD = Path(sys.executable).with_name("cccd")


def _database_url() -> str:
    """The test database as the worker processes must open it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in str(db["NAME"]), "the test database must be a file"
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgresql://{db['USER']}{password}@{db.get('HOST') or '127.0.0.1'}:"
        f"{db.get('PORT') or 5432}/{db['NAME']}"
    )


@pytest.fixture
def worker_env(tmp_path: Path) -> dict[str, str]:
    """The test's settings for a worker: its database, its files (`tmp_path/media`, as the test's
    storage), a short lease, tasks on the database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCCD_", "DATABASE_URL"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "cccd.settings",
        "DATABASE_URL": _database_url(),
        "CCCD_DATA_DIR": str(tmp_path),
        "CCCD_SECRET_KEY": secrets.token_urlsafe(40),
        "CCCD_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "CCCD_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def start_worker(
    worker_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        args = [str(CCCD), "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"]
        process = subprocess.Popen(args, env=worker_env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        started.append(process)
        return process

    yield start
    for process in started:  # a failed test leaves no worker behind
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def _wait_for(what: str, condition: Callable[[], bool], *, within: float, logs: Path) -> None:
    """Poll the database until `condition` holds; fail, with the workers' logs, after `within` s."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"{p.name}: {p.read_text()[-2000:]}" for p in logs.glob("*.log"))
            pytest.fail(f"gave up waiting {within:.0f} s for {what}\n{tails}")
        time.sleep(0.05)


def _unfinished_tasks() -> QuerySet[DBTaskResult]:
    """A batch that outlasted the lease on a busy machine gets a worker to queue the import again;
    that copy finds the import done (or ends when it loses the lease), and ends too."""
    return DBTaskResult.objects.filter(status__in=["READY", "RUNNING"])


def _import(pk: int) -> RegisterImport:
    return RegisterImport.objects.select_related("job").get(pk=pk)


def test_a_worker_killed_mid_import_leaves_it_to_the_next_worker_which_finishes_every_row_once(
    tmp_path: Path,
    settings: object,
    administrator: User,
    start_worker: Callable[[str], subprocess.Popen[bytes]],
) -> None:
    call_command("load_units", "--scheme", "legacy", "67", stdout=io.StringIO())
    register = tmp_path / "register.csv"
    call_command(
        "generate_register",
        "--out",
        str(register),
        "--people",
        str(ROWS),
        "--districts",
        "663",
        stdout=io.StringIO(),
    )
    with register.open(encoding="utf-8") as handle:
        ids_in_file = [row["personal_id"] for row in csv.DictReader(handle)]
    assert len(ids_in_file) == ROWS

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # type: ignore[attr-defined]
    with register.open("rb") as handle:
        upload = UploadedFile(handle, name="register.csv", size=register.stat().st_size)
        pk = services.start_import(upload, actor=administrator).pk
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # queued, not run here

    first = start_worker("first")
    some_batches = 2 * importing.BATCH
    _wait_for(
        "some batches to be committed",
        lambda: _import(pk).rows_done >= some_batches,
        within=180,
        logs=tmp_path,
    )
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = _import(pk)
    assert some_batches <= killed_at.rows_done < ROWS  # killed mid-way, at a committed batch
    assert killed_at.state == RegisterImport.State.RUNNING
    dead_task = DBTaskResult.objects.get()
    assert dead_task.status == "RUNNING"  # django-tasks-db never notices a dead worker

    _wait_for(
        "the page to say stopped once the lease expires",
        lambda: _import(pk).status == "stopped",
        within=LEASE_SECONDS + 60,
        logs=tmp_path,
    )
    assert _import(pk).job.resumes_by_itself  # type: ignore[union-attr]

    second = start_worker("second")
    _wait_for(
        "the import to finish",
        lambda: _import(pk).state == RegisterImport.State.DONE,
        within=600,
        logs=tmp_path,
    )
    _wait_for(
        "every task to have ended",
        lambda: not _unfinished_tasks().exists(),
        within=120,
        logs=tmp_path,
    )
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=60)

    done = _import(pk)
    assert done.status == "done" and done.job.status == "done"  # type: ignore[union-attr]
    assert done.rows_done == done.total_rows == ROWS
    assert (
        done.created + done.updated + done.unchanged + done.rejected == ROWS
    )  # each row counted once
    rejected = list(
        RejectedRow.objects.filter(register_import=done).values_list("row_number", flat=True)
    )
    assert len(rejected) == len(set(rejected)) == done.rejected  # no rejected row twice
    people = Person.objects.filter(last_import=done)
    assert people.count() == done.created == ROWS - done.rejected
    rejected_ids = {r.values.get("personal_id") for r in done.rejected_rows.all()}
    assert set(people.values_list("personal_id", flat=True)) == set(ids_in_file) - rejected_ids
    assert (
        AuditEvent.objects.filter(action="register_import.finish", object_id=str(pk)).count() == 1
    )
    resumes = AuditEvent.objects.filter(action="job.resume", object_id=str(done.job_id))
    # resumed by a worker, not a person (again if a batch outlasted the lease on a busy machine)
    assert resumes.exists() and {e.source.split(":")[0] for e in resumes} == {"worker"}
    dead_task.refresh_from_db()
    assert dead_task.status == "FAILED"  # and the dead worker's task no longer shows as running
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").exists()
