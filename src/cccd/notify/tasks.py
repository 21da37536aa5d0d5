"""The background task that sends one message (django-tasks), and its scheduling."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from cccd.notify import delivery
from cccd.notify.models import Message


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
    what is due now; a later attempt is then left to `cccd send_notifications`."""
    if when is None or when <= timezone.now():
        send_message.enqueue(message_id)
    elif send_message.get_backend().supports_defer:
        send_message.using(run_after=when).enqueue(message_id)
