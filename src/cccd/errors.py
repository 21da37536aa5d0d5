"""Domain errors: a stable code, a translated sentence and an HTTP status, in one place.

Services raise them; the web middleware and the API turn them into a 4xx page or JSON. Because
every refusal a user can cause goes through this type, "never a 500" holds by construction.
Each app lists its own codes in its `errors.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
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


# Codes shared by every app.
NOT_FOUND = ErrorCode("NOT_FOUND", _("Not found, or not in your unit."), 404)
PERMISSION_DENIED = ErrorCode("PERMISSION_DENIED", _("Your role does not allow this."), 403)
INVALID_INPUT = ErrorCode("INVALID_INPUT", _("Some of the input is not valid: %(detail)s"), 422)
NAME_REQUIRED = ErrorCode("NAME_REQUIRED", _("The %(field)s cannot be empty."), 400)
NAME_TOO_LONG = ErrorCode(
    "NAME_TOO_LONG",
    _("The %(field)s has %(length)s characters; at most %(max)s are allowed."),
    400,
)
NAME_NOT_TEXT = ErrorCode(
    "NAME_NOT_TEXT", _("The %(field)s contains a control character; type it again."), 400
)
