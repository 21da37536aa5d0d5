"""A browser's session loads its user in the same query (`cccd.accounts.sessions`), and stays as
strict as Django's own: a user switched off, or whose password changed, is out at the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cccd.accounts.models import LoginSession, User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_page_reads_its_session_user_and_unit_in_one_query(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    reading_users = [q["sql"] for q in queries.captured_queries if '"accounts_user"' in q["sql"]]
    assert len(reading_users) == 1
    assert '"accounts_loginsession"' in reading_users[0] and '"units_unit"' in reading_users[0]


def test_the_session_row_names_its_user(officer_dakmil: User) -> None:
    client_for(officer_dakmil)
    assert list(LoginSession.objects.values_list("user_id", flat=True)) == [officer_dakmil.pk]


def test_a_user_switched_off_is_out_at_the_next_request(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    User.objects.filter(pk=officer_dakmil.pk).update(is_active=False)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_password_changed_elsewhere_ends_the_session(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    officer_dakmil.set_password("Một mật khẩu mới 2026")
    officer_dakmil.save(update_fields=["password"])
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_logging_out_deletes_the_session_row(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert not LoginSession.objects.exists()
    assert client.get("/").status_code == 302


def test_deleting_a_user_ends_their_sessions(officer_dakmil: User) -> None:
    client_for(officer_dakmil)
    User.objects.filter(pk=officer_dakmil.pk).delete()
    assert not LoginSession.objects.exists()
