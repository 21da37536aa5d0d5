"""The background task that sends one message (django-tasks), and its scheduling."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone
from django_tasks import task

from cccd.jobs import queues
from cccd.notify import delivery
from cccd.notify.models import Message

log = logging.getLogger(__name__)


@task()
def send_message(message_id: int) -> None:
    """One attempt; when it leaves the message queued (a transient failure, the quiet hours), the
    next attempt is queued for its time. A copy of the task run twice finds the lease taken."""
    if delivery.deliver(message_id) != Message.State.QUEUED:
        return
    when = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
    schedule(message_id, when)


def schedule(message_id: int, when: datetime.datetime | None) -> None:
    """Queue the task for `when`. A backend that cannot defer (CCCD_TASKS_IMMEDIATE) runs only
    what is due now; a later attempt is then left to `cccd send_notifications`, as is one the
    broker failed to take (the message is saved, and queued, in the database)."""
    try:
        if when is None or when <= timezone.now():
            send_message.enqueue(message_id)
        elif send_message.get_backend().supports_defer:
            send_message.using(run_after=when).enqueue(message_id)
    except queues.broker_errors():  # Redis down after the commit: the message stays queued
        log.warning(
            "notify: message %s not handed to the task queue; left to cccd send_notifications",
            message_id,
        )
