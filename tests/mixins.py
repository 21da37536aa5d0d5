"""Shared test mixins: the same scoping proof for every view and endpoint (docs/design.md#tests).

Subclass `CrossUnitAccessMixin` in a test class and implement `urls_for_dakmil_object(tree)`,
returning the page and API URLs of an object that belongs to Đắk Mil. The mixin proves that the
Tây Sơn officer gets a 404 for each — the same answer as for a missing object — and that each such
request left a `security.denied` event naming the route (`cccd.accounts.security`), while the Đắk
Mil officer (the control) gets the page.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from cccd.accounts.models import AuditEvent, User
from tests.builders import Tree
from tests.conftest import client_for


class CrossUnitAccessMixin:
    def urls_for_dakmil_object(self, tree: Tree) -> list[str]:
        raise NotImplementedError

    def test_another_units_officer_gets_404(self, tree: Tree, officer_tayson: User) -> None:
        client = client_for(officer_tayson)
        for url in self.urls_for_dakmil_object(tree):
            before = denials(officer_tayson)
            response = client.get(url)
            assert response.status_code == 404, url
            if url.startswith("/api/"):
                assert response.json()["code"] == "NOT_FOUND"
            assert denials(officer_tayson) == before + 1, f"no security event for {url}"

    def test_the_units_own_officer_can_open_it(self, tree: Tree, officer_dakmil: User) -> None:
        client = client_for(officer_dakmil)
        for url in self.urls_for_dakmil_object(tree):
            assert client.get(url).status_code == 200, url


def denials(user: User, code: str = "OUT_OF_SCOPE") -> int:
    """How many refused requests of `user` the security trail holds, of the kind `code`."""
    return AuditEvent.objects.filter(action="security.denied", actor=user, after__code=code).count()


def assert_audited(
    action: str, obj: models.Model, *, actor: User | None, **expected: Any
) -> AuditEvent:
    """The audit record a service must have written for `obj`, checked field by field."""
    events = AuditEvent.objects.filter(
        action=action, object_type=obj._meta.label_lower, object_id=str(obj.pk)
    )
    event = events.order_by("id").last()  # the newest

    assert event is not None, f"no {action} audit record for {obj!r}"
    assert event.actor == actor
    for field, value in expected.items():
        assert getattr(event, field) == value, field
    return event
