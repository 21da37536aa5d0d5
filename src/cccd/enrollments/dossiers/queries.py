"""Read paths of the dossiers after the desk: the back office's work queue, a dossier's neighbours
in that queue (for next/previous), its captures and its history as the audit trail tells it; the
search box; the lists of dossiers past or near their return date; the card preview's photo.

Every query starts from `visible_to`, so a user reads only their unit subtree's dossiers.

**Search** takes one box: a 12-digit number is a personal ID, anything else with a digit is a
dossier code (both exact), and the rest is a name, compared folded (`cccd.core.names.fold`: no
diacritics, đ→d, lower case) the way the register's look-up compares them, then ranked with
rapidfuzz. Every search and every deadline list is audited, with the kind of query but never an ID
number or a name, so the audit trail does not become a second copy of the register.

**Deadlines**: a dossier is overdue when its return date (`Enrollment.return_date`, working days
from the intake) has passed while it is still in `lifecycle.LATE_STATES`; due soon when the return
date falls between today and the N-th working day after today (weekends and the `Holiday` table
excluded, by `cccd.core.deadlines`).
"""

from __future__ import annotations

import base64
import datetime
import logging
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, DateField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rapidfuzz import fuzz

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, Role, User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import DOSSIERS
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import Session
from cccd.core import deadlines, names
from cccd.enrollments import errors
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.intake import rules
from cccd.enrollments.intake.queries import thumbnail
from cccd.enrollments.models import (
    Artefact,
    Enrollment,
    Holiday,
    ProposedChange,
    person_field_label,
    stored_name,
)
from cccd.registry.errors import ID_NUMBER_LENGTH
from cccd.registry.search import id_digits_typed
from cccd.units.models import Unit

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
THUMBNAIL_PX = (120, 160)
HISTORY_LIMIT = 300  # events shown on the dossier page; a dossier has a few dozen at most
LOOKUPS = ("enrollment.view", "enrollment.refusal_notice")
"""Look-ups are audited but left out of the dossier's history: they say who read it, not what
happened to it, and every page view would otherwise add a line."""
_RELATED = ("person", "unit", "session__venue", "received_by")


ALL_STATES = "all"
"""The state filter's value for every dossier, closed ones included; no state is open work."""
_NO_RETURN_DATE = datetime.date(9999, 12, 31)  # sorts last on both databases


@dataclass(frozen=True)
class DossierFilter:
    """The work queue's filters, kept in every next/previous link so the queue stays the same.
    `state` "" is open work (`lifecycle.OPEN_STATES`), `ALL_STATES` everything, else one state."""

    state: str = ""
    session_id: int | None = None
    officer_id: int | None = None
    overdue: bool = False

    def querystring(self) -> str:
        """'state=captured&overdue=1' (no leading '?'); '' without filters."""
        pairs = [
            ("state", self.state),
            ("session", self.session_id or ""),
            ("officer", self.officer_id or ""),
            ("overdue", "1" if self.overdue else ""),
        ]
        return urlencode([(key, value) for key, value in pairs if value])


def overdue_q(today: datetime.date) -> Q:
    """Past the return date and the card not yet at the unit (docs/domain.md#deadlines)."""
    return Q(return_date__lt=today, state__in=lifecycle.LATE_STATES)


def is_overdue(enrollment: Enrollment, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        enrollment.return_date
        and enrollment.return_date < today
        and enrollment.state in lifecycle.LATE_STATES
    )


def filtered(user: User, filters: DossierFilter) -> QuerySet[Enrollment]:
    """The user's dossiers (drafts at the desk left out) under `filters`, the work that is due
    first: by return date (none last), then as received. Without a state, open work only."""
    rows = visible_to(user, Enrollment.objects.select_related(*_RELATED)).exclude(
        state=Enrollment.State.DRAFT
    )
    if not filters.state:
        rows = rows.filter(state__in=lifecycle.OPEN_STATES)
    elif filters.state != ALL_STATES:
        rows = rows.filter(state=filters.state)
    if filters.session_id is not None:
        rows = rows.filter(session_id=filters.session_id)
    if filters.officer_id is not None:
        rows = rows.filter(received_by_id=filters.officer_id)
    if filters.overdue:
        rows = rows.filter(overdue_q(timezone.localdate()))
    due = Coalesce("return_date", Value(_NO_RETURN_DATE), output_field=DateField())
    return rows.annotate(due=due).order_by("due", "received_at", "pk")


def dossier_list(
    user: User,
    *,
    state: str | None = None,
    session_id: int | None = None,
    officer_id: int | None = None,
    overdue: bool = False,
    page: int | str | None = 1,
) -> Page[Enrollment]:
    """One page of the work queue: two queries (count, rows) whatever the page holds."""
    filters = DossierFilter(state or "", session_id, officer_id, overdue)
    return Paginator(filtered(user, filters), PAGE_SIZE).get_page(page)


def neighbours(
    user: User, enrollment: Enrollment, filters: DossierFilter
) -> tuple[int | None, int | None]:
    """The previous and next dossier of the filtered queue, around `enrollment`'s place in it.
    The dossier itself may have left the queue (a move changed its state): its place still
    counts, so "next" after completing one is the one that was after it."""
    rows = filtered(user, filters).values_list("pk", flat=True)
    at, pk = enrollment.received_at, enrollment.pk
    if at is None:  # not received yet: no place in the queue
        return None, None
    due = enrollment.return_date or _NO_RETURN_DATE
    before = Q(due__lt=due) | Q(due=due, received_at__lt=at) | Q(due=due, received_at=at, pk__lt=pk)
    after = Q(due__gt=due) | Q(due=due, received_at__gt=at) | Q(due=due, received_at=at, pk__gt=pk)
    previous = rows.filter(before).order_by("-due", "-received_at", "-pk").first()  # type: ignore[misc]  # `due` is filtered()'s annotation
    following = rows.filter(after).first()
    return previous, following


def dossier(user: User, enrollment_id: int) -> Enrollment:
    """One dossier of the user's subtree with what its page shows, or NOT_FOUND."""
    rows = Enrollment.objects.select_related(
        *_RELATED, "ticket", "state_changed_by", "batch", "unit__parent", "person__residence_unit"
    )
    return get_visible(user, rows.prefetch_related("artefacts", "changes"), pk=enrollment_id)


def record_lookup(user: User, enrollment: Enrollment, action: str = "enrollment.view") -> None:
    """A dossier holds personal data: reading it is audited like a register look-up."""
    record(action, actor=user, unit=enrollment.unit, obj=enrollment)


def proposed_change(user: User, enrollment_id: int, change_id: int) -> ProposedChange:
    """A proposed register change of this dossier, in the user's subtree, or NOT_FOUND."""
    rows = ProposedChange.objects.filter(enrollment_id=enrollment_id)
    return get_visible(user, rows, pk=change_id)


def session_choices(user: User) -> list[Session]:
    """Sessions to filter by: the user's subtree's, the latest first (a campaign's worth)."""
    rows = visible_to(user, Session.objects.select_related("venue")).order_by("-starts_at")
    return list(rows[:200])


def officer_choices(user: User) -> list[User]:
    """People who receive dossiers at a desk in the user's subtree."""
    rows = visible_to(user, User.objects.filter(role__in=[Role.OFFICER, Role.TEAM_LEADER]))
    return list(rows.order_by("username")[:500])


# --- the dossier page -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One capture slot as the page shows it: taken (format, hash prefix), impossible, or missing."""

    label: str
    artefact: Artefact | None
    thumbnail: str = ""  # a data: URI, for the photo only


def capture_slots(enrollment: Enrollment) -> list[Slot]:
    """Photo, fingerprints 1–10, irises 1–2 (when taken or due) and the signature, in that order."""
    taken = {(a.kind, a.slot): a for a in enrollment.artefacts.all()}
    photo = taken.get((Artefact.Kind.PHOTO, 0))
    slots = [Slot(_("Face photo"), photo, thumbnail(photo, THUMBNAIL_PX))]
    slots += [
        Slot(
            capfirst(_("fingerprint: %(finger)s") % {"finger": rules.FINGER_NAMES[n]}),
            taken.get((Artefact.Kind.FINGERPRINT, n)),
        )
        for n in rules.FINGERS
    ]
    if any(kind == Artefact.Kind.IRIS for kind, _slot in taken) or enrollment.law == "2023":
        slots += [
            Slot(
                capfirst(_("iris: %(eye)s") % {"eye": rules.IRIS_NAMES[n]}),
                taken.get((Artefact.Kind.IRIS, n)),
            )
            for n in rules.IRISES
        ]
    slots.append(Slot(_("Signature"), taken.get((Artefact.Kind.SIGNATURE, 0))))
    return slots


# --- the history ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryLine:
    at: datetime.datetime
    actor: str
    what: str
    reason: str = ""


_ACTIONS: dict[str, str | Promise] = {
    "ticket.issue": gettext_lazy("queue number issued"),
    "ticket.call": gettext_lazy("number called to a desk"),
    "ticket.serve": gettext_lazy("number served at the desk"),
    "ticket.recall": gettext_lazy("number called again"),
    "ticket.skip": gettext_lazy("number skipped"),
    "ticket.transfer": gettext_lazy("number sent to another desk"),
    "ticket.finish": gettext_lazy("number finished"),
    "ticket.person": gettext_lazy("person chosen in the register"),
    "enrollment.open": gettext_lazy("intake opened"),
    "enrollment.update": gettext_lazy("application details saved"),
    "enrollment.capture": gettext_lazy("capture taken"),
    "enrollment.receive": gettext_lazy("intake finished"),
    "enrollment.cancel": gettext_lazy("draft cancelled"),
    "person.propose_change": gettext_lazy("register change proposed"),
    "person.review_change": gettext_lazy("proposed register change reviewed"),
}


def history(enrollment: Enrollment) -> list[HistoryLine]:
    """The dossier's audit events (and its ticket's, and its proposed changes'), oldest first,
    in words: "06/03 20:41 hoso.dakmil Captured → Completed"."""
    wanted = Q(object_type="enrollments.enrollment", object_id=str(enrollment.pk))
    if enrollment.ticket_id:
        wanted |= Q(object_type="tickets.ticket", object_id=str(enrollment.ticket_id))
    change_ids = [str(c.pk) for c in enrollment.changes.all()]
    if change_ids:
        wanted |= Q(object_type="enrollments.proposedchange", object_id__in=change_ids)
    events = AuditEvent.objects.filter(wanted).exclude(action__in=LOOKUPS).order_by("at", "id")
    return [_line(event) for event in events[:HISTORY_LIMIT]]


def _state_label(value: object) -> str:
    try:
        return str(Enrollment.State(str(value)).label)
    except ValueError:
        return str(value or "—")


def _label(action: str) -> str:
    name = action.removeprefix("enrollment.")
    if action.startswith("enrollment.") and name in lifecycle.MOVES:
        return str(lifecycle.MOVES[name].label)
    return str(_ACTIONS.get(action, action))


def _line(event: AuditEvent) -> HistoryLine:
    """One event in words: a change of the dossier's state as its states before and after, other
    events by their name (and what they touched)."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    what = _label(event.action)
    if event.object_type == "enrollments.enrollment" and "state" in before and "state" in after:
        what = f"{what}: {_state_label(before['state'])} → {_state_label(after['state'])}"
    elif event.action == "enrollment.capture" and after.get("kind") in Artefact.Kind.values:
        what = f"{what}: {Artefact.Kind(after['kind']).label}"
    elif event.action == "person.review_change" and after.get("state"):
        field = person_field_label(str(after.get("field", "")))
        state = (
            ProposedChange.State(after["state"]).label
            if after["state"] in ProposedChange.State.values
            else after["state"]
        )
        what = f"{what}: {field} ({state})"
    return HistoryLine(event.at, event.actor_username or "—", what, str(after.get("reason") or ""))


# --- search and deadlines -------------------------------------------------------------------------


SEARCH_LIMIT = 50  # results shown: a search that finds more needs more of the name
SEARCH_CANDIDATES = 500  # rows read for ranking a name
DEADLINE_LIST_LIMIT = 500  # rows per deadline list; the counts cover them all
DUE_SOON_DAYS = 3
MAX_DUE_SOON_DAYS = 20
QUERY_MAX_LENGTH = 100

_ID_QUERY = re.compile(r"^\d{12}$")
_CODE_QUERY = re.compile(r"^[A-Za-z0-9-]{1,32}$")


_FOUND_FIELDS = (
    "pk",
    "code",
    "state",
    "return_date",
    "unit__name",
    "unit__path",
    "person__full_name",
    "person__personal_id",
    "person__birth_date",
    "person__birth_date_precision",
    "person__birth_year",
    "person__name_folded",
)


def _finished(user: User) -> QuerySet[Enrollment]:
    """Dossiers of the user's subtree that the desk has finished (a draft is still at the desk)."""
    rows = Enrollment.objects.exclude(state=Enrollment.State.DRAFT)
    return visible_to(user, rows).select_related("unit", "person").only(*_FOUND_FIELDS)


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
    if _ID_QUERY.match(digits):
        return "personal_id", digits
    if _CODE_QUERY.match(text) and any(ch.isdigit() for ch in text):
        return "code", text.upper()
    # fold first: in NFD input the diacritics are separate characters a regex would split on
    folded = " ".join(re.sub(r"[\d_,;:/().!?\"]+", " ", names.fold(text)).split())
    if len(folded.replace(" ", "")) < 2:
        raise errors.DOSSIER_QUERY_TOO_SHORT()
    return "name", folded


def _by_name(rows: QuerySet[Enrollment], folded: str) -> list[Found]:
    """Each word somewhere in the folded name (a dropped middle name still finds), ranked like
    the register's look-up: the closer the whole name, the higher; a name starting with what was
    typed first among equals."""
    tokens = folded.split()
    condition = Q()
    for token in tokens:
        condition &= Q(person__name_folded__contains=token)
    candidates = rows.filter(condition).order_by("person__name_folded", "pk")[:SEARCH_CANDIDATES]
    found = []
    for enrollment in candidates:
        name = enrollment.person.name_folded
        score = max(fuzz.ratio(folded, name), fuzz.token_set_ratio(folded, name) - 5)
        found.append(Found(enrollment, float(score) + (5 if name.startswith(folded) else 0)))
    found.sort(key=lambda f: (-f.score, f.enrollment.person.name_folded, f.enrollment.pk))
    return found[:SEARCH_LIMIT]


def search(user: User, q: str) -> SearchResult:
    """Dossiers of the user's subtree by exact code, exact personal ID, or name; audited with
    the kind of query and what was found (the code itself is kept, an ID or a name is not)."""
    require_permission(user, DOSSIERS)
    kind, value = query_kind(q)
    rows = _finished(user)
    if kind == "name":
        matches = _by_name(rows, value)
    else:
        lookup = {"code": value} if kind == "code" else {"person__personal_id": value}
        matches = [
            Found(e, 100.0) for e in rows.filter(**lookup).order_by("-created_at")[:SEARCH_LIMIT]
        ]
    after: dict[str, object] = {"kind": kind, "found": [f.enrollment.pk for f in matches]}
    if kind == "code":
        after["code"] = value[:40]
    record("enrollment.search", actor=user, unit=user.unit, after=after)
    return SearchResult(kind, matches)


# --- the deadline lists ---------------------------------------------------------------------------


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


def _counts_by_unit(rows: QuerySet[Enrollment]) -> Counter[int]:
    return Counter(
        {r["unit"]: r["n"] for r in rows.order_by().values("unit").annotate(n=Count("pk"))}
    )


def deadline_lists(
    user: User, *, days: int = DUE_SOON_DAYS, today: datetime.date | None = None
) -> Deadlines:
    """Overdue and due-soon dossiers of the user's subtree, grouped by unit; audited with counts."""
    require_permission(user, DOSSIERS)
    if not 1 <= days <= MAX_DUE_SOON_DAYS:
        raise errors.BAD_DUE_SOON_DAYS(max=MAX_DUE_SOON_DAYS)
    today = today or timezone.localdate()
    horizon = due_soon_horizon(today, days)
    late = _finished(user).filter(state__in=lifecycle.LATE_STATES, return_date__isnull=False)
    overdue_rows = late.filter(overdue_q(today))  # the work queue's rule
    soon_rows = late.filter(return_date__gte=today, return_date__lte=horizon)
    overdue_counts, soon_counts = _counts_by_unit(overdue_rows), _counts_by_unit(soon_rows)
    ids = set(overdue_counts) | set(soon_counts)
    units = {
        u.pk: UnitDeadlines(u.name, u.path, overdue_counts[u.pk], soon_counts[u.pk])
        for u in Unit.objects.filter(pk__in=ids).only("pk", "name", "path")
    }
    order = ("unit__path", "return_date", "code")
    for enrollment in overdue_rows.order_by(*order)[:DEADLINE_LIST_LIMIT]:
        overdue_by = today - enrollment.return_date  # type: ignore[operator]  # not null: filtered
        enrollment.days_late = overdue_by.days  # type: ignore[attr-defined]
        units[enrollment.unit_id].overdue.append(enrollment)
    for enrollment in soon_rows.order_by(*order)[:DEADLINE_LIST_LIMIT]:
        units[enrollment.unit_id].due_soon.append(enrollment)
    result = Deadlines(
        today=today,
        horizon=horizon,
        days=days,
        units=sorted(units.values(), key=lambda u: u.unit_path),
        overdue_count=sum(overdue_counts.values()),
        due_soon_count=sum(soon_counts.values()),
    )
    record(
        "enrollment.deadlines",
        actor=user,
        unit=user.unit,
        after={"days": days, "overdue": result.overdue_count, "due_soon": result.due_soon_count},
    )
    return result


# --- the card preview ----------------------------------------------------------------------------


PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "bmp": "image/bmp"}
"""The photo formats the intake accepts (`intake.captures`), as the MIME type of a data: URI."""


def card_photo(enrollment: Enrollment) -> str | None:
    """The face photo inlined as a data: URI, or None when there is none to show.

    Inlined rather than linked, so the photo needs no URL of its own (another way in to personal
    data to scope and audit) and the printed page is self-contained. A file missing from storage
    shows the placeholder instead of failing the page; only the dossier id is logged.
    """
    artefact = (
        Artefact.objects.filter(enrollment=enrollment, kind=Artefact.Kind.PHOTO, slot=0)
        .exclude(file="")
        .first()
    )
    if artefact is None or artefact.format not in PHOTO_TYPES:
        return None
    try:
        with artefact.file.storage.open(stored_name(artefact.file), "rb") as handle:
            data = handle.read()
    except OSError:
        logger.warning("card preview: the photo file of dossier %s cannot be read", enrollment.pk)
        return None
    encoded = base64.b64encode(data).decode("ascii")
    return f"data:{PHOTO_TYPES[artefact.format]};base64,{encoded}"
