from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RostersConfig(AppConfig):
    name = "cccd.rosters"
    verbose_name = _("Rosters and pre-checks")
