"""The reports API's JSON: the dashboard's `Figures`, field for field."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

PROGRESS = (
    "Progress: dossiers received at the desk (by Vietnam's local date of reception) that are not "
    "rejected or cancelled; a dossier rejected or cancelled later leaves the figure of the day it "
    "was received."
)


class UnitRef(Schema):
    id: int
    code: str
    name: str


class ForecastOut(Schema):
    pace: float
    remaining: int | None
    reaches_on: datetime.date | None
    needed_per_day: float | None
    reached: bool


class DayOut(Schema):
    day: datetime.date
    captured: int = Field(description=f"{PROGRESS} Of this day.")
    cumulative: int = Field(description=f"{PROGRESS} From the campaign's start to this day.")


class CountOut(Schema):
    name: str
    count: int


class StateOut(Schema):
    state: str
    label: str
    count: int


class ChildOut(Schema):
    rank: int
    unit: UnitRef
    target: int | None
    done: int = Field(description=f"{PROGRESS} From the campaign's start to `day`.")
    percent: float | None
    today: int = Field(description=f"{PROGRESS} Of `day`.")


class FiguresOut(Schema):
    unit: UnitRef
    campaign_id: int
    campaign: str
    day: datetime.date
    target: int | None
    done: int = Field(description=f"{PROGRESS} From the campaign's start to `day`.")
    percent: float | None = Field(description="`done` as a share of `target`, in %.")
    today: int = Field(description=f"{PROGRESS} Of `day`.")
    yesterday: int
    week: int = Field(description=f"{PROGRESS} Of the 7 days ending on `day`.")
    delivered: int
    overdue: int
    daily: list[DayOut]
    by_group: list[CountOut]
    by_kind: list[CountOut]
    pipeline: list[StateOut]
    forecast: ForecastOut
    children: list[ChildOut]


class ChildrenOut(Schema):
    unit: UnitRef
    campaign_id: int
    day: datetime.date
    children: list[ChildOut]
