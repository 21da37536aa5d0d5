"""Read paths of the intake desk: what the screen shows, the dossiers of the number at the desk,
the slip's content, and the session's figures when it closes."""

from __future__ import annotations

import base64
import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from io import BytesIO

from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from cccd.accounts.models import User
from cccd.accounts.scoping import get_visible
from cccd.campaigns.models import Session
from cccd.devices.sbi import FIRST_PREVIOUS_HASH, SLAPS
from cccd.enrollments.documents.slip import SlipData
from cccd.enrollments.intake import captures, devicecapture, kinds, rules, thresholds
from cccd.enrollments.models import Artefact, Enrollment, Kind
from cccd.errors import NOT_FOUND, DomainError
from cccd.registry.columns import column_label
from cccd.tickets import services as tickets
from cccd.tickets.models import Ticket

_RELATED = (
    "session__venue",
    "session__campaign",
    "session__unit",
    "group",
    "desk",
    "person",
    "person__residence_unit",
    "roster_entry",
)


def ticket_at_desk(user: User, ticket_id: int) -> Ticket:
    """A ticket of the user's unit subtree, for the intake screen (any state: a finished one
    shows its dossier)."""
    return get_visible(user, Ticket.objects.select_related(*_RELATED), pk=ticket_id)


def ticket_dossiers(ticket: Ticket) -> tuple[Enrollment | None, Enrollment | None]:
    """(the dossier the ticket's intake made once finished, its open draft), in one query."""
    done = draft = None
    rows = ticket.enrollments.exclude(state=Enrollment.State.CANCELLED).select_related("person")
    for enrollment in rows:
        if enrollment.unit_id == ticket.session.unit_id:
            enrollment.unit = ticket.session.unit  # already loaded: no query for the audit row
        if enrollment.state == Enrollment.State.DRAFT:
            draft = draft or enrollment
        else:
            done = done or enrollment
    return done, draft


def received_dossier(ticket: Ticket) -> Enrollment | None:
    """The dossier the ticket's intake made, once finished."""
    return ticket_dossiers(ticket)[0]


def draft_dossier(ticket: Ticket) -> Enrollment | None:
    return ticket_dossiers(ticket)[1]


PHOTO_THUMBNAIL_PX = (120, 160)
SCAN_THUMBNAIL_PX = (64, 80)  # a fingerprint or an iris beside its name
SIGNATURE_THUMBNAIL_PX = (240, 80)
_THUMBNAIL_FORMATS = ("JPEG", "PNG", "BMP", "JPEG2000")
_UNREADABLE = (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError)


def thumbnail(artefact: Artefact | None, box: tuple[int, int]) -> str:
    """A small JPEG of a captured image inline in the page (a data: URI), so the screen needs no
    media URL (the files are not served publicly). Empty for a slot without a file, a template
    that is no picture (WSQ, ISO/ANSI records) or a file that cannot be read; transparency is
    white paper, as the signature check reads it."""
    if artefact is None or not artefact.file:
        return ""
    try:
        with (
            artefact.file.open("rb") as handle,
            Image.open(handle, formats=_THUMBNAIL_FORMATS) as image,
        ):
            if image.width * image.height > captures.MAX_PIXELS:
                return ""
            image.draft("RGB", (box[0] * 2, box[1] * 2))  # a JPEG decodes at a reduced size
            image.thumbnail(box)
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            buffer = BytesIO()
            flat.save(buffer, "JPEG", quality=80)
    except _UNREADABLE:
        return ""
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class SlotView:
    """A fingerprint or iris slot on the intake screen: its number, its name, what was taken."""

    number: int
    name: str
    artefact: Artefact | None
    thumbnail: str = ""

    @property
    def judged(self) -> thresholds.Judged | None:
        """The capture's score against its threshold (the device's score, or `fingerquality`'s)."""
        if self.artefact is None or not self.artefact.sha256:
            return None
        return thresholds.judge(self.artefact.kind, self.artefact.quality)

    @property
    def score(self) -> int | None:
        judged = self.judged
        return round(judged.score) if judged is not None and judged.score is not None else None

    @property
    def threshold(self) -> int | None:
        judged = self.judged
        return round(judged.threshold) if judged and judged.threshold is not None else None

    @property
    def low_quality(self) -> bool:
        return self.judged is not None and self.judged.low

    @property
    def tries(self) -> int:
        return thresholds.tries(self.artefact.quality) if self.artefact is not None else 0

    @property
    def retake_due(self) -> bool:
        artefact = self.artefact
        return bool(artefact and artefact.sha256) and thresholds.retake_due(
            artefact.kind,  # type: ignore[union-attr]
            artefact.quality,  # type: ignore[union-attr]
        )

    @property
    def kept_reason(self) -> str:
        reason = self.artefact.quality.get("kept_reason") if self.artefact is not None else None
        return reason if isinstance(reason, str) else ""

    @property
    def from_device(self) -> bool:
        return self.artefact is not None and self.artefact.quality.get("source") == "device"


def _named_slots(
    slots: dict[tuple[str, int], Artefact],
    kind: str,
    numbers: Iterable[int],
    names: Mapping[int, object],
) -> list[SlotView]:
    views = []
    for number in numbers:
        artefact = slots.get((kind, number))
        views.append(
            SlotView(number, str(names[number]), artefact, thumbnail(artefact, SCAN_THUMBNAIL_PX))
        )
    return views


def _slots(enrollment: Enrollment | None) -> dict[tuple[str, int], Artefact]:
    if enrollment is None:
        return {}
    return {(a.kind, a.slot): a for a in enrollment.artefacts.all()}


def intake_context(user: User, ticket: Ticket) -> dict[str, object]:
    """Everything the intake screen shows, computed without writing anything."""
    received, draft = ticket_dossiers(ticket)
    if draft is not None:
        prefetch_related_objects([draft], "artefacts", "changes")
    person = ticket.person
    today = timezone.localdate()
    problem = None
    suggested_kind = ""
    fingers_due, iris_due = True, False
    kind_options: list[kinds.KindOption] = []
    if person is not None:
        law = draft.law if draft is not None else ticket.session.campaign.law
        fingers_due, iris_due = rules.biometrics_due(law, person.birth_date, today)
        kind_options = kinds.options(person, law, today) if received is None else []
    if person is not None and draft is None and received is None:
        problem = rules.open_application_problem(person, ticket) or (
            rules.eligibility_problem(person, law, today)
        )
        suggested_kind = rules.suggest_kind(person, today, law)
    slots = _slots(draft)
    photo = slots.get((Artefact.Kind.PHOTO, 0))
    signature = slots.get((Artefact.Kind.SIGNATURE, 0))
    fingers = (
        _named_slots(slots, Artefact.Kind.FINGERPRINT, rules.FINGERS, rules.FINGER_NAMES)
        if fingers_due
        else []
    )
    irises = (
        _named_slots(slots, Artefact.Kind.IRIS, rules.IRISES, rules.IRIS_NAMES) if iris_due else []
    )
    return {
        "ticket": ticket,
        "session": ticket.session,
        "person": person,
        "draft": draft,
        "received": received,
        "problem": problem,
        "suggested_kind": suggested_kind,
        "kinds_allowed": [(o, _fee_or_none(o.value, today)) for o in kind_options if o.allowed],
        "kinds_refused": [o for o in kind_options if not o.allowed],
        "problem_message": problem.error(**problem.params).message if problem else "",
        "photo": photo,
        "photo_thumbnail": thumbnail(photo, PHOTO_THUMBNAIL_PX),
        "signature": signature,
        "signature_thumbnail": thumbnail(signature, SIGNATURE_THUMBNAIL_PX),
        "fingers": fingers,
        "irises": irises,
        "slaps": _slaps(fingers),
        "next_step": next_step(draft, photo, signature, fingers, irises),
        "irises_done": bool(irises) and all(e.artefact and not e.retake_due for e in irises),
        "irises_retake": any(e.retake_due for e in irises),
        "previous_hash": previous_hash(slots.values()),
        "missing": rules.missing_captures(draft, today) if draft is not None else [],
        "changes": list(draft.changes.all()) if draft is not None else [],
        "at_desk": ticket.state in tickets.AT_DESK,
        "roster_details": _listed_values(ticket),
    }


SLAP_FINGERS: dict[int, tuple[int, ...]] = {
    sub_id: tuple(devicecapture.FINGER_SLOTS[name] for name in names)
    for sub_id, names in SLAPS.items()
}
"""SBI's deviceSubId of a slap scanner (1 left four, 2 right four, 3 two thumbs) to the ISO finger
positions it captures, in the order the device names them."""


@dataclass(frozen=True)
class SlapView:
    """One slap of the station: its fingers, whether it is done and whether it must be retaken."""

    sub_id: int
    fingers: tuple[SlotView, ...]

    @property
    def done(self) -> bool:
        return all(f.artefact is not None for f in self.fingers)

    @property
    def retake(self) -> bool:
        return any(f.retake_due for f in self.fingers)


def _slaps(fingers: list[SlotView]) -> list[SlapView]:
    by_number = {f.number: f for f in fingers}
    if not by_number:
        return []
    return [
        SlapView(sub_id, tuple(by_number[n] for n in numbers))
        for sub_id, numbers in SLAP_FINGERS.items()
    ]


def next_step(
    draft: Enrollment | None,
    photo: Artefact | None,
    signature: Artefact | None,
    fingers: list[SlotView],
    irises: list[SlotView],
) -> str:
    """The step the station moves to by itself: the first one still to do, in the desk's order
    (confirm the kind and fee, photo, left four, right four, thumbs, irises, signature and finish)."""
    if draft is None:
        return "details"
    if photo is None:
        return "photo"
    for slap in _slaps(fingers):
        if not slap.done or slap.retake:
            return f"slap-{slap.sub_id}"
    if any(eye.artefact is None or eye.retake_due for eye in irises):
        return "iris"
    return "finish"


def previous_hash(artefacts: Iterable[Artefact]) -> str:
    """The SBI hash chain's last link in this dossier (its latest device capture), or the chain's
    start: the next capture's `previousHash`."""
    chained = [a for a in artefacts if isinstance(a.quality.get("sbi_hash"), str)]
    if not chained:
        return FIRST_PREVIOUS_HASH
    latest = max(chained, key=lambda a: (a.captured_at, a.pk or 0))
    return str(latest.quality["sbi_hash"])


def _fee_or_none(kind: str, today: datetime.date) -> int | None:
    """The kind's fee today without exemption, for the screen; None when the table has none."""
    try:
        return rules.quote_fee(kind, today, None)
    except DomainError:
        return None


def _listed_values(ticket: Ticket) -> dict[str, str]:
    """What the school's list said beyond name and birth date (parents, address …), the empty and
    the pre-check's own yes/no markers left out."""
    if not ticket.roster_entry_id:
        return {}
    details = ticket.roster_entry.details or {}  # type: ignore[union-attr]
    return {
        column_label(key): value
        for key, value in details.items()
        if isinstance(value, str) and value.strip()
    }


def received_for_ticket(user: User, ticket_id: int) -> Enrollment:
    enrollment = received_dossier(ticket_at_desk(user, ticket_id))
    if enrollment is None:
        raise NOT_FOUND()
    return enrollment


def _dossiers() -> QuerySet[Enrollment]:
    return Enrollment.objects.select_related(
        "person",
        "unit",
        "unit__parent",
        "session__venue",
        "ticket__desk",
        "exemption",
        "group",
        "received_by",
    )


def dossier(user: User, enrollment_id: int) -> Enrollment:
    return get_visible(user, _dossiers(), pk=enrollment_id)


def _birth(enrollment: Enrollment) -> str:
    person = enrollment.person
    if person.birth_date_precision == "year":
        return str(person.birth_date.year)
    return f"{person.birth_date:%d/%m/%Y}"


_KIND_VI = {
    Kind.FIRST_ISSUE: "Cấp mới",
    Kind.EXCHANGE_AGE: "Cấp đổi (đến tuổi đổi thẻ)",
    Kind.EXCHANGE_CHANGE: "Cấp đổi (thẻ hư hỏng, thay đổi thông tin)",
    Kind.REISSUE: "Cấp lại (mất thẻ)",
    Kind.FROM_CMND: "Cấp đổi từ Chứng minh nhân dân",
}
"""The slip is a legal paper: Vietnamese whatever the officer's screen language."""


def slip_data(enrollment: Enrollment, status_url: str) -> SlipData:
    unit = enrollment.unit
    officer = enrollment.received_by
    by_post = enrollment.return_method == Enrollment.ReturnMethod.POST
    return SlipData(
        dossier_code=enrollment.code or "",
        unit_name=unit.name,
        parent_unit_name=unit.parent.name if unit.parent else "",
        place=enrollment.session.venue.name if enrollment.session else "",
        full_name=enrollment.person.full_name,
        personal_id=enrollment.person.personal_id,
        birth_date=_birth(enrollment),
        kind=_KIND_VI[Kind(enrollment.kind)],
        fee=enrollment.fee,
        exemption=enrollment.exemption.name if enrollment.exemption else "",
        received_at=timezone.localtime(enrollment.received_at),
        return_date=enrollment.return_date,  # type: ignore[arg-type]
        return_method="Gửi qua bưu chính" if by_post else "Nhận tại cơ quan Công an",
        post_address=enrollment.post_address if by_post else "",
        return_office=unit.name,
        status_url=status_url,
        officer_name=(officer.get_full_name() or officer.get_username()) if officer else "",
        ticket_number=enrollment.ticket.display if enrollment.ticket else "",
    )


# ---------------------------------------------------------------- closing the session


@dataclass
class SessionCounts:
    served: int = 0
    received: int = 0
    no_shows: int = 0
    handed_on: int = 0
    unserved: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)


def session_counts(session: Session) -> SessionCounts:
    """The evening in figures: numbers served, dossiers received by group and kind, no-shows."""
    states = Counter(Ticket.objects.filter(session=session).values_list("state", flat=True))
    received = Enrollment.objects.filter(session=session).exclude(
        state__in=[Enrollment.State.DRAFT, Enrollment.State.CANCELLED]
    )
    by_group = Counter(received.values_list("group__name", flat=True))
    by_kind = Counter(received.values_list("kind", flat=True))
    return SessionCounts(
        served=states[Ticket.State.DONE],
        received=received.count(),
        no_shows=states[Ticket.State.SKIPPED],
        handed_on=states[Ticket.State.MOVED],
        unserved=states[Ticket.State.UNSERVED],
        by_group={str(k or _("no group")): v for k, v in by_group.most_common()},
        by_kind={str(Kind(k).label): v for k, v in by_kind.most_common()},
    )


@dataclass
class NumbersLeft:
    """The numbers still waiting or skipped: what closing hands on or marks not served."""

    count: int = 0
    by_group: dict[str, int] = field(default_factory=dict)
    numbers: list[str] = field(default_factory=list)
    at_desks: list[tuple[str, int]] = field(default_factory=list)  # (number, desk): close waits


def numbers_left(session: Session) -> NumbersLeft:
    left = list(
        Ticket.objects.filter(session=session, state__in=tickets.LEFT_AT_CLOSE)
        .select_related("group")
        .order_by("line_at", "number")
    )
    by_group = Counter(t.group.name if t.group else _("no group") for t in left)
    at_desks = Ticket.objects.filter(session=session, state__in=tickets.AT_DESK, desk__isnull=False)
    return NumbersLeft(
        count=len(left),
        by_group=dict(by_group.most_common()),
        numbers=[t.display for t in left],
        at_desks=[
            (t.display, t.desk.number)
            for t in at_desks.select_related("desk")
            if t.desk is not None
        ],
    )
