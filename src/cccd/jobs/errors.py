"""Refusals of the jobs app (`cccd.jobs`): the queue that runs background work cannot take it."""

from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# Said before anything is saved, so a retry later starts clean (`cccd.jobs.queues`).
TASK_QUEUE_UNREACHABLE = ErrorCode(
    "TASK_QUEUE_UNREACHABLE",
    _(
        "The background queue cannot be reached just now, so nothing was saved. Try again in a "
        "few minutes; if it goes on, tell the administrator (the Redis server of the workers)."
    ),
    503,
)
