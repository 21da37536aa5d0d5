"""What /api/v1/intake/ reads and answers: the intake screen's state as JSON, and the bodies of the
desk's steps (the same fields the page's forms post)."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Schema

from cccd.api.inputs import Id, Text


class IntakeTicketOut(Schema):
    id: int
    display: str
    state: str
    desk: int | None
    at_desk: bool = Field(description="Called to a desk and not finished: intake steps may run.")


class IntakePersonOut(Schema):
    id: int
    full_name: str
    personal_id: str
    birth_date: datetime.date
    birth_date_precision: str
    sex: str
    residence_unit: str


class DraftOut(Schema):
    id: int
    kind: str
    kind_reason: str
    group_id: int | None
    exemption_id: int | None
    fee: int
    return_method: str
    post_address: str


class ReceivedOut(Schema):
    id: int
    code: str | None
    return_date: datetime.date | None
    fee: int


class KindAllowedOut(Schema):
    value: str
    label: str
    needs_reason: bool
    fee: int | None = Field(description="Today's fee without exemption (VND); null: no fee table.")


class KindRefusedOut(Schema):
    value: str
    label: str
    why: str


class CaptureOut(Schema):
    kind: str
    slot: int
    name: str = Field(description="The slot's name (a finger, an eye); empty for photo/signature.")
    state: str = Field(description="`captured`, `impossible` (with its reason) or `missing`.")
    impossible_reason: str
    format: str
    sha256: str
    score: int | None
    threshold: int | None
    low_quality: bool
    retake_due: bool
    tries: int
    from_device: bool


class IntakeOut(Schema):
    """What the intake screen shows for the number at a desk; nothing here writes anything."""

    ticket: IntakeTicketOut
    person: IntakePersonOut | None
    draft: DraftOut | None = Field(description="The open dossier; null until the first step.")
    received: ReceivedOut | None = Field(description="The dossier once the intake is finished.")
    problem: str = Field(description="Why no dossier can be opened for this person (empty: none).")
    suggested_kind: str
    kinds_allowed: list[KindAllowedOut]
    kinds_refused: list[KindRefusedOut]
    captures: list[CaptureOut] = Field(description="Every slot due for this person, in order.")
    missing: list[str] = Field(description="What finishing still waits for, in words.")
    next_step: str
    previous_hash: str = Field(description="The SBI hash chain's next `previousHash`.")


class PersonIn(Schema):
    person_id: Id


class DetailsIn(Schema):
    kind: Annotated[str, Text(32, min_length=1)]
    return_method: Annotated[str, Text(16, min_length=1)]
    group_id: Id | None = None
    exemption_id: Id | None = None
    post_address: Annotated[str, Text(300)] = ""
    kind_reason: Annotated[str, Text(300)] = ""


class ImpossibleIn(Schema):
    reason: Annotated[str, Text(200, min_length=1)]


class ArtefactOut(Schema):
    kind: str
    slot: int
    format: str
    size: int
    sha256: str
    impossible_reason: str
    quality: dict[str, object]


class FinishedOut(Schema):
    enrollment_id: int
    code: str
    return_date: datetime.date
    fee: int
    slip_url: str = Field(description="The slip PDF (GET, audited).")
