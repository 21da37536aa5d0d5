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
    village: str
    card_kind: str = Field(description="'', cmnd, cccd_barcode, cccd_chip or card_2024")
    card_number: str
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
    village: str = Field(description="the village or residential group read from the address")
    residence_since: datetime.date | None = Field(
        description="since when the person lives at this address; null: always"
    )
    ethnicity: str
    religion: str
    old_id_number: str
    father_name: str
    mother_name: str
    status: str
    died_on: datetime.date | None
    household_code: str | None
    relation_to_head: str
    card_kind: str = Field(description="'', cmnd, cccd_barcode, cccd_chip or card_2024")
    card_number: str
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
