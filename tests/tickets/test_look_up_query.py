"""The door's register look-up (?q= of the queue page) under `cccd.queryforms`' rule: longer than
its box is 400 BAD_QUERY and looks nobody up; before the forms any length went to the register."""

from __future__ import annotations

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.registry.search import QUERY_MAX_LENGTH
from tests.builders import Tree, make_person
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_look_up_longer_than_the_box_is_a_400_and_searches_nothing(
    session: Session, leader: User
) -> None:
    response = client_for(leader).get(
        f"/queue/sessions/{session.pk}/", {"q": "x" * (QUERY_MAX_LENGTH + 1)}
    )
    assert response.status_code == 400
    assert "BAD_QUERY" in response.content.decode()
    assert not AuditEvent.objects.filter(action="person.search").exists()


def test_the_box_looks_the_same_and_still_finds(session: Session, leader: User, tree: Tree) -> None:
    person = make_person(tree.daklao, "Nguyễn Văn Hùng", "1985", "M")
    page = client_for(leader).get(
        f"/queue/sessions/{session.pk}/", {"q": "nguyen\x00van hung 1985"}
    )
    assert [m.person for m, _blocked in page.context["matches"]] == [person]
    html = page.content.decode()
    assert (
        'name="q"' in html
        and f'maxlength="{QUERY_MAX_LENGTH}"' in html
        and " required " in html.replace(">", " ")
    )


def test_an_empty_look_up_looks_nobody_up(session: Session, leader: User) -> None:
    page = client_for(leader).get(f"/queue/sessions/{session.pk}/", {"q": "  "})
    assert page.status_code == 200 and page.context["matches"] is None


def test_a_walk_in_group_that_is_not_an_id_is_a_404_not_a_500(
    session: Session, leader: User
) -> None:
    response = client_for(leader).post(f"/queue/sessions/{session.pk}/walk-in/", {"group": "²"})
    assert response.status_code == 404
