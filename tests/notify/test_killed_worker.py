"""A worker killed mid-send neither loses nor doubles the message (issue 18, must show).

A real `cccd send_notifications` process sends a message to the fake ZNS, which takes the request
(and, as a provider would, processes it) but holds its answer; the process is killed with SIGKILL
while it waits. A second run afterwards — once the dead worker's lease has run out, never before
— sends again with the same tracking_id; the fake ZNS recognises it, and exactly one message
reached the phone. The message is urgent so that the real clock's hour (the worker process is not
under time-machine) cannot put it into the quiet hours.
"""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from cccd.notify import delivery, services
from cccd.units.models import Unit
from tests.notify.fakes import WAIT, Gateway, http_server, zns_ok

pytestmark = pytest.mark.django_db(transaction=True)
CCCD = Path(sys.executable).with_name("cccd")
LEASE_SECONDS = 60


def _worker_env(tmp_path: Path, zns_url: str) -> dict[str, str]:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        assert "memory" not in str(db["NAME"]), "the test database must be a file"
        url = f"sqlite:///{db['NAME']}"
    else:
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        url = (
            f"postgresql://{db['USER']}{password}@{db.get('HOST') or '127.0.0.1'}:"
            f"{db.get('PORT') or 5432}/{db['NAME']}"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCCD_", "DATABASE_URL"))}
    return env | {
        "DJANGO_SETTINGS_MODULE": "cccd.settings",
        "DATABASE_URL": url,
        "CCCD_DATA_DIR": str(tmp_path),
        "CCCD_SECRET_KEY": secrets.token_urlsafe(40),
        "CCCD_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
        "CCCD_ZNS_URL": zns_url,
        "CCCD_ZNS_ACCESS_TOKEN": "token-1",
        "CCCD_LOG_LEVEL": "WARNING",
    }


def test_a_worker_killed_mid_send_neither_loses_nor_doubles(
    unit: Unit, templates: None, settings: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker under test is the process below, not the task queue (immediate in the tests).
    monkeypatch.setattr(services, "schedule", lambda message_id, when: None)
    gateway = Gateway([zns_ok()], hold=True)
    with http_server(gateway):
        settings.CCCD_ZNS_URL = gateway.url  # type: ignore[attr-defined]
        message = services.queue(
            unit=unit,
            channel="zns",
            address="0912345678",
            template_code="card_arrived",
            context={"place": "Công an xã Đắk Lao", "hours": "sáng mai"},
            event_key="card:42:arrived",
            urgent=True,
        )
        log = (tmp_path / "worker.log").open("wb")
        worker = subprocess.Popen(  # noqa: S603
            [str(CCCD), "send_notifications"],
            env=_worker_env(tmp_path, gateway.url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert gateway.received.wait(WAIT), (tmp_path / "worker.log").read_text()
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(WAIT)
        assert worker.returncode == -signal.SIGKILL
        gateway.hold = False
        gateway.release.set()

        message.refresh_from_db()
        assert (message.state, message.attempts) == ("sending", 1)  # not lost: still claimed
        assert delivery.send_due() == 0  # not doubled: the lease still holds
        assert message.lease_until is not None
        with time_machine.travel(message.lease_until + datetime.timedelta(seconds=1), tick=True):
            assert delivery.send_due() == 1
            assert delivery.send_due() == 0

    message.refresh_from_db()
    assert (message.state, message.attempts, message.provider_id) == ("sent", 2, "zns-1")
    trackings = [request["body"]["tracking_id"] for request in gateway.requests]
    assert trackings == ["card:42:arrived", "card:42:arrived"]  # the same key both times
    assert gateway.accepted == {"card:42:arrived": "zns-1"}  # one message reached the phone
