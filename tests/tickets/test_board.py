"""The hall's board: Vietnamese, large, no navigation, and a state that follows each call."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.tickets import services
from cccd.tickets.models import Desk
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_board_announces_the_latest_call_in_vietnamese(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    for _ in range(3):
        services.issue_walk_in(session.pk, actor=leader)
    services.call_next(desks[0].pk, actor=officer_dakmil)
    services.call_next(desks[1].pk, actor=leader)
    client = client_for(officer_dakmil)
    page = client.get(f"/queue/sessions/{session.pk}/board/").content.decode()
    assert "Mời số 0002 đến bàn 2" in page
    assert 'class="site"' not in page  # no navigation chrome
    assert 'hx-trigger="every 1s"' in page and "board.js" in page
    state = client.get(f"/queue/sessions/{session.pk}/board/state/").content.decode()
    assert "Mời số 0002 đến bàn 2" in state and "Đang chờ: 1" in state


def test_the_board_state_api_changes_its_key_on_a_recall(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    services.issue_walk_in(session.pk, actor=leader)
    ticket = services.call_next(desks[0].pk, actor=officer_dakmil)
    client = client_for(officer_dakmil)
    first = client.get(f"/api/v1/tickets/sessions/{session.pk}/board").json()
    assert first["latest"]["text"] == "Mời số 0001 đến bàn 1"
    assert [c["number"] for c in first["calls"]] == ["0001"] and first["waiting"] == 0
    services.recall_ticket(desks[0].pk, ticket.pk, actor=officer_dakmil)
    again = client.get(f"/api/v1/tickets/sessions/{session.pk}/board").json()
    assert again["latest"]["key"] != first["latest"]["key"]  # the board reads it out again
    services.finish_ticket(desks[0].pk, ticket.pk, actor=officer_dakmil)
    assert client.get(f"/api/v1/tickets/sessions/{session.pk}/board").json()["latest"] is None


def test_the_desk_tiles_keep_their_place_while_the_banner_shows_the_newest_call(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    for _ in range(3):
        services.issue_walk_in(session.pk, actor=leader)
    first = services.call_next(desks[1].pk, actor=leader)  # desk 2 calls first
    services.call_next(desks[0].pk, actor=officer_dakmil)  # then desk 1
    services.finish_ticket(desks[1].pk, first.pk, actor=leader)
    services.call_next(desks[1].pk, actor=leader)  # desk 2 again: the newest call
    board = client_for(officer_dakmil).get(f"/api/v1/tickets/sessions/{session.pk}/board").json()
    assert [c["desk"] for c in board["calls"]] == [1, 2]
    assert board["latest"]["text"] == "Mời số 0003 đến bàn 2"
