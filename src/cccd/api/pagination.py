"""One pagination for every list route of the API: `?limit=&offset=`, both bounded.

An offset or limit the database cannot take (2^63 and more) used to reach the query and fail
with a 500; both are now checked as input. Paging deeper than `MAX_OFFSET` rows is refused: a
list that long is narrowed with its filters, not walked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar, overload

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

PER_PAGE = 50
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class Pagination(LimitOffsetPagination):
    """`limit` 1..MAX_LIMIT (default PER_PAGE), `offset` 0..MAX_OFFSET; the answer is
    `{"items": [...], "count": N}`."""

    class Input(Schema):
        limit: int = Field(PER_PAGE, ge=1, le=MAX_LIMIT, description="Rows per page.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Rows to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


Row = TypeVar("Row")


class MappedRows(Sequence[Any], Generic[Row]):
    """A queryset whose page is turned into API rows by `to_row` only once it is sliced, so a
    route that shapes its rows by hand is paginated like the others."""

    def __init__(self, rows: QuerySet[Any], to_row: Callable[[Any], Row]) -> None:
        self.rows, self.to_row = rows, to_row

    def __len__(self) -> int:
        return self.rows.count()

    @overload
    def __getitem__(self, index: int) -> Row: ...
    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...
    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return [self.to_row(row) for row in self.rows[index]]
        return self.to_row(self.rows[index])
