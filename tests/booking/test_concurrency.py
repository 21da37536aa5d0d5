"""1,000 booking attempts from 20 threads for 100 places: exactly 100 bookings, none doubled
(SQLite as a file database, and PostgreSQL when DATABASE_URL names one)."""

from __future__ import annotations

import queue
import random
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from cccd.booking import services
from cccd.booking.models import Booking, BookingSlot
from cccd.campaigns.models import Session
from cccd.core import names
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.builders import Tree

THREADS = 20
PEOPLE = 500
ATTEMPTS = 1000  # each person tries twice
EXPECTED_REFUSALS = {"BOOKING_SLOT_FULL", "BOOKING_ALREADY_BOOKED"}


def _people(tree: Tree) -> list[Person]:
    people = []
    for i in range(PEOPLE):
        full_name = f"Nguyễn Văn Khách {i}"
        people.append(
            Person(
                personal_id=f"067200{i:06d}",  # Đắk Nông, male, born 2000
                full_name=full_name,
                name_folded=names.fold(full_name),
                family_folded="nguyen",
                given_folded=names.fold(f"Khách {i}"),
                birth_date="2000-01-01",
                birth_year=2000,
                sex="M",
                birth_province_code="067",
                residence_unit=tree.daklao,
            )
        )
    return Person.objects.bulk_create(people)


@pytest.mark.django_db(transaction=True)
def test_a_thousand_attempts_for_a_hundred_places(
    tree: Tree, session: Session, slots: list[BookingSlot]
) -> None:
    people = _people(tree)
    attempts = [(people[i % PEOPLE], slots[i % len(slots)], i) for i in range(ATTEMPTS)]
    random.Random(18).shuffle(attempts)

    jobs: queue.SimpleQueue[tuple[Person, BookingSlot, int]] = queue.SimpleQueue()
    for job in attempts:
        jobs.put(job)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def attempt(person: Person, slot: BookingSlot, i: int) -> str:
        try:
            services.book(
                slot.pk,
                personal_id=person.personal_id,
                full_name=person.full_name,
                birth_date="01/01/2000",
                contact=f"khach{i}@example.vn",
                client_key=f"10.1.{i // 250}.{i % 250}",  # one address each: no limit reached
            )
        except DomainError as exc:
            return exc.code
        except Exception as exc:  # noqa: BLE001 - any other failure fails the test, by name
            return f"{type(exc).__name__}: {exc}"
        return "booked"

    def worker() -> None:
        """One of a bounded pool: takes attempts until none is left, on one connection."""
        try:
            while True:
                try:
                    job = jobs.get_nowait()
                except queue.Empty:
                    return
                outcome = attempt(*job)
                with lock:
                    outcomes[outcome] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes["booked"] == 100, outcomes
    assert set(outcomes) - {"booked"} <= EXPECTED_REFUSALS, outcomes
    bookings = list(Booking.objects.filter(session=session))
    assert len(bookings) == 100 and all(b.state == Booking.State.ACTIVE for b in bookings)
    assert len({b.person_id for b in bookings}) == 100  # nobody booked twice
    per_slot = Counter(b.slot_id for b in bookings)
    for slot in BookingSlot.objects.filter(session=session):
        assert slot.booked == slot.places == per_slot[slot.pk] == 25  # no place counted twice
    tickets = list(Ticket.objects.filter(session=session))
    assert len(tickets) == 100 and {t.pk for t in tickets} == {b.ticket_id for b in bookings}
    assert sorted(t.number for t in tickets) == list(range(1, 101))  # distinct numbers, no gap
    assert all(t.kind == Ticket.Kind.BOOKED for t in tickets)
    assert connection.vendor in {"sqlite", "postgresql"}
