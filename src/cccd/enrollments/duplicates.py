"""The duplicate guard, for the lists and the queue: one open application per person.

The lists' pre-check and the door's walk-in ask `cccd.registry.open_applications` (they come
before the dossiers in the campaign's flow and may not import them); these functions answer,
registered by `EnrollmentsConfig.ready()`. The desk's own guard is `services.open_application_problem`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone

from cccd.enrollments import errors as intake_errors
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.registry.open_applications import Answers
from cccd.tickets.services import AT_DESK


def holders(person_ids: Sequence[int], except_session_id: int | None) -> set[int]:
    """People with a dossier received and not yet delivered, rejected or cancelled, other than one
    taken at session `except_session_id` (the row's own intake): the desk would refuse them a
    second one."""
    person_ids = list(person_ids)
    found: set[int] = set()
    for start in range(0, len(person_ids), 5000):
        dossiers = Enrollment.objects.filter(person_id__in=person_ids[start : start + 5000])
        dossiers = dossiers.exclude(state__in=[Enrollment.State.DRAFT, *Enrollment.CLOSED_STATES])
        if except_session_id is not None:
            dossiers = dossiers.exclude(session_id=except_session_id)
        found.update(dossiers.values_list("person_id", flat=True))
    return found


def problem(person: Person) -> DomainError | None:
    """The desk's duplicate guard at the door: an open dossier (received, not yet delivered,
    rejected or cancelled) — the same states the database's `one_open_application_per_person`
    forbids twice; or a draft being taken at a desk right now. A draft left on a number no longer
    at a desk is stale and is no reason (the desk cancels it)."""
    dossiers = (
        Enrollment.objects.filter(person=person)
        .exclude(state__in=Enrollment.CLOSED_STATES)
        .select_related("ticket__desk")
        .order_by("created_at")
    )
    for dossier in dossiers:
        if dossier.state != Enrollment.State.DRAFT:
            when = timezone.localtime(dossier.received_at or dossier.created_at)
            return intake_errors.OPEN_APPLICATION(name=person.full_name, code=dossier.code,
                                                  state=dossier.get_state_display().lower(),
                                                  date=f"{when:%d/%m/%Y}")  # fmt: skip
        ticket = dossier.ticket
        if ticket is not None and ticket.state in AT_DESK and ticket.desk is not None:
            return intake_errors.BEING_TAKEN(name=person.full_name, desk=ticket.desk.number,
                                             number=ticket.display)  # fmt: skip
    return None


ANSWERS = Answers(holders=holders, problem=problem)
