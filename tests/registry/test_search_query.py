"""The register look-up's query string under `cccd.queryforms`' rule: longer than its box is 400
BAD_QUERY and searches nothing; too short to search stays the service's own refusal
(`QUERY_TOO_SHORT`)."""

from __future__ import annotations

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.registry.search import QUERY_MAX_LENGTH
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_look_up_longer_than_the_box_is_a_400(officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get(
        "/registry/", {"q": "nguyen " + "a" * (QUERY_MAX_LENGTH - 6)}
    )
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.search").exists()


@pytest.mark.parametrize("q", ["", "  ", "a"])
def test_a_look_up_too_short_is_the_services_refusal(officer_dakmil: User, q: str) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": q})
    assert response.status_code == 400
    assert ">QUERY_TOO_SHORT<" in response.content.decode()


def test_the_page_without_a_query_is_the_empty_box(officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/registry/")
    assert response.status_code == 200 and response.context["matches"] is None
