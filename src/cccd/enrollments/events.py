"""What happens to a dossier, told inside the transaction that makes it happen.

The dashboard's counters (`cccd.reports.counters`) change in the same transaction as the intake or
the move they count, so a counter is never ahead of or behind the dossiers. But the reports come
after the dossiers in the campaign's flow and import them; the dossiers may not import the reports.
So the services here emit an event, and whoever keeps figures about dossiers connects a receiver:
`cccd.reports` does in `ReportsConfig.ready()`. A receiver is called at once, in the caller's
transaction, in the order receivers were connected; one that raises rolls back the move with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from cccd.enrollments.models import Enrollment


@dataclass(frozen=True)
class IntakeFinished:
    """A draft became a dossier: received now, with its code and return date."""

    enrollment: Enrollment


@dataclass(frozen=True)
class StateMoved:
    """A dossier moved from `old_state` to the state it is in now, at `moment`."""

    enrollment: Enrollment
    old_state: str
    moment: datetime.datetime


DossierEvent = IntakeFinished | StateMoved
Receiver = Callable[[DossierEvent], None]
_receivers: list[Receiver] = []


def connect(receiver: Receiver) -> None:
    """Call `receiver` with every dossier event from now on (once, however often connected)."""
    if receiver not in _receivers:
        _receivers.append(receiver)


def emit(event: DossierEvent) -> None:
    """Tell every receiver, now, in the caller's transaction."""
    for receiver in tuple(_receivers):
        receiver(event)
