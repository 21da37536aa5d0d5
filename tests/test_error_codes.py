"""One registry of error codes: each code string is defined once, in an `errors` module, with a
4xx status, and docs/errors.md and the OpenAPI document list exactly the registry's codes.

A client acts on the code, so a code that meant a fingerprint slot in one app and a time slot in
another could not be acted on. The checks that read code (not the registry) are tried on made-up
sources and definitions too, so they are seen to fail.
"""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from cccd import errors
from cccd.api import refusals
from cccd.errors import Definition, ErrorCode, all_codes, collisions, definitions, errors_modules

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CODE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


def _sources() -> dict[str, str]:
    """Every module of src/cccd: its path under src/ and its text."""
    return {str(p.relative_to(SRC)): p.read_text(encoding="utf-8") for p in SRC.rglob("*.py")}


def codes_made_outside_errors_modules(sources: dict[str, str]) -> list[str]:
    """Each `ErrorCode(...)` call in a module not named errors.py, as path:line."""
    found = []
    for path, text in sources.items():
        if Path(path).name == "errors.py":
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name == "ErrorCode":
                    found.append(f"{path}:{node.lineno}")
    return found


def codes_compared_by_text(sources: dict[str, str]) -> set[str]:
    """The strings a module compares an error's `.code` with (`exc.code == "NOT_FOUND"`)."""
    found = set()
    for text in sources.values():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Attribute) and s.attr == "code" for s in sides):
                    found |= {
                        s.value
                        for s in sides
                        if isinstance(s, ast.Constant) and isinstance(s.value, str)
                    }
    return found


# --- the unique-error-code test -------------------------------------------------------------------


def test_no_two_error_codes_share_a_code_string() -> None:
    found = definitions()
    assert collisions(found) == {}
    codes = [error.code for error in all_codes()]
    assert len(codes) == len(set(codes)) == len({id(d.error) for d in found})
    assert len(codes) > 150  # every app's errors module was read, not only the shared one


def test_a_code_string_defined_twice_is_a_collision() -> None:
    fingerprint = ErrorCode("BAD_SLOT", "There is no such slot: %(slot)s.")
    time_slot = ErrorCode("BAD_SLOT", "Cannot read the time slot: %(line)s")
    found = [
        Definition("cccd.enrollments.errors", "BAD_SLOT", fingerprint),
        Definition("cccd.tickets.errors", "BAD_SLOT", time_slot),
    ]
    assert collisions(found) == {
        "BAD_SLOT": ["cccd.enrollments.errors.BAD_SLOT", "cccd.tickets.errors.BAD_SLOT"]
    }
    # the same words and status defined twice is still two definitions
    twin = ErrorCode("BAD_SLOT", "There is no such slot: %(slot)s.")
    assert twin == fingerprint
    assert list(collisions([found[0], Definition("cccd.x.errors", "SLOT", twin)])) == ["BAD_SLOT"]


def test_a_code_imported_into_another_module_is_one_definition() -> None:
    shared = errors.NOT_FOUND
    found = [
        Definition("cccd.errors", "NOT_FOUND", shared),
        Definition("cccd.reports.errors", "NOT_FOUND", shared),
    ]
    assert collisions(found) == {}


def test_all_codes_refuses_a_collision(monkeypatch: pytest.MonkeyPatch) -> None:
    found = [*definitions(), Definition("cccd.x.errors", "AGAIN", ErrorCode("NOT_FOUND", "x", 404))]
    monkeypatch.setattr(errors, "definitions", lambda: found)
    with pytest.raises(ValueError, match="NOT_FOUND"):
        all_codes()


# --- where codes live, and what they are ---------------------------------------------------------


def test_every_error_code_is_made_in_an_errors_module() -> None:
    assert codes_made_outside_errors_modules(_sources()) == []


def test_an_error_code_made_elsewhere_is_found() -> None:
    sources = {
        "cccd/rosters/reading.py": 'from cccd import errors\nX = errors.ErrorCode("X", "x")\n',
        "cccd/reports/officers.py": 'Y = ErrorCode("Y", "y")\n',
        "cccd/reports/errors.py": 'Z = ErrorCode("Z", "z")\n',
    }
    found = codes_made_outside_errors_modules(sources)
    assert found == ["cccd/rosters/reading.py:2", "cccd/reports/officers.py:1"]


def test_the_registry_reads_every_errors_module() -> None:
    on_disk = {".".join(p.relative_to(SRC).with_suffix("").parts) for p in SRC.rglob("errors.py")}
    assert on_disk == set(errors_modules())


# Not the user's doing, yet still a sentence and never a traceback: the service cannot take the work
# just now (the task queue's Redis is down), and a client may try again later.
UNAVAILABLE = {"TASK_QUEUE_UNREACHABLE"}


def test_every_code_is_a_refusal_with_a_4xx_status_and_a_stable_name() -> None:
    for error in all_codes():
        if error.code in UNAVAILABLE:
            assert error.status == 503, error
        else:
            assert 400 <= error.status < 500, error
        assert CODE.match(error.code), error


def test_every_sentence_is_translated() -> None:
    untranslated = []
    for error in all_codes():
        if error.code == errors.HTTP_ERROR.code:  # django-ninja's own words
            continue
        with translation.override("en"):
            english = str(error.message)
        with translation.override("vi"):
            vietnamese = str(error.message)
        if english == vietnamese:
            untranslated.append(error.code)
    assert untranslated == []


def test_every_code_compared_by_its_text_exists() -> None:
    """A view that tells one refusal from another by `exc.code == "…"` must name a real code, or a
    renamed code silently stops matching."""
    known = {error.code for error in all_codes()}
    assert codes_compared_by_text(_sources()) - known == set()
    assert codes_compared_by_text({"x.py": 'if exc.code == "EMPTY_FILEE": pass\n'}) == {
        "EMPTY_FILEE"
    }


# --- what clients are told -------------------------------------------------------------------------


def test_docs_errors_md_is_up_to_date() -> None:
    """Remake it with `cccd error_codes > docs/errors.md`."""
    out = io.StringIO()
    call_command("error_codes", stdout=out)
    assert (ROOT / refusals.DOCS_PATH).read_text(encoding="utf-8") == out.getvalue()


def test_docs_list_every_code_with_its_status_and_english_sentence() -> None:
    text = refusals.markdown()
    with translation.override("en"):
        for error in all_codes():
            assert f"| `{error.code}` | {error.status} | {error.message} |" in text


def test_the_error_schema_names_every_code() -> None:
    schema = refusals.error_schema()
    assert schema["properties"]["code"]["enum"] == [error.code for error in all_codes()]
    assert schema["required"] == ["code", "message"]
