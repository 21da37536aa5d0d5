"""Permissions come from the role matrix, and the user's unit comes with the user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cccd.accounts.backends import RoleBackend
from cccd.accounts.models import Role, User
from cccd.accounts.roles import INTAKE, ISSUE, ROLE_PERMISSIONS
from tests.builders import Tree, make_user

pytestmark = pytest.mark.django_db


def test_a_role_grants_exactly_its_row_of_the_matrix(tree: Tree) -> None:
    for role in Role:
        user = make_user(f"u-{role}", role, tree.dakmil_police)
        assert RoleBackend().get_all_permissions(user) == ROLE_PERMISSIONS[role], role


def test_a_changed_role_changes_the_permissions_at_once(officer_dakmil: User) -> None:
    assert officer_dakmil.has_perm(INTAKE) and not officer_dakmil.has_perm(ISSUE)
    officer_dakmil.role = Role.LIAISON
    officer_dakmil.save()
    fresh = User.objects.get(pk=officer_dakmil.pk)
    assert not fresh.has_perm(INTAKE) and not fresh.has_perm(ISSUE)


def test_an_inactive_user_has_no_permission(officer_dakmil: User) -> None:
    officer_dakmil.is_active = False
    assert RoleBackend().get_all_permissions(officer_dakmil) == set()
    assert not officer_dakmil.has_perm(INTAKE)


def test_permission_checks_cost_no_query(officer_dakmil: User) -> None:
    user = User.objects.get(pk=officer_dakmil.pk)
    with CaptureQueriesContext(connection) as queries:
        assert user.has_perm(INTAKE)
    assert len(queries) == 0


def test_the_logged_in_user_arrives_with_their_unit_in_one_query(officer_dakmil: User) -> None:
    client = Client()
    client.force_login(officer_dakmil)
    request = client.get("/").wsgi_request
    request.user = get_user(request)
    with CaptureQueriesContext(connection) as queries:
        assert request.user.unit.code == officer_dakmil.unit.code
    assert len(queries) == 0
