"""What the intake desk decides from the register, the reference tables and the dossier, before
anything is written: the kind a person's card points to, the fee, the return date, which captures
are due and which are still missing, and why a person cannot have a new dossier now (the duplicate
guard, eligibility). The pure rules are `cccd.core`'s (`kinds`, `deadlines`, `validity`); these add
the tables (fees, holidays, deadline areas) and the dossiers already open.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.accounts.scoping import ancestor_paths
from cccd.campaigns.models import PriorityGroup, Venue
from cccd.core import deadlines, validity
from cccd.enrollments import errors
from cccd.enrollments.intake import kinds, thresholds
from cccd.enrollments.models import (
    DEADLINE_KIND,
    Artefact,
    DeadlineArea,
    Enrollment,
    Fee,
    FeeExemption,
    Holiday,
    Kind,
)
from cccd.errors import DomainError, ErrorCode
from cccd.registry.models import Person
from cccd.registry.open_applications import Answers
from cccd.tickets import services as tickets
from cccd.tickets.models import Ticket
from cccd.units.models import Unit

FINGERS = range(1, 11)  # ISO 19794 finger positions 1–10: right thumb … left little finger
IRISES = (1, 2)  # 1 right eye, 2 left eye
FINGER_NAMES = {
    1: gettext_lazy("right thumb"),
    2: gettext_lazy("right index finger"),
    3: gettext_lazy("right middle finger"),
    4: gettext_lazy("right ring finger"),
    5: gettext_lazy("right little finger"),
    6: gettext_lazy("left thumb"),
    7: gettext_lazy("left index finger"),
    8: gettext_lazy("left middle finger"),
    9: gettext_lazy("left ring finger"),
    10: gettext_lazy("left little finger"),
}
"""The fingers by their ISO/IEC 19794-4 positions, as the officer calls them (ngón cái phải …)."""
IRIS_NAMES = {1: gettext_lazy("right eye"), 2: gettext_lazy("left eye")}


def suggest_kind(person: Person, today: datetime.date, law: str) -> str:
    """The kind a person's register entry points to (`cccd.core.kinds.suggest`); the officer
    confirms or changes it. First issue when nothing is possible: the screen says why."""
    return kinds.suggest(person, law, today) or Kind.FIRST_ISSUE


def quote_fee(kind: str, day: datetime.date, exemption: FeeExemption | None) -> int:
    """The fee in đồng on `day`: nothing when exempted, else the reference table's amount for the
    kind (callers check first that the person's card and age allow it: `kinds.require_kind`)."""
    if exemption is not None:
        return 0
    fee = (
        Fee.objects.filter(kind=kind, valid_from__lte=day)
        .exclude(valid_to__lt=day)
        .order_by("-valid_from")
        .first()
    )
    if fee is None:
        raise errors.NO_FEE(kind=Kind(kind).label, date=f"{day:%d/%m/%Y}")
    return fee.amount


_CITY_TYPES = ("thành phố", "thị xã", "quận")


def deadline_area(unit: Unit) -> str:
    """The 2014 law's area for a unit's dossiers: the nearest listed `DeadlineArea` up the unit's
    tree (police or administrative mirror), else a city/town by the district's division type."""
    prefixes = {
        unit.path,
        unit.mirror_path,
        *ancestor_paths(unit.path),
        *ancestor_paths(unit.mirror_path),
    }
    listed = DeadlineArea.objects.filter(unit=OuterRef("pk")).values("area")[:1]
    rows = list(  # the units up the tree with their listed area, if any: one query for both rules
        Unit.objects.filter(path__in=prefixes)
        .annotate(listed=Subquery(listed))
        .order_by("-path")
        .values_list("category", "division_type", "listed")
    )
    for _category, _type, area in rows:
        if area is not None:  # the nearest listed unit
            return str(area)
    types = [t.lower() for category, t, _area in rows if category == Unit.Category.ADMIN]
    return "city_town" if any(t.startswith(_CITY_TYPES) for t in types) else "other"


def compute_return_date(enrollment: Enrollment, complete: datetime.date) -> datetime.date:
    """The last working day the law allows, counting the editable holidays table."""
    days = deadlines.working_days_allowed(
        law=enrollment.law,  # type: ignore[arg-type]
        area=deadline_area(enrollment.unit),  # type: ignore[arg-type]
        kind=DEADLINE_KIND[Kind(enrollment.kind)],  # type: ignore[arg-type]
    )
    horizon = complete + datetime.timedelta(days=days * 3 + 60)
    holidays = set(
        Holiday.objects.filter(date__gt=complete, date__lte=horizon).values_list("date", flat=True)
    )
    return deadlines.add_working_days(complete, days, holidays)


def biometrics_due(law: str, birth_date: datetime.date, today: datetime.date) -> tuple[bool, bool]:
    """(fingerprints, iris): under the 2023 law a child under 6 gives none, iris from 6 on;
    the 2014 law took no iris (docs/domain.md#procedure)."""
    if law == "2023":
        grown = validity.age_on(birth_date, today) >= 6
        return grown, grown
    return True, False


def _due(enrollment: Enrollment, today: datetime.date) -> tuple[bool, bool]:
    return biometrics_due(enrollment.law, enrollment.person.birth_date, today)


def default_group(ticket: Ticket) -> PriorityGroup | None:
    """The ticket's group, else students for a school's list, else the general public."""
    if ticket.group_id:
        return ticket.group
    venue_kind = ticket.session.venue.kind
    code = "student" if ticket.roster_entry_id and venue_kind == Venue.Kind.SCHOOL else "general"
    return PriorityGroup.objects.filter(code=code, is_active=True).first()


@dataclass
class Problem:
    """Why a person cannot have a new dossier now, for the screen to show before anything is done."""

    error: ErrorCode
    params: dict[str, object] = field(default_factory=dict)

    def raise_(self) -> None:
        raise self.error(**self.params)


def open_application_problem(person: Person, ticket: Ticket | None = None) -> Problem | None:
    """The duplicate guard: another dossier of this person that is open (received and not yet
    delivered, rejected or cancelled — the states the database's `one_open_application_per_person`
    forbids twice), or a draft being taken at a desk right now. A draft left on a number that is
    no longer at a desk does not count: it is stale, and `start_intake` cancels it. The desk asks
    with its own number (`ticket`, whose draft is not "another"); the door and the lists ask
    through `cccd.registry.open_applications` (see `ANSWERS`)."""
    others = Enrollment.objects.filter(person=person).exclude(state__in=Enrollment.CLOSED_STATES)
    if ticket is not None:
        others = others.exclude(ticket=ticket)
    for other in others.select_related("ticket__desk").order_by("created_at"):
        if other.state != Enrollment.State.DRAFT:
            when = timezone.localtime(other.received_at or other.created_at)
            return Problem(
                errors.OPEN_APPLICATION,
                {
                    "name": person.full_name,
                    "code": other.code,
                    "state": other.get_state_display().lower(),
                    "date": f"{when:%d/%m/%Y}",
                },
            )
        held = other.ticket
        desk = held.desk if held is not None else None
        if held is not None and desk is not None and held.state in tickets.AT_DESK:
            return Problem(
                errors.BEING_TAKEN,
                {"name": person.full_name, "desk": desk.number, "number": held.display},
            )
    return None


def door_problem(person: Person) -> DomainError | None:
    """The guard as the queue's door asks it (a walk-in), as the error to refuse with."""
    problem = open_application_problem(person)
    return None if problem is None else problem.error(**problem.params)


def open_applicants(person_ids: Sequence[int], except_session_id: int | None) -> set[int]:
    """People with a dossier received and not yet delivered, rejected or cancelled, other than one
    taken at session `except_session_id` (a list row's own intake): the lists' flag."""
    person_ids = list(person_ids)
    found: set[int] = set()
    for start in range(0, len(person_ids), 5000):
        dossiers = Enrollment.objects.filter(person_id__in=person_ids[start : start + 5000])
        dossiers = dossiers.exclude(state__in=[Enrollment.State.DRAFT, *Enrollment.CLOSED_STATES])
        if except_session_id is not None:
            dossiers = dossiers.exclude(session_id=except_session_id)
        found.update(dossiers.values_list("person_id", flat=True))
    return found


ANSWERS = Answers(holders=open_applicants, problem=door_problem)
"""What the dossiers answer the lists and the queue (registered by `EnrollmentsConfig.ready()`)."""


def eligibility_problem(person: Person, law: str, today: datetime.date) -> Problem | None:
    """No kind of application is possible for the person today (under 14 under the 2014 law):
    the screen says why and from when, before anything is captured."""
    if kinds.suggest(person, law, today) is not None:
        return None
    return Problem(
        errors.NOT_ELIGIBLE,
        {"name": person.full_name, "why": kinds.first_refusal(person, law, today)},
    )


def missing_captures(enrollment: Enrollment, today: datetime.date) -> list[str]:
    """What the intake still lacks, in words for the officer (empty when it can be finished)."""
    taken = {(a.kind, a.slot) for a in enrollment.artefacts.all()}
    fingers_due, iris_due = _due(enrollment, today)
    missing = []
    if (Artefact.Kind.PHOTO, 0) not in taken:
        missing.append(_("the photo"))
    if fingers_due:
        lacking = [n for n in FINGERS if (Artefact.Kind.FINGERPRINT, n) not in taken]
        if lacking:
            if len(lacking) == len(FINGERS):
                missing.append(_("the ten fingerprints"))
            else:
                names = ", ".join(str(FINGER_NAMES[n]) for n in lacking)
                missing.append(_("fingerprints: %(slots)s") % {"slots": names})
    if iris_due:
        lacking = [n for n in IRISES if (Artefact.Kind.IRIS, n) not in taken]
        if lacking:
            missing.append(_("iris %(slots)s") % {"slots": ", ".join(map(str, lacking))})
    if (Artefact.Kind.SIGNATURE, 0) not in taken:
        missing.append(_("the signature"))
    retakes = retakes_due(enrollment)
    if retakes:
        missing.append(_("a retake (quality below the threshold): %(slots)s") % {"slots": retakes})
    return missing


def retakes_due(enrollment: Enrollment) -> str:
    """The fingers and irises below their threshold that have not had their tries yet, named."""
    names = []
    for artefact in enrollment.artefacts.all():
        if artefact.sha256 and thresholds.retake_due(artefact.kind, artefact.quality):
            table = FINGER_NAMES if artefact.kind == Artefact.Kind.FINGERPRINT else IRIS_NAMES
            names.append(str(table.get(artefact.slot, artefact.slot)))
    return ", ".join(names)
