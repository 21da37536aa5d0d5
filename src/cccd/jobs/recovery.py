"""Picking up jobs whose worker died: every `cccd db_worker` and `cccd rq_worker` does it when it
starts and then every few seconds, so a job resumes by itself as soon as any worker is running.

Neither queue notices a dead worker in time: django-tasks-db marks a task "running" when a worker
claims it and never looks at it again; RQ keeps it "started" until the execution's heartbeat runs
out. The job's lease is what tells: a running job whose lease has expired is re-queued as a new
task (one conditional UPDATE, so two workers checking at once queue it once), and the dead task is
marked failed so no list shows it running. A queued job whose task ended, was taken by a worker
that died before it took the lease, was forgotten by Redis or never reached it, is re-queued too
(`cccd.jobs.queues` answers those questions for each backend).
"""

from __future__ import annotations

import datetime
import logging
import threading
from functools import partial

from django.db import DatabaseError, close_old_connections, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils import timezone

from cccd.accounts.audit import audit_source, record
from cccd.jobs import queues
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
                # a task that never reached the queue did not stop a worker: no count against it
                auto_resumes=F("auto_resumes") + int(job.task_result_id != queues.UNSENT),
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
            queues.fail_dead_task(job.task_result_id, job.pk)
            transaction.on_commit(partial(enqueue, job.pk))
        logger.warning(
            "job %s re-queued: nobody ran it (%s)", job, job.holder or job.task_result_id
        )
        resumed.append(job)
    return resumed


def _lost_tasks() -> list[str]:
    """Ids of tasks that will never run their queued job (`queues.lost_tasks`)."""
    waiting = Job.objects.filter(state=Job.State.QUEUED).exclude(task_result_id="")
    ids = list(waiting.values_list("task_result_id", flat=True)[:500])
    return queues.lost_tasks(ids, started_before=timezone.now() - _start_allowance())


def _start_allowance() -> datetime.timedelta:
    """How long a task may run before it takes its job's lease: two leases, at least a minute —
    a worker's first task imports half the project, slowly on a busy machine, and a task taken
    for lost too early is run twice (harmless, the lease keeps one, but not what anyone wants)."""
    return max(datetime.timedelta(seconds=2 * lease_seconds()), datetime.timedelta(minutes=1))


def check_interval() -> float:
    """How often a worker looks for abandoned jobs: half a lease, between 1 and 30 seconds."""
    return min(30.0, max(1.0, lease_seconds() / 2))


def _retry_later() -> tuple[type[BaseException], ...]:
    return (DatabaseError, *queues.broker_errors())


def resume_abandoned_jobs_safely(source: str) -> None:
    with audit_source(source):
        try:
            resume_abandoned_jobs()
        except _retry_later():  # the database or the broker gone for a moment: the next check tries
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
