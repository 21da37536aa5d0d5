"""What the jobs' recovery needs to know of the task queue, whichever backend holds it.

django-tasks hides the queue behind one API, but a worker that died is seen differently in each:
django-tasks-db leaves its task "RUNNING" in the database for ever; RQ leaves it "started" in Redis
until its execution's heartbeat runs out, and Redis that restarted without persistence forgets
queued tasks altogether. `cccd.jobs.recovery` asks this module which tasks will never run their
job and closes the dead ones, so the same recovery works on the database queue and on Redis.

Only the `rq` branch imports the broker packages (the optional `broker` extra).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django_tasks import task_backends

from cccd.jobs import errors

logger = logging.getLogger("cccd.jobs")

# The task id a job notes when its task could not be handed to the queue (Redis unreachable after
# the job was saved): any worker's recovery sends it again.
UNSENT = "unsent"
# RQ states of a task that will never run again.
_RQ_ENDED = {"finished", "failed", "stopped", "canceled"}


def backend_kind() -> str:
    """`database`, `rq` or `immediate` (any other backend is treated like `immediate`: nothing to
    recover), from the backend actually configured, so a test's override of TASKS is seen."""
    module = type(task_backends["default"]).__module__
    if module.startswith("django_tasks_db"):
        return "database"
    if module.startswith("django_tasks_rq"):
        return "rq"
    return "immediate"


def broker_errors() -> tuple[type[BaseException], ...]:
    """The errors an enqueue raises when the broker cannot be reached (none for the database
    queue: its errors are the database's own, which the caller's transaction already handles)."""
    if backend_kind() != "rq":
        return ()
    from redis.exceptions import RedisError

    return (RedisError,)


def _redis() -> Any:
    import django_rq

    return django_rq.get_connection("default")


def ensure_reachable() -> None:
    """Refuse (503) before anything is saved when the queue that would run the work is down."""
    if backend_kind() != "rq":
        return
    try:
        _redis().ping()
    except broker_errors():
        logger.warning("the task queue (Redis) cannot be reached", exc_info=True)
        raise errors.TASK_QUEUE_UNREACHABLE() from None


def lost_tasks(task_ids: list[str], *, started_before: datetime.datetime) -> list[str]:
    """Those of `task_ids` that will never run their queued job: ended without taking the job's
    lease (an error before it could), taken by a worker that died before it started them (running
    since before `started_before`), forgotten by the queue, or never sent to it."""
    lost = [i for i in task_ids if i == UNSENT]
    ids = [i for i in task_ids if i != UNSENT]
    if not ids:
        return lost
    kind = backend_kind()
    if kind == "database":
        from django.db.models import Q
        from django_tasks_db.models import DBTaskResult

        started_long_ago = Q(status="RUNNING", started_at__lte=started_before)
        ended = DBTaskResult.objects.filter(
            Q(status__in=["SUCCESSFUL", "FAILED"]) | started_long_ago
        )
        return lost + [str(i) for i in ended.filter(id__in=ids).values_list("id", flat=True)]
    if kind == "rq":
        from rq.job import Job as RQJob

        for task_id, rq_job in zip(ids, RQJob.fetch_many(ids, connection=_redis()), strict=True):
            if rq_job is None:  # expired, deleted, or Redis restarted without its data
                lost.append(task_id)
                continue
            status = str(rq_job.get_status(refresh=False) or "")
            if status in _RQ_ENDED:
                lost.append(task_id)
            elif status == "started" and rq_job.started_at and rq_job.started_at <= started_before:
                lost.append(task_id)
    return lost


def fail_dead_task(task_id: str, job_id: int) -> None:
    """Close the task a dead worker was running, so no list shows it running: django-tasks-db never
    would; RQ would only when the execution's heartbeat runs out (a day, with our timeout)."""
    reason = f"The worker stopped while it ran this task; job {job_id} was queued again."
    kind = backend_kind()
    if not task_id or task_id == UNSENT:
        return
    if kind == "database":
        from django.utils import timezone
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path="cccd.jobs.recovery.WorkerDied",
            traceback=reason,
        )
    elif kind == "rq":
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RQJob
        from rq.job import JobStatus

        connection = _redis()
        try:
            rq_job = RQJob.fetch(task_id, connection=connection)
        except NoSuchJobError:
            return
        if rq_job.get_status() != JobStatus.STARTED:
            return
        with connection.pipeline() as pipeline:
            rq_job.started_job_registry.remove_executions(rq_job, pipeline=pipeline)
            rq_job.set_status(JobStatus.FAILED, pipeline=pipeline)
            rq_job._handle_failure(reason, pipeline)  # what RQ does with an abandoned job
            pipeline.execute()


def queue_names() -> set[str]:
    """The queues the task backend puts tasks on (a worker with no queue named works on these)."""
    return set(getattr(task_backends["default"], "queues", None) or {"default"})


def worker_command() -> str:
    """The command that runs this deployment's tasks, for a page that says a task waits for it."""
    return "cccd rq_worker" if backend_kind() == "rq" else "cccd db_worker"
