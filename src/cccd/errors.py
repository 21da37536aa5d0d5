"""Domain errors: a stable code, a translated sentence and an HTTP status, in one place.

Services raise them; the web middleware and the API turn them into a 4xx page or JSON. Because
every refusal a user can cause goes through this type, "never a 500" holds by construction.

Clients act on the code, so a code means one thing everywhere: every `ErrorCode` is defined in an
`errors` module (this one for the codes every app shares, each app's `errors.py` for its own, a
feature sub-package's `errors.py` for that feature's), `all_codes()` collects them all and refuses
a code string defined twice, and docs/errors.md lists them for API clients.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ErrorCode:
    """One kind of refusal: `code` is stable (clients may rely on it); `message` is for people."""

    code: str
    message: str | Promise
    status: int = 400

    def __call__(self, **params: Any) -> DomainError:
        return DomainError(self, params)


class DomainError(Exception):
    def __init__(self, error: ErrorCode, params: dict[str, Any] | None = None) -> None:
        self.error = error
        self.params = params or {}
        super().__init__(error.code)

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def status(self) -> int:
        return self.error.status

    @property
    def message(self) -> str:
        """The sentence in the active language, with its parameters filled in."""
        text = str(self.error.message)
        return text % self.params if self.params else text


# --- the registry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """An `ErrorCode` and where it is defined: its `errors` module and its name there."""

    module: str
    name: str
    error: ErrorCode


def errors_modules() -> list[str]:
    """This module and every `errors` module of the installed cccd apps and of cccd's library
    packages, sub-packages included.

    Found on disk, so a new app's or feature's codes join without being listed anywhere: an app's
    through Django's app registry (an app left out of INSTALLED_APPS, like the demo tools in
    production, is left out here too); a library package's (a package of cccd that is no app,
    with no `apps.py`, like `cccd.fieldkit`) always, since nothing installs it."""
    from django.apps import apps

    top = __name__.partition(".")[0]
    packages = {
        config.name: Path(config.path)
        for config in apps.get_app_configs()
        if config.name.partition(".")[0] == top
    }
    for path in sorted(Path(__file__).parent.iterdir()):
        if (path / "__init__.py").is_file() and not (path / "apps.py").exists():
            packages.setdefault(f"{top}.{path.name}", path)
    found = [__name__]
    for package, root in packages.items():
        for path in sorted(root.rglob("errors.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found.append(".".join((package, *parts)))
    return found


def definitions() -> list[Definition]:
    """Every `ErrorCode` of every `errors` module, in the order the modules define them. A code
    one module imports from another appears under both names."""
    found = []
    for module_name in errors_modules():
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, ErrorCode):
                found.append(Definition(module_name, name, value))
    return found


def collisions(found: Iterable[Definition]) -> dict[str, list[str]]:
    """Each code string given to more than one `ErrorCode`, with where those are defined. The same
    object imported into a second module is one definition, not two."""
    places: dict[str, dict[int, str]] = {}
    for definition in found:
        where = f"{definition.module}.{definition.name}"
        places.setdefault(definition.error.code, {}).setdefault(id(definition.error), where)
    return {code: sorted(p.values()) for code, p in places.items() if len(p) > 1}


def all_codes() -> list[ErrorCode]:
    """Every code a refusal can carry, once each, by code. Raises ValueError when a code string is
    defined twice: a client could not tell the two refusals apart."""
    found = definitions()
    if clashes := collisions(found):
        raise ValueError(f"error codes defined more than once: {clashes}")
    unique = {definition.error.code: definition.error for definition in found}
    return [unique[code] for code in sorted(unique)]


# Codes shared by every app.
NOT_FOUND = ErrorCode("NOT_FOUND", _("Not found, or not in your unit."), 404)
PERMISSION_DENIED = ErrorCode("PERMISSION_DENIED", _("Your role does not allow this."), 403)
INVALID_INPUT = ErrorCode("INVALID_INPUT", _("Some of the input is not valid: %(detail)s"), 422)
BAD_QUERY = ErrorCode("BAD_QUERY", _("“%(field)s” cannot be read: %(problem)s"), 400)
"""A query-string value that cannot be read, named by its field (`cccd.queryforms`' rule)."""
NAME_REQUIRED = ErrorCode("NAME_REQUIRED", _("The %(field)s cannot be empty."), 400)
NAME_TOO_LONG = ErrorCode(
    "NAME_TOO_LONG",
    _("The %(field)s has %(length)s characters; at most %(max)s are allowed."),
    400,
)
NAME_NOT_TEXT = ErrorCode(
    "NAME_NOT_TEXT", _("The %(field)s contains a control character; type it again."), 400
)

# The API's own refusals (cccd.api_v1), before any app's code runs.
NOT_AUTHENTICATED = ErrorCode("NOT_AUTHENTICATED", _("Log in, or send a valid API token."), 401)
BAD_BODY = ErrorCode(
    "BAD_BODY",
    _("The request body could not be read; send JSON as the API document shows."),
    400,
)
HTTP_ERROR = ErrorCode("HTTP_ERROR", "%(detail)s", 403)
"""Any other refusal django-ninja makes itself, in its own English words and with its own status:
today only its CSRF check (403) of a write authenticated by the session cookie."""

# Bounds on every file a user sends (cccd.filebounds): shared by every reader of an upload.
FILE_TOO_MANY_PARTS = ErrorCode(
    "FILE_TOO_MANY_PARTS",
    _(
        "The file is an archive of %(count)s parts; at most %(max)s are accepted here (a workbook "
        "saved by Excel has a few dozen). Save the file again and upload it again."
    ),
    400,
)
FILE_UNSAFE_PART_NAME = ErrorCode(
    "FILE_UNSAFE_PART_NAME",
    _(
        "The archive holds a part named “%(name)s”, which points outside the archive or appears "
        "twice. Excel never writes such names: the file is refused."
    ),
    400,
)
FILE_UNPACKS_TOO_LARGE = ErrorCode(
    "FILE_UNPACKS_TOO_LARGE",
    _(
        "Unpacked, the file would take %(size)s MB; at most %(limit)s MB is accepted here. Split "
        "it into smaller files and upload them one by one."
    ),
    413,
)
FILE_PACKED_TOO_TIGHT = ErrorCode(
    "FILE_PACKED_TOO_TIGHT",
    _(
        "Part %(name)s of the file is compressed %(ratio)s times; no real file of this kind is "
        "compressed more than %(max)s times. The file looks built to overload the server and is "
        "refused."
    ),
    400,
)
FILE_XML_ENTITIES = ErrorCode(
    "FILE_XML_ENTITIES",
    _(
        "Part %(name)s of the workbook declares XML entities (a DTD), which Excel never writes and "
        "which can overload the server. Save the list again from Excel and upload it again."
    ),
    400,
)
TABLE_TOO_MANY_ROWS = ErrorCode(
    "TABLE_TOO_MANY_ROWS",
    _(
        "The file reaches row %(row)s (or claims to); at most %(max)s rows are read. Delete the "
        "empty rows below the list, or split it into smaller files, and upload again."
    ),
    400,
)
TABLE_TOO_MANY_COLUMNS = ErrorCode(
    "TABLE_TOO_MANY_COLUMNS",
    _(
        "The file reaches column %(column)s (or claims to); at most %(max)s columns are read. "
        "Delete the empty columns to the right of the list and upload again."
    ),
    400,
)
TABLE_ROW_TOO_LARGE = ErrorCode(
    "TABLE_ROW_TOO_LARGE",
    _(
        "Row %(row)s of the file is far larger than any row of a list: the file is damaged or was "
        "made to overload the server. Save the list again from Excel and upload it again."
    ),
    400,
)
TABLE_TEXT_TOO_LARGE = ErrorCode(
    "TABLE_TEXT_TOO_LARGE",
    _(
        "Part %(name)s of the workbook holds a text far larger than any cell of a list: the file "
        "is damaged or was made to overload the server. Save the list again from Excel and upload "
        "it again."
    ),
    400,
)
SHEET_TOO_COMPLEX = ErrorCode(
    "SHEET_TOO_COMPLEX",
    _(
        "Part %(name)s of the workbook holds far more than a list needs besides its rows (merged "
        "cells, links, formats). Copy the list into a new workbook, save it and upload it again."
    ),
    400,
)
FILE_READ_TOO_LONG = ErrorCode(
    "FILE_READ_TOO_LONG",
    _(
        "Reading the file took more than %(seconds)s seconds, the limit here. Split the list into "
        "smaller files, or save it as “CSV UTF-8” (which reads faster), and upload again."
    ),
    400,
)
IMAGE_TOO_MANY_PIXELS = ErrorCode(
    "IMAGE_TOO_MANY_PIXELS",
    _(
        "The picture has %(megapixels)s megapixels; at most %(max)s are accepted. Take it again "
        "at the device's normal size."
    ),
    400,
)
IMAGE_TOO_MANY_SCANS = ErrorCode(
    "IMAGE_TOO_MANY_SCANS",
    _(
        "This JPEG is built in %(scans)s passes; at most %(max)s are accepted. Save it again as an "
        "ordinary JPEG and send it again."
    ),
    400,
)
