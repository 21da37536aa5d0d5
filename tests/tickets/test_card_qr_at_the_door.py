"""At the door, the team leader scans the card a walk-in holds: the number is offered to the
register's person, with the card's disagreement shown (tests/registry/test_card_qr_look_up.py)."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.registry.models import Person
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.registry.test_card_qr_look_up import card

pytestmark = pytest.mark.django_db


@pytest.fixture
def huong(tree: Tree) -> Person:
    return make_person(
        tree.daklao, "Đặng Thị Thu Hương", "15/03/1999", "F", personal_id="067199012345"
    )


def test_at_the_door_a_scanned_card_offers_a_number_with_the_warning(
    session: Session, leader: User, huong: Person
) -> None:
    page = client_for(leader).get(
        f"/queue/sessions/{session.pk}/", {"q": card(name="Đặng Thị Thu Hà")}
    )
    [(match, reason)] = page.context["matches"]
    assert match.person == huong and match.card_differs == ("full_name",) and reason is None
    html = page.content.decode()
    assert 'data-testid="card-differs"' in html and 'name="person"' in html
