import pytest
from django.test import Client

from cccd.accounts.models import ApiToken, User
from cccd.accounts.services import create_api_token, revoke_api_token
from tests.builders import Tree
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
