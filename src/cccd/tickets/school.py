"""A school's session seen class by class: each student's number and time, and what to bring.

The liaison passes it on to the classes (on screen, or printed per class the day before); the
rows are those of the session's current lists, the numbers those handed out in advance.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Session
from cccd.errors import NOT_FOUND
from cccd.rosters.bring import sentences
from cccd.rosters.models import RosterEntry
from cccd.tickets.models import Ticket
from cccd.tickets.queries import get_session
from cccd.tickets.services import class_key


@dataclass(frozen=True)
class Student:
    name: str
    number: str  # "0012", or "" before the numbers are handed out
    slot: datetime.datetime | None
    bring: str


@dataclass
class SchoolClass:
    name: str
    students: list[Student] = field(default_factory=list)

    @property
    def slot(self) -> datetime.datetime | None:
        """The class's time: the earliest slot among its numbers."""
        return min((s.slot for s in self.students if s.slot is not None), default=None)


def school_session(user: User, session_id: int) -> Session:
    """The session, if in the user's unit and, for a liaison, at their own venue: another
    school's session is not found (its existence is none of their business)."""
    session = get_session(user, session_id)
    if user.role == Role.LIAISON and session.venue.liaison_id != user.pk:
        raise NOT_FOUND()
    return session


def school_classes(session: Session) -> list[SchoolClass]:
    """The students of the session's current lists by class, in class order, each class in the
    order of its numbers (rows without a number after, in list order)."""
    entries = list(
        RosterEntry.objects.filter(roster__session=session, roster__is_current=True).order_by(
            "roster_id", "row"
        )
    )
    tickets = {
        t.roster_entry_id: t
        for t in Ticket.objects.filter(
            session=session, kind=Ticket.Kind.ADVANCE, roster_entry__in=entries
        )
    }
    said = sentences(entries)
    classes: dict[str, SchoolClass] = {}
    for entry in sorted(entries, key=lambda e: _line(tickets.get(e.pk))):
        ticket = tickets.get(entry.pk)
        name = " ".join(entry.class_name.split())
        classes.setdefault(name, SchoolClass(name)).students.append(
            Student(
                name=entry.full_name,
                number=ticket.display if ticket else "",
                slot=ticket.slot_start if ticket else None,
                bring=said[entry.pk],
            )
        )
    return sorted(classes.values(), key=lambda c: class_key(c.name))


def _line(ticket: Ticket | None) -> int:
    return ticket.number if ticket is not None else 10**9  # stable sort keeps the list order


def one_class(session: Session, name: str) -> SchoolClass:
    for school_class in school_classes(session):
        if school_class.name == " ".join(name.split()):
            return school_class
    raise NOT_FOUND()
