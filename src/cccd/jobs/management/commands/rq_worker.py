"""`cccd rq_worker`: django-rq's worker for the tasks on Redis (CCCD_TASKS_BACKEND=rq), which also
re-queues the jobs whose worker died, as `cccd db_worker` does for the database queue.

Run as many as wanted, on as many machines as wanted, all with the same CCCD_REDIS_URL and
DATABASE_URL. Defaults differ from django-rq's `rqworker` where our tasks need it: the task
framework's job class (so RQ runs `@task` functions), our in-process worker (`cccd.jobs.rqworker`),
the queues of the task backend, and RQ's scheduler for deferred tasks (one worker holds it at a
time; `--without-scheduler` leaves it to the others). Every other option is django-rq's.
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django.core.management.base import CommandError, CommandParser

from cccd.errors import DomainError
from cccd.jobs import queues, recovery

try:
    from django_rq.management.commands.rqworker import Command as RQWorkerCommand
except ImportError:  # the optional `broker` packages are not installed
    from django.core.management.base import BaseCommand as RQWorkerCommand  # type: ignore[assignment]


class Command(RQWorkerCommand):
    help = (
        "Run a Redis (RQ) background worker for CCCD_TASKS_BACKEND=rq. At start and every few "
        "seconds it also queues again the jobs whose worker died (their lease expired)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)  # type: ignore[no-untyped-call]
        parser.set_defaults(
            worker_class="cccd.jobs.rqworker.Worker",
            job_class="django_tasks_rq.Job",
            with_scheduler=True,
        )
        parser.add_argument(
            "--without-scheduler",
            action="store_false",
            dest="with_scheduler",
            help="Do not run RQ's scheduler of deferred tasks in this worker.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if queues.backend_kind() != "rq":
            raise CommandError(
                "rq_worker runs the tasks of CCCD_TASKS_BACKEND=rq (with CCCD_REDIS_URL); this "
                "deployment queues them elsewhere: run `cccd db_worker` for the database queue."
            )
        if RQWorkerCommand.__module__.startswith("django.core"):
            raise CommandError("rq_worker needs the broker packages: pip install 'cccd[broker]'.")
        try:
            queues.ensure_reachable()
        except DomainError as refused:
            raise CommandError(refused.message) from None
        names = args or tuple(sorted(queues.queue_names()))
        name = options.get("name") or f"{socket.gethostname()[:60]}:{os.getpid()}"
        recovery.watch(f"worker:rq:{name}"[:100])
        super().handle(*names, **options)  # type: ignore[no-untyped-call]
