"""What API clients are told about refusals: the `Error` schema of the OpenAPI document and the
list of codes in docs/errors.md, both made from the registry of codes (`cccd.errors`), so neither
can fall behind the codes the API answers with.

The body is the one `cccd.api_v1` renders for every refusal: `{"code", "message"}`, plus `errors`
for a validation error (`INVALID_INPUT`).
"""

from __future__ import annotations

import importlib
from typing import Any, TypeVar

from django.apps import apps
from django.utils import translation

from cccd import errors
from cccd.errors import INVALID_INPUT, all_codes, definitions

SCHEMA_NAME = "Error"
DOCS_PATH = "docs/errors.md"


def error_schema() -> dict[str, Any]:
    """The JSON Schema of a refusal's body, every known code listed in `code`'s enum."""
    return {
        "title": SCHEMA_NAME,
        "type": "object",
        "description": (
            "A refusal, with a 4xx status. Act on `code`; `message` is for people, in the "
            f"language of Accept-Language. The codes and their sentences: {DOCS_PATH}."
        ),
        "properties": {
            "code": {
                "type": "string",
                "description": "Stable: one code means one refusal everywhere.",
                "enum": [error.code for error in all_codes()],
            },
            "message": {
                "type": "string",
                "description": "A sentence that says what is wrong and what to do.",
            },
            "errors": {
                "type": "array",
                "description": f"Only with {INVALID_INPUT.code}: each value that failed.",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string"},
                        "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                        "msg": {"type": "string"},
                        "ctx": {"type": "object"},
                    },
                    "required": ["type", "loc", "msg"],
                },
            },
        },
        "required": ["code", "message"],
        "additionalProperties": False,
    }


Document = TypeVar("Document", bound=dict[str, Any])


def with_error_responses(document: Document) -> Document:
    """`document` (an OpenAPI document) with the `Error` schema, answered by every operation's
    `4XX` response."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})[SCHEMA_NAME] = error_schema()
    refusal = {
        "description": "Refused: nothing was changed.",
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{SCHEMA_NAME}"}}
        },
    }
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            operation.setdefault("responses", {}).setdefault("4XX", refusal)
    return document


_INTRODUCTION = """\
# Error codes

<!-- Made by `cccd error_codes > docs/errors.md` from the ErrorCode definitions (every `errors`
module of src/cccd); tests/test_error_codes.py fails when this file is out of date. -->

Every refusal cccd makes, on a page or from the API under `/api/v1/`, carries a stable code, a 4xx
status and a sentence in the user's language. The API answers with JSON:

```json
{"code": "NOT_FOUND", "message": "Not found, or not in your unit."}
```

- `code` is stable and means one thing everywhere: act on it. No two refusals share a code.
- `message` is for people: it follows `Accept-Language` (Vietnamese by default, English on
  request), and its wording may change. Below, `%(name)s` stands for a value filled in.
- A validation error (`INVALID_INPUT`, 422) adds `errors`: django-ninja's list of the values that
  failed, each with `type`, `loc` (where: `query`, `path` or `body`, then the field) and `msg`.
- The OpenAPI document (`/api/v1/openapi.json`) describes this body as the `Error` schema, the
  `4XX` response of every operation, with every code below in the enum of `code`.
- A page shows the same code under "Code for support". Some codes are only ever shown on a page
  (the intake desk, the citizen's status page); they are listed too.
- The status is the one given here, except `HTTP_ERROR`, which keeps the status django-ninja gave.
- Outside the operations the document lists, there is no JSON body: a path the API does not have
  gets the site's 404 page (HTML), a method a path does not offer a plain-text 405.

Not refusals, and not listed here: the problems of a roster's rows (the `problems` of a roster
entry, `[code, sentence]` pairs: the OpenAPI document lists those codes on that field), and the
codes of the rules of the card (`cccd.core`), which never reach a client as a code: a refusal
names the rule in its sentence.
"""


def _title(module: str) -> str:
    """The heading of a module's codes: its app's `verbose_name`, or a library package's (a
    package of cccd that is no app, such as `cccd.fieldkit`, names itself the same way)."""
    config = apps.get_containing_app_config(module)
    if config is not None:
        return str(config.verbose_name)
    if module == errors.__name__:
        return "Shared by every app"
    package = importlib.import_module(".".join(module.split(".")[:2]))
    return str(getattr(package, "verbose_name", package.__name__))


def markdown() -> str:
    """docs/errors.md: every code, its status and its English sentence, by defining module."""
    all_codes()  # refuses a code defined twice
    lines = [_INTRODUCTION.rstrip("\n")]
    seen: set[int] = set()
    module = ""
    with translation.override("en"):
        for definition in definitions():
            if id(definition.error) in seen:
                continue
            seen.add(id(definition.error))
            if definition.module != module:
                module = definition.module
                lines += [
                    f"\n## {_title(module)}: `{module}`\n",
                    "| code | status | message |",
                    "| --- | --- | --- |",
                ]
            error = definition.error
            message = str(error.message).replace("|", "\\|")
            lines.append(f"| `{error.code}` | {error.status} | {message} |")
    return "\n".join(lines) + "\n"
