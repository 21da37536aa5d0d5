"""The user list's search under `cccd.queryforms`' rule: longer than its box is 400 BAD_QUERY
(before the forms it was cut to 100 characters in silence)."""

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
