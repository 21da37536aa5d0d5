from typing import Any

from django.core.management.base import BaseCommand

from cccd.campaigns.services import load_groups


class Command(BaseCommand):
    help = "Load or refresh the priority groups from the versioned reference file."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{load_groups()} groups loaded")
