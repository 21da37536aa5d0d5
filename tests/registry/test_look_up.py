import datetime

import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent, User
from cccd.registry.models import Household
from cccd.registry.search import QUERY_MAX_LENGTH
from tests.builders import Tree, make_person, make_unit
from tests.conftest import client_for
from tests.mixins import CrossUnitAccessMixin

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: Tree) -> dict[str, object]:
    household = Household.objects.create(code="HK24667000001", residence_unit=tree.daklao)
    huong = make_person(
        tree.daklao,
        "Đặng Thị Thu Hương",
        "15/03/1999",
        "F",
        personal_id="067199012345",
        household=household,
        relation="head",
        card_issue_date=datetime.date(2021, 3, 10),
        card_expiry=datetime.date(2024, 3, 15),
    )
    son = make_person(
        tree.daklao, "Nguyễn Văn An", "02/09/2019", "M", household=household, relation="child"
    )
    thuy = make_person(tree.daklao, "Lê Thị Thuý", "1950", "F")
    namesake = make_person(tree.daklao, "Nguyễn Văn An", "02/09/2019", "M")
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    other = make_person(
        tayson_commune, "Đặng Thị Thu Hương", "15/03/1999", "F", personal_id="052199054321"
    )
    return {"huong": huong, "son": son, "thuy": thuy, "namesake": namesake, "other": other}


def _names(response: object) -> list[str]:
    return [m.person.full_name for m in response.context["matches"]]  # type: ignore[attr-defined]


def test_it_finds_a_person_by_personal_id(people: dict, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/registry/?q=067199012345")
    assert _names(response) == ["Đặng Thị Thu Hương"]


@pytest.mark.parametrize(
    "query",
    [
        "dang thi thu huong 1999",
        "ĐẶNG THỊ THU HƯƠNG 1999",
        "Dang Thi Thu Huomg 1999",
        "dang thu huong 1999",
        "Đặng Thị Thu Hương 1998",
        "đặng thị thu hương",
    ],
)
def test_it_finds_a_person_by_name_however_it_is_typed(
    people: dict, officer_dakmil: User, query: str
) -> None:
    found = _names(client_for(officer_dakmil).get("/registry/", {"q": query}))
    assert found[:1] == ["Đặng Thị Thu Hương"]


def test_old_and_new_tone_placement_are_the_same_name(people: dict, officer_dakmil: User) -> None:
    assert _names(client_for(officer_dakmil).get("/registry/", {"q": "Lê Thị Thúy 1950"})) == [
        "Lê Thị Thuý"
    ]


def test_namesakes_born_the_same_day_are_both_listed(people: dict, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": "nguyen van an 2019"})
    assert _names(response) == ["Nguyễn Văn An", "Nguyễn Văn An"]


def test_an_officer_of_another_district_finds_only_their_own_people(
    people: dict, officer_tayson: User
) -> None:
    response = client_for(officer_tayson).get("/registry/", {"q": "dang thi thu huong 1999"})
    assert [m.person.personal_id for m in response.context["matches"]] == ["052199054321"]
    assert _names(client_for(officer_tayson).get("/registry/?q=067199012345")) == []


def test_every_look_up_is_audited_with_what_was_asked(people: dict, officer_dakmil: User) -> None:
    client_for(officer_dakmil).get("/registry/", {"q": "dang thi thu huong 1999"})
    event = AuditEvent.objects.get(action="person.search", actor=officer_dakmil)
    assert event.after["query"] == "dang thi thu huong 1999"
    assert event.after["found"] == [people["huong"].pk]


def test_opening_a_person_is_audited_and_shows_household_and_card(
    people: dict, officer_dakmil: User
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda *a: datetime.date(2023, 10, 1))
        page = (
            client_for(officer_dakmil)
            .get(f"/registry/people/{people['huong'].pk}/")
            .content.decode()
        )
    assert "15/03/2024" in page  # the 25th birthday, from cccd.core.validity at import
    assert "Expires soon" in page
    assert "Nguyễn Văn An" in page
    assert "Child" in page
    assert "Head of household" in page
    event = AuditEvent.objects.get(action="person.view")
    assert event.object_id == str(people["huong"].pk)
    assert event.unit_id == people["huong"].residence_unit_id


def test_a_year_only_birth_date_is_shown_as_a_year(people: dict, officer_dakmil: User) -> None:
    page = client_for(officer_dakmil).get(f"/registry/people/{people['thuy'].pk}/").content.decode()
    assert "born in 1950 (year only)" in page
    assert "01/01/1950" not in page


@pytest.mark.parametrize("query", ["", "a", "   ", "x" * (QUERY_MAX_LENGTH + 1), "1990"])
def test_a_query_without_a_name_or_id_is_refused_with_a_message(
    people: dict, officer_dakmil: User, query: str
) -> None:
    response = client_for(officer_dakmil).get("/registry/", {"q": query})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="person.search").exists()


def test_a_liaison_may_not_look_people_up(people: dict, liaison_dakmil: User) -> None:
    assert client_for(liaison_dakmil).get("/registry/", {"q": "067199012345"}).status_code == 403
    assert (
        client_for(liaison_dakmil).get("/api/v1/registry/people?q=067199012345").status_code == 403
    )


def test_the_api_searches_and_opens_the_same_way(people: dict, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    results = client.get("/api/v1/registry/people", {"q": "DANG THI THU HUONG 1999"}).json()[
        "items"
    ]
    assert results[0]["personal_id"] == "067199012345"
    person = client.get(f"/api/v1/registry/people/{results[0]['id']}").json()
    assert person["household_code"] == "HK24667000001"
    assert [m["full_name"] for m in person["household"]] == ["Đặng Thị Thu Hương", "Nguyễn Văn An"]
    assert AuditEvent.objects.filter(action__in=["person.search", "person.view"]).count() == 2


def test_the_api_refuses_a_short_query_with_json(people: dict, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/api/v1/registry/people", {"q": "a"})
    assert response.status_code == 400
    assert response.json()["code"] == "QUERY_TOO_SHORT"
    assert Client().get("/api/v1/registry/people", {"q": "abc"}).status_code == 401


class TestPersonScoping(CrossUnitAccessMixin):
    def urls_for_dakmil_object(self, tree: Tree) -> list[str]:
        person = make_person(tree.daklao, "Trần Văn Bình", "01/01/1980", "M")
        return [f"/registry/people/{person.pk}/", f"/api/v1/registry/people/{person.pk}"]
