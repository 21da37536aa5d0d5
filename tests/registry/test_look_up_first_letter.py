"""Issue 20 item 3: a look-up whose given name has a wrong first letter still finds the person,
on both databases, and only within the user's units."""

from pathlib import Path

import pytest
from django.db import connection

from cccd.accounts.models import User
from cccd.registry import search, similar
from cccd.registry.importing import run_import
from cccd.registry.models import GivenName, Person
from cccd.registry.services import import_file
from tests.builders import Tree, make_person, make_unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: Tree) -> dict[str, object]:
    thanh = make_person(tree.daklao, "Nguyễn Văn Thành", "04/05/1980", "M")
    lan = make_person(tree.daklao, "Lê Thị Lan", "1975", "F")
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    far = make_person(tayson_commune, "Nguyễn Văn Khánh", "04/05/1980", "M")
    # namesakes of the family name born the same year, so the right person must be ranked
    for index, given in enumerate(["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Minh", "Nam"]):
        make_person(tree.daklao, f"Nguyễn Văn {given}", f"0{index + 1}/01/1980", "M")
    return {"thanh": thanh, "lan": lan, "far": far}


def _ids(user: User, query: str) -> list[str]:
    response = client_for(user).get("/registry/", {"q": query})
    assert response.status_code == 200
    return [m.person.personal_id for m in response.context["matches"]]


@pytest.mark.parametrize(
    "query",
    ["Nguyễn Văn Xhành 1980", "nguyen van phanh 1980", "NGUYEN VAN CHANH 1981", "nguyen van yhanh"],
)
def test_a_wrong_first_letter_of_the_given_name_is_found(
    people: dict, officer_dakmil: User, query: str
) -> None:
    assert people["thanh"].personal_id in _ids(officer_dakmil, query)[: search.LIMIT]


def test_a_short_given_name_with_a_wrong_first_letter_is_found(
    people: dict, officer_dakmil: User
) -> None:
    assert _ids(officer_dakmil, "le thi xan 1975")[:1] == [people["lan"].personal_id]


def test_someone_outside_the_users_units_is_never_returned(
    people: dict, officer_dakmil: User, officer_tayson: User
) -> None:
    # "Thanh" of Đắk Mil and "Khánh" of Tây Sơn both differ from "Xhanh" in the first letter only
    assert people["far"].personal_id not in _ids(officer_dakmil, "nguyen van xhanh 1980")
    found = _ids(officer_tayson, "nguyen van xhanh 1980")
    assert found == [people["far"].personal_id]


def test_a_name_typed_right_takes_no_extra_round(people: dict, officer_dakmil: User) -> None:
    """The round runs only when nobody bears the name as typed: "Nguyễn Văn Khánh" is nobody
    here, but "Nguyễn Văn Thành" is someone, and then the look-up is as before."""
    assert _ids(officer_dakmil, "nguyen van thanh 1980")[:1] == [people["thanh"].personal_id]
    assert search._first_letter_round(["nguyen", "van", "x"], 1980) is None


@pytest.mark.parametrize("query", ["x 1980", "1980", "  ", "-- ,; ()", "xh", "%_ 1980", "'\" 1980"])
def test_odd_queries_are_answered_not_failed(
    people: dict, officer_dakmil: User, query: str
) -> None:
    """Too short a query is refused with a message (400), as before; nothing fails."""
    response = client_for(officer_dakmil).get("/registry/", {"q": query})
    assert response.status_code in {200, 400}


def test_like_wildcards_in_a_typed_name_match_nothing_special(people: dict) -> None:
    assert similar.other_first_letter("x%") == []
    assert similar.other_first_letter("_") == []


def test_every_write_path_keeps_the_given_names(tree: Tree, tmp_path: Path) -> None:
    make_person(tree.daklao, "Trần Thị Hoa", "1990", "F")  # the ORM
    Person.objects.filter(given_folded="hoa").update(given_folded="hoai")  # a bulk update
    path = tmp_path / "reg.csv"
    address = '"Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"'
    rows = [
        "Số định danh,Họ và tên,Ngày sinh,Giới tính,Quê quán,Nơi thường trú",
        f"067199012345,Đặng Thị Thu Hương,15/03/1999,Nữ,Thái Bình,{address}",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_import(import_file(path, actor=None, unit_path="/ca/"))  # the import's bulk upsert
    assert {"hoa", "hoai", "huong"} <= set(GivenName.objects.values_list("name", flat=True))


def test_the_similarity_is_pg_trgms() -> None:
    pairs = [("hanh", "hanh"), ("hanh", "hxnh"), ("an", "oan"), ("uy", "uyen"), ("a b", "b a")]
    for left, right in pairs:
        expected = similar.similarity(left, right)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT similarity(%s, %s)", [left, right])
                assert cursor.fetchone()[0] == pytest.approx(expected)
        assert 0.0 <= expected <= 1.0
    assert similar.similarity("hanh", "hanh") == 1.0
    assert similar.similarity("hanh", "hxnh") == pytest.approx(2 / 8)
    assert similar.similarity("", "hanh") == 0.0
