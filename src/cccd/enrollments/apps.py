from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnrollmentsConfig(AppConfig):
    name = "cccd.enrollments"
    verbose_name = _("Intake and dossiers")
