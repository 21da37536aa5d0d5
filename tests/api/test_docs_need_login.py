"""/api/v1/docs and the OpenAPI document are for users: a session or a valid token."""

import pytest
from django.test import Client

from cccd.accounts.models import User
from cccd.accounts.services import create_api_token, revoke_api_token
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_docs_page_sends_a_stranger_to_the_login_page() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/api/v1/docs")


def test_the_openapi_document_is_a_401_without_a_login() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"


def test_a_logged_in_user_reads_the_docs_and_the_document(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/api/v1/docs").status_code == 200
    assert "/api/v1/units/" in client.get("/api/v1/openapi.json").json()["paths"]


def test_a_token_opens_the_document_while_it_works(officer_dakmil: User) -> None:
    token, key = create_api_token(name="script", actor=officer_dakmil)
    header = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert Client().get("/api/v1/openapi.json", **header).status_code == 200
    revoke_api_token(token.pk, actor=officer_dakmil)
    assert Client().get("/api/v1/openapi.json", **header).status_code == 401
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
