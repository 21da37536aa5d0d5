from __future__ import annotations

import pytest

from cccd.accounts.models import Role, User
from tests.builders import Tree, make_user
from tests.planner.world import District, make_district


@pytest.fixture
def district(tree: Tree) -> District:
    return make_district(tree)


@pytest.fixture
def officer_dakmil(tree: Tree) -> User:
    return make_user("canbo.dakmil", Role.OFFICER, tree.dakmil_police)


@pytest.fixture
def commander_tayson(tree: Tree) -> User:
    return make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)
