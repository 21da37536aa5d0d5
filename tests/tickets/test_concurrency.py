"""Two desks pressing "next" at the same instant never get the same number (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.tickets import services
from cccd.tickets.models import Desk, Ticket
from tests.builders import make_user

THREADS = 8
CALLS = 6


@pytest.mark.django_db(transaction=True)
def test_desks_calling_at_once_never_share_a_number_and_lose_none(
    session: Session, leader: User, tree: object
) -> None:
    session.desks = THREADS
    session.save(update_fields=["desks"])
    officers = [make_user(f"canbo{i}", "officer", tree.dakmil_police) for i in range(THREADS)]  # type: ignore[attr-defined]
    services.open_queue(session.pk, actor=leader)
    desks = list(Desk.objects.filter(session=session).order_by("number"))
    for desk, officer in zip(desks, officers, strict=True):
        services.open_desk(desk.pk, actor=officer)
    total = THREADS * CALLS + 5  # more numbers than calls: the line never runs dry
    for _ in range(total):
        services.issue_walk_in(session.pk, actor=leader)

    start = threading.Barrier(THREADS)
    served: list[int] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def desk_work(desk: Desk, officer: User) -> None:
        try:
            start.wait()
            for _ in range(CALLS):
                ticket = services.call_next(desk.pk, actor=officer)
                with lock:
                    served.append(ticket.number)
                services.finish_ticket(desk.pk, ticket.pk, actor=officer)
        except (DomainError, Exception) as exc:  # noqa: BLE001 - every failure fails the test
            failures.append(exc)
        finally:
            connections.close_all()

    workers = [
        threading.Thread(target=desk_work, args=pair) for pair in zip(desks, officers, strict=True)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert failures == []
    assert len(served) == THREADS * CALLS
    assert [n for n, seen in Counter(served).items() if seen > 1] == []  # none served twice
    done = set(
        Ticket.objects.filter(session=session, state="done").values_list("number", flat=True)
    )
    assert done == set(served)  # none lost: every call the desks saw is recorded, and only those
    assert Ticket.objects.filter(session=session, state="waiting").count() == total - len(served)
    assert sorted(served) == list(range(1, THREADS * CALLS + 1))  # the line was served in order
    assert connection.vendor in {"sqlite", "postgresql"}
