"""Picking up jobs whose worker died: every `cccd db_worker` does it when it starts and then
every few seconds, so a job resumes by itself as soon as any worker is running.

django-tasks-db marks a task "running" when a worker claims it and never looks at it again: a
worker killed mid-task leaves it "running" for ever. The job's lease is what tells: a running job
whose lease has expired is re-queued as a new task (one conditional UPDATE, so two workers checking
at once queue it once), and the dead task is marked failed so no list shows it running. A queued
job whose task ended, or was taken by a worker that died, before it took the lease is re-queued too.
"""

from __future__ import annotations

import datetime
import logging
import threading
from functools import partial

from django.apps import apps
from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from cccd.accounts.audit import audit_source, record
from cccd.jobs.leases import enqueue, lease_seconds
from cccd.jobs.models import MAX_AUTO_RESUMES, Job

logger = logging.getLogger("cccd.jobs")


def resume_abandoned_jobs() -> list[Job]:
    """Re-queue every job nobody runs any more, at most MAX_AUTO_RESUMES times in a row: running on
    an expired lease (its worker died), or queued behind a task that will never run it."""
    resumed = []
    expired = Q(state=Job.State.RUNNING, expires_at__lte=Now())
    candidates = Job.objects.filter(
        expired | Q(state=Job.State.QUEUED, task_result_id__in=_lost_tasks())
    )
    for job in candidates.filter(auto_resumes__lt=MAX_AUTO_RESUMES).select_related("unit"):
        with transaction.atomic():
            still = expired if job.state == Job.State.RUNNING else Q(state=Job.State.QUEUED)
            won = Job.objects.filter(
                still, pk=job.pk, holder=job.holder, task_result_id=job.task_result_id
            ).update(
                state=Job.State.QUEUED,
                holder="",
                expires_at=None,
                task_result_id="",
                auto_resumes=F("auto_resumes") + 1,
            )
            if not won:
                continue
            record(
                "job.resume",
                actor=None,
                unit=job.unit,
                obj=job,
                before={
                    "state": job.status,
                    "holder": job.holder,
                    "task": job.task_result_id,
                    "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None,
                },
                after={"state": "queued", "automatic_resume": job.auto_resumes + 1},
            )
            _fail_dead_task(job)
            transaction.on_commit(partial(enqueue, job.pk))
        logger.warning(
            "job %s re-queued: nobody ran it (%s)", job, job.holder or job.task_result_id
        )
        resumed.append(job)
    return resumed


def _lost_tasks() -> list[str]:
    """Ids of tasks that will never run their queued job: ended without taking its lease (an
    error before it could), or taken by a worker that died before it started them."""
    if not apps.is_installed("django_tasks_db"):
        return []
    from django_tasks_db.models import DBTaskResult

    waiting = Job.objects.filter(state=Job.State.QUEUED).exclude(task_result_id="")
    ids = list(waiting.values_list("task_result_id", flat=True)[:500])
    started_long_ago = Q(status="RUNNING", started_at__lte=timezone.now() - _lease())
    lost = DBTaskResult.objects.filter(Q(status__in=["SUCCESSFUL", "FAILED"]) | started_long_ago)
    return [str(i) for i in lost.filter(id__in=ids).values_list("id", flat=True)]


def _lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=lease_seconds())


def _fail_dead_task(job: Job) -> None:
    """The task the dead worker was running stays "running" in django-tasks-db: close it."""
    if not job.task_result_id or not apps.is_installed("django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=job.task_result_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="cccd.jobs.recovery.WorkerDied",
        traceback=f"The worker stopped while it ran this task; job {job.pk} was queued again.",
    )


def check_interval() -> float:
    """How often a worker looks for abandoned jobs: half a lease, between 1 and 30 seconds."""
    return min(30.0, max(1.0, lease_seconds() / 2))


def resume_abandoned_jobs_safely(source: str) -> None:
    with audit_source(source):
        try:
            resume_abandoned_jobs()
        except DatabaseError:  # locked or gone for a moment: the next check tries again
            logger.warning("could not look for abandoned jobs", exc_info=True)
        finally:
            close_old_connections()


def watch(source: str, *, interval: float | None = None) -> threading.Event:
    """Look for abandoned jobs now and then every `interval` seconds in a daemon thread (which
    dies with the worker); set the returned event to stop it."""
    stop = threading.Event()
    resume_abandoned_jobs_safely(source)
    every = interval or check_interval()

    def loop() -> None:
        try:
            while not stop.wait(every):
                resume_abandoned_jobs_safely(source)
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(target=loop, name="cccd-job-recovery", daemon=True).start()
    return stop
