"""The dossier search box, like the register's look-up, tells a mistyped ID number by its length."""

import pytest

from cccd.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("q", "count"), [("0672060123456", "13"), ("06720601234", "11")])
def test_a_digits_only_query_of_the_wrong_length_gets_the_id_message(
    officer_dakmil: User, q: str, count: str
) -> None:
    response = client_for(officer_dakmil).get("/dossiers/search/", {"q": q})
    assert response.status_code == 400
    assert f"A personal ID number has 12 digits; this one has {count}." in response.content.decode()


def test_a_dossier_code_with_dashes_is_still_a_code(officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/dossiers/search/", {"q": "663-210306-000042"})
    assert response.status_code == 200
