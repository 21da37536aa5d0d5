"""`cccd db_worker`: django-tasks-db's worker, which also re-queues jobs whose worker died.

The `cccd.jobs` app comes before `django_tasks_db` in INSTALLED_APPS, so this command replaces the
library's under the same name; everything else (options, claiming tasks, shutdown) is the library's.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from cccd.accounts import partitions
from cccd.jobs import recovery


class Command(db_worker.Command):
    help = (
        "Run a database background worker. At start and every few seconds it also queues again "
        "the jobs whose worker died (their lease expired), so they resume by themselves, and "
        "(PostgreSQL) makes the audit trail's partitions of the coming months every hour."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reloader_parent = options["reload"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        if not reloader_parent:  # with --reload only the child process works
            source = f"worker:{options['worker_id']}"[:100]
            if options["batch"]:
                recovery.resume_abandoned_jobs_safely(source)
                partitions.ensure_safely(partitions.WORKER_MONTHS_AHEAD, source)
            else:
                recovery.watch(source)
                partitions.watch(source)
        super().handle(*args, **options)
