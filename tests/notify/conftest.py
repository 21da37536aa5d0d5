from __future__ import annotations

import pytest

from cccd.notify.models import MessageTemplate
from cccd.units.models import Unit
from cccd.units.roots import national_roots
from tests.databases import use_a_file_test_database


@pytest.fixture
def unit(db: None) -> Unit:
    return national_roots()[1]


@pytest.fixture
def templates(db: None) -> None:
    MessageTemplate.objects.create(
        code="card_arrived",
        channel="email",
        subject="Thẻ căn cước của bạn đã về",
        body="Thẻ căn cước của bạn đã về {place}. Mời bạn đến nhận {hours}.",
    )
    MessageTemplate.objects.create(
        code="card_arrived", channel="sms", body="CCCD: the da ve {place}, nhan {hours}."
    )
    MessageTemplate.objects.create(
        code="card_arrived",
        channel="zns",
        body="Thẻ đã về {place}, nhận {hours}.",
        provider_template_id="7895417a7d3f9461cd2e",
    )


@pytest.fixture
def sms_settings(settings: object) -> object:
    settings.CCCD_SMS_BODY = '{"to": "{phone}", "content": "{text}", "ref": "{reference}"}'  # type: ignore[attr-defined]
    settings.CCCD_SMS_HEADERS = '{"Authorization": "Bearer test"}'  # type: ignore[attr-defined]
    settings.CCCD_SMS_SUCCESS_PATH = "status"  # type: ignore[attr-defined]
    settings.CCCD_SMS_SUCCESS_VALUE = "ok"  # type: ignore[attr-defined]
    settings.CCCD_SMS_ID_PATH = "id"  # type: ignore[attr-defined]
    settings.CCCD_NOTIFY_TIMEOUT_SECONDS = 10  # type: ignore[attr-defined]
    return settings


def pytest_configure(config: pytest.Config) -> None:
    """The killed-worker test runs a real `cccd send_notifications` process on the test database."""
    use_a_file_test_database()
