"""Numbers in advance for the pre-checked list: class order, time slots, class sheets."""

from __future__ import annotations

import datetime

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.tickets import services
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.tickets.conftest import HCM, make_roster

pytestmark = pytest.mark.django_db

ROWS = [
    ("Nguyễn Văn An", "12A10", "matched"),
    ("Lê Thị Bình", "12A2", "matched"),
    ("Trần Văn Cường", "12A1", "review"),
    ("Phạm Thị Dung", "12A2", "not_found"),
    ("???", "12A1", "unreadable"),
    ("Võ Minh Em", "12A1", "matched"),
]


def _handed(session: Session) -> list[tuple[int, str, str]]:
    return [
        (t.number, t.class_name, t.roster_entry.full_name)
        for t in Ticket.objects.filter(session=session)
        .select_related("roster_entry")
        .order_by("number")
    ]


def test_numbers_go_out_in_class_order_without_rows_the_register_lacks(
    session: Session, leader: User
) -> None:
    make_roster(session, ROWS)
    response = client_for(leader).post(f"/queue/sessions/{session.pk}/hand-out/", {"slots": ""})
    assert response.status_code == 302
    assert _handed(session) == [
        (1, "12A1", "Trần Văn Cường"),
        (2, "12A1", "Võ Minh Em"),
        (3, "12A2", "Lê Thị Bình"),
        (4, "12A10", "Nguyễn Văn An"),
    ]
    assert {t.line_at for t in Ticket.objects.all()} == {session.starts_at}
    event = AuditEvent.objects.get(action="ticket.hand_out")
    assert (event.after["count"], event.after["first"], event.after["last"]) == (4, 1, 4)


def test_the_leader_may_include_rows_not_found_or_unreadable(
    session: Session, leader: User
) -> None:
    make_roster(session, ROWS)
    tickets = services.hand_out_numbers(session.pk, include_unmatched=True, actor=leader)
    assert len(tickets) == 6


def test_numbers_by_time_slot_follow_the_slots_and_carry_their_start(
    session: Session, leader: User
) -> None:
    make_roster(session, ROWS)
    client_for(leader).post(
        f"/queue/sessions/{session.pk}/hand-out/", {"slots": "12A2 19:00\n12A1\t19:30\n12A10 00:15"}
    )
    tickets = list(Ticket.objects.order_by("number"))
    assert [(t.class_name, t.slot_start) for t in tickets] == [
        ("12A2", datetime.datetime(2021, 3, 6, 19, 0, tzinfo=HCM)),
        ("12A1", datetime.datetime(2021, 3, 6, 19, 30, tzinfo=HCM)),
        ("12A1", datetime.datetime(2021, 3, 6, 19, 30, tzinfo=HCM)),
        ("12A10", datetime.datetime(2021, 3, 7, 0, 15, tzinfo=HCM)),  # after midnight
    ]
    assert all(t.line_at == t.slot_start for t in tickets)


def test_numbers_go_out_for_every_current_list_of_the_session_in_class_order(
    session: Session, leader: User
) -> None:
    """Schools send one list per class: all the session's current lists are handed out."""
    make_roster(session, [("Nguyễn Văn An", "12A10", "matched")], list_name="Lớp 12A10")
    make_roster(
        session,
        [("Lê Thị Bình", "12A2", "matched"), ("Phạm Thị Dung", "12A2", "review")],
        list_name="Lớp 12A2",
    )
    checking = make_roster(session, [("Võ Minh Em", "12A1", "matched")], list_name="Lớp 12A1")
    checking.state = "checking"  # still being pre-checked: handed out later, with a second press
    checking.save()
    services.hand_out_numbers(session.pk, actor=leader)
    assert _handed(session) == [
        (1, "12A2", "Lê Thị Bình"),
        (2, "12A2", "Phạm Thị Dung"),
        (3, "12A10", "Nguyễn Văn An"),
    ]
    event = AuditEvent.objects.get(action="ticket.hand_out")
    assert len(event.after["rosters"]) == 2


def test_a_person_on_two_lists_gets_one_number(
    session: Session, leader: User, tree: object
) -> None:
    from tests.builders import make_person

    an = make_person(tree.daklao, "Nguyễn Văn An", "15/03/2005", "M")  # type: ignore[attr-defined]
    for list_name in ("Lớp 12A1", "Bổ sung"):
        make_roster(
            session, [("Nguyễn Văn An", "12A1", "matched")], list_name=list_name
        ).entries.update(person=an)
    tickets = services.hand_out_numbers(session.pk, actor=leader)
    assert [t.person for t in tickets] == [an]


def test_handing_out_again_gives_numbers_only_to_new_rows(session: Session, leader: User) -> None:
    make_roster(session, ROWS)
    services.hand_out_numbers(session.pk, actor=leader)
    walk_in = services.issue_walk_in(session.pk, actor=leader)
    assert walk_in.number == 5
    assert services.hand_out_numbers(session.pk, actor=leader) == []
    assert len(services.hand_out_numbers(session.pk, include_unmatched=True, actor=leader)) == 2
    assert sorted(Ticket.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


@pytest.mark.parametrize("slots", ["12A1 7pm", "19:00", "12A1 25:00"])
def test_an_unreadable_slot_is_refused_and_nothing_handed_out(
    session: Session, leader: User, slots: str
) -> None:
    make_roster(session, ROWS)
    response = client_for(leader).post(f"/queue/sessions/{session.pk}/hand-out/", {"slots": slots})
    assert response.status_code == 400
    assert "Cannot read the time slot" in response.content.decode()
    assert not Ticket.objects.exists()


def test_without_a_pre_checked_list_there_is_nothing_to_hand_out(
    session: Session, leader: User
) -> None:
    response = client_for(leader).post(
        f"/api/v1/tickets/sessions/{session.pk}/hand-out", {}, content_type="application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "NO_ROSTER")


def test_the_api_hands_out_by_slot(session: Session, leader: User) -> None:
    make_roster(session, ROWS)
    payload = {"slots": [{"class_name": "12a1", "start": "20:00"}]}
    response = client_for(leader).post(
        f"/api/v1/tickets/sessions/{session.pk}/hand-out", payload, content_type="application/json"
    )
    assert response.status_code == 201 and response.json() == {"count": 4, "first": 1, "last": 4}
    assert Ticket.objects.get(number=1).slot_start == datetime.datetime(2021, 3, 6, 20, tzinfo=HCM)
    assert Ticket.objects.get(number=3).slot_start is None  # classes without a slot come after


def test_an_officer_cannot_hand_out_numbers(session: Session, officer_dakmil: User) -> None:
    make_roster(session, ROWS)
    response = client_for(officer_dakmil).post(f"/queue/sessions/{session.pk}/hand-out/", {})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_the_class_sheets_list_each_class_on_its_own_page(session: Session, leader: User) -> None:
    make_roster(session, ROWS)
    services.hand_out_numbers(session.pk, actor=leader)
    page = client_for(leader).get(f"/queue/sessions/{session.pk}/sheets/").content.decode()
    assert page.count('data-testid="sheet"') == 3
    assert page.index("12A1") < page.index("12A2") < page.index("12A10")
    assert "Võ Minh Em" in page and "0002" in page
