import pytest

from cccd.accounts.models import User
from cccd.errors import DomainError, ErrorCode
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_openapi_document_is_served_to_a_user(officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/me" in paths
    assert "/api/v1/units/" in paths
    assert "/api/v1/audit" in paths


def test_me_says_who_and_where(officer_dakmil: User) -> None:
    body = client_for(officer_dakmil).get("/api/v1/me").json()
    assert body["role"] == "officer"
    assert body["unit"]["path"] == "/ca/L67/663/"


def test_a_domain_error_message_follows_the_language(officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    english = client.get("/api/v1/audit", HTTP_ACCEPT_LANGUAGE="en").json()
    vietnamese = client.get("/api/v1/audit", HTTP_ACCEPT_LANGUAGE="vi").json()
    assert english["code"] == vietnamese["code"] == "PERMISSION_DENIED"
    assert english["message"] != vietnamese["message"]


def test_a_domain_error_carries_its_parameters() -> None:
    error = ErrorCode("X_TAKEN", "Code %(code)s is taken.", 409)(code="24667")
    assert isinstance(error, DomainError)
    assert (error.code, error.status, error.message) == ("X_TAKEN", 409, "Code 24667 is taken.")


def test_an_unknown_api_path_is_a_404(officer_dakmil: User) -> None:
    assert client_for(officer_dakmil).get("/api/v1/nothing-here").status_code == 404
