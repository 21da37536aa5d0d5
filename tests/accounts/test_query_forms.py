"""The user list's and the audit trail's query strings under `cccd.queryforms`' rule: a search
longer than its box (before the forms cut to 100 characters in silence) and a date that cannot be
read (before, the page showed the whole trail unfiltered, with the field's error and a 400) are
400 BAD_QUERY."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_search_longer_than_the_box_is_a_400(administrator: User) -> None:
    client = client_for(administrator)
    response = client.get("/accounts/users/", {"q": "x" * 101})
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()
    assert client.get("/accounts/users/", {"q": "x" * 100}).status_code == 200


def test_the_search_still_finds(administrator: User, officer_dakmil: User) -> None:
    response = client_for(administrator).get("/accounts/users/", {"q": " canbo.dakmil "})
    assert [u.username for u in response.context["page"]] == ["canbo.dakmil"]
    assert 'maxlength="100"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "31/02/2021"},
        {"date_to": "2021-02-30"},
        {"action": "x" * 65},
        {"actor": "x" * 151},
        {"action": "test.", "date_from": "yesterday"},
    ],
)
def test_an_audit_filter_that_cannot_be_read_is_a_400(
    commander_daknong: User, query: dict[str, str]
) -> None:
    response = client_for(commander_daknong).get("/accounts/audit/", query)
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()


def test_the_audit_filters_render_and_filter_as_before(commander_daknong: User) -> None:
    response = client_for(commander_daknong).get(
        "/accounts/audit/", {"action": "auth.", "date_from": "2021-02-05"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="action" value="auth."' in html and 'name="date_from" value="2021-02-05"' in html
