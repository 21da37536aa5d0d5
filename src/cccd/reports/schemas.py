"""The reports API's JSON: the dashboard's `Figures`, field for field."""

from __future__ import annotations

import datetime

from ninja import Schema


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
    captured: int
    cumulative: int


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
    done: int
    percent: float | None
    today: int


class FiguresOut(Schema):
    unit: UnitRef
    campaign_id: int
    campaign: str
    day: datetime.date
    target: int | None
    done: int
    percent: float | None
    today: int
    yesterday: int
    week: int
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
