"""The person page, the look-up results and the API show the card held, the village and the
residences (docs/reach.md), in the officer's language."""

import datetime

import pytest

from cccd.accounts.models import User
from cccd.registry.models import Person, ResidenceRecord
from tests.builders import Tree, make_person, make_unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def huong(tree: Tree) -> Person:
    person = make_person(
        tree.daklao,
        "Đặng Thị Thu Hương",
        "15/03/1999",
        "F",
        personal_id="067199012345",
        card_issue_date=datetime.date(2021, 3, 10),
        card_expiry=datetime.date(2024, 3, 15),
        permanent_address="Thôn 5, Xã Đắk Lao",
    )
    assert isinstance(person, Person)
    Person.objects.filter(pk=person.pk).update(
        card_kind="cccd_chip",
        card_number="067199012345",
        village="Thôn 5",
        residence_since=datetime.date(2023, 7, 1),
    )
    duc_minh = make_unit(tree.dakmil, "24685", "Xã Đức Minh", "commune")
    ResidenceRecord.objects.create(
        person=person,
        kind="permanent",
        unit=duc_minh,
        village="Thôn 2",
        address="Thôn 2, Xã Đức Minh",
        end=datetime.date(2023, 6, 30),
    )
    ResidenceRecord.objects.create(
        person=person, kind="temporary", unit=duc_minh, start=datetime.date(2024, 9, 1)
    )
    person.refresh_from_db()
    return person


def test_the_person_page_shows_the_card_the_village_and_the_residences(
    huong: Person, officer_dakmil: User
) -> None:
    page = client_for(officer_dakmil).get(
        f"/registry/people/{huong.pk}/", HTTP_ACCEPT_LANGUAGE="vi"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "Thẻ CCCD gắn chip" in text and "067199012345" in text
    assert "Thôn, tổ dân phố" in text and "Thôn 5" in text
    assert "Ở từ ngày" in text and "01/07/2023" in text
    assert "Nơi thường trú trước đây" in text and "30/06/2023" in text
    assert "Nơi tạm trú" in text and "01/09/2024" in text


def test_a_cmnd_without_a_date_is_shown_as_the_card_held(tree: Tree, officer_dakmil: User) -> None:
    person = make_person(tree.daklao, "Lê Văn Bình", "1960", "M")
    assert isinstance(person, Person)
    Person.objects.filter(pk=person.pk).update(card_kind="cmnd", card_number="245123456")
    text = client_for(officer_dakmil).get(f"/registry/people/{person.pk}/").content.decode()
    assert "Identity card (CMND)" in text and "245123456" in text
    assert "No card issued." not in text


def test_the_look_up_lists_the_card_held_and_the_village(
    huong: Person, officer_dakmil: User
) -> None:
    page = client_for(officer_dakmil).get(
        "/registry/", {"q": "dang thi thu huong 1999"}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    text = page.content.decode()
    assert "Thẻ đang giữ" in text and "Thẻ CCCD gắn chip" in text
    assert "<td>Thôn 5</td>" in text


def test_the_api_gives_the_card_held_the_village_and_since_when(
    huong: Person, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    body = client.get(f"/api/v1/registry/people/{huong.pk}").json()
    assert (body["card_kind"], body["card_number"], body["village"]) == (
        "cccd_chip",
        "067199012345",
        "Thôn 5",
    )
    assert (body["residence_since"], body["died_on"]) == ("2023-07-01", None)
    found = client.get("/api/v1/registry/people", {"q": "067199012345"}).json()["items"]
    assert (found[0]["card_kind"], found[0]["village"]) == ("cccd_chip", "Thôn 5")
