"""Messages queued and sent to a real SMTP server and to a local HTTP server standing in for the
SMS gateway and for Zalo ZNS: retries, permanent failures, quiet hours, opt-out, one event once."""

from __future__ import annotations

import datetime
import email
from collections.abc import Iterator
from email import policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cccd.notify import delivery, services
from cccd.notify.channels import message_id_for
from cccd.notify.models import Message, MessageTemplate
from cccd.notify.templates import load_templates
from cccd.units.models import Unit
from tests.notify.fakes import Gateway, http_server, smtp_server, zns_ok

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = datetime.datetime(2026, 12, 7, 9, 30, tzinfo=HCM)
CONTEXT = {"place": "Công an xã Đắk Lao", "hours": "từ 7:30 đến 11:00 các ngày thường"}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(MORNING, tick=True) as traveller:
        yield traveller


def queue(unit: Unit, channel: str, address: str, key: str, **extra: object) -> Message:
    return services.queue(
        unit=unit,
        channel=channel,
        address=address,
        template_code="card_arrived",
        context=CONTEXT,
        event_key=key,
        **extra,  # type: ignore[arg-type]
    )


def run_until_settled(message: Message, clock: time_machine.Traveller) -> Message:
    """Attempt after attempt, moving the clock to each retry's time; bounded."""
    for _ in range(10):
        delivery.deliver(message.pk)
        message.refresh_from_db()
        if message.state != Message.State.QUEUED:
            return message
        assert message.next_attempt_at is not None
        clock.move_to(message.next_attempt_at + datetime.timedelta(seconds=1))
    raise AssertionError("the message never settled")


@pytest.mark.django_db
def test_email_reaches_a_real_smtp_server_with_a_stable_message_id(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    with smtp_server() as (mailbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port  # type: ignore[attr-defined]
        message = queue(unit, "email", "Nguyen.An@Example.VN", "card:1:arrived")
        assert delivery.deliver(message.pk) == Message.State.SENT
    assert len(mailbox.envelopes) == 1
    envelope = mailbox.envelopes[0]
    assert envelope.rcpt_tos == ["nguyen.an@example.vn"]
    received = email.message_from_bytes(envelope.content, policy=policy.default)  # type: ignore[arg-type]
    assert received["Message-ID"] == message_id_for("card:1:arrived")
    assert str(received["Subject"]) == "Thẻ căn cước của bạn đã về"
    assert "Công an xã Đắk Lao" in received.get_content()
    message.refresh_from_db()
    assert (message.attempts, message.provider_id) == (1, message_id_for("card:1:arrived"))


@pytest.mark.django_db
def test_email_to_a_dead_server_is_retried_later(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    from tests.notify.fakes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"  # type: ignore[attr-defined]
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # type: ignore[attr-defined]
    message = queue(unit, "email", "an@example.vn", "card:2:arrived")
    assert delivery.deliver(message.pk) == Message.State.QUEUED
    message.refresh_from_db()
    assert message.reason.startswith("SMTP")
    assert message.next_attempt_at is not None
    assert message.next_attempt_at >= MORNING + datetime.timedelta(minutes=1)
    assert delivery.deliver(message.pk) is None  # not before its time


@pytest.mark.django_db
def test_sms_gateway_failing_twice_then_succeeding_gives_one_message_in_3_attempts(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    answers = [
        (503, {"status": "busy"}),
        (503, {"status": "busy"}),
        (200, {"status": "ok", "id": "G-77"}),
    ]
    with http_server(Gateway(answers)) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url + "/send"  # type: ignore[attr-defined]
        message = run_until_settled(queue(unit, "sms", "0912 345 678", "card:3:arrived"), clock)
    assert (message.state, message.attempts, message.provider_id) == ("sent", 3, "G-77")
    assert len(gateway.requests) == 3
    bodies = [request["body"] for request in gateway.requests]
    assert all(body["to"] == "84912345678" for body in bodies)
    assert len({body["ref"] for body in bodies}) == 1  # the same client reference every time
    assert (
        bodies[0]["content"] == "CCCD: the da ve Công an xã Đắk Lao, nhan " + CONTEXT["hours"] + "."
    )
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer test"
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_4xx_fails_with_its_reason_and_is_not_retried(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    with http_server(Gateway([(400, {"status": "invalid phone"})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url + "/send"  # type: ignore[attr-defined]
        message = queue(unit, "sms", "0912345678", "card:4:arrived")
        assert delivery.deliver(message.pk) == Message.State.FAILED
        clock.shift(datetime.timedelta(hours=2))
        assert delivery.deliver(message.pk) is None
        assert delivery.send_due() == 0
    message.refresh_from_db()
    assert (message.state, message.reason, message.attempts) == ("failed", "HTTP 400", 1)
    assert len(gateway.requests) == 1


@pytest.mark.django_db
def test_a_gateway_saying_no_in_a_200_fails(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    with http_server(Gateway([(200, {"status": "rejected"})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url + "/send"  # type: ignore[attr-defined]
        message = queue(unit, "sms", "0912345678", "card:5:arrived")
        assert delivery.deliver(message.pk) == Message.State.FAILED
    message.refresh_from_db()
    assert message.reason == "SMS gateway: rejected"


@pytest.mark.django_db
def test_transient_failures_stop_after_the_bounded_attempts(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    sms_settings.CCCD_NOTIFY_MAX_ATTEMPTS = 3  # type: ignore[attr-defined]
    with http_server(Gateway([(503, {})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url + "/send"  # type: ignore[attr-defined]
        message = run_until_settled(queue(unit, "sms", "0912345678", "card:6:arrived"), clock)
    assert (message.state, message.attempts) == ("failed", 3)
    assert message.reason == "HTTP 503 (after 3 attempts)"
    assert len(gateway.requests) == 3


@pytest.mark.django_db
def test_zns_as_documented(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    settings.CCCD_ZNS_ACCESS_TOKEN = "token-1"  # type: ignore[attr-defined]
    with http_server(Gateway([(503, {}), zns_ok()])) as gateway:
        settings.CCCD_ZNS_URL = gateway.url  # type: ignore[attr-defined]
        message = run_until_settled(queue(unit, "zns", "+84 912 345 678", "card:7:arrived"), clock)
    assert (message.state, message.attempts, message.provider_id) == ("sent", 2, "zns-1")
    request = gateway.requests[-1]
    assert request["path"] == "/message/template"
    assert request["headers"]["access_token"] == "token-1"
    assert request["body"] == {
        "phone": "84912345678",
        "template_id": "7895417a7d3f9461cd2e",
        "template_data": CONTEXT,
        "tracking_id": "card:7:arrived",
    }


@pytest.mark.django_db
def test_zns_error_code_fails(
    unit: Unit, templates: None, settings: object, clock: time_machine.Traveller
) -> None:
    with http_server(Gateway([(200, {"error": -108, "message": "Phone number is invalid"})])) as gw:
        settings.CCCD_ZNS_URL = gw.url  # type: ignore[attr-defined]
        message = queue(unit, "zns", "0912345678", "card:8:arrived")
        assert delivery.deliver(message.pk) == Message.State.FAILED
    message.refresh_from_db()
    assert message.reason == "ZNS error -108"


@pytest.mark.django_db
def test_quiet_hours_hold_until_7_and_the_urgent_call_passes(
    unit: Unit, templates: None, settings: object
) -> None:
    evening = datetime.datetime(2026, 12, 7, 22, 15, tzinfo=HCM)
    with time_machine.travel(evening, tick=True) as clock, http_server(Gateway([zns_ok()])) as gw:
        settings.CCCD_ZNS_URL = gw.url  # type: ignore[attr-defined]
        waiting = queue(unit, "zns", "0912345678", "card:9:arrived")
        urgent = queue(unit, "zns", "0987654321", "ticket:9:call", urgent=True)
        assert delivery.send_due() == 2
        waiting.refresh_from_db()
        assert waiting.state == "queued"
        assert waiting.next_attempt_at == datetime.datetime(2026, 12, 8, 7, 0, tzinfo=HCM)
        assert [r["body"]["tracking_id"] for r in gw.requests] == ["ticket:9:call"]
        clock.move_to(datetime.datetime(2026, 12, 8, 6, 59, tzinfo=HCM))
        assert delivery.send_due() == 0
        clock.move_to(datetime.datetime(2026, 12, 8, 7, 0, 1, tzinfo=HCM))
        assert delivery.send_due() == 1
    waiting.refresh_from_db()
    urgent.refresh_from_db()
    assert (waiting.state, urgent.state) == ("sent", "sent")
    assert waiting.attempts == 1  # holding is no attempt


def test_quiet_hours_edges() -> None:
    def at(hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime(2026, 12, 7, hour, minute, tzinfo=HCM)

    assert delivery.quiet_until(at(7)) is None
    assert delivery.quiet_until(at(20, 59)) is None
    assert delivery.quiet_until(at(21)) == datetime.datetime(2026, 12, 8, 7, tzinfo=HCM)
    assert delivery.quiet_until(at(3)) == at(7)


@pytest.mark.django_db
def test_opt_out_holds_before_and_after_queueing(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    with http_server(Gateway([(200, {"status": "ok", "id": "1"})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        services.opt_out("sms", "0912345678")
        before = queue(unit, "sms", "+84912345678", "card:10:arrived")
        after = queue(unit, "sms", "0987654321", "card:11:arrived")
        services.opt_out("sms", "84987654321")
        assert delivery.send_due() == 0
        assert delivery.deliver(after.pk) is None
    assert gateway.requests == []
    for message in (before, after):
        message.refresh_from_db()
        assert (message.state, message.reason) == ("suppressed", "opted out")


@pytest.mark.django_db
def test_the_same_event_twice_makes_one_message(unit: Unit, templates: None) -> None:
    first = queue(unit, "sms", "0912345678", "card:12:arrived")
    second = queue(unit, "sms", "0912345678", "card:12:arrived")
    assert first.pk == second.pk
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_no_personal_data_in_the_logs(
    unit: Unit,
    templates: None,
    sms_settings: object,
    clock: time_machine.Traveller,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("INFO", logger="cccd.notify")
    with http_server(Gateway([(400, {})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        message = queue(unit, "sms", "0912345678", "card:13:arrived")
        delivery.deliver(message.pk)
    assert caplog.records
    assert "912345678" not in caplog.text
    assert "Đắk Lao" not in caplog.text


@pytest.mark.django_db
def test_the_reference_templates_load_and_render() -> None:
    assert load_templates() == MessageTemplate.objects.count() > 0
    assert load_templates() == MessageTemplate.objects.count()  # a reload updates, adds nothing
    template = MessageTemplate.objects.get(code="card_arrived", channel="email")
    subject, text = services.render(template, {"place": "Công an xã", "hours": "sáng mai"})
    assert "Công an xã" in text and subject


@pytest.mark.django_db
def test_queueing_runs_the_task_after_the_commit(
    unit: Unit,
    templates: None,
    sms_settings: object,
    clock: time_machine.Traveller,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The test suite's task backend runs a task at once: the task sends what is due, and a retry
    it cannot defer is left to the sweep (no loop of immediate retries)."""
    with http_server(Gateway([(503, {}), (200, {"status": "ok", "id": "9"})])) as gateway:
        sms_settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        with django_capture_on_commit_callbacks(execute=True):
            message = queue(unit, "sms", "0912345678", "card:14:arrived")
        message.refresh_from_db()
        assert (message.state, message.attempts, len(gateway.requests)) == ("queued", 1, 1)
        assert message.next_attempt_at is not None
        clock.move_to(message.next_attempt_at)
        assert delivery.send_due() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)


@pytest.mark.django_db
def test_a_misconfigured_sms_body_fails_the_message_not_the_worker(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    sms_settings.CCCD_SMS_BODY = '{"to": "{mobile}"}'  # type: ignore[attr-defined]
    sms_settings.CCCD_SMS_URL = "http://127.0.0.1:9/"  # type: ignore[attr-defined]
    message = queue(unit, "sms", "0912345678", "card:15:arrived")
    assert delivery.deliver(message.pk) == Message.State.FAILED
    message.refresh_from_db()
    assert message.reason.startswith("CCCD_SMS_BODY")


@pytest.mark.django_db
def test_a_message_whose_workers_keep_dying_stops_at_the_bound(
    unit: Unit, templates: None, sms_settings: object, clock: time_machine.Traveller
) -> None:
    sms_settings.CCCD_NOTIFY_MAX_ATTEMPTS = 3  # type: ignore[attr-defined]
    message = queue(unit, "sms", "0912345678", "card:16:arrived")
    Message.objects.filter(pk=message.pk).update(
        state="sending", attempts=3, lease_until=MORNING - datetime.timedelta(minutes=1)
    )
    assert delivery.deliver(message.pk) == Message.State.FAILED  # no request: no URL is set
    message.refresh_from_db()
    assert (message.state, message.reason) == ("failed", "no outcome after 3 attempts")
