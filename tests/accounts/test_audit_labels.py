"""The audit page names each action in words: a table in `cccd.accounts.actions` must cover every
action string the code writes. The code is read (ast), not run, so a new `record(...)` anywhere —
directly or through a helper that passes its argument on — fails here until it has its label."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation

import cccd
from cccd.accounts.actions import ACTION_LABELS, action_label
from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.security import DENIED
from cccd.enrollments.dossiers.lifecycle import MOVES
from tests.conftest import client_for

SOURCE = Path(cccd.__file__).parent
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")

# Actions built at run time, by the file that builds them.
DYNAMIC: dict[str, Callable[[], set[str]]] = {
    "enrollments/dossiers/lifecycle.py": lambda: {f"enrollment.{name}" for name in MOVES},
    "accounts/security.py": lambda: {DENIED},
}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path.relative_to(SOURCE).as_posix(), ast.parse(path.read_text("utf-8"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _recorders(
    modules: list[tuple[str, ast.Module]],
) -> dict[str, tuple[int, str, ast.expr | None]]:
    """Functions that write an audit event with an action their caller gives: name → (position,
    parameter, default). `record` itself is the first; a helper passing a parameter on to one is
    another, until no new one appears."""
    recorders: dict[str, tuple[int, str, ast.expr | None]] = {"record": (0, "action", None)}
    changed = True
    while changed:
        changed = False
        for _name, module in modules:
            for func in ast.walk(module):
                if not isinstance(func, ast.FunctionDef) or func.name in recorders:
                    continue
                params = [a.arg for a in func.args.args]
                defaults = dict(zip(params[::-1], func.args.defaults[::-1], strict=False))
                for call in ast.walk(func):
                    argument = isinstance(call, ast.Call) and _action_argument(call, recorders)
                    if isinstance(argument, ast.Name) and argument.id in params:
                        recorders[func.name] = (
                            params.index(argument.id),
                            argument.id,
                            defaults.get(argument.id),
                        )
                        changed = True
                        break
    return recorders


def _action_argument(call: ast.Call, recorders: dict) -> ast.expr | None:
    if _callee(call) not in recorders:
        return None
    position, name, _default = recorders[_callee(call)]
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def written_actions() -> set[str]:
    """Every action string the code can write, or a failure naming what could not be read."""
    modules = list(_modules())
    recorders = _recorders(modules)
    found: set[str] = set()
    unreadable: list[str] = []
    for default in (d for _p, _n, d in recorders.values() if d is not None):
        found.add(default.value)  # type: ignore[attr-defined]
    for name, module in modules:
        functions = [n for n in ast.walk(module) if isinstance(n, ast.FunctionDef)]
        passed_on = {argument.arg for function in functions for argument in function.args.args}
        for call in (n for n in ast.walk(module) if isinstance(n, ast.Call)):
            if _callee(call) == "AuditEvent":
                found |= {
                    k.value.value
                    for k in call.keywords
                    if k.arg == "action" and isinstance(k.value, ast.Constant)
                }
                continue
            argument = _action_argument(call, recorders)
            if argument is None:
                continue
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.add(argument.value)
            elif isinstance(argument, ast.JoinedStr | ast.Name) and name in DYNAMIC:
                found |= DYNAMIC[name]()
            elif isinstance(argument, ast.Name) and argument.id in passed_on:
                continue  # a helper passing its caller's action on: its callers are read
            else:
                unreadable.append(f"{name}:{call.lineno}")
    assert not unreadable, (
        f"cannot tell which action these write (add them to DYNAMIC): {unreadable}"
    )
    return found


def test_every_action_the_code_writes_has_a_label() -> None:
    actions = written_actions()
    assert len(actions) > 40  # the reader found the calls, not nothing
    assert all(ACTION.match(a) for a in actions), sorted(a for a in actions if not ACTION.match(a))
    missing = sorted(actions - ACTION_LABELS.keys())
    assert not missing, f"add these to cccd.accounts.actions.ACTION_LABELS: {missing}"


def test_the_table_labels_no_action_the_code_no_longer_writes() -> None:
    assert sorted(ACTION_LABELS.keys() - written_actions()) == []


def test_every_label_has_its_vietnamese_words() -> None:
    with translation.override("en"):
        english = {action: str(label) for action, label in ACTION_LABELS.items()}
    with translation.override("vi"):
        untranslated = [a for a, label in ACTION_LABELS.items() if str(label) == english[a]]
    assert untranslated == []


def test_an_unknown_action_reads_as_its_code() -> None:
    assert action_label("something.new") == "something.new"


@pytest.mark.django_db
def test_the_audit_page_shows_the_words_and_the_code_in_small_print(
    commander_daknong: User,
) -> None:
    record("enrollment.approve", actor=commander_daknong, unit=commander_daknong.unit)
    client = client_for(commander_daknong)
    page = client.get("/accounts/audit/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Phê duyệt hồ sơ" in page
    assert '<small class="action-code">enrollment.approve</small>' in page
