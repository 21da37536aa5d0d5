import logging

import pytest

from cccd.accounts.masking import MaskPersonalDataFilter, mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("look-up 001199012345 done", "look-up 001*******45 done"),
        ("old number 241234567", "old number 241****67"),
        ("phone 0912345678", "phone 091*****78"),
        ("GET /registry/search/?q=nguyen+van+a&year=1990 200", "GET /registry/search/?… 200"),
        ("unit 24667 and year 2021", "unit 24667 and year 2021"),
    ],
)
def test_it_masks_numbers_and_query_strings(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_the_log_filter_masks_formatted_arguments() -> None:
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "person %s at %s", ("001199012345", "/p/?q=x"), None
    )
    MaskPersonalDataFilter().filter(record)
    assert record.getMessage() == "person 001*******45 at /p/?…"


def test_the_configured_logging_masks_personal_ids(caplog: pytest.LogCaptureFixture) -> None:
    from django.conf import settings

    assert "mask_personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
