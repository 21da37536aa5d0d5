"""What a list of people still to reach is made of — its rows, its villages, its title — shared
by the query (`lists`) and the two files it is written into (`listxlsx`, `listpdf`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.utils.translation import gettext as _

from cccd.campaigns.models import Campaign
from cccd.units.models import Unit


@dataclass(frozen=True)
class Row:
    """One person of the list, as the page and the files show them."""

    person_id: int
    name: str
    birth: str  # dd/mm/yyyy, or the year alone when the register knows only the year
    birth_year: int
    sex: str
    personal_id: str
    village: str
    address: str
    card: str
    group: str
    home_visit: str  # the reason's code, "" when the person can come
    reason: str  # the reason in words, with the commune officer's note when there is one


@dataclass(frozen=True)
class Village:
    """A village of the commune: its cohort and how many are still to reach."""

    name: str
    cohort: int
    remaining: int
    home_visits: int


@dataclass
class ReachList:
    """What the page shows: the filter, the counts, and one page of rows."""

    campaign: Campaign
    unit: Unit
    village: str
    home_visit_only: bool
    villages: list[Village]
    remaining: int  # people in the list as filtered
    home_visits: int  # of them, flagged for a home visit
    cohort: int  # the cohort of the commune (or of the village)
    built_at: datetime.datetime | None
    page: Page[Any] | None = None
    rows: list[Row] = field(default_factory=list)


def title_of(listed: ReachList) -> str:
    """ "Danh sách người cần vận động làm CCCD — Xã Đắk Lao, Thôn 2" in the active language."""
    place = f"{listed.unit.name}, {listed.village}" if listed.village else listed.unit.name
    return f"{_('People still to reach for a CCCD')} — {place}"


def subtitle_of(listed: ReachList, printed_at: datetime.datetime) -> str:
    text = _("Campaign: %(campaign)s · printed on %(at)s · %(count)s people") % {
        "campaign": listed.campaign.name,
        "at": f"{printed_at:%d/%m/%Y %H:%M}",
        "count": listed.remaining,
    }
    if listed.home_visit_only:
        return f"{text} · {_('only those to visit at home')}"
    return text
