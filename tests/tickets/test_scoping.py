"""An officer of Tây Sơn gets a 404 for every page and endpoint of a Đắk Mil session's queue."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.tickets import services
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import CrossUnitAccessMixin

pytestmark = pytest.mark.django_db


class TestQueueScoping(CrossUnitAccessMixin):
    @pytest.fixture(autouse=True)
    def _queue(self, session: Session, leader: User, desks: list[Desk]) -> None:
        self.session = session
        self.ticket = services.issue_walk_in(session.pk, actor=leader)

    def urls_for_dakmil_object(self, tree: Tree) -> list[str]:
        s, t = self.session.pk, self.ticket.pk
        return [
            f"/queue/sessions/{s}/",
            f"/queue/sessions/{s}/desks/1/",
            f"/queue/sessions/{s}/board/",
            f"/queue/sessions/{s}/board/state/",
            f"/queue/tickets/{t}/slip/",
            f"/api/v1/tickets/sessions/{s}",
            f"/api/v1/tickets/sessions/{s}/desks",
            f"/api/v1/tickets/sessions/{s}/board",
            f"/api/v1/tickets/{t}",
        ]


def test_another_units_team_leader_cannot_change_the_queue(
    session: Session, leader: User, desks: list[Desk], tree: Tree
) -> None:
    ticket = services.issue_walk_in(session.pk, actor=leader)
    client = client_for(make_user("totruong.tayson", "team_leader", tree.tayson_police))
    posts = [
        (f"/api/v1/tickets/desks/{desks[0].pk}/call-next", {}),
        (f"/api/v1/tickets/desks/{desks[0].pk}/open", {}),
        (f"/api/v1/tickets/desks/{desks[0].pk}/skip", {"ticket_id": ticket.pk}),
        (f"/api/v1/tickets/sessions/{session.pk}/walk-ins", {}),
        (f"/api/v1/tickets/sessions/{session.pk}/hand-out", {}),
    ]
    for url, payload in posts:
        response = client.post(url, payload, content_type="application/json")
        assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND"), url
    for url in (
        f"/queue/sessions/{session.pk}/desks/1/call/",
        f"/queue/sessions/{session.pk}/walk-in/",
    ):
        assert client.post(url).status_code == 404, url
    assert Ticket.objects.get().state == "waiting" and Ticket.objects.count() == 1


def test_the_class_sheets_open_for_the_units_own_team_leader_only(
    session: Session, leader: User, desks: list[Desk], tree: Tree
) -> None:
    """The sheets name the pupils: a team leader's (not an officer's), and not another unit's."""
    url = f"/queue/sessions/{session.pk}/sheets/"
    assert client_for(leader).get(url).status_code == 200
    other_leader = make_user("totruong.tayson", "team_leader", tree.tayson_police)
    assert client_for(other_leader).get(url).status_code == 404
