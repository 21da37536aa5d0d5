"""Queue a message for an event, and deliver it: claim under a lease, respect quiet hours and
opt-outs, send once, record the outcome, retry what is transient with a bounded backoff.

Callers (higher apps) call `queue(...)`; the task `cccd.notify.tasks.send_message` and the sweep
`cccd send_notifications` call `deliver(...)`. Logs name the message's id and template, never its
address or text.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import string
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from cccd.notify import channels, errors
from cccd.notify.models import Channel, Message, MessageTemplate, OptOut
from cccd.units.models import Unit

log = logging.getLogger(__name__)

QUIET_START = datetime.time(21, 0)
QUIET_END = datetime.time(7, 0)
# A Vietnamese mobile number: 0, 84 or +84, then 9 digits starting 3, 5, 7, 8 or 9.
PHONE = re.compile(r"(?:\+?84|0)([35789]\d{8})")
EVENT_KEY = re.compile(r"[\x21-\x7e]{1,200}")


# --- queueing ------------------------------------------------------------------------------------


def normalized_address(channel: str, address: str) -> str:
    """The address as it is stored and compared with opt-outs: a phone in 84… form (ZNS wants it
    so; the SMS gateways read it too), an e-mail lower-cased."""
    address = address.strip()
    if channel == Channel.EMAIL:
        try:
            validate_email(address)
        except ValidationError as error:
            raise errors.NOTIFY_BAD_ADDRESS(kind="e-mail") from error
        return address.lower()
    match = PHONE.fullmatch(address.replace(" ", "").replace(".", ""))
    if match is None:
        raise errors.NOTIFY_BAD_ADDRESS(kind="phone number")
    return "84" + match.group(1)


def placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def render(template: MessageTemplate, context: dict[str, Any]) -> tuple[str, str]:
    """The subject and text, refused unless the context gives exactly the template's values."""
    expected = placeholders(template.subject) | placeholders(template.body)
    if expected != set(context):
        raise errors.NOTIFY_TEMPLATE_MISMATCH(
            code=template.code,
            expected=", ".join(sorted(expected)) or "-",
            given=", ".join(sorted(context)) or "-",
        )
    values = {key: str(value) for key, value in context.items()}
    return template.subject.format_map(values), template.body.format_map(values)


def queue(
    *,
    unit: Unit,
    channel: str,
    address: str,
    template_code: str,
    context: dict[str, Any],
    event_key: str,
    urgent: bool = False,
) -> Message:
    """Record the message for `event_key` (the one already recorded, if any) and queue its send.

    Refuses an unknown template, a bad address or a context that does not fit, writing nothing.
    `urgent` (the queue call) passes quiet hours. An opted-out address gets a suppressed record."""
    if not EVENT_KEY.fullmatch(event_key):
        raise errors.NOTIFY_BAD_EVENT_KEY()
    existing = Message.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing
    template = MessageTemplate.objects.filter(code=template_code, channel=channel).first()
    if template is None:
        raise errors.NOTIFY_UNKNOWN_TEMPLATE(code=template_code, channel=channel)
    address = normalized_address(channel, address)
    subject, text = render(template, context)
    data = {key: str(value) for key, value in context.items()}
    if channel == Channel.ZNS:
        data["_template_id"] = template.provider_template_id
    opted_out = OptOut.objects.filter(channel=channel, address=address).exists()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                unit=unit,
                channel=channel,
                address=address,
                template_code=template_code,
                subject=subject,
                text=text,
                template_data=data,
                event_key=event_key,
                urgent=urgent,
                state=Message.State.SUPPRESSED if opted_out else Message.State.QUEUED,
                reason="opted out" if opted_out else "",
                next_attempt_at=None if opted_out else timezone.now(),
            )
    except IntegrityError:  # the same event queued at the same moment elsewhere
        return Message.objects.get(event_key=event_key)
    if not opted_out:
        transaction.on_commit(lambda: enqueue(message.pk, message.next_attempt_at))
    log.info("notify: message %s (%s) %s", message.pk, template_code, message.state)
    return message


def enqueue(message_id: int, when: datetime.datetime | None) -> None:
    """Queue the task for `when`. A backend that cannot defer (CCCD_TASKS_IMMEDIATE) runs only
    what is due now; a later attempt is then left to `cccd send_notifications`."""
    from cccd.notify.tasks import send_message

    if when is None or when <= timezone.now():
        send_message.enqueue(message_id)
    elif send_message.get_backend().supports_defer:
        send_message.using(run_after=when).enqueue(message_id)


def opt_out(channel: str, address: str) -> None:
    """The address wants no more messages on `channel`: the ones still waiting are suppressed."""
    address = normalized_address(channel, address)
    with transaction.atomic():
        OptOut.objects.get_or_create(channel=channel, address=address)
        Message.objects.filter(channel=channel, address=address, state=Message.State.QUEUED).update(
            state=Message.State.SUPPRESSED, reason="opted out", next_attempt_at=None
        )


# --- delivering ----------------------------------------------------------------------------------


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
    if OptOut.objects.filter(channel=message.channel, address=message.address).exists():
        _record(message, state=Message.State.SUPPRESSED, reason="opted out", next_attempt_at=None)
        return Message.State.SUPPRESSED
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
    state = Message.State.SENT if message.channel == Channel.EMAIL else Message.State.DELIVERED
    _record(message, state=state, reason="", provider_id=provider_id[:128], sent_at=timezone.now())
    log.info("notify: message %s %s", message.pk, state)
    return state


def _fail(message: Message, reason: str) -> str:
    _record(message, state=Message.State.FAILED, reason=reason[:300], next_attempt_at=None)
    log.warning("notify: message %s failed: %s", message.pk, reason)
    return Message.State.FAILED


def send_due(limit: int = 500) -> int:
    """One attempt at every due message (at most `limit`): the sweep behind lost tasks and dead
    workers. The number attempted."""
    ids = list(Message.objects.filter(due()).order_by("pk").values_list("pk", flat=True)[:limit])
    return sum(deliver(pk) is not None for pk in ids)
