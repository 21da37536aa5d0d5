"""What each student of a school's list must bring to the session, in one plain sentence.

The pre-check speaks to officers (outcomes, flags, candidates); the school's liaison passes its
result on to pupils and parents, who need to know one thing: what to bring, or that nothing is
needed but to come at the class's time. A row the officer decided on is told by the decision.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from cccd.core import names
from cccd.registry.models import Person
from cccd.rosters.models import Decision, Flag, Outcome, RosterEntry


def sentences(entries: Iterable[RosterEntry]) -> dict[int, str]:
    """Each row's sentence by row id; the register's candidates of the doubtful rows are read in
    one query, to say which of the name or the birth date differs."""
    entries = list(entries)
    wanted = [p for e in entries if _is_doubtful(e) and (p := _top_candidate(e)) is not None]
    people = Person.objects.in_bulk(wanted)
    return {e.pk: what_to_bring(e, people.get(_top_candidate(e) or 0)) for e in entries}


def what_to_bring(entry: RosterEntry, candidate: Person | None = None) -> str:
    """The sentence for one row; `candidate` is the register's closest person of a doubtful row."""
    if entry.outcome == Outcome.UNREADABLE:
        return _("The row could not be read: correct the name or date of birth and send the list.")
    if entry.outcome == Outcome.PENDING:
        return _("Not checked yet: look again later.")
    if Flag.NOT_ELIGIBLE in entry.flags:
        return _("Not of age on the session day: does not come.")
    if Flag.VALID_CARD in entry.flags:
        return _("Already holds a valid card: does not need to come.")
    if Flag.DUPLICATE_ROW in entry.flags:
        return _("Listed twice: comes once only, at the first number.")
    if entry.decision == Decision.PICKED or (
        entry.outcome == Outcome.MATCHED and not entry.decision
    ):
        return _("Nothing to bring: come at the class's time.")
    if entry.decision or entry.outcome == Outcome.NOT_FOUND:
        return _(
            "Bring the birth certificate and the household registration book: "
            "not found in the register."
        )
    if entry.outcome == Outcome.AMBIGUOUS:
        return _("Bring the birth certificate: several people in the register have these details.")
    return _differs(entry, candidate)


def _differs(entry: RosterEntry, candidate: Person | None) -> str:
    name = candidate is not None and names.fold(entry.full_name) != candidate.name_folded
    born = candidate is not None and _birth_differs(entry, candidate)
    if name and not born:
        return _("Bring the birth certificate: the full name differs from the household register.")
    if born and not name:
        return _(
            "Bring the birth certificate: the date of birth differs from the household register."
        )
    return _(
        "Bring the birth certificate: the name or date of birth differs from the household "
        "register."
    )


def _birth_differs(entry: RosterEntry, person: Person) -> bool:
    if entry.birth_date and person.birth_date_precision == "day":
        return entry.birth_date != person.birth_date
    year = entry.birth_year or (entry.birth_date.year if entry.birth_date else 0)
    return year != person.birth_year


def _is_doubtful(entry: RosterEntry) -> bool:
    return entry.outcome == Outcome.REVIEW and not entry.decision


def _top_candidate(entry: RosterEntry) -> int | None:
    """The register's most likely person for the row (the candidates come best first)."""
    for candidate in entry.candidates or ():
        person = candidate.get("person") if isinstance(candidate, dict) else None
        if isinstance(person, int):
            return person
    return None
