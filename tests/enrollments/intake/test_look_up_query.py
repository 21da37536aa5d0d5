"""The desk's register look-up (?q= of the intake screen) under `cccd.queryforms`' rule: longer
than its box is 400 BAD_QUERY, read before anything is looked at or audited."""

from __future__ import annotations

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.registry.search import QUERY_MAX_LENGTH
from cccd.tickets.models import Ticket
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_look_up_longer_than_the_box_is_a_400(called: Ticket, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    response = client.get(f"/intake/tickets/{called.pk}/", {"q": "x" * (QUERY_MAX_LENGTH + 1)})
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()
    assert not AuditEvent.objects.filter(action__in=["person.search", "person.view"]).exists()
    assert (
        client.get(f"/intake/tickets/{called.pk}/", {"q": "x" * QUERY_MAX_LENGTH}).status_code
        == 200
    )
