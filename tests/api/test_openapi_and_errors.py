import pytest
from django.test import Client

from cccd.accounts.models import User
from cccd.errors import NOT_AUTHENTICATED, DomainError, ErrorCode
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


def test_every_operation_documents_its_refusals_as_the_error_schema(officer_dakmil: User) -> None:
    document = client_for(officer_dakmil).get("/api/v1/openapi.json").json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    assert {"NOT_FOUND", "INVALID_INPUT", "NOT_AUTHENTICATED", "BAD_QUERY"} <= set(
        error["properties"]["code"]["enum"]
    )
    refusal = {"$ref": "#/components/schemas/Error"}
    operations = [op for ops in document["paths"].values() for op in ops.values()]
    assert len(operations) > 30
    for operation in operations:
        assert operation["responses"]["4XX"]["content"]["application/json"]["schema"] == refusal


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/audit", 403, "PERMISSION_DENIED"),
        ("/api/v1/units/999999", 404, "NOT_FOUND"),
        ("/api/v1/units/abc", 422, "INVALID_INPUT"),
        ("/api/v1/reports/dashboard?day=yesterday", 400, "BAD_QUERY"),
    ],
)
def test_a_refusal_has_the_documented_shape(
    officer_dakmil: User, path: str, status: int, code: str
) -> None:
    client = client_for(officer_dakmil)
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["Error"]
    response = client.get(path)
    body = response.json()
    assert (response.status_code, body["code"]) == (status, code)
    assert body["code"] in schema["properties"]["code"]["enum"]
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= set(schema["properties"])
    assert ("errors" in body) == (code == "INVALID_INPUT")


def test_the_api_s_own_refusals_are_registered_codes(client: Client) -> None:
    body = client.get("/api/v1/me").json()
    assert body["code"] == NOT_AUTHENTICATED.code
    assert client.get("/api/v1/openapi.json").json() == body  # the document itself needs a login
