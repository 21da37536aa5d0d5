from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KitsConfig(AppConfig):
    name = "cccd.kits"
    verbose_name = _("Field kits")

    def ready(self) -> None:
        """On a kit (field mode), dossiers take their codes from the held session's block and
        each finished intake goes to the outbox (`cccd.kits.outbox`). The district turns no hook."""
        from cccd.kits.mode import field_mode

        if field_mode():
            from cccd.kits import outbox

            outbox.install()
