import pytest

from cccd.accounts.models import User
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "canbo2.dakmil",
    "first_name": "An",
    "last_name": "Lê Văn",
    "email": "",
    "role": "officer",
    "password": "Sao-Khue-2021!",
}


def test_an_administrator_creates_an_officer_with_the_role_permissions(
    tree: Tree, administrator: User
) -> None:
    response = client_for(administrator).post(
        "/accounts/users/new/", {**GOOD, "unit": tree.dakmil_police.pk}
    )
    assert response.status_code == 302
    user = User.objects.get(username="canbo2.dakmil")
    assert user.unit == tree.dakmil_police
    assert user.role == "officer"
    assert list(user.groups.values_list("name", flat=True)) == ["officer"]
    assert not user.has_perm("accounts.view_audit_trail")
    event = assert_audited("user.create", user, actor=administrator, unit=tree.dakmil_police)
    assert "password" not in event.after


def test_a_commander_gets_the_audit_permission_from_the_role(
    tree: Tree, administrator: User
) -> None:
    client_for(administrator).post(
        "/accounts/users/new/", {**GOOD, "role": "commander", "unit": tree.dakmil_police.pk}
    )
    assert User.objects.get(username="canbo2.dakmil").has_perm("accounts.view_audit_trail")


@pytest.mark.parametrize(
    ("changes", "status", "marker"),
    [
        ({"password": "12345678901"}, 400, "WEAK_PASSWORD"),
        ({"password": "short"}, 400, "WEAK_PASSWORD"),
        ({"username": "canbo.dakmil"}, 409, "USERNAME_TAKEN"),
        ({"username": "CANBO.DAKMIL"}, 409, "USERNAME_TAKEN"),
        ({"username": "bad name!"}, 400, "Enter a valid value"),
        ({"role": "god"}, 400, "Select a valid choice"),
        ({"email": "not-an-email"}, 400, "valid email"),
        ({"unit": "abc"}, 400, "Select a valid choice"),
    ],
)
def test_it_refuses_a_malformed_user_and_creates_nothing(
    tree: Tree,
    administrator: User,
    officer_dakmil: User,
    changes: dict[str, str],
    status: int,
    marker: str,
) -> None:
    before = User.objects.count()
    response = client_for(administrator).post(
        "/accounts/users/new/", {**GOOD, "unit": tree.dakmil_police.pk, **changes}
    )
    assert response.status_code == status
    assert marker in response.content.decode()
    assert User.objects.count() == before


def test_users_cannot_be_placed_in_an_administrative_division(
    tree: Tree, administrator: User
) -> None:
    response = client_for(administrator).post(
        "/accounts/users/new/", {**GOOD, "unit": tree.dakmil.pk}
    )
    assert response.status_code == 400  # not among the offered (police) units
    assert not User.objects.filter(username=GOOD["username"]).exists()


def test_a_province_administrator_cannot_place_users_in_another_province(tree: Tree) -> None:
    admin_daknong = make_user("quantri.daknong", "administrator", tree.daknong_police)
    response = client_for(admin_daknong).post(
        "/accounts/users/new/", {**GOOD, "unit": tree.tayson_police.pk}
    )
    assert response.status_code == 400
    assert not User.objects.filter(username=GOOD["username"]).exists()


def test_an_officer_cannot_manage_users(tree: Tree, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/accounts/users/").status_code == 403
    assert (
        client.post("/accounts/users/new/", {**GOOD, "unit": tree.dakmil_police.pk}).status_code
        == 403
    )
    assert not User.objects.filter(username=GOOD["username"]).exists()


def test_an_administrator_changes_a_role_and_the_change_is_audited(
    tree: Tree, administrator: User, officer_dakmil: User
) -> None:
    data = {
        "first_name": "Hương",
        "last_name": "Đặng Thị Thu",
        "email": "",
        "unit": tree.dakmil_police.pk,
        "role": "team_leader",
        "is_active": "on",
    }
    assert (
        client_for(administrator).post(f"/accounts/users/{officer_dakmil.pk}/", data).status_code
        == 302
    )
    officer_dakmil.refresh_from_db()
    assert officer_dakmil.role == "team_leader"
    assert list(officer_dakmil.groups.values_list("name", flat=True)) == ["team_leader"]
    event = assert_audited("user.update", officer_dakmil, actor=administrator)
    assert (event.before["role"], event.after["role"]) == ("officer", "team_leader")


def test_an_administrator_cannot_demote_themselves(tree: Tree, administrator: User) -> None:
    data = {"unit": tree.ministry.pk, "role": "officer", "is_active": "on"}
    response = client_for(administrator).post(f"/accounts/users/{administrator.pk}/", data)
    assert response.status_code == 403
    assert b"CANNOT_CHANGE_SELF" in response.content
    administrator.refresh_from_db()
    assert administrator.role == "administrator"


def test_a_deactivated_user_can_no_longer_use_the_system(
    tree: Tree, administrator: User, officer_dakmil: User
) -> None:
    officer_client = client_for(officer_dakmil)
    data = {"unit": tree.dakmil_police.pk, "role": "officer"}  # is_active unticked
    client_for(administrator).post(f"/accounts/users/{officer_dakmil.pk}/", data)
    assert officer_client.get("/").status_code == 302


def test_a_user_of_another_province_is_invisible_to_a_province_administrator(
    tree: Tree, officer_tayson: User
) -> None:
    admin_daknong = make_user("quantri.daknong", "administrator", tree.daknong_police)
    assert client_for(admin_daknong).get(f"/accounts/users/{officer_tayson.pk}/").status_code == 404


def test_an_administrator_sets_a_password_and_it_is_audited_without_the_password(
    tree: Tree, administrator: User, officer_dakmil: User
) -> None:
    client_for(administrator).post(
        f"/accounts/users/{officer_dakmil.pk}/password/", {"password": "Hoa-Sen-2021!"}
    )
    officer_dakmil.refresh_from_db()
    assert officer_dakmil.check_password("Hoa-Sen-2021!")
    event = assert_audited("user.set_password", officer_dakmil, actor=administrator)
    assert event.before is None
    assert event.after == {"api_tokens_ended": 0}
