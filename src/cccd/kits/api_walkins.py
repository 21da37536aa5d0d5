"""/api/v1/kits/walk-in-people: a walk-in not in the kit's register, entered with the
population-data form (DC01). Field mode only (`cccd.kits.walkins`); elsewhere 404
`WALK_IN_FIELD_ONLY`. The person made is then given to the number at the desk with
`POST /api/v1/intake/tickets/{ticket_id}/person`."""

from __future__ import annotations

import datetime
from typing import Annotated

from ninja import Field, Router, Schema
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import INTAKE, ISSUE
from cccd.api.inputs import Id, Text
from cccd.kits import walkins

router = Router(tags=["kits"])


class WalkInPersonIn(Schema):
    full_name: Annotated[str, Text(120, min_length=1)]
    birth_date: Annotated[str, Text(10, min_length=4)] = Field(
        description="dd/mm/yyyy, yyyy-mm-dd, or the year alone."
    )
    sex: Annotated[str, Text(3, min_length=1)] = Field(description="Nam / Nữ (or M / F).")
    personal_id: Annotated[str, Text(12, min_length=1)] = Field(
        description="The 12-digit personal ID number; checked against birth year and sex."
    )
    residence_unit_id: Id = Field(description="The commune of residence, one of your area's.")
    hometown: Annotated[str, Text(300)] = ""
    permanent_address: Annotated[str, Text(300)] = ""
    ethnicity: Annotated[str, Text(40)] = ""
    religion: Annotated[str, Text(40)] = ""
    father_name: Annotated[str, Text(120)] = ""
    mother_name: Annotated[str, Text(120)] = ""
    old_id_number: Annotated[str, Text(12)] = ""


class WalkInPersonOut(Schema):
    id: int
    full_name: str
    personal_id: str
    birth_date: datetime.date
    birth_date_precision: str
    sex: str
    residence_unit_id: int
    residence_unit: str


@router.post(
    "/walk-in-people",
    response={201: WalkInPersonOut},
    auth=api_requires(INTAKE, ISSUE),
    summary="Enter a walk-in with the population-data form (field kit only)",
)
def create_walk_in_person(
    request: LoggedInRequest, payload: WalkInPersonIn
) -> Status[dict[str, object]]:
    """Refused when the personal ID number is already in the register (`WALK_IN_KNOWN`, which
    describes the existing record without its number), when a field does not read
    (`WALK_IN_INVALID`), or off a kit (`WALK_IN_FIELD_ONLY`)."""
    data = payload.dict()
    unit_id = data.pop("residence_unit_id")
    person = walkins.create_walk_in_person(
        walkins.PopulationForm(**data), residence_unit_id=unit_id, actor=request.user
    )
    return Status(
        201,
        {
            "id": person.pk,
            "full_name": person.full_name,
            "personal_id": person.personal_id,
            "birth_date": person.birth_date,
            "birth_date_precision": person.birth_date_precision,
            "sex": person.sex,
            "residence_unit_id": person.residence_unit_id,
            "residence_unit": person.residence_unit.name,
        },
    )
