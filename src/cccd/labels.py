"""Names people give to what they create — a campaign, a venue, a team, an API token.

One rule for the web forms and the API alike, applied by the services: surrounding and repeated
spaces go, line breaks become spaces, an empty name or one longer than its column is refused, and
so is a control character (a NUL cannot even be stored by PostgreSQL).
"""

from __future__ import annotations

import unicodedata

from django.utils.functional import Promise

from cccd import errors

_WHITESPACE_CONTROLS = frozenset("\t\n\r")


def is_typeable(text: str) -> bool:
    """No control character but tab and line breaks, and no lone surrogate (UTF-8 cannot hold
    one): what a person can type, and what PostgreSQL and the exports can store."""
    return not any(
        unicodedata.category(ch) in {"Cc", "Cs"} and ch not in _WHITESPACE_CONTROLS for ch in text
    )


def clean_label(value: str, *, field: str | Promise, max_length: int, required: bool = True) -> str:
    """The name as it will be stored, or a domain error saying what is wrong with it."""
    text = " ".join(str(value).split())
    if not is_typeable(text):
        raise errors.NAME_NOT_TEXT(field=field)
    if required and not text:
        raise errors.NAME_REQUIRED(field=field)
    if len(text) > max_length:
        raise errors.NAME_TOO_LONG(field=field, max=max_length, length=len(text))
    return text
