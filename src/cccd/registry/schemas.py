import datetime
from typing import Any

from ninja import Field, Schema


class PersonBrief(Schema):
    id: int
    personal_id: str
    full_name: str
    birth_date: datetime.date
    birth_date_precision: str
    sex: str
    residence_unit_id: int
    score: float
    card_differs: list[str] = Field(
        default_factory=list,
        description="When q is a card's QR code: the fields (full_name, birth_date, sex) where "
        "the card says otherwise than the register.",
    )


class HouseholdMember(Schema):
    id: int
    full_name: str
    relation_to_head: str
    birth_date: datetime.date
    sex: str


class PersonOut(Schema):
    id: int
    personal_id: str
    full_name: str
    birth_date: datetime.date
    birth_date_precision: str
    sex: str
    birth_province_code: str
    hometown: str
    residence_unit_id: int
    permanent_address: str
    ethnicity: str
    religion: str
    old_id_number: str
    father_name: str
    mother_name: str
    status: str
    household_code: str | None
    relation_to_head: str
    card_issue_date: datetime.date | None
    card_expiry: datetime.date | None
    card_status: str
    household: list[HouseholdMember]


class ImportOut(Schema):
    id: int
    original_name: str
    state: str = Field(
        description="queued, running, stopped (nobody runs it: its worker died), done or failed"
    )
    total_rows: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    error_code: str
    error_message: str

    @staticmethod
    def resolve_state(obj: Any) -> str:
        return str(obj.status)
