"""The officer report for rewards: per officer, intakes, sessions worked and hours worked in those
sessions, of which at night and at weekends or on public holidays.

Choices, and their limits:

- **Intakes** are the dossiers an officer received (`Enrollment.received_by`) whose `received_at`
  falls in the period by Vietnam's local date: an intake at 00:15 belongs to the new day.
- **A session worked** is a session of the unit's subtree that starts in the period (a session
  counts for the local day it starts on, as everywhere else) in which the officer received at
  least one dossier *or* was the officer of one of its desks (`Desk.officer`). Team membership
  alone does not count: a member may not have come. Limit: `Desk.officer` keeps only the last
  officer of each desk, so an officer who handed a desk over and received nothing is missed.
- **Hours** are the session's whole planned span, `starts_at` to `ends_at`, for every officer who
  worked it: no clock-in times are recorded, so an officer who came for the last hour is credited
  the whole evening. **Night** is the part of the span after 19:00 or before 06:00 local time;
  **weekend/holiday** the part that falls on a Saturday, a Sunday or a `Holiday` date. A span is cut
  at local midnight, 06:00 and 19:00, so a session crossing midnight is split exactly.

Everything comes from a fixed number of queries (sessions, the officer–session pairs from dossiers
and from desks, intake counts, holidays, users), whatever the number of officers.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.utils.translation import gettext as _

from cccd import errors as common
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import DASHBOARD
from cccd.accounts.scoping import unit_is_visible, visible_to
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment, Holiday
from cccd.reports import errors
from cccd.spreadsheets import first_sheet
from cccd.tickets.models import Desk
from cccd.units.models import Unit

MAX_DAYS = 366
NIGHT_FROM, NIGHT_TO = datetime.time(19), datetime.time(6)


@dataclass
class OfficerRow:
    """One officer's line of the report; durations are kept in minutes, shown in hours."""

    user_id: int
    name: str
    username: str
    unit_name: str
    intakes: int = 0
    sessions: int = 0
    minutes: int = 0
    night_minutes: int = 0
    weekend_minutes: int = 0

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def night_hours(self) -> float:
        return round(self.night_minutes / 60, 2)

    @property
    def weekend_hours(self) -> float:
        return round(self.weekend_minutes / 60, 2)


@dataclass(frozen=True)
class SpanSplit:
    """A session's span in minutes: in all, at night, and on weekends or holidays."""

    minutes: int
    night: int
    weekend: int


def check_period(date_from: datetime.date, date_to: datetime.date) -> None:
    """Refuse a reversed period or one longer than MAX_DAYS (a year's report is the most anyone
    asks for; longer would only make the page slow)."""
    if date_to < date_from:
        raise errors.PERIOD_REVERSED(
            **{"from": f"{date_from:%d/%m/%Y}", "to": f"{date_to:%d/%m/%Y}"}
        )
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise errors.PERIOD_TOO_LONG(days=days, max=MAX_DAYS)


def split_span(
    starts: datetime.datetime, ends: datetime.datetime, holidays: Iterable[datetime.date]
) -> SpanSplit:
    """Minutes of [starts, ends) in all, at night (19:00–06:00) and on Saturdays, Sundays or
    holidays, by local time. The span is cut at each local midnight, 06:00 and 19:00, so every
    piece lies wholly inside one day and one side of the night boundaries."""
    zone = ZoneInfo(settings.TIME_ZONE)
    off_days = set(holidays)
    cursor, end = starts.astimezone(zone), ends.astimezone(zone)
    total = night = weekend = 0
    while cursor < end:
        day = cursor.date()
        cuts = [datetime.datetime.combine(day, t, tzinfo=zone) for t in (NIGHT_TO, NIGHT_FROM)]
        cuts.append(
            datetime.datetime.combine(
                day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
            )
        )
        piece_end = min([c for c in cuts if c > cursor] + [end])
        minutes = round((piece_end - cursor).total_seconds() / 60)
        total += minutes
        if cursor.time() >= NIGHT_FROM or cursor.time() < NIGHT_TO:
            night += minutes
        if day.weekday() >= 5 or day in off_days:
            weekend += minutes
        cursor = piece_end
    return SpanSplit(total, night, weekend)


def local_bounds(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[00:00 of the first day, 00:00 after the last day) in Vietnam's time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(date_from, datetime.time(0), tzinfo=zone)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
    )
    return start, end


def officer_report(
    user: User, unit: Unit, date_from: datetime.date, date_to: datetime.date
) -> list[OfficerRow]:
    """The officers who received dossiers or worked sessions of `unit`'s subtree in the period,
    most intakes first. Only dossiers and sessions the user may see are read (`visible_to`), so
    another unit's officers and work never appear."""
    require_permission(user, DASHBOARD)
    if not unit_is_visible(user, unit.path):
        raise common.NOT_FOUND()
    check_period(date_from, date_to)
    start, end = local_bounds(date_from, date_to)
    dossiers = visible_to(user, Enrollment.objects.filter(unit__path__startswith=unit.path))
    sessions = visible_to(user, Session.objects.filter(unit__path__startswith=unit.path))
    sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end).exclude(
        state=Session.State.CANCELLED
    )
    spans = {pk: (s, e) for pk, s, e in sessions.values_list("pk", "starts_at", "ends_at")}
    intakes = dict(
        dossiers.filter(received_at__gte=start, received_at__lt=end, received_by__isnull=False)
        .order_by()
        .values_list("received_by")
        .annotate(n=Count("pk"))
        .values_list("received_by", "n")
    )
    worked: dict[int, set[int]] = defaultdict(set)
    if spans:
        pairs = (
            dossiers.filter(session_id__in=spans, received_by__isnull=False)
            .order_by()
            .values_list("received_by", "session_id")
            .distinct()
        )
        desks = (
            Desk.objects.filter(session_id__in=spans, officer__isnull=False)
            .order_by()
            .values_list("officer_id", "session_id")
            .distinct()
        )
        for officer_id, session_id in [*pairs, *desks]:
            worked[officer_id].add(session_id)
    return _rows(intakes, worked, spans)


def _rows(
    intakes: dict[int, int],
    worked: dict[int, set[int]],
    spans: dict[int, tuple[datetime.datetime, datetime.datetime]],
) -> list[OfficerRow]:
    """Put the counts and the split spans together, one row per officer (two more queries)."""
    splits: dict[int, SpanSplit] = {}
    if spans:
        first = min(s for s, _e in spans.values()) - datetime.timedelta(days=1)
        last = max(e for _s, e in spans.values()) + datetime.timedelta(days=1)
        holidays = set(
            Holiday.objects.filter(date__gte=first.date(), date__lte=last.date()).values_list(
                "date", flat=True
            )
        )
        splits = {pk: split_span(s, e, holidays) for pk, (s, e) in spans.items()}
    ids = set(intakes) | set(worked)
    users = User.objects.filter(pk__in=ids).select_related("unit")
    rows = []
    for officer in users:
        row = OfficerRow(
            user_id=officer.pk,
            name=str(officer),
            username=officer.username,
            unit_name=officer.unit.name if officer.unit else "",
            intakes=intakes.get(officer.pk, 0),
            sessions=len(worked.get(officer.pk, ())),
        )
        for session_id in worked.get(officer.pk, ()):
            row.minutes += splits[session_id].minutes
            row.night_minutes += splits[session_id].night
            row.weekend_minutes += splits[session_id].weekend
        rows.append(row)
    rows.sort(key=lambda r: (-r.intakes, -r.minutes, r.name, r.user_id))
    return rows


def render_officer_xlsx(
    rows: list[OfficerRow], *, unit: Unit, date_from: datetime.date, date_to: datetime.date
) -> bytes:
    """The report as a workbook: a title line, then one row per officer with real numbers (hours
    as decimals), so the office can add them up in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from cccd.spreadsheets import safe_text

    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = _("Officers")[:31]
    sheet.append(
        [
            safe_text(
                _("Officer report — %(unit)s, %(start)s to %(end)s")
                % {
                    "unit": unit.name,
                    "start": f"{date_from:%d/%m/%Y}",
                    "end": f"{date_to:%d/%m/%Y}",
                }
            )
        ]
    )
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append([])
    header = [
        _("Officer"),
        _("User name"),
        _("Unit"),
        _("Intakes"),
        _("Sessions worked"),
        _("Hours in sessions"),
        _("of which at night"),
        _("of which at weekends or holidays"),
    ]
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                safe_text(row.name),
                safe_text(row.username),
                safe_text(row.unit_name),
                row.intakes,
                row.sessions,
                row.hours,
                row.night_hours,
                row.weekend_hours,
            ]
        )
        for cell in sheet[sheet.max_row][5:8]:
            cell.number_format = "0.00"
    for letter, width in zip("ABCDEFGH", (28, 18, 28, 10, 12, 14, 14, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
