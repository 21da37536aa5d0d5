"""Finding dossiers in the user's subtree, and the lists of those past or near their return date.

A search takes one box: a 12-digit number is a personal ID, anything else with a digit is a
dossier code (both exact), and the rest is a name, compared folded (`cccd.core.names.fold`: no
diacritics, đ→d, lower case) the way the register's look-up compares them, then ranked with
rapidfuzz. Every search and every deadline list is audited, with the kind of query but never an
ID number or a name, so the audit trail does not become a second copy of the register.

Deadlines: a dossier is overdue when its return date (`Enrollment.return_date`, working days from
the intake) has passed while it is still in `lifecycle.LATE_STATES`; due soon when the return date
falls between today and the N-th working day after today (weekends and the `Holiday` table
excluded, by `cccd.core.deadlines`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.scoping import visible_to
from cccd.core import deadlines, names
from cccd.enrollments.dossier_queries import overdue_q
from cccd.enrollments.lifecycle import LATE_STATES, VIEW
from cccd.enrollments.models import Enrollment, Holiday
from cccd.errors import ErrorCode
from cccd.registry.errors import ID_NUMBER_LENGTH
from cccd.registry.search import id_digits_typed
from cccd.units.models import Unit

LIMIT = 50  # results shown: a search that finds more needs more of the name
CANDIDATES = 500  # rows read for ranking a name
LIST_LIMIT = 500  # rows per deadline list; the counts cover them all
DUE_SOON_DAYS = 3
MAX_DUE_SOON_DAYS = 20
QUERY_MAX_LENGTH = 100

_ID = re.compile(r"^\d{12}$")
_CODE = re.compile(r"^[A-Za-z0-9-]{1,32}$")

DOSSIER_QUERY_TOO_SHORT = ErrorCode(
    "DOSSIER_QUERY_TOO_SHORT",
    _("Type a dossier code, a 12-digit personal ID number, or at least two letters of a name."),
    400,
)
BAD_DUE_SOON_DAYS = ErrorCode(
    "BAD_DUE_SOON_DAYS", _("“Due within” must be a number of working days from 1 to %(max)s."), 400
)

_FIELDS = ("pk", "code", "state", "return_date", "unit__name", "unit__path", "person__full_name",
           "person__personal_id", "person__birth_date", "person__birth_date_precision",
           "person__birth_year", "person__name_folded")  # fmt: skip


def _dossiers(user: User) -> QuerySet[Enrollment]:
    """Dossiers of the user's subtree that the desk has finished (a draft is still at the desk)."""
    rows = Enrollment.objects.exclude(state=Enrollment.State.DRAFT)
    return visible_to(user, rows).select_related("unit", "person").only(*_FIELDS)


# ---------------------------------------------------------------- search


@dataclass(frozen=True)
class Found:
    enrollment: Enrollment
    score: float


@dataclass(frozen=True)
class SearchResult:
    kind: str  # "code", "personal_id" or "name"
    matches: list[Found]


def query_kind(text: str) -> tuple[str, str]:
    """(kind, the value to look for): the same box takes codes, ID numbers and names."""
    # control characters out: PostgreSQL refuses a NUL in a parameter, and none belongs in a name
    text = "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in str(text or ""))
    text = " ".join(text.split())[:QUERY_MAX_LENGTH]
    if (typed := id_digits_typed(text)) is not None:  # an ID one digit off, not a name too short
        raise ID_NUMBER_LENGTH(count=typed)
    digits = text.replace(" ", "")
    if _ID.match(digits):
        return "personal_id", digits
    if _CODE.match(text) and any(ch.isdigit() for ch in text):
        return "code", text.upper()
    # fold first: in NFD input the diacritics are separate characters a regex would split on
    folded = " ".join(re.sub(r"[\d_,;:/().!?\"]+", " ", names.fold(text)).split())
    if len(folded.replace(" ", "")) < 2:
        raise DOSSIER_QUERY_TOO_SHORT()
    return "name", folded


def _by_name(rows: QuerySet[Enrollment], folded: str) -> list[Found]:
    """Each word somewhere in the folded name (a dropped middle name still finds), ranked like
    the register's look-up: the closer the whole name, the higher; a name starting with what was
    typed first among equals."""
    tokens = folded.split()
    condition = Q()
    for token in tokens:
        condition &= Q(person__name_folded__contains=token)
    candidates = rows.filter(condition).order_by("person__name_folded", "pk")[:CANDIDATES]
    found = []
    for enrollment in candidates:
        name = enrollment.person.name_folded
        score = max(fuzz.ratio(folded, name), fuzz.token_set_ratio(folded, name) - 5)
        found.append(Found(enrollment, float(score) + (5 if name.startswith(folded) else 0)))
    found.sort(key=lambda f: (-f.score, f.enrollment.person.name_folded, f.enrollment.pk))
    return found[:LIMIT]


def search(user: User, q: str) -> SearchResult:
    """Dossiers of the user's subtree by exact code, exact personal ID, or name; audited with
    the kind of query and what was found (the code itself is kept, an ID or a name is not)."""
    require_permission(user, VIEW)
    kind, value = query_kind(q)
    rows = _dossiers(user)
    if kind == "name":
        matches = _by_name(rows, value)
    else:
        lookup = {"code": value} if kind == "code" else {"person__personal_id": value}
        matches = [Found(e, 100.0) for e in rows.filter(**lookup).order_by("-created_at")[:LIMIT]]
    after: dict[str, object] = {"kind": kind, "found": [f.enrollment.pk for f in matches]}
    if kind == "code":
        after["code"] = value[:40]
    record("enrollment.search", actor=user, unit=user.unit, after=after)
    return SearchResult(kind, matches)


# ---------------------------------------------------------------- deadlines


@dataclass
class UnitDeadlines:
    """One unit's overdue and due-soon dossiers (rows up to the list limit; counts of all)."""

    unit_name: str
    unit_path: str
    overdue_count: int = 0
    due_soon_count: int = 0
    overdue: list[Enrollment] = field(default_factory=list)
    due_soon: list[Enrollment] = field(default_factory=list)


@dataclass
class Deadlines:
    today: datetime.date
    horizon: datetime.date  # the last day counted as due soon
    days: int
    units: list[UnitDeadlines]
    overdue_count: int
    due_soon_count: int

    @property
    def truncated(self) -> bool:
        shown = sum(len(u.overdue) + len(u.due_soon) for u in self.units)
        return shown < self.overdue_count + self.due_soon_count


def due_soon_horizon(today: datetime.date, days: int) -> datetime.date:
    """The N-th working day after today, over the editable holidays table."""
    reach = today + datetime.timedelta(days=days * 3 + 60)  # far enough for Tết and a weekend
    holidays = set(
        Holiday.objects.filter(date__gt=today, date__lte=reach).values_list("date", flat=True)
    )
    return deadlines.add_working_days(today, days, holidays)


def parse_days(text: str | None) -> int:
    """The page's "due within N working days", refused clearly when it is not a small number."""
    if text is None or not str(text).strip():
        return DUE_SOON_DAYS
    try:
        days = int(str(text).strip())
    except ValueError:
        raise BAD_DUE_SOON_DAYS(max=MAX_DUE_SOON_DAYS) from None
    if not 1 <= days <= MAX_DUE_SOON_DAYS:
        raise BAD_DUE_SOON_DAYS(max=MAX_DUE_SOON_DAYS)
    return days


def _counts(rows: QuerySet[Enrollment]) -> Counter[int]:
    return Counter(
        {r["unit"]: r["n"] for r in rows.order_by().values("unit").annotate(n=Count("pk"))}
    )


def deadline_lists(user: User, *, days: int = DUE_SOON_DAYS,
                   today: datetime.date | None = None) -> Deadlines:  # fmt: skip
    """Overdue and due-soon dossiers of the user's subtree, grouped by unit; audited with counts."""
    require_permission(user, VIEW)
    if not 1 <= days <= MAX_DUE_SOON_DAYS:
        raise BAD_DUE_SOON_DAYS(max=MAX_DUE_SOON_DAYS)
    today = today or timezone.localdate()
    horizon = due_soon_horizon(today, days)
    late = _dossiers(user).filter(state__in=LATE_STATES, return_date__isnull=False)
    overdue_rows = late.filter(overdue_q(today))  # the work queue's rule
    soon_rows = late.filter(return_date__gte=today, return_date__lte=horizon)
    overdue_counts, soon_counts = _counts(overdue_rows), _counts(soon_rows)
    ids = set(overdue_counts) | set(soon_counts)
    units = {u.pk: UnitDeadlines(u.name, u.path, overdue_counts[u.pk], soon_counts[u.pk])
             for u in Unit.objects.filter(pk__in=ids).only("pk", "name", "path")}  # fmt: skip
    order = ("unit__path", "return_date", "code")
    for enrollment in overdue_rows.order_by(*order)[:LIST_LIMIT]:
        enrollment.days_late = (today - enrollment.return_date).days  # type: ignore[attr-defined]
        units[enrollment.unit_id].overdue.append(enrollment)
    for enrollment in soon_rows.order_by(*order)[:LIST_LIMIT]:
        units[enrollment.unit_id].due_soon.append(enrollment)
    result = Deadlines(
        today=today,
        horizon=horizon,
        days=days,
        units=sorted(units.values(), key=lambda u: u.unit_path),
        overdue_count=sum(overdue_counts.values()),
        due_soon_count=sum(soon_counts.values()),
    )
    record("enrollment.deadlines", actor=user, unit=user.unit,
           after={"days": days, "overdue": result.overdue_count,
                  "due_soon": result.due_soon_count})  # fmt: skip
    return result
