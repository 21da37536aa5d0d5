"""The opt-out link (signed, asked before it acts, holds for what was queued and what comes next,
in the e-mail's footer through a real SMTP server) and the providers' delivery reports (signed,
bounded, malformed or unknown answered without a 500)."""

from __future__ import annotations

import datetime
import email
import hashlib
import json
from collections.abc import Iterator
from email import policy
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from cccd.accounts.models import AuditEvent
from cccd.notify import delivery, hooks, links, services
from cccd.notify.models import Message, OptOut
from cccd.units.models import Unit
from tests.notify.fakes import Gateway, http_server, smtp_server, zns_ok

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CONTEXT = {"place": "Công an xã Đắk Lao", "hours": "giờ hành chính"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, 30, tzinfo=HCM), tick=True) as t:
        yield t


def queue(unit: Unit, channel: str, address: str, key: str) -> Message:
    return services.queue(
        unit=unit,
        channel=channel,
        address=address,
        template_code="card_arrived",
        context=CONTEXT,
        event_key=key,
    )


# ---------------------------------------------------------------- the opt-out link


def _altered(token: str) -> str:
    """The token with one character of its signature changed: one well inside, since base64's
    last character may carry padding bits only (changing it may change no byte)."""
    at = len(token) - 10
    return token[:at] + ("B" if token[at] == "A" else "A") + token[at + 1 :]


def test_the_token_round_trips_and_hides_nothing_else() -> None:
    token = links.stop_token("sms", "84912345678")
    assert links.stopped_by(token) == ("sms", "84912345678")
    assert "84912345678" not in token


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "x" * 700,
        "%%%%",
        "đường",
        links.stop_token("sms", "84912345678")[:-3],
        _altered(links.stop_token("sms", "84912345678")),
    ],
)
def test_a_bad_token_opens_nothing(token: str) -> None:
    assert links.stopped_by(token) is None


def test_a_token_signed_for_another_purpose_or_channel_is_refused() -> None:
    from base64 import urlsafe_b64encode

    from django.core import signing

    other = signing.Signer(salt="cccd.enrollments.status.link").sign("sms:84912345678")
    assert links.stopped_by(urlsafe_b64encode(other.encode()).decode()) is None
    fax = signing.Signer(salt=links.STOP_SALT).sign("fax:84912345678")
    assert links.stopped_by(urlsafe_b64encode(fax.encode()).decode()) is None


def test_the_page_asks_first_then_opts_out_and_suppresses_what_waits(
    unit: Unit, templates: None, clock: time_machine.Traveller
) -> None:
    waiting = queue(unit, "sms", "0912345678", "card:1:arrived")
    token = links.stop_token("sms", "84912345678")
    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/notify/stop/{token}/", HTTP_ACCEPT_LANGUAGE="vi")
    assert page.status_code == 200
    text = page.content.decode()
    assert "84•••••5678" in text and "84912345678" not in text
    assert "Ngừng nhận tin" in text  # Vietnamese by default
    assert not OptOut.objects.exists()  # a mail scanner following the link changes nothing
    csrf = page.cookies["csrftoken"].value
    done = client.post(f"/notify/stop/{token}/", {"csrfmiddlewaretoken": csrf})
    assert done.status_code == 200 and 'data-testid="done"' in done.content.decode()
    assert OptOut.objects.filter(channel="sms", address="84912345678").exists()
    waiting.refresh_from_db()
    assert waiting.state == Message.State.SUPPRESSED
    later = queue(unit, "sms", "+84 912 345 678", "card:2:arrived")
    assert later.state == Message.State.SUPPRESSED
    event = AuditEvent.objects.get(action="notify.opt_out")
    assert event.object_repr == "sms" and "912345678" not in json.dumps(
        [event.before, event.after, event.object_repr]
    )
    again = client.post(f"/notify/stop/{token}/", {"csrfmiddlewaretoken": csrf})
    assert again.status_code == 200 and OptOut.objects.count() == 1


def test_a_bad_link_is_a_clear_404_and_a_post_without_csrf_is_refused(unit: Unit) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/notify/stop/not-a-token/")
    assert page.status_code == 404 and 'data-testid="error"' in page.content.decode()
    assert client.post("/notify/stop/not-a-token/").status_code == 403  # no CSRF token
    token = links.stop_token("email", "an@example.vn")
    assert client.post(f"/notify/stop/{token}/").status_code == 403
    assert client.put(f"/notify/stop/{token}/").status_code in (403, 405)
    assert not OptOut.objects.exists()


def test_the_email_carries_the_link_and_the_link_stops_the_next_one(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    settings.CCCD_NOTIFY_PUBLIC_URL = "https://cccd.example.vn"  # type: ignore[attr-defined]
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
        first = queue(unit, "email", "An@Example.VN", "card:3:arrived")
        assert delivery.deliver(first.pk) == Message.State.SENT
        received = email.message_from_bytes(
            mailbox.envelopes[0].content,  # type: ignore[arg-type]
            policy=policy.default,
        )
        body = received.get_content()
        link = body.rsplit(": ", 1)[1].strip()
        assert link.startswith("https://cccd.example.vn/notify/stop/")
        assert "".join(str(received["List-Unsubscribe"]).split()) == f"<{link}>"
        path = link.removeprefix("https://cccd.example.vn")
        client = Client()
        client.get(path)
        client.post(path)
        second = queue(unit, "email", "an@example.vn", "card:4:arrived")
        assert delivery.deliver(second.pk) is None
    assert len(mailbox.envelopes) == 1
    assert second.state == Message.State.SUPPRESSED


def test_without_a_public_address_the_email_has_no_link(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    settings.CCCD_NOTIFY_PUBLIC_URL = ""  # type: ignore[attr-defined]
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
        message = queue(unit, "email", "an@example.vn", "card:5:arrived")
        delivery.deliver(message.pk)
    assert b"/notify/stop/" not in mailbox.envelopes[0].content  # type: ignore[operator]


# ---------------------------------------------------------------- delivery reports: ZNS


@pytest.fixture
def zns_secret(settings: object) -> object:
    settings.CCCD_ZNS_APP_ID = "4321"  # type: ignore[attr-defined]
    settings.CCCD_ZNS_OA_SECRET_KEY = "oa-secret"  # type: ignore[attr-defined]
    return settings


def zns_event(msg_id: str, tracking: str = "", event: str = "user_received_message") -> bytes:
    return json.dumps(
        {
            "app_id": "4321",
            "event_name": event,
            "sender": {"id": "oa-1"},
            "recipient": {"id": "user-1"},
            "message": {
                "msg_id": msg_id,
                "delivery_time": "1733560000000",
                "tracking_id": tracking,
            },
            "timestamp": "1733560000123",
        }
    ).encode()


def post_zns(body: bytes, signature: str | None = None) -> object:
    if signature is None:
        text = "4321" + body.decode() + "1733560000123" + "oa-secret"
        signature = "mac=" + hashlib.sha256(text.encode()).hexdigest()
    return Client(enforce_csrf_checks=True).post(
        "/notify/hooks/zns/",
        body,
        content_type="application/json",
        headers={"X-ZEvent-Signature": signature},
    )


def sent_zns(unit: Unit, settings: object, key: str) -> Message:
    with http_server(Gateway([zns_ok()])) as gateway:
        settings.CCCD_ZNS_URL = gateway.url  # type: ignore[attr-defined]
        message = queue(unit, "zns", "0912345678", key)
        assert delivery.deliver(message.pk) == Message.State.SENT
    message.refresh_from_db()
    return message


def test_zalo_says_received_and_the_message_is_delivered(
    unit: Unit, templates: None, zns_secret: object, clock: time_machine.Traveller
) -> None:
    message = sent_zns(unit, zns_secret, "card:10:arrived")
    response = post_zns(zns_event(message.provider_id))
    assert response.status_code == 200 and response.json()["updated"] == 1  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED
    assert post_zns(zns_event(message.provider_id)).json()["updated"] == 0  # type: ignore[attr-defined]


def test_zalo_reports_are_found_by_tracking_id_too(
    unit: Unit, templates: None, zns_secret: object, clock: time_machine.Traveller
) -> None:
    message = sent_zns(unit, zns_secret, "card:11:arrived")
    assert post_zns(zns_event("other-id", tracking="card:11:arrived")).status_code == 200  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert message.state == Message.State.DELIVERED


@pytest.mark.parametrize(
    ("body", "signature", "status"),
    [
        (zns_event("zns-1"), "mac=" + "0" * 64, 403),
        (zns_event("zns-1"), "", 403),
        (zns_event("zns-1") + b" ", None, 200),  # the signature covers the body as sent
        (b"{not json", "mac=x", 400),
        (b"[1, 2]", "mac=x", 400),
        (b"\xff\xfe", "mac=x", 400),
        (b"", "mac=x", 400),
    ],
)
def test_bad_or_malformed_zalo_reports(
    unit: Unit,
    templates: None,
    zns_secret: object,
    clock: time_machine.Traveller,
    body: bytes,
    signature: str | None,
    status: int,
) -> None:
    message = sent_zns(unit, zns_secret, "card:12:arrived")
    assert post_zns(body, signature).status_code == status  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert message.state == (Message.State.DELIVERED if status == 200 else Message.State.SENT)


def test_unknown_ids_and_other_events_are_answered_200_and_change_nothing(
    unit: Unit, templates: None, zns_secret: object, clock: time_machine.Traveller
) -> None:
    message = sent_zns(unit, zns_secret, "card:13:arrived")
    assert post_zns(zns_event("nobody")).json()["updated"] == 0  # type: ignore[attr-defined]
    seen = zns_event(message.provider_id, event="user_seen_message")
    assert post_zns(seen).json()["updated"] == 0  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert message.state == Message.State.SENT


def test_without_a_secret_the_hooks_are_off(settings: object) -> None:
    settings.CCCD_ZNS_OA_SECRET_KEY = ""  # type: ignore[attr-defined]
    settings.CCCD_SMS_WEBHOOK_SECRET = ""  # type: ignore[attr-defined]
    assert post_zns(zns_event("1")).status_code == 404  # type: ignore[attr-defined]
    sms = post_sms({"data": {"id": "1", "status": "delivered"}}, "")
    assert sms.status_code == 404  # type: ignore[attr-defined]


def test_a_report_too_large_is_refused_unread(zns_secret: object) -> None:
    body = b'{"pad": "' + b"x" * (hooks.MAX_BODY + 1) + b'"}'
    assert post_zns(body, "mac=x").status_code == 413  # type: ignore[attr-defined]


def test_the_hooks_take_only_post(zns_secret: object) -> None:
    assert Client().get("/notify/hooks/zns/").status_code == 405
    assert Client().get("/notify/hooks/sms/").status_code == 405


# ---------------------------------------------------------------- delivery reports: SMS


@pytest.fixture
def sms_hook(sms_settings: object) -> object:
    sms_settings.CCCD_SMS_WEBHOOK_SECRET = "s3cret"  # type: ignore[attr-defined]
    sms_settings.CCCD_SMS_WEBHOOK_HEADER = "X-Webhook-Secret"  # type: ignore[attr-defined]
    sms_settings.CCCD_SMS_REPORT_ID_PATH = "data.id"  # type: ignore[attr-defined]
    sms_settings.CCCD_SMS_REPORT_STATUS_PATH = "data.status"  # type: ignore[attr-defined]
    return sms_settings


def sent_sms(unit: Unit, settings: object, key: str, provider_id: str) -> Message:
    with http_server(Gateway([(200, {"status": "ok", "id": provider_id})])) as gateway:
        settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        message = queue(unit, "sms", "0912345678", key)
        assert delivery.deliver(message.pk) == Message.State.SENT
    message.refresh_from_db()
    return message


SMS_SECRET = "s3cret"  # noqa: S105  (the test's own)


def post_sms(report: object, secret: str = SMS_SECRET) -> object:
    body = report if isinstance(report, bytes) else json.dumps(report).encode()
    return Client(enforce_csrf_checks=True).post(
        "/notify/hooks/sms/",
        body,
        content_type="application/json",
        headers={"X-Webhook-Secret": secret},
    )


@pytest.mark.parametrize(
    ("status", "state", "reason"),
    [
        ("DELIVERED", Message.State.DELIVERED, ""),
        ("undelivered", Message.State.FAILED, "SMS gateway: undelivered"),
        ("en_route", Message.State.SENT, ""),
    ],
)
def test_the_gateway_reports_delivered_failed_or_neither(
    unit: Unit,
    templates: None,
    sms_hook: object,
    clock: time_machine.Traveller,
    status: str,
    state: str,
    reason: str,
) -> None:
    message = sent_sms(unit, sms_hook, "card:20:arrived", "G-20")
    response = post_sms({"data": {"id": "G-20", "status": status}})
    assert response.status_code == 200  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert (message.state, message.reason) == (state, reason)


@pytest.mark.parametrize(
    ("report", "secret", "code"),
    [
        ({"data": {"id": "G-21", "status": "delivered"}}, "wrong", 403),
        ({"data": {"id": "G-21", "status": "delivered"}}, "", 403),
        (b"not json", "s3cret", 400),
        (b"null", "s3cret", 400),
        ({"data": {"status": "delivered"}}, "s3cret", 400),  # no id
        ({"data": {"id": {"x": 1}, "status": "delivered"}}, "s3cret", 400),
        ({"data": {"id": "unknown", "status": "delivered"}}, "s3cret", 200),
    ],
)
def test_bad_or_unknown_gateway_reports(
    unit: Unit,
    templates: None,
    sms_hook: object,
    clock: time_machine.Traveller,
    report: object,
    secret: str,
    code: int,
) -> None:
    message = sent_sms(unit, sms_hook, "card:21:arrived", "G-21")
    assert post_sms(report, secret).status_code == code  # type: ignore[attr-defined]
    message.refresh_from_db()
    assert message.state == Message.State.SENT


def test_a_settled_message_is_not_moved_by_a_late_report(
    unit: Unit, templates: None, sms_hook: object, clock: time_machine.Traveller
) -> None:
    message = sent_sms(unit, sms_hook, "card:22:arrived", "G-22")
    post_sms({"data": {"id": "G-22", "status": "failed"}})
    post_sms({"data": {"id": "G-22", "status": "delivered"}})
    message.refresh_from_db()
    assert message.state == Message.State.FAILED
