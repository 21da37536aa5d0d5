from typing import Any

from django.core.management.base import BaseCommand

from cccd.enrollments.dossiers.notices import remind_uncollected


class Command(BaseCommand):
    help = (
        "One reminder to each card at the unit for more than CCCD_CARD_REMINDER_DAYS days whose "
        "dossier has a contact. Safe to run again: a card is reminded once (run it daily)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{remind_uncollected()} reminders queued")
