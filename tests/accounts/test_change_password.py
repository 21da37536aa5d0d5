"""A user changes their own password after proving the current one; an administrator sets
another user's. Either way the old password's API tokens and other logins end."""

import pytest
from django.test import Client

from cccd.accounts.models import User
from tests.builders import PASSWORD
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db

NEW = "Hoa-Sen-Dak-Mil-7"


def _logged_in() -> Client:
    """A real log-in (a session of its own), as a second browser would have."""
    client = Client()
    response = client.post("/accounts/login/", {"username": "canbo.dakmil", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _change(client: Client, current: str = PASSWORD, new: str = NEW, again: str | None = None):
    data = {"current_password": current, "new_password": new, "new_password_again": again or new}
    return client.post("/accounts/password/", data)


def test_a_user_changes_their_password_with_the_current_one_and_stays_logged_in(
    officer_dakmil: User,
) -> None:
    client = _logged_in()
    response = _change(client)
    assert response.status_code == 302
    assert User.objects.get(pk=officer_dakmil.pk).check_password(NEW)
    assert client.get("/").status_code == 200  # this browser is still logged in
    event = assert_audited("user.change_password", officer_dakmil, actor=officer_dakmil)
    assert NEW not in str(event.after) and PASSWORD not in str(event.after)


def test_other_browsers_are_logged_out_by_the_change(officer_dakmil: User) -> None:
    here, elsewhere = _logged_in(), _logged_in()
    _change(here)
    assert elsewhere.get("/").status_code == 302


def test_a_wrong_current_password_changes_nothing_and_says_so(officer_dakmil: User) -> None:
    response = _change(client_for(officer_dakmil), current="not-my-password")
    assert response.status_code == 400
    assert "The current password is not right." in response.content.decode()
    assert User.objects.get(pk=officer_dakmil.pk).check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "again", "marker"),
    [
        (NEW, NEW + "x", "The two new passwords differ."),
        ("12345678901", None, "not strong enough"),
        (PASSWORD, None, "must differ from the current one"),
    ],
)
def test_a_bad_new_password_is_refused_with_the_reason(
    officer_dakmil: User, new: str, again: str | None, marker: str
) -> None:
    response = _change(client_for(officer_dakmil), new=new, again=again)
    assert response.status_code == 400
    assert marker in response.content.decode()
    assert User.objects.get(pk=officer_dakmil.pk).check_password(PASSWORD)


def test_the_set_password_form_cannot_change_ones_own_password_without_the_current_one(
    administrator: User,
) -> None:
    response = client_for(administrator).post(
        f"/accounts/users/{administrator.pk}/password/", {"password": NEW}
    )
    assert response.status_code == 403
    assert "asks for the current one" in response.content.decode()
    assert User.objects.get(pk=administrator.pk).check_password(PASSWORD)


def test_an_officer_cannot_set_even_their_own_password_through_the_admin_form(
    officer_dakmil: User,
) -> None:
    response = client_for(officer_dakmil).post(
        f"/accounts/users/{officer_dakmil.pk}/password/", {"password": NEW}
    )
    assert response.status_code == 403
    assert User.objects.get(pk=officer_dakmil.pk).check_password(PASSWORD)


def test_the_administrators_own_user_page_links_to_the_password_page(administrator: User) -> None:
    html = client_for(administrator).get(f"/accounts/users/{administrator.pk}/").content.decode()
    assert "/accounts/password/" in html
    assert f"/accounts/users/{administrator.pk}/password/" not in html


def test_the_password_page_needs_a_login() -> None:
    response = Client().get("/accounts/password/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_password_page_reads_in_vietnamese(officer_dakmil: User) -> None:
    html = client_for(officer_dakmil).get("/accounts/password/", HTTP_ACCEPT_LANGUAGE="vi")
    assert "Mật khẩu hiện tại" in html.content.decode()
