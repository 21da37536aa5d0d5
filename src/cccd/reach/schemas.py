"""The coverage API's JSON: the page's `Coverage`, figure for figure."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

REACHED = (
    "People of the campaign's cohort (eligible on its first day, counted where they lived then) "
    "with a dossier received by the day that is not rejected or cancelled (docs/reach.md)."
)


class FigureOut(Schema):
    key: str = Field(description="A unit's id, a village's name, a school's id or a group's code.")
    label: str
    eligible: int = Field(description="The cohort: people to reach.")
    reached: int = Field(description=REACHED)
    today: int = Field(description="People first reached on the day itself.")
    remaining: int
    rate: float | None = Field(description="reached ÷ eligible; null for an empty cohort.")


class CoverageOut(Schema):
    campaign_id: int
    campaign: str
    unit_id: int
    unit: str
    level: str
    day: datetime.date
    built_at: datetime.datetime | None = Field(description="When the cohort was last built.")
    total: FigureOut
    children: list[FigureOut] = Field(description="Child units, lowest coverage first.")
    villages: list[FigureOut] = Field(description="At a commune: its villages.")
    groups: list[FigureOut]
    schools: list[FigureOut] = Field(description="At a district or a commune.")


class CountOut(Schema):
    key: str = Field(description="A unit's id or a village's name.")
    label: str
    eligible: int


class EligibleOut(Schema):
    campaign_id: int
    unit_id: int
    unit: str
    day: datetime.date
    eligible: int = Field(
        description="People eligible on the day, counted where they lived that day "
        "(docs/reach.md), live from the register."
    )
    children: list[CountOut]
    villages: list[CountOut] = Field(description="At a commune: its villages.")
