import datetime
from typing import Annotated

from ninja import Field, Schema

from cccd.api.inputs import Id, Text


class TicketOut(Schema):
    id: int
    session_id: int
    number: int
    display: str
    kind: str
    state: str
    group_code: str | None
    class_name: str
    desk: int | None
    slot_start: datetime.datetime | None
    called_at: datetime.datetime | None
    done_at: datetime.datetime | None
    calls: int
    public_url: str


class WalkInIn(Schema):
    group_code: Annotated[str, Text(32)] | None = None
    person_id: Id | None = None


class SlotIn(Schema):
    class_name: Annotated[str, Text(40)]
    start: datetime.time


class HandOutIn(Schema):
    slots: list[SlotIn] = Field(default_factory=list, max_length=500)
    include_unmatched: bool = False


class HandOutOut(Schema):
    count: int
    first: int | None
    last: int | None


class TicketActionIn(Schema):
    ticket_id: Id


class TransferIn(Schema):
    ticket_id: Id
    to_desk_id: Id


class DeskOut(Schema):
    id: int
    session_id: int
    number: int
    is_open: bool
    officer_id: int | None


class BoardCallOut(Schema):
    number: str
    desk: int
    key: str
    text: str


class BoardOut(Schema):
    session_id: int
    calls: list[BoardCallOut]
    latest: BoardCallOut | None
    waiting: int
