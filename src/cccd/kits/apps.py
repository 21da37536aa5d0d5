from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class KitsConfig(AppConfig):
    name = "cccd.kits"
    verbose_name = _("Field kits")

    def ready(self) -> None:
        """On a kit (field mode), dossiers take their codes from the held session's block and
        each finished intake goes to the outbox (`cccd.kits.outbox`). The district turns no hook."""
        if getattr(settings, "CCCD_FIELD_MODE", False):
            from cccd.kits import outbox

            outbox.install()
