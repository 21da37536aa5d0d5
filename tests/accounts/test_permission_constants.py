"""Every permission the code checks is a constant of `cccd.accounts.roles`, and every constant there
names a permission the database holds.

A permission typed as a string elsewhere can drift from the matrix (a typo is a `has_perm` that is
always False, and nobody notices a button that never shows); one module keeps the whole matrix in
sight. Templates keep Django's `perms.app.codename` form, which they need, and are not read here.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

from cccd.accounts import roles

SRC = Path(__file__).resolve().parents[2] / "src" / "cccd"
ROLES = SRC / "accounts" / "roles.py"
LOOKS_LIKE_ONE = re.compile(
    r"^(accounts|units|registry|campaigns|rosters|tickets|enrollments|reports)\."
    r"(view|manage|look|import|plan|change|upload|review|issue|operate|take|complete|approve|send|"
    r"deliver|add|delete)_[a-z_]+$"
)
"""The shape of this project's permissions, so a misspelt one is caught as well as a real one."""


def _python_files() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if path == ROLES or "migrations" in path.relative_to(SRC).parts:
            continue
        yield path


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _permissions_in_db() -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }


def _constants() -> dict[str, str]:
    return {
        name: value
        for name, value in vars(roles).items()
        if name.isupper() and isinstance(value, str) and "." in value
    }


@pytest.mark.django_db
def test_no_permission_is_written_as_a_string_outside_roles() -> None:
    known = _permissions_in_db()
    found = [
        f"src/cccd/{path.relative_to(SRC)}:{line}: {text!r}"
        for path in _python_files()
        for line, text in _strings(path)
        if text in known or LOOKS_LIKE_ONE.match(text)
    ]
    assert found == [], "use the constants of cccd.accounts.roles:\n" + "\n".join(found)


@pytest.mark.django_db
def test_every_constant_of_roles_names_a_permission_of_the_database() -> None:
    known = _permissions_in_db()
    constants = _constants()
    assert len(constants) >= 20  # the matrix, not an empty module
    missing = {name: value for name, value in constants.items() if value not in known}
    assert missing == {}
    granted = set().union(*roles.ROLE_PERMISSIONS.values())
    assert granted <= known
    assert granted <= set(constants.values())  # every grant goes through a constant


def test_the_scan_sees_a_permission_written_as_a_string(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text('def f(user):\n    return user.has_perm("reports.view_dashboard")\n')
    assert [text for _line, text in _strings(sample) if LOOKS_LIKE_ONE.match(text)] == [
        "reports.view_dashboard"
    ]
