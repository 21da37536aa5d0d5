"""The reports' query strings, read by `cccd.queryforms`' rule: the dashboard's, the daily
report's (page, downloads and the reports API alike) and the officer report's.

A unit or campaign of another unit is the 404 of a missing one; a day that is not a date is a 400;
a day still to come is `FUTURE_DAY`: its figures do not exist yet, and a report dated ahead would
look like one sent.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.accounts.models import User
from cccd.accounts.scoping import visible_to
from cccd.campaigns.models import Campaign
from cccd.campaigns.queries import visible_campaigns
from cccd.queryforms import DayField, FlagField, QueryForm, ScopedChoiceField
from cccd.reports import counters, errors, queries
from cccd.units.models import Unit


class DashboardQuery(QueryForm):
    """?campaign=&day= (the dashboard's unit is in its path)."""

    campaign = ScopedChoiceField(Campaign.objects.none(), label=_("Campaign"))
    day = DayField(required=False, label=_("Day"))

    def scope(self, user: Any) -> None:
        self.fields["campaign"].queryset = visible_campaigns(user)  # type: ignore[attr-defined]


class ReportQuery(DashboardQuery):
    """?unit=&campaign=&day= of the daily report and the reports API."""

    unit = ScopedChoiceField(Unit.objects.none(), label=_("Unit"))

    def scope(self, user: Any) -> None:
        super().scope(user)
        self.fields["unit"].queryset = visible_to(user, Unit.objects.all())  # type: ignore[attr-defined]


class ReportDownloadQuery(ReportQuery):
    """The report's file: also ?stored=1 for the file the schedule wrote that day."""

    stored = FlagField(label=_("the stored file"))


class OfficerReportQuery(QueryForm):
    """?unit=&from=&to= of the officer report and its xlsx."""

    QUERY_NAMES = {"date_from": "from", "date_to": "to"}

    unit = ScopedChoiceField(Unit.objects.none(), label=_("Unit"))
    date_from = DayField(required=False, label=_("From"))
    date_to = DayField(required=False, label=_("To"))

    def scope(self, user: Any) -> None:
        self.fields["unit"].queryset = visible_to(user, Unit.objects.all())  # type: ignore[attr-defined]


def figures_of(
    user: User, query: dict[str, Any], *, unit: Unit | None = None
) -> tuple[Unit, Campaign, datetime.date]:
    """The unit (the path's, else the query's, else the user's own), the campaign (the one
    asked for, else the one running that day) and the day (else today, Vietnam's) of a read
    `DashboardQuery` or `ReportQuery`."""
    today = counters.local_day(timezone.now())
    day = query["day"] or today
    if day > today:
        raise errors.FUTURE_DAY(day=f"{day:%d/%m/%Y}", today=f"{today:%d/%m/%Y}")
    chosen_unit = unit or query.get("unit") or queries.unit_for(user, None)
    campaign = query["campaign"] or queries.campaign_for(user, day)
    return chosen_unit, campaign, day
