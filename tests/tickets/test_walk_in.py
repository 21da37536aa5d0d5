"""Walk-ins: a number in two clicks at the door, with a look-up in the register."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.tickets import services
from cccd.tickets.models import Ticket
from tests.builders import Tree, make_person, make_unit
from tests.conftest import client_for
from tests.mixins import assert_audited
from tests.tickets.conftest import HCM

pytestmark = pytest.mark.django_db


def test_one_click_on_a_group_gives_a_number_and_opens_its_slip(
    session: Session, leader: User, groups: dict
) -> None:
    client = client_for(leader)
    page = client.get(f"/queue/sessions/{session.pk}/").content.decode()  # click one: the page
    assert groups["heroic_mother"].name in page
    response = client.post(
        f"/queue/sessions/{session.pk}/walk-in/", {"group": groups["pregnant"].pk}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == f"/queue/tickets/{ticket.pk}/slip/"
    assert (ticket.number, ticket.kind, ticket.group, ticket.state) == (
        1,
        "walk_in",
        groups["pregnant"],
        "waiting",
    )
    assert_audited("ticket.issue", ticket, actor=leader, unit=session.unit)
    slip = client.get(response.url).content.decode()
    assert "0001" in slip and "<svg" in slip and "cccd/ticket-slip.css" in slip
    sheet = finders.find("cccd/ticket-slip.css")
    assert "size:80mm" in Path(sheet).read_text().replace(" ", "")  # the receipt printer's roll


def test_a_regular_walk_in_has_no_group(session: Session, leader: User) -> None:
    client_for(leader).post(f"/queue/sessions/{session.pk}/walk-in/", {"group": ""})
    assert Ticket.objects.get().group is None


def test_a_person_found_in_the_register_gets_a_number(
    session: Session, leader: User, tree: Tree
) -> None:
    person = make_person(tree.daklao, "Nguyễn Văn Hùng", "1985", "M")
    client = client_for(leader)
    page = client.get(f"/queue/sessions/{session.pk}/", {"q": "nguyen van hung 1985"})
    assert [(m.person, blocked) for m, blocked in page.context["matches"]] == [(person, None)]
    client.post(f"/queue/sessions/{session.pk}/walk-in/", {"person": person.pk})
    assert Ticket.objects.get().person == person


def test_a_person_of_another_unit_or_an_unknown_group_is_404_and_nothing_issued(
    session: Session, leader: User, tree: Tree
) -> None:
    commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    stranger = make_person(commune, "Võ Văn Tám", "05/05/2005", "M")
    client = client_for(leader)
    for data in ({"person": stranger.pk}, {"group": 999999}, {"group": "abc"}):
        assert client.post(f"/queue/sessions/{session.pk}/walk-in/", data).status_code == 404
    assert not Ticket.objects.exists()


def test_the_api_issues_a_walk_in_by_group_code(session: Session, leader: User) -> None:
    response = client_for(leader).post(
        f"/api/v1/tickets/sessions/{session.pk}/walk-ins",
        {"group_code": "elderly"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["display"], body["group_code"], body["state"]) == ("0001", "elderly", "waiting")
    assert "/queue/t/" in body["public_url"]
    bad = client_for(leader).post(
        f"/api/v1/tickets/sessions/{session.pk}/walk-ins",
        {"group_code": "nobody"},
        content_type="application/json",
    )
    assert bad.status_code == 404


def test_an_officer_cannot_hand_out_walk_in_numbers(session: Session, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).post(f"/queue/sessions/{session.pk}/walk-in/", {})
    assert response.status_code == 403
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- refused at the door (issue 12)


def dossier_of(person: object, session: Session, state: str, **fields: object) -> Enrollment:
    return Enrollment.objects.create(
        unit=session.unit,
        session=session,
        person=person,
        kind="first_issue",
        law="2014",
        state=state,
        received_at=datetime.datetime(2021, 3, 1, 20, 10, tzinfo=HCM),
        **fields,
    )


@pytest.fixture
def hung(tree: Tree) -> object:
    return make_person(tree.daklao, "Nguyễn Văn Hùng", "12/04/1985", "M")


def test_a_person_with_an_open_dossier_gets_no_number_at_the_door(
    session: Session, leader: User, hung: object
) -> None:
    dossier_of(hung, session, "captured", code="663-210301-7")
    response = client_for(leader).post(
        f"/queue/sessions/{session.pk}/walk-in/", {"person": hung.pk}
    )  # type: ignore[attr-defined]
    page = response.content.decode()
    assert response.status_code == 409
    assert (
        "already has an open application" in page
        and "663-210301-7" in page
        and "01/03/2021" in page
    )
    assert not Ticket.objects.exists()
    api = client_for(leader).post(
        f"/api/v1/tickets/sessions/{session.pk}/walk-ins",
        {"person_id": hung.pk},
        content_type="application/json",
    )  # type: ignore[attr-defined]
    assert (api.status_code, api.json()["code"]) == (409, "OPEN_APPLICATION")


def test_the_look_up_shows_why_instead_of_offering_a_number(
    session: Session, leader: User, hung: object
) -> None:
    dossier_of(hung, session, "approved", code="663-210301-7")
    page = client_for(leader).get(f"/queue/sessions/{session.pk}/", {"q": "nguyen van hung 1985"})
    [(match, reason)] = page.context["matches"]
    assert match.person == hung and "663-210301-7" in reason
    html = page.content.decode()
    assert 'data-testid="walk-in-blocked"' in html and 'name="person"' not in html


def test_a_person_being_taken_at_a_desk_or_holding_a_number_gets_no_second_one(
    session: Session, leader: User, officer_dakmil: User, desks: list, hung: object
) -> None:
    first = services.issue_walk_in(session.pk, person_id=hung.pk, actor=leader)  # type: ignore[attr-defined]
    call = lambda: services.issue_walk_in(session.pk, person_id=hung.pk, actor=leader)  # type: ignore[attr-defined]  # noqa: E731
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == "ALREADY_HAS_NUMBER" and first.display in caught.value.message
    services.call_next(desks[0].pk, actor=officer_dakmil)
    dossier_of(hung, session, "draft", ticket=first)  # the desk opened the intake
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == "BEING_TAKEN"
    assert Ticket.objects.count() == 1


def test_a_closed_dossier_or_a_stale_draft_is_no_reason(
    session: Session, leader: User, officer_dakmil: User, desks: list, hung: object
) -> None:
    dossier_of(hung, session, "delivered", code="663-210301-7")
    left = services.issue_walk_in(session.pk, person_id=hung.pk, actor=leader)  # type: ignore[attr-defined]
    services.call_next(desks[0].pk, actor=officer_dakmil)
    dossier_of(hung, session, "draft", ticket=left)
    services.finish_ticket(desks[0].pk, left.pk, actor=officer_dakmil)  # they left: a stale draft
    back = services.issue_walk_in(session.pk, person_id=hung.pk, actor=leader)  # type: ignore[attr-defined]
    assert back.person == hung
