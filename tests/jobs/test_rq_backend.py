"""Background tasks on Redis through RQ (issue 19): CCCD_TASKS_BACKEND=rq, `cccd rq_worker`.

Against the machine's Redis (skipped, with the reason, when none answers at 127.0.0.1:6379), in a
Redis database this run claims for itself (a lock key in db 0, an empty db, emptied at the end), so
parallel runs never take each other's tasks. Workers are real `cccd rq_worker` processes on the
test database (a file on SQLite; PostgreSQL's test database with DATABASE_URL), each started in a
process group of its own and stopped by its id. Every wait polls and is bounded.
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
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.core.management import call_command
from django.db import connection

from cccd import environment
from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.jobs import queues, recovery
from cccd.jobs.models import Job
from cccd.registry import importing, services
from cccd.registry.models import Person, RegisterImport, RejectedRow
from tests.jobs.test_roster_and_report_jobs import _class_list

redis = pytest.importorskip("redis", reason="the broker packages are not installed (.[broker])")
pytest.importorskip("django_tasks_rq", reason="the broker packages are not installed (.[broker])")

pytestmark = pytest.mark.xdist_group("rq")
# workers in other processes see only what is committed
on_a_shared_database = pytest.mark.django_db(transaction=True)

REDIS = "redis://127.0.0.1:6379"
MARK = "cccd-tests:claimed"  # in a Redis database these tests use, beside RQ's keys
LEASE_SECONDS = 5  # a batch of 2,000 rows takes well under that, even on a busy machine
ROWS = 6 * importing.BATCH


def _redis_answers() -> bool:
    try:
        return bool(redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


if not _redis_answers():
    pytest.skip("no Redis answers at 127.0.0.1:6379", allow_module_level=True)


@pytest.fixture(scope="module")
def redis_db() -> Iterator[int]:
    """A Redis database of this run's own: the first of 1–15 whose lock this run takes and that is
    empty or marked as these tests'; emptied and unlocked at the end (never one that held
    anything else)."""
    locks = redis.Redis.from_url(f"{REDIS}/0")
    token = f"{os.getpid()}:{secrets.token_hex(4)}"
    for number in range(15, 0, -1):
        lock = f"cccd-tests:redis-db:{number}"
        if not locks.set(lock, token, nx=True, ex=900):
            continue
        db = redis.Redis.from_url(f"{REDIS}/{number}")
        if db.dbsize() and not db.exists(MARK):  # someone else's data: leave it alone
            locks.delete(lock)
            continue
        db.flushdb()  # empty, or left by a run of these tests that died (its lock expired)
        db.set(MARK, token)
        try:
            yield number
        finally:
            db.flushdb()
            if locks.get(lock) == token.encode():
                locks.delete(lock)
        return
    pytest.skip("no free Redis database among 1-15")


@pytest.fixture
def on_rq(settings: Any, redis_db: int) -> str:
    """This process enqueues on Redis, as a deployment with CCCD_TASKS_BACKEND=rq does."""
    url = f"{REDIS}/{redis_db}?socket_connect_timeout=5"
    settings.RQ_QUEUES = {"default": {"URL": url, "DEFAULT_TIMEOUT": 3600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.CCCD_JOB_LEASE_SECONDS = LEASE_SECONDS
    return url


def _empty(url: str) -> None:
    """Forget every task in this run's Redis database (keeping the mark that it is these tests')."""
    db = redis.Redis.from_url(url)
    mark = db.get(MARK)
    db.flushdb()
    if mark is not None:
        db.set(MARK, mark)


def _database_url() -> str:
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
def start_worker(on_rq: str, tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[bytes]]]:
    """`cccd rq_worker` processes on the test's database, files and Redis database. Each leads a
    process group of its own (its scheduler is a child), killed whole at the end."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCCD_", "DATABASE_URL"))}
    env |= {
        "DJANGO_SETTINGS_MODULE": "cccd.settings",
        "DATABASE_URL": _database_url(),
        "CCCD_DATA_DIR": str(tmp_path),
        "CCCD_SECRET_KEY": secrets.token_urlsafe(40),
        "CCCD_TASKS_BACKEND": "rq",
        "CCCD_REDIS_URL": on_rq,
        "CCCD_JOB_LEASE_SECONDS": str(LEASE_SECONDS),
        "CCCD_LOG_LEVEL": "WARNING",
    }
    started: list[subprocess.Popen[bytes]] = []

    def start(name: str) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{name}.log").open("wb")
        args = [
            sys.executable,
            "-m",
            "cccd",
            "rq_worker",
            "--name",
            f"{name}-{secrets.token_hex(3)}",
        ]
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and command)
            args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        started.append(process)
        return process

    yield start
    for process in started:  # a failed test leaves no worker (nor its scheduler) behind
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def _logs(folder: Path) -> str:
    """The ends of the workers' logs, for a failure's message."""
    return "\n".join(f"{p.name}: {p.read_text()[-2000:]}" for p in sorted(folder.glob("*.log")))


def _wait_for(what: str, condition: Callable[[], bool], *, within: float, logs: Path) -> None:
    """Poll until `condition` holds; fail, with the workers' logs, after `within` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting {within:.0f} s for {what}\n{_logs(logs)}")
        time.sleep(0.05)


def _import(pk: int) -> RegisterImport:
    return RegisterImport.objects.select_related("job").get(pk=pk)


def _finished(pk: int) -> bool:
    """The import is done and its worker has let the lease go."""
    done = _import(pk)
    return done.state == RegisterImport.State.DONE and getattr(done.job, "state", "") == "done"


def _register(tmp_path: Path, people: int) -> tuple[Path, list[str]]:
    call_command("load_units", "--scheme", "legacy", "67", stdout=io.StringIO())
    register = tmp_path / "register.csv"
    call_command(
        "generate_register",
        "--out",
        str(register),
        "--people",
        str(people),
        "--districts",
        "663",
        stdout=io.StringIO(),
    )
    with register.open(encoding="utf-8") as handle:
        return register, [row["personal_id"] for row in csv.DictReader(handle)]


def _start_import(register: Path, actor: User) -> int:
    with register.open("rb") as handle:
        upload = UploadedFile(handle, name="register.csv", size=register.stat().st_size)
        return services.start_import(upload, actor=actor).pk


def _rq_status(task_id: str) -> str:
    from django_tasks_rq import RQBackend

    backend = RQBackend("default", {})
    return str(backend.get_result(task_id).status)


@on_a_shared_database
def test_a_worker_killed_mid_import_leaves_it_to_another_worker_which_writes_every_row_once(
    tmp_path: Path,
    administrator: User,
    start_worker: Callable[[str], subprocess.Popen[bytes]],
) -> None:
    register, ids_in_file = _register(tmp_path, ROWS)
    assert len(ids_in_file) == ROWS
    pk = _start_import(register, administrator)
    first_task = _import(pk).job.task_result_id  # type: ignore[union-attr]
    assert _rq_status(first_task) == "READY"  # on Redis, not run in this process

    workers = {start_worker("a"), start_worker("b")}  # two machines' workers, one task
    _wait_for(
        "a batch to be committed",
        lambda: _import(pk).rows_done >= importing.BATCH,
        within=120,
        logs=tmp_path,
    )
    holder = _import(pk).job.holder  # type: ignore[union-attr]
    killed = next(w for w in workers if f":{w.pid}:" in holder)
    os.killpg(killed.pid, signal.SIGKILL)  # the machine went away: worker and scheduler
    killed.wait(timeout=30)
    killed_at = _import(pk)
    assert importing.BATCH <= killed_at.rows_done < ROWS, _logs(tmp_path)  # killed mid-way
    assert _rq_status(first_task) == "RUNNING", _logs(tmp_path)  # RQ does not know yet

    (survivor,) = workers - {killed}
    _wait_for(
        "the other worker to finish the import and let its lease go",
        lambda: _finished(pk),
        within=120,
        logs=tmp_path,
    )
    assert survivor.poll() is None, _logs(tmp_path)
    done = _import(pk)
    assert done.status == "done" and done.job.status == "done"  # type: ignore[union-attr]
    assert done.rows_done == done.total_rows == ROWS
    assert done.created + done.updated + done.unchanged + done.rejected == ROWS  # each row once
    rejected = list(
        RejectedRow.objects.filter(register_import=done).values_list("row_number", flat=True)
    )
    assert len(rejected) == len(set(rejected)) == done.rejected  # none rejected twice
    people = Person.objects.filter(last_import=done)
    assert people.count() == done.created == ROWS - done.rejected  # none doubled, none lost
    rejected_ids = {r.values.get("personal_id") for r in done.rejected_rows.all()}
    assert set(people.values_list("personal_id", flat=True)) == set(ids_in_file) - rejected_ids
    assert (
        AuditEvent.objects.filter(action="register_import.finish", object_id=str(pk)).count() == 1
    )
    resumes = AuditEvent.objects.filter(action="job.resume", object_id=str(done.job_id))
    assert resumes.exists() and {e.source.split(":")[0] for e in resumes} == {"worker"}
    assert _rq_status(first_task) == "FAILED"  # the dead worker's task no longer shows running
    _wait_for(
        "RQ to note the task's success",
        lambda: _rq_status(done.job.task_result_id) == "SUCCESSFUL",  # type: ignore[union-attr]
        within=30,
        logs=tmp_path,
    )

    # The survivor is stopped by the fixture (SIGKILL to its group). Not asserted here: RQ's warm
    # shutdown (SIGTERM) was seen to spin for over a minute after "unsubscribing from channel" on a
    # machine loaded 3-4 times over; the lease makes a worker killed at any moment harmless.


@on_a_shared_database
def test_a_task_redis_forgot_or_never_got_is_sent_again_by_the_recovery(
    on_rq: str, administrator: User, tmp_path: Path
) -> None:
    register, _ids = _register(tmp_path, 10)
    pk = _start_import(register, administrator)
    job = _import(pk).job
    assert job is not None and job.state == Job.State.QUEUED
    forgotten = job.task_result_id
    _empty(on_rq)  # Redis restarted; it keeps nothing on disk

    assert [j.pk for j in recovery.resume_abandoned_jobs()] == [job.pk]
    job.refresh_from_db()
    assert job.task_result_id not in {"", forgotten}
    assert _rq_status(job.task_result_id) == "READY"
    assert recovery.resume_abandoned_jobs() == []  # queued once, not at every look


@on_a_shared_database
def test_the_page_of_a_queued_import_names_the_worker_that_will_take_it(
    on_rq: str, administrator: User, tmp_path: Path, client: Any
) -> None:
    from django.urls import reverse

    register, _ids = _register(tmp_path, 10)
    pk = _start_import(register, administrator)
    client.force_login(administrator)
    page = client.get(reverse("register_import", args=[pk])).content.decode()
    assert "Waiting for a background worker (cccd rq_worker) to take it." in page
    assert "db_worker" not in page


@on_a_shared_database
def test_a_roster_whose_task_redis_refused_after_the_check_is_sent_by_the_recovery(
    on_rq: str, monkeypatch: pytest.MonkeyPatch, session: Session, officer_dakmil: User
) -> None:
    """Redis answered the check, then failed the hand-over after the commit: no 500, the roster's
    job is kept queued as unsent, and a worker's recovery sends it (without counting it as a
    worker that died)."""
    from django_tasks_rq import RQBackend

    from cccd.rosters import services as rosters
    from cccd.rosters.models import Roster

    def down(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(RQBackend, "enqueue", down)
    roster = rosters.upload_roster(
        session.pk, SimpleUploadedFile("ds.xlsx", _class_list()), actor=officer_dakmil
    )
    job = Job.objects.get(kind="roster", key=str(roster.pk))
    assert (job.state, job.task_result_id) == (Job.State.QUEUED, queues.UNSENT)
    assert Roster.objects.get(pk=roster.pk).state == Roster.State.UPLOADED

    monkeypatch.undo()
    assert [j.pk for j in recovery.resume_abandoned_jobs()] == [job.pk]
    job.refresh_from_db()
    assert job.task_result_id not in {"", queues.UNSENT} and job.auto_resumes == 0
    assert _rq_status(job.task_result_id) == "READY"


def test_a_notification_for_later_waits_in_redis_for_its_time(on_rq: str) -> None:
    """The next attempt of a message is deferred: RQ's scheduler (run by a `cccd rq_worker`)
    queues it at its time; one due now is queued at once."""
    import datetime

    import django_rq
    from django.utils import timezone

    from cccd.notify.tasks import schedule

    queue = django_rq.get_queue("default")
    scheduled, waiting = queue.scheduled_job_registry.count, queue.count
    schedule(987654, timezone.now() + datetime.timedelta(hours=1))
    assert (queue.scheduled_job_registry.count, queue.count) == (scheduled + 1, waiting)
    schedule(987654, None)
    assert (queue.scheduled_job_registry.count, queue.count) == (scheduled + 1, waiting + 1)
    _empty(on_rq)  # no worker of a later test sends it


def test_a_notification_the_broker_failed_to_take_is_left_to_send_notifications(
    on_rq: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Scheduled after the commit that saved the message: a Redis failure there must not turn the
    request that queued it into an error; the message waits for `cccd send_notifications`."""
    from django_tasks_rq import RQBackend

    from cccd.notify.tasks import schedule

    def down(*args: object, **kwargs: object) -> None:
        raise redis.ConnectionError("Connection refused.")

    monkeypatch.setattr(RQBackend, "enqueue", down)
    schedule(987654, None)
    assert "left to cccd send_notifications" in caplog.text


@on_a_shared_database
def test_an_unreachable_redis_refuses_the_import_before_anything_is_saved(
    settings: Any, administrator: User
) -> None:
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0?socket_connect_timeout=2"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    upload = SimpleUploadedFile("register.csv", b"personal_id,full_name\n001099012345,A\n")
    with pytest.raises(DomainError) as refused:
        services.start_import(upload, actor=administrator)
    assert refused.value.code == "TASK_QUEUE_UNREACHABLE" and refused.value.status == 503
    assert "nothing was saved" in refused.value.message
    assert not RegisterImport.objects.exists() and not Job.objects.exists()


@on_a_shared_database
def test_the_page_and_the_api_say_so_when_redis_is_unreachable(
    settings: Any, administrator: User, client: Any
) -> None:
    from django.urls import reverse

    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0?socket_connect_timeout=2"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    client.force_login(administrator)
    content = b"personal_id,full_name\n001099012345,A\n"
    page = client.post(
        reverse("register_imports"), {"file": SimpleUploadedFile("register.csv", content)}
    )
    assert page.status_code == 503
    assert "nothing was saved" in page.content.decode()
    api = client.post(
        "/api/v1/registry/imports", {"file": SimpleUploadedFile("register.csv", content)}
    )
    assert api.status_code == 503
    assert api.json()["code"] == "TASK_QUEUE_UNREACHABLE"
    assert not RegisterImport.objects.exists() and not Job.objects.exists()


def test_rq_worker_refuses_on_another_backend_or_an_unreachable_redis(settings: Any) -> None:
    from django.core.management.base import CommandError

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with pytest.raises(CommandError, match="run `cccd db_worker`"):
        call_command("rq_worker", "--burst")
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0?socket_connect_timeout=2"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    with pytest.raises(CommandError, match="cannot be reached"):
        call_command("rq_worker", "--burst")


def test_a_bad_tasks_backend_stops_start_up_with_a_sentence() -> None:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CCCD_TASKS")}
    completed = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-m", "cccd", "check"],
        env={**clean, "DJANGO_SETTINGS_MODULE": "cccd.settings", "CCCD_TASKS_BACKEND": "bogus"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "CCCD_TASKS_BACKEND='bogus' is not one of database, immediate, rq" in completed.stderr
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CCCD_TASKS_BACKEND": "bogus"}, "CCCD_TASKS_BACKEND='bogus' is not one of database"),
        ({"CCCD_TASKS_BACKEND": ""}, "CCCD_TASKS_BACKEND is set but empty"),
        ({"CCCD_TASKS_BACKEND": "database", "CCCD_TASKS_IMMEDIATE": "true"}, "disagree"),
        ({"CCCD_TASKS_BACKEND": "rq", "CCCD_TASKS_IMMEDIATE": "true"}, "disagree"),
        ({"CCCD_TASKS_IMMEDIATE": "maybe"}, "is not a yes/no value"),
    ],
)
def test_a_bad_tasks_backend_is_refused_with_a_sentence(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name in ("CCCD_TASKS_BACKEND", "CCCD_TASKS_IMMEDIATE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        environment.tasks_backend("CCCD_TASKS_BACKEND", "CCCD_TASKS_IMMEDIATE")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (None, "CCCD_REDIS_URL is required by CCCD_TASKS_BACKEND=rq"),
        ("   ", "CCCD_REDIS_URL is required by CCCD_TASKS_BACKEND=rq"),
        ("http://127.0.0.1:6379/0", "must start with redis://"),
        ("127.0.0.1:6379", "must start with redis://"),
        ("redis://127.0.0.1:6379/zero", "the database after the host must be a number"),
        ("redis://:6379/0", "names no host"),
        ("redis://127.0.0.1:port/0", "not a valid Redis URL"),
        ("unix://", "names no socket path"),
    ],
)
def test_a_bad_redis_url_is_refused_with_a_sentence(
    monkeypatch: pytest.MonkeyPatch, url: str | None, message: str
) -> None:
    monkeypatch.delenv("CCCD_REDIS_URL", raising=False)
    if url is not None:
        monkeypatch.setenv("CCCD_REDIS_URL", url)
    with pytest.raises(ImproperlyConfigured, match=message):
        environment.redis_url("CCCD_REDIS_URL", required_by="CCCD_TASKS_BACKEND=rq")


@pytest.mark.parametrize(
    ("env", "backend"),
    [
        ({}, "database"),
        ({"CCCD_TASKS_IMMEDIATE": "true"}, "immediate"),
        ({"CCCD_TASKS_IMMEDIATE": "true", "CCCD_TASKS_BACKEND": "immediate"}, "immediate"),
        ({"CCCD_TASKS_BACKEND": "rq"}, "rq"),
    ],
)
def test_the_tasks_backend_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], backend: str
) -> None:
    for name in ("CCCD_TASKS_BACKEND", "CCCD_TASKS_IMMEDIATE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert environment.tasks_backend("CCCD_TASKS_BACKEND", "CCCD_TASKS_IMMEDIATE") == backend


def test_the_redis_url_gets_a_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CCCD_REDIS_URL", "redis://10.0.0.5:6379/2")
    assert environment.redis_url("CCCD_REDIS_URL", required_by="x") == (
        "redis://10.0.0.5:6379/2?socket_connect_timeout=5"
    )
    monkeypatch.setenv("CCCD_REDIS_URL", "rediss://u:p@h/0?socket_connect_timeout=1")
    assert environment.redis_url("CCCD_REDIS_URL", required_by="x").endswith("timeout=1")


def test_rq_without_the_broker_packages_says_how_to_get_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(ImproperlyConfigured, match=r"pip install 'cccd\[broker\]'"):
        environment.broker_installed("CCCD_TASKS_BACKEND")
