"""What happens in a queue, told inside the transaction that makes it happen.

A number called at a desk moves the whole line forward by one; whoever tells people that their
number is coming up sits on a higher floor (it needs their contact details and the messages) and
connects a receiver here, as `cccd.reports` does to `cccd.enrollments.events`. A receiver is called
at once, in the caller's transaction, in the order receivers were connected; one that raises rolls
the call back with it, so a receiver queues its messages and leaves the sending to after the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cccd.tickets.models import Ticket


@dataclass(frozen=True)
class NumberCalled:
    """`ticket` was just called to a desk (first call, or called again after a recall)."""

    ticket: Ticket


QueueEvent = NumberCalled
Receiver = Callable[[QueueEvent], None]
_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    """Call `receiver` with every queue event from now on (once, however often connected)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def emit(event: QueueEvent) -> None:
    """Tell every receiver, now, in the caller's transaction."""
    for receiver in tuple(_receivers):
        receiver(event)
