"""The three ways out: e-mail (Django's SMTP backend), an SMS gateway over HTTP, Zalo ZNS.

Each `send_*` takes a claimed message and returns the provider's message id, or raises
`Transient` (try again later: 5xx, timeout, refused connection) or `Permanent` (never again: a
4xx, a refused recipient, a provider's error code). Each passes the message's idempotency key —
the event key — to the provider, so a retry after a lost answer is recognisable (see
docs/notifications.md for what each channel makes of it). Reasons never hold the address or text.
"""

from __future__ import annotations

import hashlib
import json
import smtplib
from typing import Any

import httpx
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from cccd.notify.links import stop_url
from cccd.notify.models import Message

STOP_FOOTER = "Không muốn nhận thư này nữa"  # Vietnamese, as the templates are


class Transient(Exception):
    """Worth another attempt later."""


class Permanent(Exception):
    """Another attempt would fail the same way."""


def message_id_for(event_key: str) -> str:
    """A stable RFC 5322 Message-ID: the same event gives the same id on every attempt."""
    digest = hashlib.sha256(event_key.encode()).hexdigest()[:40]
    return f"<{digest}@{settings.CCCD_NOTIFY_MESSAGE_ID_DOMAIN}>"


def send_email(message: Message) -> str:
    message_id = message_id_for(message.event_key)
    headers, body = {"Message-ID": message_id}, message.text
    stop = stop_url(message.channel, message.address)
    if stop:  # the footer and the header mail clients offer as "unsubscribe"
        body += f"\n\n--\n{STOP_FOOTER}: {stop}"
        headers["List-Unsubscribe"] = f"<{stop}>"
    email = EmailMessage(
        subject=message.subject,
        body=body,
        from_email=settings.CCCD_NOTIFY_FROM_EMAIL,
        to=[message.address],
        headers=headers,
        connection=get_connection(timeout=settings.CCCD_NOTIFY_TIMEOUT_SECONDS),
    )
    try:
        email.send()
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _text in error.recipients.values()})
        raise _smtp_failure(codes[0] if codes else 550) from error
    except smtplib.SMTPResponseException as error:
        raise _smtp_failure(error.smtp_code) from error
    except (OSError, smtplib.SMTPException) as error:  # refused, timed out, dropped
        raise Transient(f"SMTP: {type(error).__name__}") from error
    return message_id


def _smtp_failure(code: int) -> Exception:
    return Permanent(f"SMTP {code}") if 500 <= code < 600 else Transient(f"SMTP {code}")


def _post(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One HTTP request with the configured timeout; 5xx and network trouble are transient,
    other 4xx permanent (408 and 429 say "later")."""
    try:
        response = httpx.request(
            method, url, timeout=settings.CCCD_NOTIFY_TIMEOUT_SECONDS, **kwargs
        )
    except (OSError, httpx.TransportError) as error:
        raise Transient(f"HTTP: {type(error).__name__}") from error
    if response.status_code >= 500 or response.status_code in (408, 429):
        raise Transient(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise Permanent(f"HTTP {response.status_code}")
    return response


def _answer(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as error:
        raise Permanent("the provider's answer is not JSON") from error


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path (`data.msg_id`) of a JSON answer, or None."""
    for part in path.split(".") if path else []:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _fill(template: Any, values: dict[str, str]) -> Any:
    """The SMS body template with `{phone}`, `{text}`, `{reference}` filled in its strings; the
    values go into the parsed JSON, so a quote in the text cannot break the request."""
    if isinstance(template, str):
        return template.format_map(values)
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [_fill(value, values) for value in template]
    return template


def send_sms(message: Message) -> str:
    reference = hashlib.sha256(message.event_key.encode()).hexdigest()[:32]
    values = {"phone": message.address, "text": message.text, "reference": reference}
    try:
        body = _fill(json.loads(settings.CCCD_SMS_BODY), values)
    except (ValueError, KeyError, IndexError) as error:  # a misconfigured CCCD_SMS_BODY
        raise Permanent(
            "CCCD_SMS_BODY is not a JSON template of {phone} {text} {reference}"
        ) from error
    response = _post(
        settings.CCCD_SMS_METHOD,
        settings.CCCD_SMS_URL,
        headers=json.loads(settings.CCCD_SMS_HEADERS),
        json=body,
    )
    answer = _answer(response)
    outcome = _at(answer, settings.CCCD_SMS_SUCCESS_PATH)
    if str(outcome) != settings.CCCD_SMS_SUCCESS_VALUE:
        raise Permanent(f"SMS gateway: {str(outcome)[:40]}")
    return str(_at(answer, settings.CCCD_SMS_ID_PATH) or "")


def send_zns(message: Message) -> str:
    """POST …/message/template with the `access_token` header; `tracking_id` is the event key."""
    response = _post(
        "POST",
        settings.CCCD_ZNS_URL.rstrip("/") + "/message/template",
        headers={"access_token": settings.CCCD_ZNS_ACCESS_TOKEN},
        json={
            "phone": message.address,
            "template_id": message.template_data.get("_template_id", ""),
            "template_data": {k: v for k, v in message.template_data.items() if k[0] != "_"},
            "tracking_id": message.event_key,
        },
    )
    answer = _answer(response)
    error = _at(answer, "error")
    if error != 0:
        raise Permanent(f"ZNS error {str(error)[:20]}")
    return str(_at(answer, "data.msg_id") or "")


SENDERS = {"email": send_email, "sms": send_sms, "zns": send_zns}
