"""An error page says what happened in a sentence of the user's language; the stable code is
only in small print, for whoever the user calls for help."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cccd.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _alert_and_code(html: str) -> tuple[str, str]:
    alert = re.search(r'<p role="alert">(.*?)</p>', html, re.S)
    code = re.search(r'<small data-testid="error-code">(.*?)</small>', html, re.S)
    assert alert and code, html
    return alert.group(1).strip(), " ".join(re.sub(r"<[^>]+>", "", code.group(1)).split())


def test_a_refusal_for_the_role_reads_as_a_sentence_with_the_code_in_small_print(
    officer_dakmil: User,
) -> None:
    response = client_for(officer_dakmil).get("/accounts/audit/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 403
    alert, code = _alert_and_code(response.content.decode())
    assert alert == "Vai trò của bạn không được phép thực hiện thao tác này."
    assert code == "Mã lỗi (để báo hỗ trợ): PERMISSION_DENIED"


def test_a_file_that_is_not_utf8_reads_as_the_sentence(administrator: User) -> None:
    upload = SimpleUploadedFile("register.csv", b"h\xf4 t\xean;ng\xe0y sinh\n")
    response = client_for(administrator).post(
        "/registry/imports/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    alert, code = _alert_and_code(response.content.decode())
    assert "UTF-8" in alert and "NOT_UTF8" not in alert
    assert code.endswith("NOT_UTF8")


def test_the_go_back_link_is_a_plain_link_to_the_page_one_came_from(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    html = client.get(
        "/accounts/audit/", HTTP_REFERER="http://testserver/campaigns/"
    ).content.decode()
    assert 'href="http://testserver/campaigns/"' in html
    assert "javascript:" not in html
    elsewhere = client.get(
        "/accounts/audit/", HTTP_REFERER="https://evil.example/"
    ).content.decode()
    assert "evil.example" not in elsewhere


@pytest.mark.parametrize(("path", "code"), [("/no-such-page/", "404")])
def test_the_404_page_keeps_its_code_in_small_print(
    officer_dakmil: User, settings: object, path: str, code: str
) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    html = client_for(officer_dakmil).get(path, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert f'Mã lỗi (để báo hỗ trợ): <span class="error-code">{code}</span></small>' in " ".join(
        html.split()
    )
