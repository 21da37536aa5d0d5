"""`cccd booking_sweep`, as cron runs it, and the booking page seeing a served number."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from cccd.booking import services
from cccd.booking.models import Booking, BookingSlot
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.booking.conftest import typed

pytestmark = pytest.mark.django_db


def test_the_command_marks_arrivals_and_says_what_it_did(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, _ = services.book(slots[0].pk, **typed(person), client_key="x")
    Ticket.objects.filter(pk=booking.ticket_id).update(state=Ticket.State.SERVING)
    out = StringIO()
    call_command("booking_sweep", stdout=out)
    assert "arrived 1, no-shows 0, reminders 0" in out.getvalue()
    call_command("booking_sweep", stdout=out)  # again: nothing left to do
    assert "arrived 0, no-shows 0, reminders 0" in out.getvalue()
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ARRIVED


def test_the_booking_page_sees_a_served_number_and_offers_no_cancel(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = services.book(slots[0].pk, **typed(person), client_key="x")
    Ticket.objects.filter(pk=booking.ticket_id).update(state=Ticket.State.DONE)
    page = Client().get(f"/book/m/{token}/").content.decode()
    assert 'data-state="arrived"' in page and 'data-testid="cancel"' not in page
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ARRIVED
