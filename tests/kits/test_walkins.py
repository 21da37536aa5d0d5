"""A walk-in not in the kit's register, entered with the population-data form (DC01) through
/api/v1/kits/walk-in-people: only in field mode, checked as a register row is, refused when the
personal ID number is already known; then served like anyone else."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent, User
from cccd.accounts.services import create_api_token
from cccd.campaigns.models import Session
from cccd.core import idnumber
from cccd.kits.models import NewPerson
from cccd.registry.models import Person
from cccd.tickets.models import Desk
from tests.builders import Tree, make_person
from tests.enrollments.conftest import TODAY, portrait, student  # noqa: F401  (fixtures)
from tests.tickets.conftest import desks, leader, session  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/api/v1/kits/walk-in-people"


def new_id(year: int = 1990, sex: str = "M", seed: int = 1) -> str:
    return str(idnumber.generate("067", sex, year, random.Random(seed)))


def form(tree: Tree, **changes: Any) -> dict[str, Any]:
    return {
        "full_name": "  lê   thị  hồng ",
        "birth_date": "12/04/1990",
        "sex": "Nữ",
        "personal_id": new_id(1990, "F"),
        "residence_unit_id": tree.daklao.pk,
        "hometown": "Xã Đắk Lao, huyện Đắk Mil",
        "permanent_address": "Thôn 3, Đắk Lao",
        "ethnicity": "Kinh",
        **changes,
    }


def post(user: User, body: dict[str, Any]) -> Any:
    _token, key = create_api_token(name="bàn", actor=user)
    return Client().post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


@pytest.fixture
def field_mode(settings: Any) -> None:
    settings.CCCD_FIELD_MODE = True


@pytest.mark.usefixtures("field_mode")
def test_a_walk_in_is_entered_as_a_register_row_would_be(tree: Tree, officer_dakmil: User) -> None:
    response = post(officer_dakmil, form(tree))
    assert response.status_code == 201, response.json()
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert person.full_name == body["full_name"] == "Lê Thị Hồng"  # normalised as an import does
    assert (person.name_folded, person.family_folded, person.given_folded) == (
        "le thi hong",
        "le",
        "hong",
    )
    assert (person.sex, person.birth_year, person.birth_province_code) == ("F", 1990, "067")
    assert person.residence_unit == tree.daklao and person.ethnicity == "Kinh"
    assert person.last_import is None
    new = NewPerson.objects.get(person=person)
    assert new.created_by == officer_dakmil and new.checked_at is None
    event = AuditEvent.objects.get(action="person.create_walk_in")
    assert event.after["person"] == person.pk
    assert "Hồng" not in str(event.after) and person.personal_id not in str(event.after)


@pytest.mark.usefixtures("field_mode")
def test_a_year_alone_is_a_birth_year(tree: Tree, officer_dakmil: User) -> None:
    response = post(officer_dakmil, form(tree, birth_date="1990"))
    assert response.status_code == 201 and response.json()["birth_date_precision"] == "year"


@pytest.mark.usefixtures("field_mode")
def test_a_known_personal_id_is_refused_with_the_record_described(
    tree: Tree, officer_dakmil: User
) -> None:
    known = make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")
    response = post(
        officer_dakmil,
        form(
            tree,
            personal_id=known.personal_id,
            sex="Nam",  # type: ignore[attr-defined]
            birth_date="15/03/2006",
        ),
    )
    assert response.status_code == 409 and response.json()["code"] == "WALK_IN_KNOWN"
    message = response.json()["message"]
    assert "2006" in message and "Xã Đắk Lao" in message and f"#{known.pk}" in message  # type: ignore[attr-defined]
    assert known.personal_id not in message and "Đức" not in message  # type: ignore[attr-defined]
    assert Person.objects.count() == 1 and not NewPerson.objects.exists()


@pytest.mark.usefixtures("field_mode")
def test_another_units_known_person_is_not_described(tree: Tree, officer_dakmil: User) -> None:
    elsewhere = make_person(tree.tayson, "Trần Văn Bình", "01/01/1990", "M")
    response = post(
        officer_dakmil,
        form(tree, personal_id=elsewhere.personal_id, sex="Nam", birth_date="01/01/1990"),  # type: ignore[attr-defined]
    )
    assert response.status_code == 409
    assert "1990" not in response.json()["message"] and "another unit" in response.json()["message"]


@pytest.mark.usefixtures("field_mode")
@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"personal_id": "12345"}, 400, "WALK_IN_INVALID"),
        ({"personal_id": new_id(1985, "F")}, 400, "WALK_IN_INVALID"),  # birth year differs
        ({"personal_id": new_id(1990, "M")}, 400, "WALK_IN_INVALID"),  # sex differs
        ({"birth_date": "31/02/1990"}, 400, "WALK_IN_INVALID"),
        ({"birth_date": "01/01/2099"}, 400, "WALK_IN_INVALID"),  # in the future
        ({"birth_date": "01/01/19900"}, 422, "INVALID_INPUT"),  # too long for the field
        ({"birth_date": "2099"}, 400, "WALK_IN_INVALID"),
        ({"sex": "X"}, 400, "WALK_IN_INVALID"),
        ({"full_name": "123"}, 400, "WALK_IN_INVALID"),
        ({"old_id_number": "12ab"}, 400, "WALK_IN_INVALID"),
        ({"full_name": ""}, 422, "INVALID_INPUT"),
        ({"full_name": "Lê\x00Hồng"}, 422, "INVALID_INPUT"),
        ({"residence_unit_id": 0}, 422, "INVALID_INPUT"),
        ({"residence_unit_id": 10**9}, 400, "WALK_IN_NOT_A_COMMUNE"),
        ({"hometown": "x" * 301}, 422, "INVALID_INPUT"),
    ],
)
def test_a_form_that_does_not_read_is_refused(
    tree: Tree, officer_dakmil: User, changes: dict[str, Any], status: int, code: str
) -> None:
    response = post(officer_dakmil, form(tree, **changes))
    assert (response.status_code, response.json()["code"]) == (status, code), response.json()
    assert not Person.objects.exists()


@pytest.mark.usefixtures("field_mode")
def test_a_missing_field_is_refused(tree: Tree, officer_dakmil: User) -> None:
    body = form(tree)
    del body["personal_id"]
    response = post(officer_dakmil, body)
    assert response.status_code == 422 and response.json()["code"] == "INVALID_INPUT"


@pytest.mark.usefixtures("field_mode")
def test_the_residence_is_a_commune_of_ones_own_area(tree: Tree, officer_dakmil: User) -> None:
    for unit in (tree.tayson, tree.daklao_police, tree.dakmil):
        response = post(officer_dakmil, form(tree, residence_unit_id=unit.pk))
        assert response.status_code == 400 and response.json()["code"] == "WALK_IN_NOT_A_COMMUNE"
    assert not Person.objects.exists()


def test_at_the_district_nobody_is_typed_into_the_register(
    tree: Tree, officer_dakmil: User
) -> None:
    response = post(officer_dakmil, form(tree))
    assert response.status_code == 404 and response.json()["code"] == "WALK_IN_FIELD_ONLY"
    assert not Person.objects.exists()


@pytest.mark.usefixtures("field_mode")
def test_a_role_without_a_desk_may_not_enter_people(
    tree: Tree, liaison_dakmil: User, administrator: User
) -> None:
    for user in (liaison_dakmil, administrator):
        response = post(user, form(tree))
        assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"
    assert Client().post(URL, form(tree), content_type="application/json").status_code == 401
    assert not Person.objects.exists()


@pytest.mark.usefixtures("field_mode")
def test_the_walk_in_is_then_served_like_anyone(
    tree: Tree,
    session: Session,  # noqa: F811
    desks: list[Desk],  # noqa: F811
    leader: User,  # noqa: F811
    officer_dakmil: User,
    time_machine: Any,
) -> None:
    time_machine.move_to(TODAY)
    person_id = post(officer_dakmil, form(tree)).json()["id"]
    _token, key = create_api_token(name="bàn 1", actor=officer_dakmil)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    client = Client()
    found = client.get("/api/v1/registry/people?q=Le Thi Hong 1990", **auth).json()["items"]
    assert [p["id"] for p in found] == [person_id]
    _t, leader_key = create_api_token(name="cửa", actor=leader)
    client.post(
        f"/api/v1/tickets/sessions/{session.pk}/walk-ins",
        {},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {leader_key}",
    )
    ticket = client.post(f"/api/v1/tickets/desks/{desks[0].pk}/call-next", **auth).json()
    chosen = client.post(
        f"/api/v1/intake/tickets/{ticket['id']}/person",
        {"person_id": person_id},
        content_type="application/json",
        **auth,
    )
    assert chosen.status_code == 200 and chosen.json()["person"]["id"] == person_id
    started = client.post(f"/api/v1/intake/tickets/{ticket['id']}/start", **auth).json()
    assert started["draft"] is not None and started["problem"] == ""
