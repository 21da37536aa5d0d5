import datetime
from typing import Annotated, Any

from ninja import Schema

from cccd.api.inputs import Text
from cccd.units.schemas import UnitOut


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    role_label: str
    unit: UnitOut | None
    permissions: list[str]


class AuditEventOut(Schema):
    id: int
    at: datetime.datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    unit_id: int | None
    before: Any | None
    after: Any | None
    source: str


class AuditFilter(Schema):
    action: Annotated[str, Text(64)] = ""
    actor: Annotated[str, Text(150)] = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


class TokenIn(Schema):
    name: Annotated[str, Text(100)]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    key: str
