from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cccd.api.refusals import markdown


class Command(BaseCommand):
    help = "Print docs/errors.md: every error code, its HTTP status and its English sentence."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown(), ending="")
