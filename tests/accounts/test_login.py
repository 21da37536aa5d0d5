import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent, User
from tests.builders import PASSWORD, Tree

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str) -> object:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_a_user_logs_in_and_sees_their_unit(officer_dakmil: User) -> None:
    client = Client()
    response = _login(client, "canbo.dakmil", PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Công an huyện Đắk Mil" in home.content.decode()


def test_the_login_page_speaks_vietnamese_by_default(db: None, settings: object) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    page = Client().get("/accounts/login/").content.decode()
    assert 'lang="vi"' in page
    assert "Đăng nhập" in page


def test_a_wrong_password_is_refused_with_a_message(officer_dakmil: User) -> None:
    response = _login(Client(), "canbo.dakmil", "wrong-password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_repeated_failures_lock_the_account_even_for_the_right_password(
    officer_dakmil: User, settings: object
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        _login(client, "canbo.dakmil", "wrong-password")
    response = _login(client, "canbo.dakmil", PASSWORD)
    assert response.status_code == 429
    assert "LOGIN_LOCKED" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_one_users_failures_do_not_lock_another_user(
    officer_dakmil: User, officer_tayson: User, settings: object
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):  # type: ignore[attr-defined]
        _login(client, "canbo.dakmil", "wrong-password")
    assert _login(Client(), "canbo.tayson", PASSWORD).status_code == 302


def test_login_and_logout_are_audited_with_the_address(officer_dakmil: User) -> None:
    client = Client()
    _login(client, "canbo.dakmil", PASSWORD)
    client.post("/accounts/logout/", REMOTE_ADDR="10.0.0.7")
    actions = list(
        AuditEvent.objects.filter(actor=officer_dakmil)
        .order_by("id")
        .values_list("action", "source")
    )
    assert actions == [("auth.login", "10.0.0.7"), ("auth.logout", "10.0.0.7")]


def test_pages_need_a_login(tree: Tree) -> None:
    for url in ["/", "/units/", "/accounts/users/", "/accounts/audit/"]:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_the_language_can_be_switched_to_english_and_back(
    officer_dakmil: User, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    client = Client()
    client.force_login(officer_dakmil)
    assert "Đơn vị" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Your unit" in client.get("/").content.decode()
