from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cccd.reports import counters


class Command(BaseCommand):
    help = "Recompute the dashboard counters from the dossiers (after a repair or a bulk load)."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = counters.rebuild()
        self.stdout.write(
            f"Counters rebuilt: {rows['states']} state rows, {rows['days']} day rows."
        )
