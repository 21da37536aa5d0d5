"""The unit list's query string under `cccd.queryforms`' rule: a level or tree it does not offer
and a search longer than its box are 400 BAD_QUERY. Before the forms the first two were dropped in
silence (every unit shown) and the search was cut to 100 characters."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from tests.builders import Tree
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [{"level": "bogus"}, {"level": "District"}, {"category": "army"}, {"q": "x" * 101}],
)
def test_a_filter_the_list_cannot_read_is_a_400(
    tree: Tree, administrator: User, query: dict[str, str]
) -> None:
    response = client_for(administrator).get("/units/", query)
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()


def test_the_offered_filters_still_filter(tree: Tree, commander_daknong: User) -> None:
    client = client_for(commander_daknong)
    response = client.get("/units/", {"level": "district", "category": "police", "q": "Đắk Mil"})
    assert [u.name for u in response.context["page"]] == ["Công an huyện Đắk Mil"]
    assert response.context["level"] == "district" and response.context["q"] == "Đắk Mil"
    assert 'maxlength="100"' in response.content.decode()


def test_a_control_character_in_the_search_is_a_space_not_a_500(
    tree: Tree, administrator: User
) -> None:
    response = client_for(administrator).get("/units/", {"q": "Đắk\x00Mil"})
    assert response.status_code == 200
    assert response.context["q"] == "Đắk Mil"
