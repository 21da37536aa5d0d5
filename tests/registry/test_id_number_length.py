"""Someone typing a personal ID one digit off is told that an ID has 12 digits, not that the
query is too short — on the register look-up page, in the API, and at the desk."""

import pytest
from django.utils import translation

from cccd.accounts.models import User
from cccd.registry.search import id_digits_typed
from tests.builders import Tree, make_person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("0671990123456", 13),
        ("06719901234", 11),
        ("067 199 012 34", 11),
        ("123456789", 9),
        ("067199012345", None),
        ("067 199 012 345", None),
        ("Nguyen 1999", None),
        ("", None),
        ("٠٦٧١٩٩٠١٢٣٤٥٦", None),
    ],
)
def test_only_a_query_of_digits_of_the_wrong_length_counts(text: str, count: int | None) -> None:
    assert id_digits_typed(text) == count


def test_the_look_up_page_says_an_id_has_12_digits(tree: Tree, officer_dakmil: User) -> None:
    make_person(tree.daklao, "Đặng Thị Thu Hương", "15/03/1999", "F", personal_id="067199012345")
    response = client_for(officer_dakmil).get("/registry/", {"q": "0671990123456"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "A personal ID number has 12 digits; this one has 13." in html
    assert "Type a 12-digit personal ID number, or a name" not in html


def test_the_api_answers_the_same_in_vietnamese(tree: Tree, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get(
        "/api/v1/registry/people", {"q": "06719901234"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "ID_NUMBER_LENGTH"
    with translation.override("vi"):
        assert response.json()["message"].startswith(
            "Số định danh cá nhân có 12 chữ số; số vừa nhập có 11"
        )


def test_twelve_digits_still_search(tree: Tree, officer_dakmil: User) -> None:
    make_person(tree.daklao, "Đặng Thị Thu Hương", "15/03/1999", "F", personal_id="067199012345")
    response = client_for(officer_dakmil).get("/api/v1/registry/people", {"q": "067 199 012 345"})
    assert [p["personal_id"] for p in response.json()["items"]] == ["067199012345"]
