"""A person's contact as the desks take it: one box, a phone number or an e-mail address.

The door (a walk-in's "tell me when my number is near") and the dossier ("tell me when my card
has arrived") both read it here, with `services.normalized_address`'s rules, so what a desk
accepts is what `queue` accepts later. Lists show it `masked`.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from cccd.errors import DomainError
from cccd.notify import errors
from cccd.notify.models import Channel
from cccd.notify.services import normalized_address

PHONE_CHANNELS = (Channel.SMS, Channel.ZNS)


def contact_of(value: str, phone_channel: str = Channel.SMS) -> tuple[str, str]:
    """(channel, address) for a phone number or an e-mail address; ("", "") for nothing.
    An e-mail goes by e-mail; a phone by `phone_channel` (SMS unless Zalo was chosen). Raises
    NOTIFY_BAD_CONTACT for anything else (never repeating it: it is personal data)."""
    value = value.strip()
    if not value:
        return "", ""
    channel = Channel.EMAIL if "@" in value else phone_channel
    if channel not in Channel.values:
        channel = Channel.SMS
    try:
        return channel, normalized_address(channel, value)
    except DomainError as error:
        raise errors.NOTIFY_BAD_CONTACT() from error


def masked(channel: str, address: str) -> str:
    """Enough to recognise it, not to use it: 84•••••5678, n•••@example.vn."""
    if not address:
        return ""
    if channel == Channel.EMAIL:
        local, _at, domain = address.partition("@")
        return f"{local[:1]}•••@{domain}"
    return f"{address[:2]}•••••{address[-4:]}"


def plain(text: str) -> str:
    """Vietnamese without its marks (Đắk Lao → Dak Lao), for an SMS: the SMS templates are written
    so, since a single accented letter makes the gateway send UCS-2, 70 characters a part."""
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c))


def context_for(channel: str, context: dict[str, str]) -> dict[str, str]:
    """The values of a message as its channel takes them: plain for SMS, as they are elsewhere."""
    if channel != Channel.SMS:
        return context
    return {key: plain(value) for key, value in context.items()}


class ContactFields(forms.Form):
    """The optional contact of a form: the box and, for a phone, SMS or Zalo. Mixed into the
    walk-in and dossier forms; `cleaned_data["contact"]` is (channel, address) or ("", "")."""

    contact = forms.CharField(
        label=_("Phone or e-mail to be told (optional)"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    contact_by = forms.ChoiceField(
        label=_("A phone is told by"),
        required=False,
        choices=[(Channel.SMS, _("SMS")), (Channel.ZNS, _("Zalo"))],
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        try:
            data["contact"] = contact_of(
                str(data.get("contact") or ""), str(data.get("contact_by") or Channel.SMS)
            )
        except DomainError as error:
            self.add_error("contact", error.message)
        return data
