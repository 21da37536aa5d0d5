"""What the API accepts, in one place: every router's schemas use these types for ids and text.

The database holds 64-bit integers, so an id beyond 2^63 - 1 cannot name a row: it is refused as
input (422) instead of reaching a query. Text must be characters a person can type: PostgreSQL
refuses a NUL in a parameter and UTF-8 cannot encode a lone surrogate, so both — and every other
control character — are refused here rather than failing deep in a query with a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, Field, StringConstraints

from cccd.labels import is_typeable

MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _typeable(value: str) -> str:
    if not is_typeable(value):
        raise ValueError("contains a control character")
    return value


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """`Annotated[str, Text(n)]`: a string of at most `n` typeable characters, surrounding spaces
    removed. Metadata rather than a type, so the type checker reads the field as a `str`."""

    max_length: int
    min_length: int = 0

    def __iter__(self) -> Iterator[Any]:
        yield StringConstraints(
            strip_whitespace=True, min_length=self.min_length, max_length=self.max_length
        )
        yield AfterValidator(_typeable)
