"""CCCD_NOTIFY_LOG_ONLY: a demo or training server's SMS and ZNS go to the log, not to a gateway,
and the log names the message, never its address or text."""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cccd.notify import delivery, services
from cccd.notify.models import Message
from cccd.units.models import Unit
from tests.notify.fakes import Gateway, http_server

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
CONTEXT = {"place": "Công an xã Đắk Lao", "hours": "từ 7:30 đến 11:00"}


@pytest.mark.django_db
def test_a_log_only_channel_writes_the_log_and_no_request(
    unit: Unit, templates: None, sms_settings: object, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = Gateway([(500, {})])
    with (
        http_server(gateway),
        time_machine.travel(datetime.datetime(2026, 12, 7, 9, 30, tzinfo=HCM)),
    ):
        sms_settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        sms_settings.CCCD_NOTIFY_LOG_ONLY = frozenset({"sms", "zns"})  # type: ignore[attr-defined]
        message = services.queue(
            unit=unit,
            channel="sms",
            address="0912345678",
            template_code="card_arrived",
            context=CONTEXT,
            event_key="card:7:arrived",
        )
        with caplog.at_level(logging.INFO, logger="cccd.notify"):
            assert delivery.deliver(message.pk) == Message.State.SENT
    message.refresh_from_db()
    assert (message.state, message.reason, message.attempts) == ("sent", "log only", 1)
    assert gateway.requests == []
    logged = caplog.text
    assert f"message {message.pk}" in logged and "card_arrived" in logged
    assert "912345678" not in logged and "Đắk Lao" not in logged


@pytest.mark.django_db
def test_a_channel_not_in_the_list_is_still_sent(
    unit: Unit, templates: None, sms_settings: object
) -> None:
    gateway = Gateway([(200, {"status": "ok", "id": "G-1"})])
    with (
        http_server(gateway),
        time_machine.travel(datetime.datetime(2026, 12, 7, 9, 30, tzinfo=HCM)),
    ):
        sms_settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
        sms_settings.CCCD_NOTIFY_LOG_ONLY = frozenset({"zns"})  # type: ignore[attr-defined]
        message = services.queue(
            unit=unit,
            channel="sms",
            address="0912345678",
            template_code="card_arrived",
            context=CONTEXT,
            event_key="card:8:arrived",
        )
        assert delivery.deliver(message.pk) == Message.State.SENT  # delivered when the report comes
    assert len(gateway.requests) == 1
