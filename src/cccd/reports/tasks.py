"""The daily reports written on a schedule (`cccd daily_reports --if-due` from cron, or the task).

Which units: every police unit that has a target in a campaign running on the day, and every police
unit above one (a province reports the districts that have targets). The files go to the default
storage under `reports/<unit code>/<yyyy-mm-dd>/` with deterministic names, so a rerun overwrites.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django_tasks import task

from cccd.accounts.audit import audit_source, record
from cccd.campaigns.models import Campaign, Target
from cccd.jobs import leases
from cccd.reports import daily_report
from cccd.units.models import POLICE_ROOT, Unit

Progress = Callable[[str], None]
DAILY_REPORTS_JOB = leases.Kind("daily_reports", "cccd.reports.tasks.generate_daily_reports")


def units_to_report(day: datetime.date) -> list[tuple[Unit, Campaign]]:
    """(unit, campaign) pairs owed a report on `day`: target units and the police units above them."""
    targets = Target.objects.filter(
        campaign__start_date__lte=day,
        campaign__end_date__gte=day,
        unit__path__startswith=POLICE_ROOT,
    ).select_related("unit", "campaign")
    wanted: dict[str, set[int]] = {}
    campaigns: dict[int, Campaign] = {}
    for target in targets:
        campaigns[target.campaign_id] = target.campaign
        for path in _ancestor_paths(target.unit.path):
            wanted.setdefault(path, set()).add(target.campaign_id)
    units = Unit.objects.filter(path__in=wanted, category=Unit.Category.POLICE).order_by("path")
    return [(u, campaigns[c]) for u in units for c in sorted(wanted[u.path])]


def _ancestor_paths(path: str) -> list[str]:
    """ "/ca/L67/663/" → "/ca/", "/ca/L67/", "/ca/L67/663/"."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def write_daily_reports(
    day: datetime.date,
    *,
    unit_code: str | None = None,
    only_missing: bool = False,
    progress: Progress | None = None,
) -> list[str]:
    """Write both files for each unit owed a report; return the storage names written."""
    pairs = units_to_report(day)
    if unit_code is not None:
        pairs = [(u, c) for u, c in pairs if u.code == unit_code]
    if only_missing:
        pairs = [(u, c) for u, c in pairs if not _present(u, c, day)]
    written: list[str] = []
    for index, (unit, campaign) in enumerate(pairs, start=1):
        names = daily_report.store_report(unit, campaign, day)
        record(
            "reports.write_daily_report",
            actor=None,
            unit=unit,
            object_repr=f"{unit.code} {day:%Y-%m-%d} c{campaign.pk}",
        )
        written += names
        if progress is not None:
            progress(f"[{index}/{len(pairs)}] {unit.code} {day:%d/%m/%Y} c{campaign.pk}")
    return written


def reports_present(day: datetime.date, *, unit_code: str | None = None) -> bool:
    """Whether every unit owed a report on `day` already has both files (nothing is owed: True)."""
    pairs = units_to_report(day)
    return all(_present(u, c, day) for u, c in pairs if unit_code is None or u.code == unit_code)


def _present(unit: Unit, campaign: Campaign, day: datetime.date) -> bool:
    from django.core.files.storage import default_storage

    return all(
        default_storage.exists(daily_report.stored_name(unit, campaign.pk, day, fmt))
        for fmt in daily_report.FORMATS
    )


@task()
def generate_daily_reports(day_iso: str, unit_code: str | None = None) -> int:
    """The scheduled run: write the day's reports; returns how many files were written. Under the
    day's job lease, renewed after each unit's files, so a worker that dies part-way leaves the job
    stopped and the next worker writes the day again (the names are fixed, so nothing doubles)."""
    day = datetime.date.fromisoformat(day_iso)
    job = leases.job_for(DAILY_REPORTS_JOB, day_iso, unit_code)
    with (
        audit_source(f"task:daily_reports:{day_iso}"),
        leases.taken_elsewhere_is_fine(f"daily reports {day_iso}"),
        leases.hold(job) as lease,
    ):
        return len(write_daily_reports(day, unit_code=unit_code, progress=lambda _: lease.renew()))
    return 0  # another worker holds the day's reports
