from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "cccd.tickets"
    verbose_name = _("Queue numbers and desks")

    def ready(self) -> None:
        """Tell the holders of waiting numbers when a call brings theirs near."""
        from cccd.tickets import events, notices

        events.connect(notices.on_queue_event)
