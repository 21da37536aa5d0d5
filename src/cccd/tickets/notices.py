""" "Your number is coming up": told to the holders of waiting numbers when a call moves the line.

The rule (issue 18: "when about five people are ahead"): after every call of the session, each
waiting number that left a contact (booked online, or asked at the door) and now has at most
`AHEAD` people ahead of it by the queue's own rule (`queries.people_ahead`) gets `queue_call`,
once: its event key is `ticket:<id>:coming_up`, so later calls, a recall or a retry never send it
twice. A number that jumped closer at once (a priority group, a desk's transfer) is told at the
first call that finds it within five; one handed a contact when the line was already short is told
at the next call. The message is urgent — the only one sent in the quiet hours — and says the
number and the venue only.

Cheap: one query reads the session's waiting numbers (with their groups); the places in line are
counted here in memory by the same rule as `queries.people_ahead`, whatever the number of
candidates, and one more finds the numbers already told. Runs in `call_next`'s transaction
(connected in `TicketsConfig.ready`); the messages are recorded there and sent after the commit. A message that cannot be queued (the template not
loaded, an address refused) is logged by ticket id and never undoes the call.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from cccd.errors import DomainError
from cccd.notify import services as notify
from cccd.notify.contacts import context_for
from cccd.notify.models import Message
from cccd.tickets import events
from cccd.tickets.models import Ticket
from cccd.tickets.services import PRIORITY_RUN

log = logging.getLogger(__name__)

AHEAD = 5  # "about five people ahead"
TEMPLATE = "queue_call"


@dataclass(frozen=True)
class Waiting:
    """What the priority rule reads of a waiting number."""

    pk: int
    number: int
    line_at: datetime.datetime
    desk_id: int | None
    priority: int | None  # the group's priority when its group is served first, else None
    channel: str
    address: str

    def before(self, other: Waiting) -> bool:
        """Earlier in line than `other`."""
        return (self.line_at, self.number) < (other.line_at, other.number)


def waiting_numbers(session_id: int) -> list[Waiting]:
    rows = (
        Ticket.objects.filter(session_id=session_id, state=Ticket.State.WAITING)
        .order_by()
        .values_list(
            "pk",
            "number",
            "line_at",
            "desk_id",
            "group__served_first",
            "group__priority",
            "notify_channel",
            "notify_address",
        )
    )
    return [
        Waiting(pk, number, line_at, desk, priority if first else None, channel, address)
        for pk, number, line_at, desk, first, priority, channel, address in rows
    ]


def ahead_of(ticket: Waiting, line: list[Waiting]) -> int:
    """`queries.people_ahead` on the rows in memory (the two must agree: a test holds them)."""
    others = [t for t in line if t.pk != ticket.pk]
    if ticket.desk_id is not None:
        return sum(1 for t in others if t.desk_id == ticket.desk_id and t.before(ticket))
    sent = sum(1 for t in others if t.desk_id is not None)
    free = [t for t in others if t.desk_id is None]
    priority = [t for t in free if t.priority is not None]
    if ticket.priority is not None:
        rank = ticket.priority
        return sent + sum(
            1
            for t in priority
            if t.priority is not None
            and (t.priority < rank or (t.priority == rank and t.before(ticket)))
        )
    regular = sum(1 for t in free if t.priority is None and t.before(ticket))
    return sent + regular + min(len(priority), PRIORITY_RUN * (regular + 1))


def coming_up(line: list[Waiting]) -> list[Waiting]:
    """The numbers with a contact that are now at most `AHEAD` from being called."""
    return [t for t in line if t.channel and t.address and ahead_of(t, line) <= AHEAD]


def event_key(ticket_id: int) -> str:
    return f"ticket:{ticket_id}:coming_up"


def on_queue_event(event: events.QueueEvent) -> None:
    """Tell the holders whose number is coming up (see the module's docstring)."""
    session = event.ticket.session
    due = {event_key(t.pk): t for t in coming_up(waiting_numbers(session.pk))}
    told = set(Message.objects.filter(event_key__in=list(due)).values_list("event_key", flat=True))
    for key, ticket in due.items():
        if key in told:
            continue
        try:
            notify.queue(
                unit=session.unit,
                channel=ticket.channel,
                address=ticket.address,
                template_code=TEMPLATE,
                context=context_for(
                    ticket.channel, {"number": f"{ticket.number:04d}", "venue": session.venue.name}
                ),
                event_key=key,
                urgent=True,
            )
        except DomainError as error:
            log.warning("queue call for ticket %s not queued: %s", ticket.pk, error.code)
