"""The shape of `cccd.enrollments`: one namespace per feature sub-package, the addresses people
already hold (bookmarks, the QR link on every slip printed, the API's neighbours) unchanged, and
the simulated card centre outside the production code, which never imports `cccd.demo`."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import cccd
import cccd.enrollments

SRC = Path(cccd.__file__).resolve().parent
FEATURES = ("intake", "dossiers", "production", "public", "documents")

# Every page of the app: its name, its arguments, and the address it had before the split.
ADDRESSES = [
    ("intake:screen", [7], "/intake/tickets/7/"),
    ("intake:person", [7], "/intake/tickets/7/person/"),
    ("intake:details", [7], "/intake/tickets/7/details/"),
    ("intake:capture", [7, "photo"], "/intake/tickets/7/capture/photo/"),
    ("intake:slots", [7, "fingerprint"], "/intake/tickets/7/slots/fingerprint/"),
    ("intake:device", [7, "fingerprint"], "/intake/tickets/7/device/fingerprint/"),
    ("intake:propose", [7], "/intake/tickets/7/changes/"),
    ("intake:finish", [7], "/intake/tickets/7/finish/"),
    ("intake:done", [8], "/intake/dossiers/8/"),
    ("intake:slip", [8], "/intake/dossiers/8/slip.pdf"),
    ("intake:close_session", [9], "/intake/sessions/9/close/"),
    ("public:link", ["663-210306-000042.sig"], "/intake/d/663-210306-000042.sig/"),
    ("public:status", [], "/status/"),
    ("dossiers:list", [], "/dossiers/"),
    ("dossiers:approve", [], "/dossiers/approve/"),
    ("dossiers:search", [], "/dossiers/search/"),
    ("dossiers:deadlines", [], "/dossiers/deadlines/"),
    ("dossiers:detail", [8], "/dossiers/8/"),
    ("dossiers:move", [8], "/dossiers/8/move/"),
    ("dossiers:review_change", [8, 3], "/dossiers/8/changes/3/"),
    ("dossiers:deliver", [8], "/dossiers/8/deliver/"),
    ("dossiers:contact", [8], "/dossiers/8/contact/"),
    ("dossiers:refusal", [8], "/dossiers/8/refusal.pdf"),
    ("dossiers:card", [8], "/dossiers/8/card/"),
    ("production:list", [], "/batches/"),
    ("production:new", [], "/batches/new/"),
    ("production:detail", [5], "/batches/5/"),
    ("production:download", [5], "/batches/5/file.zip"),
    ("production:result", [5], "/batches/5/result/"),
    ("production:arrived", [5], "/batches/5/arrived/"),
]


def _patterns(entries: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _patterns(entry.url_patterns, inner)
        else:
            yield namespace, entry


def _modules(root: Path) -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(root.rglob("*.py")):
        yield str(path.relative_to(SRC.parent)), ast.parse(path.read_text("utf-8"))


def _imported(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


@pytest.mark.parametrize(("name", "args", "address"), ADDRESSES)
def test_every_page_keeps_its_address(name: str, args: list[object], address: str) -> None:
    assert reverse(name, args=args) == address


def test_every_page_of_the_app_is_in_the_table_above() -> None:
    names = {
        f"{namespace}:{pattern.name}"
        for namespace, pattern in _patterns(get_resolver().url_patterns)
        if pattern.callback.__module__.startswith("cccd.enrollments.")
    }
    assert names == {name for name, _args, _address in ADDRESSES}


def test_each_feature_serves_its_pages_under_its_own_namespace() -> None:
    for namespace, pattern in _patterns(get_resolver().url_patterns):
        module = pattern.callback.__module__
        if module.startswith("cccd.enrollments."):
            feature = module.split(".")[2]
            assert feature in FEATURES, module
            assert namespace == feature, f"{pattern.name} of {module} is in “{namespace}”"


def test_the_simulated_centre_is_not_in_the_production_app() -> None:
    package = importlib.import_module("cccd.enrollments.production")
    modules = [package] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(package.__path__, "cccd.enrollments.production.")
    ]
    for module in modules:
        for name in ("simulate_result", "read_batch", "pack_result"):
            assert not hasattr(module, name), f"{module.__name__}.{name}"


def test_no_production_code_imports_the_demo() -> None:
    """`cccd.demo` (the demo's seeding, the simulated centre) is not installed in production, so
    nothing outside it may import it."""
    wrong = [
        f"{path}: {name}"
        for path, tree in _modules(SRC)
        if not path.startswith("cccd/demo/")
        for name in _imported(tree)
        if name == "cccd.demo" or name.startswith("cccd.demo.")
    ]
    assert not wrong, wrong


def test_the_enrollments_app_keeps_only_its_shared_layer_at_its_base() -> None:
    base = Path(cccd.enrollments.__file__).parent
    modules = {path.name for path in base.glob("*.py")}
    assert modules == {
        "__init__.py",
        "apps.py",
        "errors.py",
        "events.py",
        "models.py",
        "reference.py",
    }
    packages = {p.name for p in base.iterdir() if (p / "__init__.py").exists()}
    assert packages == {*FEATURES, "management", "migrations"}
