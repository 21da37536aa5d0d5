"""The coverage query string (?campaign=&unit=&day=), read the same by the page and the API.

The place is an administrative unit (people live in places; campaigns belong to police units): a
place outside the user's subtree is the 404 of a missing one, as everywhere (`cccd.queryforms`).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign
from cccd.campaigns.queries import visible_campaigns
from cccd.errors import NOT_FOUND
from cccd.queryforms import DayField, QueryForm, ScopedChoiceField
from cccd.reach import queries
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
