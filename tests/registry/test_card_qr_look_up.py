"""The QR code of the card a person already holds, scanned into a look-up box (a USB scanner types
it like a keyboard): read by `cccd.core.qrpayload`, looked up by its personal ID only, and what
else it says compared with the register (docs/domain.md#qr-payload) — never trusted alone."""

from __future__ import annotations

import datetime

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.registry.models import Person
from tests.builders import Tree, make_person, make_unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

ADDRESS = "Thôn 3, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"


def card(
    personal_id: str = "067199012345",
    name: str = "Đặng Thị Thu Hương",
    birth: str = "15031999",
    sex: str = "Nữ",
    extra: str = "",
) -> str:
    """A card's QR payload as the scanner types it."""
    return f"{personal_id}|245123456|{name}|{birth}|{sex}|{ADDRESS}|10032021{extra}"


@pytest.fixture
def huong(tree: Tree) -> Person:
    return make_person(
        tree.daklao,
        "Đặng Thị Thu Hương",
        "15/03/1999",
        "F",
        personal_id="067199012345",
        card_issue_date=datetime.date(2021, 3, 10),
    )


def _found(response: object) -> list[tuple[str, tuple[str, ...]]]:
    matches = response.context["matches"]  # type: ignore[attr-defined]
    return [(m.person.full_name, m.card_differs) for m in matches]


def test_a_scanned_card_finds_its_holder_and_agrees(huong: Person, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": card()})
    assert _found(response) == [("Đặng Thị Thu Hương", ())]
    assert 'data-testid="card-differs"' not in response.content.decode()


def test_a_card_from_2024_with_four_more_fields_reads_the_same(
    huong: Person, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": card(extra="||||")})
    assert _found(response) == [("Đặng Thị Thu Hương", ())]


def test_where_the_card_says_otherwise_the_page_says_so_in_the_officers_words(
    huong: Person, officer_dakmil: User
) -> None:
    scanned = card(name="Đặng Thị Thu Hà", birth="16031999")
    response = client_for(officer_dakmil).get(
        "/registry/", {"q": scanned}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert _found(response) == [("Đặng Thị Thu Hương", ("full_name", "birth_date"))]
    note = response.content.decode()
    assert 'data-testid="card-differs"' in note
    assert "Thẻ ghi khác với sổ quản lý: Họ và tên, Ngày sinh" in note


def test_names_are_compared_folded_and_a_year_only_birth_by_its_year(
    tree: Tree, officer_dakmil: User
) -> None:
    make_person(tree.daklao, "Lê Thị Thuý", "1950", "F", personal_id="067150000123")
    scanned = card(personal_id="067150000123", name="LÊ THỊ THÚY", birth="01011950")
    response = client_for(officer_dakmil).get("/registry/", {"q": scanned})
    assert _found(response) == [("Lê Thị Thuý", ())]
    other_year = card(personal_id="067150000123", name="Lê Thị Thuý", birth="01011951")
    # the ID's digits say 1950, so a card that says 1951 is not a card at all
    refused = client_for(officer_dakmil).get("/registry/", {"q": other_year})
    assert refused.status_code == 400


def test_the_card_of_a_person_of_another_district_finds_nobody(
    tree: Tree, officer_dakmil: User
) -> None:
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    make_person(tayson_commune, "Đặng Thị Thu Hương", "15/03/1999", "F", personal_id="052199054321")
    response = client_for(officer_dakmil).get("/registry/", {"q": card("052199054321")})
    assert _found(response) == []


def test_the_search_is_audited_by_the_cards_number_without_the_rest_of_it(
    huong: Person, officer_dakmil: User
) -> None:
    client_for(officer_dakmil).get("/registry/", {"q": card()})
    event = AuditEvent.objects.filter(action="person.search").latest("pk")
    assert event.after == {"query": "card QR 067199012345", "found": [huong.pk]}


@pytest.mark.parametrize(
    ("scanned", "reason"),
    [
        ("067199012345|Đặng Thị Thu Hương|15031999", "ít hơn bảy trường"),
        (card(birth="31021999"), "ddmmyyyy"),
        (card(birth="1999-03-15"), "ddmmyyyy"),
        (card(sex="X"), "Nam hoặc Nữ"),
        (card(personal_id="06719901234"), "12"),
        (card(personal_id="067099012345"), ""),  # digit 4 says a man; the card says Nữ
        ("|||||||", ""),
    ],
)
def test_a_scan_that_is_not_a_cards_qr_code_is_refused_with_a_sentence(
    huong: Person, officer_dakmil: User, scanned: str, reason: str
) -> None:
    before = AuditEvent.objects.filter(action="person.search").count()
    response = client_for(officer_dakmil).get(
        "/registry/", {"q": scanned}, HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "CARD_QR_UNREADABLE" in text and "Đây không phải mã QR của thẻ căn cước" in text
    assert reason in text
    assert AuditEvent.objects.filter(action="person.search").count() == before


def test_a_scan_longer_than_any_card_is_refused_as_input(
    huong: Person, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": card() + "|" + "x" * 400})
    assert response.status_code == 400 and "BAD_QUERY" in response.content.decode()


def test_the_api_says_where_the_card_differs(huong: Person, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    agreed = client.get("/api/v1/registry/people", {"q": card()}).json()
    assert [(p["personal_id"], p["card_differs"]) for p in agreed["items"]] == [
        ("067199012345", [])
    ]
    differs = client.get("/api/v1/registry/people", {"q": card(sex="Nam")})
    assert differs.status_code == 400 and differs.json()["code"] == "CARD_QR_UNREADABLE"
    other_name = client.get("/api/v1/registry/people", {"q": card(name="Đặng Thu Hương")}).json()
    assert other_name["items"][0]["card_differs"] == ["full_name"]


@pytest.mark.parametrize(
    ("printed", "differs"),
    [
        ("ĐẶNG THỊ THU HƯƠNG", ()),  # capitals, as cards print
        ("Đặng Thị Thu Hướng", ("full_name",)),  # one tone mark more
        ("Dang Thi Thu Huong", ("full_name",)),  # a card prints its marks
    ],
)
def test_the_cards_name_is_compared_as_written(
    huong: Person, officer_dakmil: User, printed: str, differs: tuple[str, ...]
) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": card(name=printed)})
    assert _found(response) == [("Đặng Thị Thu Hương", differs)]
