"""The background task that sends one message (django-tasks)."""

from django_tasks import task


@task()
def send_message(message_id: int) -> None:
    """One attempt; when it leaves the message queued (a transient failure, the quiet hours), the
    next attempt is queued for its time. A copy of the task run twice finds the lease taken."""
    from cccd.notify import services
    from cccd.notify.models import Message

    if services.deliver(message_id) != Message.State.QUEUED:
        return
    when = Message.objects.filter(pk=message_id).values_list("next_attempt_at", flat=True).first()
    services.enqueue(message_id, when)
