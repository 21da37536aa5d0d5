"""What the API accepts, in one place: every router's schemas use these types for ids and text.

The database holds 64-bit integers, so an id beyond 2^63 - 1 cannot name a row: it is refused as
input (422) instead of reaching a query. Text must be characters a person can type: PostgreSQL
refuses a NUL in a parameter and UTF-8 cannot encode a lone surrogate, so both — and every other
control character — are refused here rather than failing deep in a query with a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field, StringConstraints

from cccd.labels import is_typeable

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _typeable(value: str) -> str:
    if not is_typeable(value):
        raise ValueError("contains a control character")
    return value


def Text(max_length: int, *, min_length: int = 0) -> Any:  # capitalised: it is read as a type
    """A string of at most `max_length` typeable characters, surrounding spaces removed."""
    return Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_typeable),
    ]
