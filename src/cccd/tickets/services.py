"""What team leaders and officers do with a session's queue: hand out numbers, call, skip, recall,
send on, finish.

Every change locks the session's `SessionQueue` row first, so changes to one queue happen one at a
time: `select_for_update` on PostgreSQL; on SQLite the project's IMMEDIATE transactions take the
database's write lock at BEGIN, which serialises writers the same way. Two desks pressing "next" at
the same instant therefore never get the same number.

The priority rule: a desk first takes numbers sent to it from another desk; then numbers of groups
served first (`PriorityGroup.served_first`, in `PriorityGroup.priority` order, then by their place
in line), but never more than `PRIORITY_RUN` of them in a row while a regular number waits — the
next call then takes the regular number that has waited longest. Regular numbers are thus never
starved: with K = 3, at least one call in every four serves the regular line.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cccd.accounts.audit import record, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import DESK, ISSUE
from cccd.accounts.scoping import get_visible, unit_q
from cccd.campaigns.models import PriorityGroup, Session
from cccd.errors import NOT_FOUND, DomainError
from cccd.registry import open_applications
from cccd.registry.models import Person
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.tickets import errors, events
from cccd.tickets.models import Desk, SessionQueue, Ticket

PRIORITY_RUN = 3  # K: at most this many priority calls in a row while a regular number waits
AT_DESK = (Ticket.State.CALLED, Ticket.State.SERVING)
LEFT_AT_CLOSE = (Ticket.State.WAITING, Ticket.State.SKIPPED)  # handed on or marked not served
_STATE_FIELDS = ("state", "desk", "called_at", "calls", "done_at")


def running(session: Session) -> None:
    """Refuse any change to the queue of a closed or cancelled session."""
    if session.state in Session.ENDED:
        raise errors.SESSION_NOT_RUNNING()


def lock_queue(session: Session) -> SessionQueue:
    """Take the session's queue lock (creating the queue and its desks on first use, and the desks
    added since when the session's desk count grew)."""
    queue = SessionQueue.objects.select_for_update().filter(pk=session.pk).first()
    if queue is None:
        SessionQueue.objects.get_or_create(session=session)
        queue = SessionQueue.objects.select_for_update().get(pk=session.pk)
    if queue.desks_made < session.desks:
        Desk.objects.bulk_create(
            [Desk(session=session, number=n) for n in range(1, session.desks + 1)],
            ignore_conflicts=True,
        )
        queue.desks_made = session.desks
        queue.save(update_fields=["desks_made"])
    return queue


def open_queue(session_id: int, *, actor: User) -> Session:
    """The session, with its queue row and desks in place (read paths call this before showing)."""
    session = get_visible(
        actor, Session.objects.select_related("venue", "campaign", "unit"), pk=session_id
    )
    if not SessionQueue.objects.filter(pk=session.pk, desks_made__gte=session.desks).exists():
        with transaction.atomic():
            lock_queue(session)
    return session


def _desk(desk_id: int, *, actor: User) -> tuple[Desk, SessionQueue]:
    """The desk, read once its session's queue is locked; the queue, locked. The lock is taken
    through the desk, in one query, once the queue and its desks are made (else as `lock_queue`
    makes them); a desk the user may not see is the same 404 either way."""
    require_permission(actor, DESK)
    queue = (
        SessionQueue.objects.select_for_update(of=("self",))
        .filter(unit_q(actor, "session__unit"), session__queue_desks__pk=desk_id)
        .filter(desks_made__gte=F("session__desks"))
        .first()
    )
    if queue is not None:
        desk = Desk.objects.select_related("session__unit").get(pk=desk_id)
        running(desk.session)
        return desk, queue
    desk = get_visible(actor, Desk.objects.select_related("session__unit"), pk=desk_id)
    running(desk.session)
    queue = lock_queue(desk.session)
    session = desk.session
    desk.refresh_from_db(fields=["officer_id", "is_open"])  # as it is now that the queue is ours
    desk.session = session  # the refresh must not drop it (its unit names the audit rows)
    return desk, queue


def _ticket_for(desk: Desk, ticket_id: int, *, actor: User) -> Ticket:
    """The ticket, its row locked too: an intake at a desk locks only the ticket (see
    `cccd.enrollments.intake.services`), and a change here must see what that intake committed."""
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("group")
    ticket = get_visible(actor, locked, pk=ticket_id)
    if ticket.session_id != desk.session_id:
        raise errors.OTHER_SESSION()
    return ticket


def _audit(
    action: str, ticket: Ticket, before: dict[str, Any], *, actor: User, **extra: object
) -> None:
    record(
        action,
        actor=actor,
        unit=ticket.session.unit,
        obj=ticket,
        before=before,
        after=snapshot(ticket, _STATE_FIELDS) | extra,
    )


@transaction.atomic
def open_desk(desk_id: int, *, actor: User) -> Desk:
    """An officer sits down at a desk; the desk counts as open for the wait estimate, and the
    session is under way (planned → open) even if the team starts before the hour.

    One officer holds one desk at a time: a desk of this session or of another whose hours overlap
    (they cannot sit at two halls at once) is refused until they close it; a desk left open at a
    session whose hours do not overlap is not in the way. A desk another officer holds is refused
    too: the team leader closes it first. Two requests of one officer at once (two tabs, two
    sessions) queue on the officer's row, so the second sees the first.
    """
    desk, _queue = _desk(desk_id, actor=actor)
    if desk.is_open and desk.officer_id == actor.pk:
        return desk
    if desk.is_open and desk.officer_id is not None:
        raise errors.DESK_TAKEN(desk=desk.number)
    User.objects.select_for_update().filter(pk=actor.pk).first()  # after the queue: one lock order
    held = _desk_held_elsewhere(desk, actor)
    if held is not None:
        raise errors.OFFICER_AT_ANOTHER_DESK(
            desk=held.number, venue=held.session.venue.name, when=held.session.hours
        )
    before = snapshot(desk, ("officer", "is_open"))
    desk.officer, desk.is_open = actor, True
    desk.save(update_fields=["officer", "is_open"])
    record(
        "desk.open",
        actor=actor,
        unit=desk.session.unit,
        obj=desk,
        before=before,
        after=snapshot(desk, ("officer", "is_open")),
    )
    session = desk.session
    if Session.objects.filter(pk=session.pk, state=Session.State.PLANNED).update(
        state=Session.State.OPEN
    ):
        record(
            "session.open",
            actor=actor,
            unit=session.unit,
            obj=session,
            before={"state": "planned"},
            after={"state": "open", "desk": desk.number},
        )
    return desk


def _desk_held_elsewhere(desk: Desk, officer: User) -> Desk | None:
    session = desk.session
    overlapping = Q(session__starts_at__lt=session.ends_at, session__ends_at__gt=session.starts_at)
    return (
        Desk.objects.filter(overlapping, officer=officer, is_open=True)
        .exclude(pk=desk.pk)
        .exclude(session__state__in=Session.ENDED)
        .select_related("session__venue")
        .order_by("session__starts_at", "number")
        .first()
    )


@transaction.atomic
def close_desk(desk_id: int, *, actor: User) -> Desk:
    desk, _queue = _desk(desk_id, actor=actor)
    current = Ticket.objects.filter(desk=desk, state__in=AT_DESK).first()
    if current is not None:
        raise errors.DESK_BUSY(desk=desk.number, number=current.display)
    before = snapshot(desk, ("officer", "is_open"))
    desk.is_open = False
    desk.save(update_fields=["is_open"])
    # numbers sent to this desk go back to the common line
    Ticket.objects.filter(desk=desk, state=Ticket.State.WAITING).update(desk=None)
    record(
        "desk.close",
        actor=actor,
        unit=desk.session.unit,
        obj=desk,
        before=before,
        after=snapshot(desk, ("officer", "is_open")),
    )
    return desk


def _next_for(desk: Desk, queue: SessionQueue) -> Ticket | None:
    """The number this desk takes now by the priority rule; moves the queue's priority run. Three
    small queries, each served by an index, rather than one that ranks the whole line: this runs
    under the queue's lock, and a line of thousands would be sorted at every call."""
    waiting = Ticket.objects.filter(session_id=desk.session_id, state=Ticket.State.WAITING)
    sent_here = waiting.filter(desk=desk).order_by("line_at", "number").first()
    if sent_here is not None:
        return sent_here
    free = waiting.filter(desk__isnull=True)
    priority = (
        free.filter(group__served_first=True)
        .order_by("group__priority", "line_at", "number")
        .first()
    )
    regular = (
        free.filter(Q(group__isnull=True) | Q(group__served_first=False))
        .order_by("line_at", "number")
        .first()
    )
    if priority is not None and (regular is None or queue.priority_run < PRIORITY_RUN):
        queue.priority_run += 1
        return priority
    if regular is not None:
        queue.priority_run = 0
    return regular


@transaction.atomic
def call_next(desk_id: int, *, actor: User) -> Ticket:
    """Call the next number to this desk by the priority rule (see the module's docstring)."""
    desk, queue = _desk(desk_id, actor=actor)
    if not desk.is_open:
        raise errors.DESK_NOT_OPEN(desk=desk.number)
    current = Ticket.objects.filter(desk=desk, state__in=AT_DESK).first()
    if current is not None:  # a double click, or another tab: refuse, change nothing
        raise errors.DESK_BUSY(desk=desk.number, number=current.display)
    run = queue.priority_run
    ticket = _next_for(desk, queue)
    if ticket is None:
        raise errors.QUEUE_EMPTY()
    if queue.priority_run != run:
        queue.save(update_fields=["priority_run"])
    ticket.session = desk.session  # the same session (`_next_for`), loaded: none read for the audit
    before = snapshot(ticket, _STATE_FIELDS)
    ticket.state, ticket.desk, ticket.called_at = Ticket.State.CALLED, desk, timezone.now()
    ticket.calls += 1
    ticket.save(update_fields=["state", "desk", "called_at", "calls"])
    _audit("ticket.call", ticket, before, actor=actor)
    events.emit(events.NumberCalled(ticket))
    return ticket


def _at_desk(desk: Desk, ticket: Ticket) -> None:
    if ticket.state not in AT_DESK:
        raise errors.WRONG_STATE(number=ticket.display, state=ticket.get_state_display().lower())
    if ticket.desk_id != desk.pk:
        raise errors.NOT_AT_YOUR_DESK(number=ticket.display)


@transaction.atomic
def finish_ticket(desk_id: int, ticket_id: int, *, actor: User) -> Ticket:
    """The person at the desk has been served without a dossier (not eligible, only asking).
    An intake finishes its number through `complete_ticket`."""
    desk, _queue = _desk(desk_id, actor=actor)
    ticket = _ticket_for(desk, ticket_id, actor=actor)
    _at_desk(desk, ticket)
    return complete_ticket(ticket, actor=actor)


def serve_ticket(ticket: Ticket, *, actor: User) -> Ticket:
    """The number's intake has opened (the caller holds the ticket's row lock)."""
    if ticket.state != Ticket.State.CALLED:
        return ticket
    before = snapshot(ticket, _STATE_FIELDS)
    ticket.state = Ticket.State.SERVING
    ticket.save(update_fields=["state"])
    _audit("ticket.serve", ticket, before, actor=actor)
    return ticket


def complete_ticket(ticket: Ticket, *, actor: User) -> Ticket:
    """The number is done (the caller holds the ticket's row lock and checked it is at a desk)."""
    before = snapshot(ticket, _STATE_FIELDS)
    ticket.state, ticket.done_at = Ticket.State.DONE, timezone.now()
    ticket.save(update_fields=["state", "done_at"])
    _audit("ticket.finish", ticket, before, actor=actor)
    return ticket


def close_queue(session: Session, *, actor: User, hand_on_to: Session | None) -> int:
    """The numbers still waiting or skipped when the session closes: handed on to `hand_on_to`
    in their order (new numbers there, after its own), or marked not served. Returns how many
    were handed on. The caller holds this session's queue lock and has checked no desk is busy."""
    left = list(
        Ticket.objects.filter(session=session, state__in=LEFT_AT_CLOSE).order_by(
            "line_at", "number"
        )
    )
    if hand_on_to is None:
        Ticket.objects.filter(pk__in=[t.pk for t in left]).update(
            state=Ticket.State.UNSERVED, desk=None
        )
        record(
            "ticket.close",
            actor=actor,
            unit=session.unit,
            obj=session,
            after={"unserved": [t.number for t in left]},
        )
        return 0
    queue = lock_queue(hand_on_to)
    now, moved = timezone.now(), []
    for old in left:
        queue.last_number += 1
        moved.append(
            Ticket(
                session=hand_on_to,
                number=queue.last_number,
                kind=Ticket.Kind.ADVANCE,
                roster_entry_id=old.roster_entry_id,
                person_id=old.person_id,
                class_name=old.class_name,
                group_id=old.group_id,
                notify_channel=old.notify_channel,  # still told when the new number is near
                notify_address=old.notify_address,
                line_at=hand_on_to.starts_at,
                issued_at=now,
                issued_by=actor,
            )
        )
    Ticket.objects.bulk_create(moved, batch_size=1000)
    queue.save(update_fields=["last_number"])
    Ticket.objects.filter(pk__in=[t.pk for t in left]).update(state=Ticket.State.MOVED, desk=None)
    record(
        "ticket.hand_on",
        actor=actor,
        unit=session.unit,
        obj=session,
        after={
            "to_session": hand_on_to.pk,
            "numbers": [[o.number, n.number] for o, n in zip(left, moved, strict=True)],
        },
    )
    return len(moved)


@transaction.atomic
def skip_ticket(desk_id: int, ticket_id: int, *, actor: User) -> Ticket:
    """Nobody came to the desk: the number leaves the line until it is recalled."""
    desk, _queue = _desk(desk_id, actor=actor)
    ticket = _ticket_for(desk, ticket_id, actor=actor)
    _at_desk(desk, ticket)
    before = snapshot(ticket, _STATE_FIELDS)
    ticket.state, ticket.desk = Ticket.State.SKIPPED, None
    ticket.save(update_fields=["state", "desk"])
    _audit("ticket.skip", ticket, before, actor=actor)
    return ticket


@transaction.atomic
def recall_ticket(desk_id: int, ticket_id: int, *, actor: User) -> Ticket:
    """Call a number at this desk again (the board announces it again); a skipped number goes back
    in line at the place its slot or arrival gave it."""
    desk, _queue = _desk(desk_id, actor=actor)
    ticket = _ticket_for(desk, ticket_id, actor=actor)
    before = snapshot(ticket, _STATE_FIELDS)
    if ticket.state == Ticket.State.SKIPPED:
        ticket.state = Ticket.State.WAITING
        ticket.save(update_fields=["state"])
    else:
        _at_desk(desk, ticket)
        ticket.called_at = timezone.now()
        ticket.calls += 1
        ticket.save(update_fields=["called_at", "calls"])
    _audit("ticket.recall", ticket, before, actor=actor)
    return ticket


@transaction.atomic
def transfer_ticket(desk_id: int, ticket_id: int, to_desk_id: int, *, actor: User) -> Ticket:
    """Send the number at this desk to another desk of the session. If that desk is open and free
    the number is called there at once; otherwise it waits for that desk, ahead of the line."""
    desk, _queue = _desk(desk_id, actor=actor)
    ticket = _ticket_for(desk, ticket_id, actor=actor)
    target = get_visible(actor, Desk.objects.all(), pk=to_desk_id)
    if target.session_id != desk.session_id:
        raise errors.OTHER_SESSION()
    _at_desk(desk, ticket)
    if target.pk == desk.pk:
        raise errors.SAME_DESK(desk=desk.number)
    before = snapshot(ticket, _STATE_FIELDS)
    free = target.is_open and not Ticket.objects.filter(desk=target, state__in=AT_DESK).exists()
    ticket.desk = target
    if free:
        ticket.state, ticket.called_at = Ticket.State.CALLED, timezone.now()
        ticket.calls += 1
    else:
        ticket.state = Ticket.State.WAITING
    ticket.save(update_fields=["state", "desk", "called_at", "calls"])
    _audit(
        "ticket.transfer", ticket, before, actor=actor, from_desk=desk.number, to_desk=target.number
    )
    return ticket


@transaction.atomic
def issue_walk_in(
    session_id: int,
    *,
    actor: User,
    group_id: int | None = None,
    person_id: int | None = None,
    contact: tuple[str, str] = ("", ""),
) -> Ticket:
    """A number at the door, for a group (or none: a regular number) and, if looked up, a person
    of the register. A person who could not be served is refused here, before a number is printed
    (`walk_in_problem`), not only later at the desk. `contact` is where to say that the number is
    near (`cccd.notify.contacts.contact_of`, already checked), or blank."""
    require_permission(actor, ISSUE)
    session = get_visible(actor, Session.objects.select_related("unit"), pk=session_id)
    running(session)
    group = None
    if group_id is not None:
        group = PriorityGroup.objects.filter(pk=group_id, is_active=True).first()
        if group is None:
            raise NOT_FOUND()
    person = get_visible(actor, Person.objects.all(), pk=person_id) if person_id else None
    queue = lock_queue(session)
    if person is not None:  # under the queue lock: two clicks for one person see each other
        problem = walk_in_problem(session, person)
        if problem is not None:
            raise problem
    queue.last_number += 1
    queue.save(update_fields=["last_number"])
    now = timezone.now()
    ticket = Ticket.objects.create(
        session=session,
        number=queue.last_number,
        kind=Ticket.Kind.WALK_IN,
        group=group,
        person=person,
        line_at=now,
        issued_at=now,
        issued_by=actor,
        notify_channel=contact[0],
        notify_address=contact[1],
    )
    record(  # the channel only: the trail holds no phone number or e-mail
        "ticket.issue",
        actor=actor,
        unit=session.unit,
        obj=ticket,
        after=snapshot(ticket, ("number", "kind", "group", "person", "state", "notify_channel")),
    )
    return ticket


LIVE = (Ticket.State.WAITING, Ticket.State.CALLED, Ticket.State.SERVING, Ticket.State.SKIPPED)


def walk_in_problem(session: Session, person: Person) -> DomainError | None:
    """Why `person` should not get a number at the door of `session`, or None.

    The desk's duplicate guard at the door (`cccd.registry.open_applications`, answered by the
    dossiers): an open dossier, or a draft being taken at a desk right now; or a number of this
    session the person still holds. The look-up on the queue page shows the same reason beside
    the person, so the button is not even offered.
    """
    problem = open_applications.problem(person)
    if problem is not None:
        return problem
    held = Ticket.objects.filter(session=session, person=person, state__in=LIVE).first()
    if held is not None:
        return errors.ALREADY_HAS_NUMBER(
            name=person.full_name, number=held.display, state=held.get_state_display().lower()
        )
    return None


_CLASS_PARTS = re.compile(r"(\d+)")


def class_key(name: str) -> tuple[bool, list[int | str]]:
    """Natural order of class names: 12A2 before 12A10; a row without a class comes last."""
    parts = _CLASS_PARTS.split(name.strip().upper())
    return (not name.strip(), [int(p) if p.isdigit() else p for p in parts])


def slot_datetime(session: Session, at: datetime.time) -> datetime.datetime:
    """A slot's time on the session's evening; a time before the start means after midnight."""
    start = timezone.localtime(session.starts_at)
    moment = timezone.make_aware(datetime.datetime.combine(start.date(), at))
    if at < start.time().replace(second=0, microsecond=0):
        moment += datetime.timedelta(days=1)
    return moment


@transaction.atomic
def hand_out_numbers(
    session_id: int,
    *,
    actor: User,
    slots: dict[str, datetime.time] | None = None,
    include_unmatched: bool = False,
) -> list[Ticket]:
    """Numbers in advance for the rows of the session's pre-checked lists that have none yet, in
    class order, or by time slot when `slots` gives a start time per class (12A1 → 19:00). Rows the
    pre-check found nowhere or could not read are left out unless `include_unmatched`. A session
    holds one list per class or several: all its current pre-checked lists are handed out, and a
    person listed twice, or already holding a number, gets no second one."""
    require_permission(actor, ISSUE)
    session = get_visible(actor, Session.objects.select_related("unit"), pk=session_id)
    running(session)
    queue = lock_queue(session)
    rosters = list(
        Roster.objects.filter(session=session, is_current=True, state=Roster.State.CHECKED)
    )
    if not rosters:
        raise errors.NO_ROSTER()
    entries = RosterEntry.objects.filter(roster__in=rosters).exclude(tickets__session=session)
    if not include_unmatched:
        entries = entries.exclude(outcome__in=[Outcome.NOT_FOUND, Outcome.UNREADABLE])
    holding: set[int | None] = set(
        Ticket.objects.filter(session=session, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    wanted = {
        name.strip().upper(): slot_datetime(session, at) for name, at in (slots or {}).items()
    }
    far = session.ends_at + datetime.timedelta(days=1)

    def order(
        entry: RosterEntry,
    ) -> tuple[datetime.datetime, tuple[bool, list[int | str]], int, int]:
        slot = wanted.get(entry.class_name.strip().upper())
        return (slot or far, class_key(entry.class_name), entry.roster_id, entry.row)

    now, tickets = timezone.now(), []
    for entry in sorted(entries, key=order):
        if entry.person_id is not None and entry.person_id in holding:
            continue
        holding.add(entry.person_id)
        queue.last_number += 1
        slot = wanted.get(entry.class_name.strip().upper())
        tickets.append(
            Ticket(
                session=session,
                number=queue.last_number,
                kind=Ticket.Kind.ADVANCE,
                roster_entry=entry,
                person_id=entry.person_id,
                class_name=entry.class_name,
                slot_start=slot,
                line_at=slot or session.starts_at,
                issued_at=now,
                issued_by=actor,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    queue.save(update_fields=["last_number"])
    record(
        "ticket.hand_out",
        actor=actor,
        unit=session.unit,
        obj=session,
        after={
            "rosters": [r.pk for r in rosters],
            "count": len(tickets),
            "by_slot": bool(wanted),
            "first": tickets[0].number if tickets else None,
            "last": tickets[-1].number if tickets else None,
            "include_unmatched": include_unmatched,
        },
    )
    return tickets


# --- booked online (`cccd.booking`, a floor above, calls these inside its transaction) ----------

CANCELLABLE = (Ticket.State.WAITING, Ticket.State.SKIPPED)  # not at a desk, not served


def issue_booked(
    session: Session,
    *,
    person: Person,
    slot_start: datetime.datetime,
    notify_channel: str,
    notify_address: str,
) -> Ticket:
    """A number booked online for the slot starting at `slot_start`: in line at the slot's start,
    so desks call it when its slot comes. The caller holds a transaction; the queue is locked
    here. No actor: the public booked it (audited without one)."""
    running(session)
    queue = lock_queue(session)
    queue.last_number += 1
    queue.save(update_fields=["last_number"])
    ticket = Ticket.objects.create(
        session=session,
        number=queue.last_number,
        kind=Ticket.Kind.BOOKED,
        person=person,
        slot_start=slot_start,
        line_at=slot_start,
        issued_at=timezone.now(),
        notify_channel=notify_channel,
        notify_address=notify_address,
    )
    record(
        "ticket.book",
        actor=None,
        unit=session.unit,
        obj=ticket,
        after=snapshot(ticket, ("number", "kind", "slot_start", "state")),
    )
    return ticket


def cancel_booked(ticket_id: int, *, reason: str) -> Ticket | None:
    """Take a booked number out of the line (the booking was cancelled, moved, or not used):
    waiting or skipped → cancelled. A number at a desk or served is left as it is, and None is
    returned. The caller holds a transaction; the queue is locked here first."""
    ticket = Ticket.objects.select_related("session__unit").get(pk=ticket_id)
    lock_queue(ticket.session)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("session__unit")
        .get(pk=ticket_id)
    )
    if ticket.state not in CANCELLABLE:
        return None
    before = snapshot(ticket, _STATE_FIELDS)
    ticket.state, ticket.desk = Ticket.State.CANCELLED, None
    ticket.save(update_fields=["state", "desk"])
    record(
        "ticket.cancel",
        actor=None,
        unit=ticket.session.unit,
        obj=ticket,
        before=before,
        after=snapshot(ticket, _STATE_FIELDS) | {"reason": reason},
    )
    return ticket
