"""The coverage query string (?campaign=&unit=&day=), read the same by the page and the API.

The place is an administrative unit (people live in places; campaigns belong to police units): a
place outside the user's subtree is the 404 of a missing one, as everywhere (`cccd.queryforms`).
The page's posts carry the same fields (`CoverageAction`), and the suggested targets' boxes are
read here into numbers (`read_totals`), each refusal naming the unit it was typed for.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign
from cccd.campaigns.queries import visible_campaigns
from cccd.errors import NOT_FOUND
from cccd.queryforms import DayField, QueryForm, ScopedChoiceField, is_id
from cccd.reach import errors as reach_errors
from cccd.reach import queries
from cccd.reach.services import MAX_TARGET
from cccd.reports import counters, errors
from cccd.reports import queries as report_queries
from cccd.units.models import Unit


class CoverageQuery(QueryForm):
    """?campaign=&unit=&day= of the coverage page and `/api/v1/coverage/`."""

    campaign = ScopedChoiceField(Campaign.objects.none(), label=_("Campaign"))
    unit = ScopedChoiceField(Unit.objects.none(), label=_("Place"))
    day = DayField(required=False, label=_("Day"))

    def scope(self, user: Any) -> None:
        self.fields["campaign"].queryset = visible_campaigns(user)  # type: ignore[attr-defined]
        self.fields["unit"].queryset = queries.places_for(user)  # type: ignore[attr-defined]


def coverage_of(user: User, query: dict[str, Any]) -> tuple[Campaign, Unit, datetime.date]:
    """The campaign (asked for, else the one running today), the place (asked for, else where the
    campaign and the user's unit meet) and the day (else today, Vietnam's; not one to come)."""
    today = counters.local_day(timezone.now())
    day = query.get("day") or today
    if day > today:
        raise errors.FUTURE_DAY(day=f"{day:%d/%m/%Y}", today=f"{today:%d/%m/%Y}")
    campaign = query.get("campaign") or report_queries.campaign_for(user, day)
    place = query.get("unit") or queries.home_place(user, campaign)
    if place is None:
        raise NOT_FOUND()
    return campaign, place, day


class CoverageAction(CoverageQuery):
    """The page's posts (count again, accept targets): the campaign and the place are required."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].required = True
        self.fields["unit"].required = True


TOTAL_PREFIX = "total_"
# A whole number as typed: digits, or digits in groups of three split by dots or spaces, as
# Vietnamese write thousands (1.234.567); ASCII digits only. "1,5" is no number of people.
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}|[0-9]{1,3}(?:[. ][0-9]{3}){1,3}")


def read_totals(data: Mapping[str, Any], place: Unit) -> dict[int, int]:
    """The suggested targets' boxes (`total_<unit id>`) as typed: {child unit id: number}. An
    empty box is left out (no change asked); a box for a unit not directly below `place`, or
    holding anything but a whole number of people, refuses the whole form, naming the unit."""
    names = dict(Unit.objects.filter(parent=place).values_list("pk", "name"))
    totals: dict[int, int] = {}
    for key in data:
        if not key.startswith(TOTAL_PREFIX):
            continue
        unit_id = key[len(TOTAL_PREFIX) :]
        if not is_id(unit_id) or int(unit_id) not in names:
            raise reach_errors.TARGET_NOT_CHILD(place=place.name)
        text = str(data.get(key) or "").strip()
        if not text:
            continue
        if not WHOLE_NUMBER.fullmatch(text):
            raise reach_errors.TARGET_VALUE(
                unit=names[int(unit_id)],
                value=text[:20],
                max=number_format(MAX_TARGET, force_grouping=True),
            )
        totals[int(unit_id)] = int(re.sub(r"[. ]", "", text))
    return totals
