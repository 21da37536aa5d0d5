import datetime
from typing import Annotated

from ninja import Field, Schema

from cccd.api.inputs import Id, Text
from cccd.rosters.errors import ROW_PROBLEMS


class EntryOut(Schema):
    id: int
    row: int
    line: int  # the row's number in the school's own file, as Excel shows it
    full_name: str
    birth_date: datetime.date | None
    class_name: str
    outcome: str
    person_id: int | None
    candidates: list[dict[str, object]]
    score: float | None
    flags: list[str]
    problems: list[list[str]] = Field(
        description="What the officer must fix in the row, as [code, sentence] pairs. The codes: "
        + "; ".join(f"{code}: {meaning}" for code, meaning in ROW_PROBLEMS.items())
        + "."
    )
    decision: str


class ChangedRowOut(Schema):
    line: int
    full_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    class_name: str


class ReplacementOut(Schema):
    """What a version waiting for a confirmation adds and drops against the list's current version."""

    against: int | None
    added: list[ChangedRowOut]
    dropped: list[ChangedRowOut]
    kept: int


class RosterSummaryOut(Schema):
    id: int
    session_id: int
    list_name: str
    version: int
    is_current: bool
    original_name: str
    state: str
    error_message: str
    summary: dict[str, int]


class RosterOut(RosterSummaryOut):
    replacement: ReplacementOut | None
    entries: list[EntryOut]


class SessionListsOut(Schema):
    """The session's lists: the current version of each, and the versions not current yet
    (being read, waiting for a confirmation, or failed)."""

    current: list[RosterSummaryOut]
    pending: list[RosterSummaryOut]


class DecisionIn(Schema):
    decision: Annotated[str, Text(16)]
    person_id: Id | None = None


class ConfirmIn(Schema):
    against: Id  # the id of the current version the user compared this one with
