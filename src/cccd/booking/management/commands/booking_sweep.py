"""`cccd booking_sweep`: mark arrivals, release no-shows, queue the day-before reminders.

Safe to run every few minutes from cron, and twice at once (docs/booking.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cccd.booking.services import sweep


class Command(BaseCommand):
    help = "Mark arrived bookings, release no-shows and queue the day-before reminders."

    def handle(self, *args: Any, **options: Any) -> None:
        result = sweep()
        self.stdout.write(
            f"arrived {result.arrived}, no-shows {result.no_shows}, reminders {result.reminders}"
        )
