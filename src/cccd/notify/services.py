"""Queue a message for an event (checked, rendered, recorded once), and opt an address out.

Callers (higher apps) call `queue(...)`, which queues the task `cccd.notify.tasks.send_message`;
the task and the sweep `cccd send_notifications` run `cccd.notify.delivery`. Logs name the
message's id and template, never its address or text.
"""

from __future__ import annotations

import logging
import re
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from cccd.notify import errors
from cccd.notify.models import Channel, Message, MessageTemplate, OptOut
from cccd.notify.tasks import schedule
from cccd.units.models import Unit

log = logging.getLogger(__name__)

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
        transaction.on_commit(lambda: schedule(message.pk, message.next_attempt_at))
    log.info("notify: message %s (%s) %s", message.pk, template_code, message.state)
    return message


def opt_out(channel: str, address: str) -> None:
    """The address wants no more messages on `channel`: the ones still waiting are suppressed."""
    address = normalized_address(channel, address)
    with transaction.atomic():
        OptOut.objects.get_or_create(channel=channel, address=address)
        Message.objects.filter(channel=channel, address=address, state=Message.State.QUEUED).update(
            state=Message.State.SUPPRESSED, reason="opted out", next_attempt_at=None
        )
