import pytest
from django.test import Client

from cccd.accounts.models import User
from tests.builders import Tree
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_api_lists_only_the_users_subtree(tree: Tree, officer_tayson: User) -> None:
    body = client_for(officer_tayson).get("/api/v1/units/").json()
    assert {item["name"] for item in body["items"]} == {"Huyện Tây Sơn", "Công an huyện Tây Sơn"}
    assert body["count"] == 2


def test_the_api_filters_by_level_and_category(tree: Tree, commander_daknong: User) -> None:
    body = client_for(commander_daknong).get("/api/v1/units/?level=commune&category=police").json()
    assert [item["code"] for item in body["items"]] == ["24667"]


def test_the_api_refuses_an_unknown_level_with_a_json_422(
    tree: Tree, commander_daknong: User
) -> None:
    response = client_for(commander_daknong).get("/api/v1/units/?level=village")
    assert response.status_code == 422
    assert response.json()["code"] == "INVALID_INPUT"
    assert "level" in response.json()["message"]


@pytest.mark.parametrize("unit_id", ["abc", "999999999", "-1", "1e3"])
def test_the_api_answers_a_bad_id_with_a_4xx(
    tree: Tree, commander_daknong: User, unit_id: str
) -> None:
    response = client_for(commander_daknong).get(f"/api/v1/units/{unit_id}")
    assert response.status_code in {404, 422}
    assert "code" in response.json()


def test_the_api_needs_a_login(tree: Tree) -> None:
    response = Client().get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["code"] == "NOT_AUTHENTICATED"
