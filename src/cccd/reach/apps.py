from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReachConfig(AppConfig):
    name = "cccd.reach"
    verbose_name = _("Reach and coverage")

    def ready(self) -> None:
        """Keep who is reached in step with every intake and move, in their transaction."""
        from cccd.enrollments import events
        from cccd.reach import counting

        events.connect(counting.on_dossier_event)
