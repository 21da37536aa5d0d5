"""Whether this server is a field kit (`settings.CCCD_FIELD_MODE`): the one question every part of
`cccd.kits` asks before doing a kit's work (the outbox, walk-ins, the outbox page) or a district's
(the kits page)."""

from django.conf import settings


def field_mode() -> bool:
    return bool(getattr(settings, "CCCD_FIELD_MODE", False))
