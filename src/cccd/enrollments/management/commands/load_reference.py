from typing import Any

from django.core.management.base import BaseCommand

from cccd.enrollments.models import Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference


class Command(BaseCommand):
    help = "Load or refresh fees, fee exemptions and public holidays from the versioned files."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = load_reference(Fee, FeeExemption, Holiday)
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()) + " loaded")
