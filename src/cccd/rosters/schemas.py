import datetime

from ninja import Schema

from cccd.api.inputs import Id, Text


class EntryOut(Schema):
    id: int
    row: int
    line: int
    full_name: str
    birth_date: datetime.date | None
    outcome: str
    person_id: int | None
    candidates: list[dict[str, object]]
    score: float | None
    flags: list[str]
    problems: list[list[str]]
    decision: str


class RosterOut(Schema):
    id: int
    session_id: int
    version: int
    is_current: bool
    original_name: str
    state: str
    summary: dict[str, int]
    entries: list[EntryOut]


class DecisionIn(Schema):
    decision: Text(16)
    person_id: Id | None = None
