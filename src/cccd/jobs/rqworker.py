"""The RQ worker class `cccd rq_worker` runs: RQ's SimpleWorker, with Django's connection hygiene.

Why not RQ's default forking worker: its work horse runs in a process group of its own, so a
worker stopped with its machine's init (or SIGKILL) can leave the horse running a job nobody
watches; and the horse would inherit the jobs' recovery thread half-way. A SimpleWorker runs each
task in the worker's own process, as `cccd db_worker` does: the job's lease (`cccd.jobs.leases`)
tells when that process died, and any worker resumes the job. Run more processes for more at once.

Imported only by the command: it needs the optional `broker` packages.
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from rq.worker import SimpleWorker


class Worker(SimpleWorker):
    """Each task starts and ends with Django's stale connections closed (one a database restart
    or CONN_MAX_AGE ended is not reused), as a request does."""

    def perform_job(self, job: Any, queue: Any) -> bool:
        close_old_connections()
        try:
            return bool(super().perform_job(job, queue))
        finally:
            close_old_connections()
