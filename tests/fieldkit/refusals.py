"""Asserting a refusal: its code, and a sentence that fills in in both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from cccd.errors import DomainError


def refused(code: str, action: Callable[[], Any]) -> DomainError:
    """The `DomainError` `action` raises, once its code is `code` and its message reads in English
    and Vietnamese (every parameter the sentence names was given)."""
    with pytest.raises(DomainError) as caught:
        action()
    error = caught.value
    assert error.code == code, error.params
    for language in ("en", "vi"):
        with translation.override(language):
            assert "%(" not in error.message
    return error
