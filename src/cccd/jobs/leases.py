"""Leases of long background jobs: one worker at a time, and a dead worker's job is noticed.

Whoever works on a job — a worker's task (`cccd db_worker`, `cccd rq_worker`) or a command in a
terminal — first takes its lease with one conditional UPDATE (`claim`): it succeeds only if nobody
holds a live lease, so two workers never run the same job at once. The worker then renews the lease
with every step it commits (`Lease.renew`, the heartbeat), inside that step's own transaction: a
worker whose lease expired and was taken over cannot commit another step (`LeaseLost` rolls the
step back).

A job left "running" on an expired lease is one nobody runs: `Job.status` says "stopped", any
`cccd db_worker` or `cccd rq_worker` re-queues it (`cccd.jobs.recovery`), a person may resume it
from its page, and a command may take it over. Times come from the database's clock, so workers on
several machines agree on when a lease expires.
"""

from __future__ import annotations

import datetime
import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.module_loading import import_string

from cccd.jobs import queues
from cccd.jobs.models import Job
from cccd.units.models import Unit

logger = logging.getLogger("cccd.jobs")


class JobBusy(Exception):
    """Another worker holds a live lease on the job."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"{job} is held by {job.holder or '?'}")
        self.job = job


class LeaseLost(Exception):
    """The lease expired and another worker took the job over: this worker must stop."""


@dataclass(frozen=True)
class Kind:
    """A kind of long job: its name, and the task (dotted path) that runs one with the job's args."""

    name: str
    task_path: str

    def key(self, args: Sequence[Any]) -> str:
        return ":".join("" if a is None else str(a) for a in args)[:100]


def lease_seconds() -> int:
    return int(getattr(settings, "CCCD_JOB_LEASE_SECONDS", 60))


def job_for(kind: Kind, *args: Any, unit: Unit | None = None) -> Job:
    """The job row of this piece of work, made on first use."""
    job, _created = Job.objects.get_or_create(
        kind=kind.name,
        key=kind.key(args),
        defaults={"task_path": kind.task_path, "args": list(args), "unit": unit},
    )
    return job


def _expiry(seconds: int) -> models.Expression:
    return models.ExpressionWrapper(
        Now() + datetime.timedelta(seconds=seconds), output_field=models.DateTimeField()
    )


def _nobody_holds() -> Q:
    """Not running, or running on a lease that has expired (its worker died or let it go)."""
    return ~Q(state=Job.State.RUNNING) | Q(expires_at__isnull=True) | Q(expires_at__lte=Now())


def queue(job: Job, *, by_person: bool = False) -> bool:
    """Queue the job's task once the caller's transaction commits; False if a worker holds it.

    Refused (`TASK_QUEUE_UNREACHABLE`) before anything changes when the broker is down. A person's
    resume also resets the count of automatic resumes, so a job that stopped its worker too often
    gets its chances again."""
    queues.ensure_reachable()
    changes: dict[str, Any] = {
        "state": Job.State.QUEUED,
        "holder": "",
        "expires_at": None,
        "task_result_id": "",
    }
    if by_person:
        changes |= {"auto_resumes": 0, "error": ""}
    if not Job.objects.filter(pk=job.pk).filter(_nobody_holds()).update(**changes):
        return False
    transaction.on_commit(lambda: enqueue(job.pk))
    return True


def enqueue(job_id: int) -> None:
    """Hand the job's task to the task backend now (after a commit), and note the task's id.

    Should the broker fail just then (it answered a moment before, in `queue`), the job is marked
    unsent rather than the request failing after its commit: any worker's recovery sends it."""
    job = Job.objects.get(pk=job_id)
    try:
        result = import_string(job.task_path).enqueue(*job.args)
    except queues.broker_errors() as exc:
        logger.warning("job %s: the task queue failed (%s); a worker sends it", job, exc.__class__)
        Job.objects.filter(pk=job_id, state=Job.State.QUEUED, task_result_id="").update(
            task_result_id=queues.UNSENT
        )
        return
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id)[:64])


def holder_name() -> str:
    """Who holds a lease: the machine and process (for people reading the page) and a token that
    makes every claim unique (for the conditional updates)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass
class Lease:
    """A claimed lease. `renew` inside each step's transaction; `beat` in long read loops."""

    job_id: int
    holder: str
    seconds: int
    renewed_at: float = field(default_factory=time.monotonic)

    def renew(self, *, progress: bool = True) -> None:
        """The heartbeat: push the expiry on, only if this worker still holds the lease.

        Called inside a step's transaction, a lost lease rolls the step back. `progress` (a step
        committed) resets the count of automatic resumes."""
        changes: dict[str, Any] = {"expires_at": _expiry(self.seconds), "heartbeat_at": Now()}
        if progress:
            changes["auto_resumes"] = 0
        mine = Job.objects.filter(pk=self.job_id, holder=self.holder, state=Job.State.RUNNING)
        if not mine.update(**changes):
            raise LeaseLost(f"job {self.job_id}: lease of {self.holder} was taken over")
        self.renewed_at = time.monotonic()

    def beat(self) -> None:
        """Renew when a third of the lease has gone by: cheap enough to call in a loop over rows."""
        if time.monotonic() - self.renewed_at >= self.seconds / 3:
            self.renew(progress=False)


def claim(job: Job, *, holder: str | None = None) -> Lease:
    """Take the job's lease, or raise `JobBusy` when another worker holds a live one."""
    lease = Lease(job.pk, holder or holder_name(), lease_seconds())
    taken = (
        Job.objects.filter(pk=job.pk)
        .filter(_nobody_holds())
        .update(
            state=Job.State.RUNNING,
            holder=lease.holder,
            expires_at=_expiry(lease.seconds),
            heartbeat_at=Now(),
            started_at=Now(),
            finished_at=None,
            runs=F("runs") + 1,
            error="",
        )
    )
    if not taken:
        job.refresh_from_db()
        raise JobBusy(job)
    return lease


def release(lease: Lease, state: str, *, error: str = "") -> None:
    """Let the lease go. `running` leaves the job stopped on an expired lease, to be resumed."""
    changes: dict[str, Any] = {"state": state, "holder": "", "error": error[:200]}
    if state == Job.State.RUNNING:
        changes["expires_at"] = Now()
    else:
        changes["expires_at"] = None
        changes["finished_at"] = Now() if state == Job.State.DONE else None
    try:
        Job.objects.filter(pk=lease.job_id, holder=lease.holder).update(**changes)
    except DatabaseError:  # the database went away too: the lease simply expires
        logger.warning("job %s: could not release the lease", lease.job_id, exc_info=True)


@contextmanager
def hold(job: Job, *, holder: str | None = None) -> Iterator[Lease]:
    """Run the body under the job's lease; the job ends done, stopped by an error, or — when the
    process is being stopped (Ctrl-C, a worker's shutdown) — on an expired lease, to be resumed."""
    lease = claim(job, holder=holder)
    try:
        yield lease
    except LeaseLost:
        raise  # the job is another worker's now: leave it alone
    except (KeyboardInterrupt, SystemExit):
        release(lease, Job.State.RUNNING)
        raise
    except BaseException as exc:
        release(lease, Job.State.STOPPED, error=type(exc).__name__)
        raise
    else:
        release(lease, Job.State.DONE)


@contextmanager
def kept_alive(lease: Lease) -> Iterator[None]:
    """Renew the lease from a thread while one long step with no batches to beat with runs (the
    roster's linkage). The thread has its own database connection and closes it at the end."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(lease.seconds / 3):
                try:
                    lease.renew(progress=False)
                except LeaseLost:
                    logger.warning("job %s: lease lost while it ran", lease.job_id)
                    return
                except DatabaseError:
                    logger.warning("job %s: heartbeat failed; trying again", lease.job_id)
        finally:
            connections.close_all()  # this thread's connections only

    thread = threading.Thread(target=beat, name=f"lease-{lease.job_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@contextmanager
def taken_elsewhere_is_fine(what: str) -> Iterator[None]:
    """In a task: a job another worker holds, or took over, is not an error — that worker ends it."""
    try:
        yield
    except JobBusy as busy:
        logger.info("%s: already held by %s; nothing to do", what, busy.job.holder)
    except LeaseLost:
        logger.warning("%s: another worker took over; this run stopped", what)
