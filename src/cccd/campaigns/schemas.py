import datetime
from typing import Annotated

from ninja import Schema

from cccd.api.inputs import Id, Text
from cccd.campaigns.models import Session


class CampaignIn(Schema):
    unit_id: Id
    name: Annotated[str, Text(200)]
    start_date: datetime.date
    end_date: datetime.date
    law: Annotated[str, Text(4)] = "2014"


class CampaignOut(Schema):
    id: int
    unit_id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date
    law: str


class TargetIn(Schema):
    unit_id: Id
    group_code: Annotated[str, Text(32)] | None = None
    total: int
    per_day: int | None = None


class TargetOut(Schema):
    id: int
    unit_id: int
    group_id: int | None
    total: int
    per_day: int | None


class SessionIn(Schema):
    venue_id: Id
    team_id: Id
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    desks: int = 2
    capacity: int = 100
    note: Annotated[str, Text(300)] = ""
    accept_clashes: bool = False  # plan even though the venue is shared or a person is in two teams


class SessionOut(Schema):
    id: int
    campaign_id: int
    unit_id: int
    venue_id: int
    team_id: int
    kind: str  # venue, or home_visits (a round of homes: /api/v1/home-visits)
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    desks: int
    capacity: int
    state: str
    status: str  # scheduled, running, over (hours past, not closed), closed, cancelled

    @staticmethod
    def resolve_status(obj: Session) -> str:
        return str(obj.status.value)
