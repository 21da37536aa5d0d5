from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentsConfig(AppConfig):
    name = "cccd.enrollments"
    verbose_name = _("Intake and dossiers")

    def ready(self) -> None:
        """Answer the lists and the queue, which come earlier in the flow, about open applications;
        tell citizens about their dossier's moves."""
        from cccd.enrollments import events
        from cccd.enrollments.dossiers import notices
        from cccd.enrollments.intake.rules import ANSWERS
        from cccd.registry.open_applications import answer_with

        answer_with(ANSWERS)
        events.connect(notices.on_dossier_event)  # tell the citizen: returned, card arrived
