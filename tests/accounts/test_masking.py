import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from cccd.accounts.masking import MaskPersonalDataFilter, mask_text
from cccd.errors import DomainError


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


# --- tracebacks ---------------------------------------------------------------------------------

NAME, PERSONAL_ID = "Nguyễn Thị Ánh Tuyết", "067199012345"


@pytest.fixture
def logged() -> Iterator[Callable[[], str]]:
    """Logging as `settings.LOGGING` configures it, its console handler writing into a buffer."""
    from django.conf import settings
    from django.utils.log import configure_logging

    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    buffer = io.StringIO()
    for handler in _consoles():
        handler.setStream(buffer)
    yield buffer.getvalue
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)


def _consoles() -> list[logging.StreamHandler[Any]]:
    """The configured stream handlers (not pytest's own, which capture for its report)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    consoles = [h for h in handlers if not type(h).__module__.startswith("_pytest")]
    assert consoles
    return consoles


def _read_the_register_row() -> None:
    full_name = NAME  # a local, as a traceback with locals would show it
    try:
        int(full_name)
    except ValueError as exc:
        raise RuntimeError(f"row of {full_name} ({PERSONAL_ID}) cannot be written") from exc


def test_a_logged_traceback_keeps_its_frames_but_not_the_messages(
    logged: Callable[[], str],
) -> None:
    try:
        _read_the_register_row()
    except RuntimeError:
        logging.getLogger("cccd.registry").exception("import %s failed", 12)
    output = logged()
    assert "import 12 failed" in output
    assert "_read_the_register_row" in output and "int(full_name)" in output  # the frames
    assert "builtins.ValueError" in output and "builtins.RuntimeError" in output
    assert "direct cause" in output
    assert NAME not in output and PERSONAL_ID not in output and "Tuyết" not in output


def test_a_domain_error_keeps_its_code_in_the_log(logged: Callable[[], str]) -> None:
    from cccd.registry import errors

    try:
        raise errors.NOT_UTF8(line=f"{NAME} {PERSONAL_ID}")
    except DomainError:
        logging.getLogger("cccd").exception("refused")
    output = logged()
    assert "[NOT_UTF8]" in output
    assert NAME not in output and PERSONAL_ID not in output


def _failing_view(request: HttpRequest) -> HttpResponse:
    person = {"full_name": NAME, "personal_id": PERSONAL_ID}  # noqa: F841 (a local in the frame)
    raise ValueError(f"{NAME} {PERSONAL_ID}\x07 cannot be used in worksheets.")


urlpatterns = [path("fails/", _failing_view)]


def test_a_server_error_logs_and_mails_no_personal_data(
    logged: Callable[[], str], settings: Any, mailoutbox: list[Any]
) -> None:
    """Django's own 500 handling: the request logger's traceback, and the e-mail to ADMINS that
    Django's default logging would send with the request's data and the frames' locals."""
    settings.ROOT_URLCONF = __name__
    settings.ADMINS = [("Quản trị", "admin@example.gov.vn")]
    client = Client(raise_request_exception=False)
    response = client.post(f"/fails/?q={NAME}", {"full_name": NAME, "personal_id": PERSONAL_ID})
    assert response.status_code == 500
    output = logged()
    assert "Internal Server Error: /fails/" in output and "_failing_view" in output
    assert NAME not in output and PERSONAL_ID not in output
    sent = "".join(f"{m.subject}{m.body}" for m in mailoutbox)
    assert NAME not in sent and PERSONAL_ID not in sent


LIBRARY_NULL_HANDLERS = {"py4j.java_gateway.NullHandler"}
"""Libraries' own handlers that write nothing, as logging.NullHandler (py4j, under pyspark, has its
own class from before Python had one)."""


def test_every_configured_log_handler_masks(logged: Callable[[], str]) -> None:
    """A handler added to LOGGING without the filter (or Django's defaults coming back) fails here."""
    loggers = [
        logging.getLogger(),
        *(logging.getLogger(name) for name in logging.root.manager.loggerDict),
    ]
    handlers = {
        h
        for lg in loggers
        for h in lg.handlers
        if not type(h).__module__.startswith("_pytest")
        and not isinstance(h, logging.NullHandler)  # libraries add these; they write nothing
        and f"{type(h).__module__}.{type(h).__name__}" not in LIBRARY_NULL_HANDLERS
    }
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters), handler


def test_a_log_handler_that_cannot_write_prints_nothing_unmasked(
    logged: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    """logging's own error report would print the exception being handled, with its message."""
    broken = io.StringIO()
    broken.close()
    for handler in _consoles():
        handler.setStream(broken)
    try:
        _read_the_register_row()
    except RuntimeError:
        logging.getLogger("cccd.registry").exception("import failed")
    captured = capsys.readouterr()
    assert NAME not in captured.err + captured.out
