"""Deliver a queued message, the worker's side: claim it under a lease, respect quiet hours and
opt-outs, send once, record the outcome, retry what is transient with a bounded backoff.

Run by the task `cccd.notify.tasks.send_message` and the sweep `cccd send_notifications`. Logs
name the message's id and template, never its address or text.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from cccd.notify import channels
from cccd.notify.models import Message, OptOut

log = logging.getLogger(__name__)

QUIET_START = datetime.time(21, 0)
QUIET_END = datetime.time(7, 0)


def quiet_until(now: datetime.datetime) -> datetime.datetime | None:
    """07:00 local time when `now` is in the quiet hours (21:00–07:00 local), else None."""
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    if QUIET_END <= local.time() < QUIET_START:
        return None
    day = local.date() + datetime.timedelta(days=1 if local.time() >= QUIET_START else 0)
    return datetime.datetime.combine(day, QUIET_END, tzinfo=local.tzinfo)


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes after the n-th failed attempt, at most an hour."""
    return datetime.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def due() -> Q:
    """Messages a worker may take now: queued and due, or left 'sending' by a worker whose lease
    ran out (it died mid-send: the send is repeated with the same idempotency key)."""
    now = timezone.now()
    return Q(state=Message.State.QUEUED, next_attempt_at__lte=now) | Q(
        state=Message.State.SENDING, lease_until__lte=now
    )


def _hold_for_quiet_hours(message_id: int) -> bool:
    """Move a due, not urgent message to 07:00 when it is quiet now; True when it was held."""
    until = quiet_until(timezone.now())
    if until is None:
        return False
    held = Message.objects.filter(due(), pk=message_id, urgent=False).update(
        state=Message.State.QUEUED, next_attempt_at=until, lease_until=None
    )
    return held > 0


def claim(message_id: int) -> Message | None:
    """Take the message under a fresh lease in one UPDATE, or None when it is not due or another
    worker holds it. The attempt is counted here, so a worker that dies mid-send counts too."""
    now = timezone.now()
    token = secrets.token_hex(16)
    lease = datetime.timedelta(seconds=settings.CCCD_NOTIFY_LEASE_SECONDS)
    taken = Message.objects.filter(due(), pk=message_id).update(
        state=Message.State.SENDING,
        lease_until=now + lease,
        lease_token=token,
        attempts=F("attempts") + 1,
    )
    return Message.objects.get(pk=message_id) if taken else None


def _record(message: Message, **changes: Any) -> bool:
    """Write the outcome only while this worker's lease holds (a late, stale worker writes nothing)."""
    return (
        Message.objects.filter(
            pk=message.pk, state=Message.State.SENDING, lease_token=message.lease_token
        ).update(lease_until=None, lease_token="", **changes)
        > 0
    )


def deliver(message_id: int) -> str | None:
    """One attempt at the message if it is due; its state afterwards, or None when not taken.
    A transient failure leaves it queued for after the backoff (the caller schedules that)."""
    if _hold_for_quiet_hours(message_id):
        log.info("notify: message %s held for the quiet hours", message_id)
        return Message.State.QUEUED
    message = claim(message_id)
    if message is None:
        return None
    if message.attempts > settings.CCCD_NOTIFY_MAX_ATTEMPTS:  # its workers kept dying mid-send
        return _fail(message, f"no outcome after {message.attempts - 1} attempts")
    if OptOut.objects.filter(channel=message.channel, address=message.address).exists():
        _record(message, state=Message.State.SUPPRESSED, reason="opted out", next_attempt_at=None)
        return Message.State.SUPPRESSED
    if message.channel in settings.CCCD_NOTIFY_LOG_ONLY:
        return _log_only(message)
    try:
        provider_id = channels.SENDERS[message.channel](message)
    except channels.Permanent as error:
        return _fail(message, str(error))
    except channels.Transient as error:
        if message.attempts >= settings.CCCD_NOTIFY_MAX_ATTEMPTS:
            return _fail(message, f"{error} (after {message.attempts} attempts)")
        _record(
            message,
            state=Message.State.QUEUED,
            reason=str(error)[:300],
            next_attempt_at=timezone.now() + backoff(message.attempts),
        )
        log.info("notify: message %s attempt %s: %s", message.pk, message.attempts, error)
        return Message.State.QUEUED
    state = Message.State.SENT  # delivered when the provider reports it (`hooks`)
    _record(message, state=state, reason="", provider_id=provider_id[:128], sent_at=timezone.now())
    log.info("notify: message %s %s", message.pk, state)
    return state


def _log_only(message: Message) -> str:
    """CCCD_NOTIFY_LOG_ONLY: the message is recorded as sent and only its id reaches the log."""
    _record(message, state=Message.State.SENT, reason="log only", sent_at=timezone.now())
    log.info(
        "notify: message %s (%s, %s) written to the log, not sent",
        message.pk,
        message.template_code,
        message.channel,
    )
    return Message.State.SENT


def _fail(message: Message, reason: str) -> str:
    _record(message, state=Message.State.FAILED, reason=reason[:300], next_attempt_at=None)
    log.warning("notify: message %s failed: %s", message.pk, reason)
    return Message.State.FAILED


def send_due(limit: int = 500) -> int:
    """One attempt at every due message (at most `limit`): the sweep behind lost tasks and dead
    workers. The number attempted."""
    ids = list(Message.objects.filter(due()).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk) is not None for pk in ids)
