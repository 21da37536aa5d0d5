import datetime
import functools
import os
import subprocess
import sys

import pytest
import time_machine
from django.test import Client

from cccd.accounts.models import ApiToken, AuditEvent, User
from cccd.accounts.services import (
    change_own_password,
    create_api_token,
    revoke_api_token,
    set_user_password,
)
from tests.builders import PASSWORD, Tree
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db


def test_a_token_opens_the_api_as_its_user(officer_dakmil: User) -> None:
    token, key = create_api_token(name="desk laptop", actor=officer_dakmil)
    body = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert body["username"] == "canbo.dakmil"
    assert body["unit"]["name"] == "Công an huyện Đắk Mil"
    assert ApiToken.objects.get(pk=token.pk).key_hash != key  # only the hash is stored
    assert_audited("api_token.create", token, actor=officer_dakmil)


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer ", "Basic abc", "Bearer " + "x" * 5000])
def test_a_wrong_token_is_a_401(officer_dakmil: User, header: str) -> None:
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_a_revoked_token_stops_working(officer_dakmil: User) -> None:
    token, key = create_api_token(name="old", actor=officer_dakmil)
    revoke_api_token(token.pk, actor=officer_dakmil)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(officer_dakmil: User) -> None:
    _token, key = create_api_token(name="x", actor=officer_dakmil)
    User.objects.filter(pk=officer_dakmil.pk).update(is_active=False)
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_the_tokens_page_shows_the_key_once(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    created = client.post("/accounts/tokens/", {"name": "script"}).content.decode()
    key = created.split('data-testid="new-key">')[1].split("<")[0]
    assert key.startswith("cccd_")
    assert key not in client.get("/accounts/tokens/").content.decode()


def test_a_session_post_without_the_csrf_token_is_refused(tree: Tree, officer_dakmil: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_dakmil)
    response = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_token_creation_through_the_api_validates_its_body(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    response = client.post("/api/v1/tokens", "{not json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert "code" in response.json()
    response = client.post("/api/v1/tokens", {"nom": "x"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_INPUT"
    assert not ApiToken.objects.exists()


def test_another_users_token_cannot_be_revoked(officer_dakmil: User, officer_tayson: User) -> None:
    token, _key = create_api_token(name="x", actor=officer_dakmil)
    response = client_for(officer_tayson).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 401
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


# ---------------------------------------------------------------- expiry and password changes


def _me(key: str) -> int:
    return Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_a_token_works_for_the_configured_days_and_then_stops(
    settings: object, officer_dakmil: User
) -> None:
    settings.CCCD_API_TOKEN_DAYS = 7  # type: ignore[attr-defined]
    made = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    with time_machine.travel(made, tick=False):
        token, key = create_api_token(name="script", actor=officer_dakmil)
    assert token.expires_at == made + datetime.timedelta(days=7)
    with time_machine.travel(made + datetime.timedelta(days=6, hours=23), tick=False):
        assert _me(key) == 200
    with time_machine.travel(made + datetime.timedelta(days=7), tick=False):
        assert _me(key) == 401


def test_the_lifetime_is_set_from_the_environment_within_bounds() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.CCCD_API_TOKEN_DAYS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cccd.settings"}
    run = functools.partial(
        subprocess.run,
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run(env=env).stdout.strip() == "30"
    assert run(env={**env, "CCCD_API_TOKEN_DAYS": "90"}).stdout.strip() == "90"
    refused = run(env={**env, "CCCD_API_TOKEN_DAYS": "0"})
    assert refused.returncode != 0
    assert "CCCD_API_TOKEN_DAYS=0 is outside 1..366" in refused.stderr


def test_changing_ones_own_password_ends_ones_tokens(officer_dakmil: User) -> None:
    _token, key = create_api_token(name="script", actor=officer_dakmil)
    change_own_password(current=PASSWORD, new="Hoa-Sen-Dak-Mil-7", actor=officer_dakmil)
    assert _me(key) == 401
    _token, fresh = create_api_token(name="new", actor=User.objects.get(pk=officer_dakmil.pk))
    assert _me(fresh) == 200


def test_an_administrator_setting_the_password_ends_the_users_tokens(
    administrator: User, officer_dakmil: User
) -> None:
    _token, key = create_api_token(name="script", actor=officer_dakmil)
    set_user_password(officer_dakmil.pk, "Hoa-Sen-Dak-Mil-7", actor=administrator)
    assert _me(key) == 401
    event = AuditEvent.objects.get(action="user.set_password")
    assert event.after == {"api_tokens_ended": 1}


def test_a_password_set_outside_the_pages_ends_the_tokens_too(officer_dakmil: User) -> None:
    """`cccd changepassword` and the admin site call `set_password` directly, not our services."""
    _token, key = create_api_token(name="script", actor=officer_dakmil)
    user = User.objects.get(pk=officer_dakmil.pk)
    user.set_password("Hoa-Sen-Dak-Mil-7")
    user.save()
    assert _me(key) == 401


def test_the_tokens_page_shows_the_lifetime_the_expiry_and_why_a_token_ended(
    settings: object, officer_dakmil: User
) -> None:
    settings.CCCD_API_TOKEN_DAYS = 30  # type: ignore[attr-defined]
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False):
        create_api_token(name="old", actor=officer_dakmil)
    create_api_token(name="current", actor=officer_dakmil)
    page = client_for(officer_dakmil).get("/accounts/tokens/", HTTP_ACCEPT_LANGUAGE="vi")
    html = page.content.decode()
    assert "có hiệu lực 30 ngày" in html
    assert (
        "01/04/2026 16:00" in html
    )  # the old one's expiry: 2 March 09:00 UTC + 30 days, in Vietnam
    assert 'data-state="expired"' in html and 'data-state="active"' in html
    assert "đã hết hạn" in html


def test_a_blank_token_name_is_refused_on_the_page_and_in_the_api(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    response = client.post("/api/v1/tokens", {"name": "   "}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "NAME_REQUIRED")
    assert client.post("/accounts/tokens/", {"name": "   "}).status_code == 400
    assert not ApiToken.objects.exists()
