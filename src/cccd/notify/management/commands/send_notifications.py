from typing import Any

from django.core.management.base import BaseCommand

from cccd.notify.delivery import send_due


class Command(BaseCommand):
    help = "One attempt at every due message (queued and due, or left by a dead worker)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{send_due()} messages attempted")
