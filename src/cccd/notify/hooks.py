"""Providers' delivery reports: a message the provider accepted (`sent`) becomes `delivered`, or
`failed` with the provider's status, when the provider says so.

- **Zalo ZNS** posts its OA webhook events; `user_received_message` says the phone got the
  message (`message.msg_id`, and `message.tracking_id`: our event key). Zalo signs every event in
  the header `X-ZEvent-Signature: mac=<hex>`, the SHA-256 of the app id, the body as sent, the
  body's `timestamp` and the official account's secret key, concatenated in that order
  (`CCCD_ZNS_APP_ID`, `CCCD_ZNS_OA_SECRET_KEY`). Zalo sends no failure report for ZNS: a message
  it does not deliver stays `sent`.
- **SMS gateways** differ: the report is JSON whose id and status are read at dotted paths
  (`CCCD_SMS_REPORT_ID_PATH`, `CCCD_SMS_REPORT_STATUS_PATH`); a status in
  `CCCD_SMS_REPORT_DELIVERED` marks it delivered, one in `CCCD_SMS_REPORT_FAILED` failed, any
  other (queued, en route …) changes nothing. The gateway proves itself with a shared secret in
  a header (`CCCD_SMS_WEBHOOK_HEADER`, `CCCD_SMS_WEBHOOK_SECRET`).

Only a `sent` message moves: a report for an unknown id, a message still being sent or one
already settled changes nothing and is answered 200, because providers resend what gets an
error. With no secret configured the hook is off: every report is answered 404.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Any

from django.conf import settings
from django.db.models import Q

from cccd.notify.models import Channel, Message

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024  # a report is a few hundred bytes


class BadReport(Exception):
    """The body is not a report (400)."""


class BadSignature(Exception):
    """The report is not the provider's (403)."""


class HookOff(Exception):
    """No secret configured for this provider: the hook is off (404)."""


def parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as error:
        raise BadReport("not JSON") from error
    if not isinstance(data, dict):
        raise BadReport("not a JSON object")
    return data


def _at(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data.get(part) if isinstance(data, dict) else None
    return data


def _mark(found: Q, *, delivered: bool, reason: str = "") -> int:
    """Move the `sent` messages matching `found`; the number moved."""
    rows = Message.objects.filter(found, state=Message.State.SENT)
    if delivered:
        return rows.update(state=Message.State.DELIVERED, reason="")
    return rows.update(state=Message.State.FAILED, reason=reason[:300])


def zns_signature(body: bytes, timestamp: str) -> str:
    text = settings.CCCD_ZNS_APP_ID + body.decode() + timestamp + settings.CCCD_ZNS_OA_SECRET_KEY
    return "mac=" + hashlib.sha256(text.encode()).hexdigest()


def zns_report(body: bytes, signature: str) -> int:
    """Check a ZNS webhook event and apply it; the number of messages moved."""
    if not settings.CCCD_ZNS_OA_SECRET_KEY:
        raise HookOff()
    data = parse(body)
    timestamp = str(data.get("timestamp") or "")
    if not hmac.compare_digest(signature.strip(), zns_signature(body, timestamp)):
        raise BadSignature("bad signature")
    if data.get("event_name") != "user_received_message":
        return 0
    msg_id, tracking = _at(data, "message.msg_id"), _at(data, "message.tracking_id")
    found = Q(pk__in=[])
    if isinstance(msg_id, str | int) and str(msg_id):
        found |= Q(provider_id=str(msg_id)[:128])
    if isinstance(tracking, str) and tracking:
        found |= Q(event_key=tracking[:200])
    moved = _mark(Q(channel=Channel.ZNS) & found, delivered=True)
    log.info("notify: ZNS delivery report, %s message(s) moved", moved)
    return moved


def _values(setting: str) -> set[str]:
    return {v.strip().lower() for v in setting.split(",") if v.strip()}


def sms_report(body: bytes, secret: str) -> int:
    """Check an SMS gateway's report and apply it; the number of messages moved."""
    expected = settings.CCCD_SMS_WEBHOOK_SECRET
    if not expected:
        raise HookOff()
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise BadSignature("bad secret")
    data = parse(body)
    provider_id = _at(data, settings.CCCD_SMS_REPORT_ID_PATH)
    status = str(_at(data, settings.CCCD_SMS_REPORT_STATUS_PATH) or "").strip().lower()
    if not isinstance(provider_id, str | int) or not str(provider_id):
        raise BadReport("no message id")
    found = Q(channel=Channel.SMS, provider_id=str(provider_id)[:128])
    if status in _values(settings.CCCD_SMS_REPORT_DELIVERED):
        moved = _mark(found, delivered=True)
    elif status in _values(settings.CCCD_SMS_REPORT_FAILED):
        moved = _mark(found, delivered=False, reason=f"SMS gateway: {status[:40]}")
    else:
        moved = 0
    log.info("notify: SMS delivery report, %s message(s) moved", moved)
    return moved
