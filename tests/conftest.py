"""Personas every app's tests reuse, each in a real slice of the unit trees (docs/design.md#tests).

- `officer_dakmil`: intake officer of Công an huyện Đắk Mil (Đắk Nông)
- `officer_tayson`: intake officer of Công an huyện Tây Sơn (Bình Định) — must see nothing of Đắk Mil
- `commander_daknong`: commander of Công an tỉnh Đắk Nông, the parent of Đắk Mil
- `liaison_dakmil`: liaison of a school in Đắk Mil
- `administrator`: administrator at the ministry (Bộ Công an)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from cccd.accounts.models import Role, User
from tests.builders import Tree, make_tree, make_user

DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback"}
    | {"live_server", "django_db_setup", "django_user_model"}
)
"""pytest-django's fixtures that open the test database to a test (directly or through others)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `no_database` every test pytest-django keeps away from the database: no `django_db`
    mark and no database fixture among all it requests (pytest-django refuses such a test any
    query). It passes or fails alike on any database, so CI's PostgreSQL pass leaves it out,
    having run it on SQLite. (The ones that start the app in another process give it no
    DATABASE_URL, or one it never connects to: tests/test_production_start.py.)"""
    for item in items:
        if item.get_closest_marker("django_db"):
            continue
        if DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _plain_static_files(settings: object) -> None:
    """Pages render without `collectstatic`; the manifest storage is exercised by the e2e run."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    """Uploaded files go to the test's own folder, never into var/media."""
    settings.STORAGES = {  # type: ignore[attr-defined]
        **settings.STORAGES,  # type: ignore[attr-defined]
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
    }


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings: object) -> None:
    """Background tasks run inside the request (after commit), so a test sees their result."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _english_by_default(settings: object) -> None:
    """Assertions on messages read in English; tests of the Vietnamese UI ask for it explicitly."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()


@pytest.fixture
def officer_dakmil(tree: Tree) -> User:
    return make_user(
        "canbo.dakmil",
        Role.OFFICER,
        tree.dakmil_police,
        first_name="Hương",
        last_name="Đặng Thị Thu",
    )


@pytest.fixture
def officer_tayson(tree: Tree) -> User:
    return make_user(
        "canbo.tayson", Role.OFFICER, tree.tayson_police, first_name="Tâm", last_name="Huỳnh Minh"
    )


@pytest.fixture
def commander_daknong(tree: Tree) -> User:
    return make_user("chihuy.daknong", Role.COMMANDER, tree.daknong_police)


@pytest.fixture
def liaison_dakmil(tree: Tree) -> User:
    return make_user("lienlac.dakmil", Role.LIAISON, tree.dakmil_police)


@pytest.fixture
def administrator(tree: Tree) -> User:
    return make_user("quantri", Role.ADMINISTRATOR, tree.ministry)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
