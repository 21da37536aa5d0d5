"""The daily report's files: both formats of a unit's day under fixed names in the default
storage (so a day written again replaces its files), and the list of what is stored."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.storage import default_storage

from cccd.campaigns.models import Campaign
from cccd.reports.daily_report.atomic import replace_file
from cccd.reports.daily_report.content import ReportContent, report_content
from cccd.reports.daily_report.pdf import render_pdf
from cccd.reports.daily_report.xlsx import render_xlsx
from cccd.units.models import Unit

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STORE_ROOT = "reports"


@dataclass(frozen=True)
class StoredReport:
    day: datetime.date
    campaign_id: int
    fmt: str
    name: str  # the storage name

    @property
    def filename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def unit_folder(unit: Unit) -> str:
    """`reports/<unit code>/`; a unit of the 2025 scheme gets `-2025` after its code, because the
    2025 codes reuse legacy ones (Lâm Đồng is 68 in both)."""
    code = "".join(c for c in unit.code if c.isascii() and c.isalnum()) or str(unit.pk)
    suffix = "-2025" if unit.scheme == Unit.Scheme.CURRENT else ""
    return f"{STORE_ROOT}/{code}{suffix}/"


def stored_name(unit: Unit, campaign_id: int, day: datetime.date, fmt: str) -> str:
    """Deterministic, so regenerating a day overwrites its files rather than adding copies."""
    code = unit_folder(unit)[len(STORE_ROOT) + 1 : -1]
    return f"{unit_folder(unit)}{day:%Y-%m-%d}/bao-cao-tien-do-{code}-{day:%Y-%m-%d}-c{campaign_id}.{fmt}"


def render(content: ReportContent, fmt: str) -> bytes:
    return render_xlsx(content) if fmt == "xlsx" else render_pdf(content)


def store_report(unit: Unit, campaign: Campaign, day: datetime.date) -> list[str]:
    """Write both files of the day through the default storage, replacing earlier ones."""
    content = report_content(unit, campaign, day)
    files = {fmt: render(content, fmt) for fmt in FORMATS}  # both made before either is replaced
    return [
        replace_file(default_storage, stored_name(unit, campaign.pk, day, fmt), data)
        for fmt, data in files.items()
    ]


def stored_reports(unit: Unit, *, limit_days: int = 31) -> list[StoredReport]:
    """The unit's stored files, newest day first (what the schedule has left ready)."""
    folder = unit_folder(unit)
    try:
        days, _files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return []
    found = []
    for day_text in sorted(days, reverse=True)[:limit_days]:
        try:
            day = datetime.date.fromisoformat(day_text)
        except ValueError:
            continue
        for filename in sorted(default_storage.listdir(f"{folder}{day_text}")[1]):
            stem, _dot, fmt = filename.rpartition(".")
            campaign = stem.rpartition("-c")[2]
            if fmt in FORMATS and campaign.isdigit():
                found.append(
                    StoredReport(day, int(campaign), fmt, f"{folder}{day_text}/{filename}")
                )
    return found
