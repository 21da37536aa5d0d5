from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitsConfig(AppConfig):
    name = "cccd.kits"
    verbose_name = _("Field kits")
