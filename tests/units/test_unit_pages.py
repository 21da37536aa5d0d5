import pytest

from cccd.accounts.models import User
from cccd.units.models import Unit
from tests.builders import Tree
from tests.conftest import client_for
from tests.mixins import CrossUnitAccessMixin, assert_audited

pytestmark = pytest.mark.django_db


class TestUnitDetailScoping(CrossUnitAccessMixin):
    def urls_for_dakmil_object(self, tree: Tree) -> list[str]:
        return [
            f"/units/{tree.daklao.pk}/",
            f"/api/v1/units/{tree.daklao.pk}",
            f"/units/{tree.dakmil_police.pk}/",
        ]


def test_the_unit_list_shows_only_the_users_subtree(tree: Tree, officer_dakmil: User) -> None:
    response = client_for(officer_dakmil).get("/units/")
    names = [u.name for u in response.context["page"]]
    assert "Xã Đắk Lao" in names
    assert "Công an huyện Đắk Mil" in names
    assert not any("Tây Sơn" in n or "Bình Định" in n for n in names)
    assert "Tỉnh Đắk Nông" not in names
    assert "Công an tỉnh Đắk Nông" not in names


def test_a_province_commander_sees_the_districts_below(tree: Tree, commander_daknong: User) -> None:
    names = [
        u.name for u in client_for(commander_daknong).get("/units/?level=district").context["page"]
    ]
    assert sorted(names) == ["Công an huyện Đắk Mil", "Huyện Đắk Mil"]


def test_an_administrator_renames_a_unit_and_it_is_audited(tree: Tree, administrator: User) -> None:
    response = client_for(administrator).post(
        f"/units/{tree.daklao.pk}/edit/",
        {"name": "Xã Đắk Lao (mới)", "division_type": "Xã", "is_active": "on"},
    )
    assert response.status_code == 302
    tree.daklao.refresh_from_db()
    assert tree.daklao.name == "Xã Đắk Lao (mới)"
    event = assert_audited("unit.update", tree.daklao, actor=administrator)
    assert event.before["name"] == "Xã Đắk Lao"
    assert event.after["name"] == "Xã Đắk Lao (mới)"


def test_an_officer_may_not_edit_units(tree: Tree, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.get(f"/units/{tree.daklao.pk}/edit/").status_code == 403
    response = client.post(f"/units/{tree.daklao.pk}/edit/", {"name": "Hacked"})
    assert response.status_code == 403
    assert b"PERMISSION_DENIED" in response.content
    tree.daklao.refresh_from_db()
    assert tree.daklao.name == "Xã Đắk Lao"


def test_an_administrator_adds_a_commune_under_a_district(tree: Tree, administrator: User) -> None:
    response = client_for(administrator).post(
        f"/units/{tree.tayson.pk}/new/",
        {"code": "21808", "name": "Thị trấn Phú Phong", "division_type": "Thị trấn"},
    )
    assert response.status_code == 302
    unit = Unit.objects.get(code="21808")
    assert unit.path == "/hc/L52/547/21808/"
    assert unit.level == "commune"
    assert_audited("unit.create", unit, actor=administrator)


@pytest.mark.parametrize(
    ("data", "status", "marker"),
    [
        ({"code": "", "name": "X"}, 400, b"required"),
        ({"code": "21 808", "name": "X"}, 400, b"BAD_CODE"),
        ({"code": "x" * 17, "name": "X"}, 400, b"at most 16"),
        ({"code": "24667", "name": "Duplicate"}, 409, b"UNIT_CODE_TAKEN"),
    ],
)
def test_it_refuses_a_malformed_new_unit_and_creates_nothing(
    tree: Tree, administrator: User, data: dict[str, str], status: int, marker: bytes
) -> None:
    before = Unit.objects.count()
    response = client_for(administrator).post(f"/units/{tree.dakmil.pk}/new/", data)
    assert response.status_code == status
    assert marker in response.content
    assert Unit.objects.count() == before


def test_a_unit_with_active_children_cannot_be_deactivated(tree: Tree, administrator: User) -> None:
    response = client_for(administrator).post(
        f"/units/{tree.dakmil.pk}/edit/", {"name": "Huyện Đắk Mil"}
    )
    assert response.status_code == 409
    assert b"UNIT_HAS_CHILDREN" in response.content
    tree.dakmil.refresh_from_db()
    assert tree.dakmil.is_active


def test_an_administrator_of_a_province_cannot_reach_another_province(tree: Tree) -> None:
    from tests.builders import make_user

    admin_daknong = make_user("quantri.daknong", "administrator", tree.daknong_police)
    client = client_for(admin_daknong)
    assert client.get(f"/units/{tree.tayson.pk}/edit/").status_code == 404
    assert (
        client.post(f"/units/{tree.tayson.pk}/new/", {"code": "99999", "name": "X"}).status_code
        == 404
    )
    assert not Unit.objects.filter(code="99999").exists()
