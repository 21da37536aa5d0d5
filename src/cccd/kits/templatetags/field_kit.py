"""`{% field_mode as on_kit %}`: whether this server is a field kit, for the navigation to offer
the kit's outbox there and the district's kits page elsewhere."""

from django import template

from cccd.kits.mode import field_mode as _field_mode

register = template.Library()


@register.simple_tag
def field_mode() -> bool:
    return _field_mode()
