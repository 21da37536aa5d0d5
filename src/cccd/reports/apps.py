from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "cccd.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        """Keep the dashboard's counters with every intake and move, in their transaction."""
        from cccd.enrollments import events
        from cccd.reports import counters

        events.connect(counters.count)
