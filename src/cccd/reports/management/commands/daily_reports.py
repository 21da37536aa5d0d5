"""`cccd daily_reports`: write the day's progress reports (xlsx and PDF) for every unit owed one.

Cron, every 10 minutes: `*/10 * * * * cccd daily_reports --if-due` writes today's reports once the
local time has passed CCCD_REPORT_HOUR and they are not there yet, and does nothing otherwise.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cccd.accounts.audit import audit_source
from cccd.reports import tasks
from cccd.reports.counters import local_day


class Command(BaseCommand):
    help = "Write the daily progress reports (xlsx and PDF) of every unit with a target."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="dd/mm/yyyy (default: today in Vietnam)")
        parser.add_argument("--unit", help="only the police unit with this code")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="only after CCCD_REPORT_HOUR and only if today's files are missing (for cron)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["day"])
        unit_code = options["unit"]
        if options["if_due"]:
            if options["day"]:
                raise CommandError("--if-due is for today: leave out --day.")
            hour = getattr(settings, "CCCD_REPORT_HOUR", 21)
            now = timezone.localtime()
            if now.hour < hour:
                self.stderr.write(f"Not yet: reports are written from {hour:02d}:00.")
                return
            if tasks.reports_present(day, unit_code=unit_code):
                self.stderr.write(f"The reports of {day:%d/%m/%Y} are already there.")
                return
        with audit_source("cli:daily_reports"):
            written = tasks.write_daily_reports(
                day, unit_code=unit_code, only_missing=options["if_due"], progress=self.stderr.write
            )
        if unit_code and not written and not options["if_due"]:
            raise CommandError(
                f"No running campaign has a target for unit {unit_code} on {day:%d/%m/%Y}."
            )
        self.stderr.write(f"{len(written)} files written for {day:%d/%m/%Y}.")


def _day(text: str | None) -> datetime.date:
    today = local_day(timezone.now())
    if not text:
        return today
    try:
        day = datetime.datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise CommandError(f"“{text[:20]}” is not a date: write it as dd/mm/yyyy.") from None
    if day > today:
        raise CommandError(
            f"{day:%d/%m/%Y} has not come yet: reports go up to today, {today:%d/%m/%Y}."
        )
    return day
