from typing import Any

from django.core.management.base import BaseCommand

from cccd.notify.templates import load_templates


class Command(BaseCommand):
    help = "Load or refresh the message templates from the versioned reference file."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{load_templates()} templates loaded")
