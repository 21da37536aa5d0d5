"""Who already has an application open: asked by the lists and the queue, answered by the dossiers.

The pre-check shows "already has an open application" beside a row, and the door refuses such a
person a number; but the lists (`cccd.rosters`) and the queue (`cccd.tickets`) come before the
dossiers in the campaign's flow, so they may not import `cccd.enrollments`. They ask here, about
people of the register, and `cccd.enrollments` answers: `EnrollmentsConfig.ready()` calls
`answer_with`. Asking before anyone answers is an error, not "nobody": a missing answer must not
let a second application through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cccd.errors import DomainError
from cccd.registry.models import Person


@dataclass(frozen=True)
class Answers:
    holders: Callable[[Sequence[int], int | None], set[int]]
    """The people among these ids with a dossier received and still open, other than one taken
    at the session of the given id (the row's own intake)."""
    problem: Callable[[Person], DomainError | None]
    """Why the person may not open another application now (an open dossier, or one being taken
    at a desk), or None."""


_answers: list[Answers] = []


def answer_with(answers: Answers) -> None:
    """Called once the dossiers are loaded; a second call replaces the first."""
    _answers[:] = [answers]


def _answered() -> Answers:
    if not _answers:
        raise RuntimeError("No app answers for open applications: is cccd.enrollments installed?")
    return _answers[0]


def holders(person_ids: Sequence[int], *, except_session_id: int | None = None) -> set[int]:
    """The people among `person_ids` with a dossier received and not yet delivered, rejected or
    cancelled, other than one taken at session `except_session_id`."""
    return _answered().holders(person_ids, except_session_id)


def problem(person: Person) -> DomainError | None:
    """Why `person` may not open an application now, or None: the desk's duplicate guard."""
    return _answered().problem(person)
