import datetime

from ninja import Schema


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
    group_code: str | None = None
    person_id: int | None = None


class SlotIn(Schema):
    class_name: str
    start: datetime.time


class HandOutIn(Schema):
    slots: list[SlotIn] = []
    include_unmatched: bool = False


class HandOutOut(Schema):
    count: int
    first: int | None
    last: int | None


class TicketActionIn(Schema):
    ticket_id: int


class TransferIn(Schema):
    ticket_id: int
    to_desk_id: int


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
