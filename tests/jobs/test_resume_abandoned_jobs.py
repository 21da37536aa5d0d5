"""A worker re-queues the jobs whose worker died: at start-up (`cccd db_worker`) and every few
seconds after, once each, and at most three times in a row for a job that keeps dying."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cccd.accounts.models import AuditEvent
from cccd.jobs import leases, recovery
from cccd.jobs.models import MAX_AUTO_RESUMES, Job
from tests.jobs import tasks
from tests.jobs.tasks import PROBE

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def _no_runs_yet() -> None:
    tasks.RUNS.clear()


def _dead_worker_job(name: str = "a") -> Job:
    """A job its worker was running when it was killed: running, on a lease that has lapsed."""
    job = leases.job_for(PROBE, name)
    leases.claim(job, holder="host:4242:dead")
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    job.refresh_from_db()
    return job


def test_a_job_whose_worker_died_is_queued_again_and_run_and_the_resume_is_audited(
    django_capture_on_commit_callbacks: object,
) -> None:
    job = _dead_worker_job()
    assert job.status == "stopped" and job.resumes_by_itself
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        resumed = recovery.resume_abandoned_jobs()
    assert [j.pk for j in resumed] == [job.pk]
    assert tasks.RUNS == ["a"]
    job.refresh_from_db()
    assert (job.status, job.runs, job.auto_resumes) == ("done", 2, 1)
    event = AuditEvent.objects.get(action="job.resume")
    assert event.object_id == str(job.pk)
    assert event.before["holder"] == "host:4242:dead" and event.after["automatic_resume"] == 1  # type: ignore[index]


def test_a_job_whose_worker_is_alive_is_left_alone(
    django_capture_on_commit_callbacks: object,
) -> None:
    job = leases.job_for(PROBE, "a")
    leases.claim(job)
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        assert recovery.resume_abandoned_jobs() == []
    assert callbacks == [] and not AuditEvent.objects.filter(action="job.resume").exists()


def test_a_job_stopped_by_an_error_waits_for_a_person() -> None:
    job = leases.job_for(PROBE, "a")
    with pytest.raises(ZeroDivisionError), leases.hold(job):
        1 / 0  # noqa: B018
    assert recovery.resume_abandoned_jobs() == []


def test_a_job_that_killed_its_worker_three_times_in_a_row_is_no_longer_resumed(
    django_capture_on_commit_callbacks: object,
) -> None:
    job = _dead_worker_job()
    Job.objects.filter(pk=job.pk).update(auto_resumes=MAX_AUTO_RESUMES)
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        assert recovery.resume_abandoned_jobs() == []
    job.refresh_from_db()
    assert callbacks == [] and job.status == "stopped" and not job.resumes_by_itself


def test_the_dead_workers_task_is_closed_and_a_new_one_queued(
    settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.TASKS = DB_TASKS  # type: ignore[attr-defined]
    job = leases.job_for(PROBE, "a")
    leases.enqueue(job.pk)
    dead = DBTaskResult.objects.get()
    dead.claim("killed-worker")  # what db_worker does before it runs the task
    _dead_worker_job()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        recovery.resume_abandoned_jobs()
    dead.refresh_from_db()
    assert dead.status == "FAILED" and "WorkerDied" in dead.exception_class_path
    assert DBTaskResult.objects.filter(status="READY").count() == 1


@pytest.mark.parametrize("task_end", ["FAILED", "RUNNING"])
def test_a_queued_job_whose_task_will_never_run_it_is_queued_again(
    settings: object, django_capture_on_commit_callbacks: object, task_end: str
) -> None:
    """The task failed before it took the lease, or its worker died between taking the task and
    taking the lease: the job would say "queued" for ever."""
    settings.TASKS = DB_TASKS  # type: ignore[attr-defined]
    job = leases.job_for(PROBE, "a")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        leases.queue(job)
    lost = DBTaskResult.objects.get()
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    DBTaskResult.objects.filter(pk=lost.pk).update(status=task_end, started_at=long_ago)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert [j.pk for j in recovery.resume_abandoned_jobs()] == [job.pk]
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert DBTaskResult.objects.get(pk=lost.pk).status == "FAILED"
    job.refresh_from_db()
    assert job.status == "queued" and job.auto_resumes == 1


def test_a_queued_job_whose_task_waits_or_just_started_is_left_alone(
    settings: object, django_capture_on_commit_callbacks: object
) -> None:
    settings.TASKS = DB_TASKS  # type: ignore[attr-defined]
    job = leases.job_for(PROBE, "a")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        leases.queue(job)
    assert recovery.resume_abandoned_jobs() == []  # READY
    DBTaskResult.objects.get().claim("a-worker")
    assert recovery.resume_abandoned_jobs() == []  # RUNNING a moment ago


@pytest.mark.django_db(transaction=True)
def test_workers_checking_at_the_same_instant_queue_a_dead_job_once(settings: object) -> None:
    settings.TASKS = DB_TASKS  # type: ignore[attr-defined]
    _dead_worker_job()
    start = threading.Barrier(4)

    def check() -> None:
        try:
            start.wait()
            recovery.resume_abandoned_jobs()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert AuditEvent.objects.filter(action="job.resume").count() == 1


@pytest.mark.django_db(transaction=True)
def test_db_worker_resumes_a_dead_workers_job_when_it_starts(settings: object) -> None:
    settings.TASKS = DB_TASKS  # type: ignore[attr-defined]
    job = _dead_worker_job()
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "-v", "0", stdout=io.StringIO()
    )
    assert tasks.RUNS == ["a"]
    job.refresh_from_db()
    assert job.status == "done"
    assert AuditEvent.objects.get(action="job.resume").source.startswith("worker:")


def test_a_worker_looks_again_every_half_lease_between_one_and_thirty_seconds(
    settings: object,
) -> None:
    for lease, every in [(2, 1.0), (10, 5.0), (60, 30.0), (3600, 30.0)]:
        settings.CCCD_JOB_LEASE_SECONDS = lease  # type: ignore[attr-defined]
        assert recovery.check_interval() == every
