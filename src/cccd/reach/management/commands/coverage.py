"""`cccd coverage build|show|eligible`: the cohort built, and the figures read, from a terminal.

An operator's tool (no user, no scope): build after a register import or a bulk load, read the
same figures as the page, or count the eligible population of any day (docs/reach.md)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cccd.accounts.audit import audit_source
from cccd.campaigns.models import Campaign
from cccd.reach import queries
from cccd.reach.eligible import admin_prefix, eligible_people
from cccd.reach.tasks import run_build
from cccd.reports.counters import local_day
from cccd.units.models import Unit


def _day(text: str | None) -> datetime.date:
    if not text:
        return local_day(timezone.now())
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--date must be a date like 2021-03-15, not {text!r}") from None


class Command(BaseCommand):
    help = "Build a campaign's cohort, or print its coverage or eligible population on a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["build", "show", "eligible"])
        parser.add_argument("--campaign", type=int, required=True, help="the campaign's id")
        parser.add_argument("--unit", help="a place's path, e.g. /hc/L67/663/ (default: all)")
        parser.add_argument("--date", help="the day, YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = Campaign.objects.select_related("unit").filter(pk=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"There is no campaign {options['campaign']}.")
        place = self._place(campaign, options["unit"])
        day = _day(options["date"])
        if options["action"] == "build":
            with audit_source("cli:coverage"):
                built = run_build(campaign.pk)  # under the job's lease, as the page's button
            if built is None:
                raise CommandError("Another count of this campaign is running; try again later.")
            self.stdout.write(
                f"Cohort built: {built.people} people, {built.reached} reached, "
                f"{built.base_rows} + {built.day_rows} counter rows."
            )
        elif options["action"] == "show":
            c = queries.coverage(campaign, place, day)
            for f in [c.total, *c.children, *c.villages]:
                self.stdout.write(f"{f.label}\t{f.reached}/{f.eligible}\t{f.percent} %")
        else:
            n = eligible_people(campaign, day, place).count()
            self.stdout.write(f"{place.name} {day:%d/%m/%Y}: {n} eligible")

    def _place(self, campaign: Campaign, path: str | None) -> Unit:
        place = Unit.objects.filter(path=path or admin_prefix(campaign.unit)).first()
        if place is None:
            raise CommandError(f"There is no place {path!r}; give a path like /hc/L67/663/.")
        return place
