"""Read paths of the back office's screens: the work queue of dossiers, a dossier's neighbours in
that queue (for next/previous), its captures and its history as the audit trail tells it.

Every query starts from `visible_to`, so a user reads only their unit subtree's dossiers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import DateField, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, Role, User
from cccd.accounts.scoping import get_visible, visible_to
from cccd.campaigns.models import Session
from cccd.enrollments import lifecycle, queries, services
from cccd.enrollments.models import Artefact, Enrollment, ProposedChange, person_field_label

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
        pairs = [("state", self.state), ("session", self.session_id or ""),
                 ("officer", self.officer_id or ""), ("overdue", "1" if self.overdue else "")]  # fmt: skip
        return urlencode([(key, value) for key, value in pairs if value])


def overdue_q(today: datetime.date) -> Q:
    """Past the return date and the card not yet at the unit (DOMAIN.md: working-day limits)."""
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


def dossier_list(user: User, *, state: str | None = None, session_id: int | None = None,
                 officer_id: int | None = None, overdue: bool = False,
                 page: int | str | None = 1) -> Page:  # fmt: skip
    """One page of the work queue: two queries (count, rows) whatever the page holds."""
    filters = DossierFilter(state or "", session_id, officer_id, overdue)
    return Paginator(filtered(user, filters), PAGE_SIZE).get_page(page)


def neighbours(user: User, enrollment: Enrollment, filters: DossierFilter) -> tuple[int | None, int | None]:  # fmt: skip
    """The previous and next dossier of the filtered queue, around `enrollment`'s place in it.
    The dossier itself may have left the queue (a move changed its state): its place still
    counts, so "next" after completing one is the one that was after it."""
    rows = filtered(user, filters).values_list("pk", flat=True)
    at, pk = enrollment.received_at, enrollment.pk
    if at is None:  # not received yet: no place in the queue
        return None, None
    due = enrollment.return_date or _NO_RETURN_DATE
    before = (Q(due__lt=due) | Q(due=due, received_at__lt=at)
              | Q(due=due, received_at=at, pk__lt=pk))  # fmt: skip
    after = (Q(due__gt=due) | Q(due=due, received_at__gt=at)
             | Q(due=due, received_at=at, pk__gt=pk))  # fmt: skip
    previous = rows.filter(before).order_by("-due", "-received_at", "-pk").first()
    following = rows.filter(after).first()
    return previous, following


def dossier(user: User, enrollment_id: int) -> Enrollment:
    """One dossier of the user's subtree with what its page shows, or NOT_FOUND."""
    rows = Enrollment.objects.select_related(*_RELATED, "ticket", "state_changed_by", "batch",
                                             "unit__parent", "person__residence_unit")  # fmt: skip
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


# --- the dossier page ---------------------------------------------------------------------------


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
    slots = [Slot(_("Face photo"), photo, queries.thumbnail(photo, THUMBNAIL_PX))]
    slots += [Slot(capfirst(_("fingerprint: %(finger)s") % {"finger": services.FINGER_NAMES[n]}),
                   taken.get((Artefact.Kind.FINGERPRINT, n))) for n in services.FINGERS]  # fmt: skip
    if any(kind == Artefact.Kind.IRIS for kind, _slot in taken) or enrollment.law == "2023":
        slots += [Slot(capfirst(_("iris: %(eye)s") % {"eye": services.IRIS_NAMES[n]}),
                       taken.get((Artefact.Kind.IRIS, n))) for n in services.IRISES]  # fmt: skip
    slots.append(Slot(_("Signature"), taken.get((Artefact.Kind.SIGNATURE, 0))))
    return slots


# --- the history --------------------------------------------------------------------------------


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
        return str(Enrollment.State(value).label)
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
