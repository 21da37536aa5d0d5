"""The opt-out link, `/notify/stop/<token>/`: the channel and address signed, nothing stored.

The token is `<channel>:<address>` signed with the server's secret key (Django's `Signer`,
HMAC-SHA256, salt `STOP_SALT`), then URL-safe base64 so the address is not readable in the link
by a glance over a shoulder (it is not secret from its holder: base64 is no encryption). A
signature rather than a random token in the database, as the status link
(`cccd.enrollments.public.links`): made with no write, the same in every message to the address,
and a made-up or altered one never verifies. It dies with the secret key (see
`SECRET_KEY_FALLBACKS` in docs/operations.md).
"""

from __future__ import annotations

import base64
import binascii

from django.conf import settings
from django.core import signing
from django.urls import reverse

from cccd.notify.models import Channel

STOP_SALT = "cccd.notify.stop"
TOKEN_MAX_LENGTH = 600  # an e-mail of 254, its channel, a signature, base64's third more


def stop_token(channel: str, address: str) -> str:
    signed = signing.Signer(salt=STOP_SALT).sign(f"{channel}:{address}")
    return base64.urlsafe_b64encode(signed.encode()).decode().rstrip("=")


def stopped_by(token: str) -> tuple[str, str] | None:
    """(channel, address) the token signs, or None for a token that does not verify."""
    if not token or len(token) > TOKEN_MAX_LENGTH or not token.isascii():
        return None
    try:
        signed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        value = signing.Signer(salt=STOP_SALT).unsign(signed)
    except (binascii.Error, ValueError, signing.BadSignature):
        return None
    channel, _sep, address = value.partition(":")
    if channel not in Channel.values or not address:
        return None
    return channel, address


def stop_url(channel: str, address: str) -> str:
    """The absolute link for a message's footer (`CCCD_NOTIFY_PUBLIC_URL` + the path), or "" when
    the public address of the site is not configured (a relative link is no use in a mail)."""
    base = settings.CCCD_NOTIFY_PUBLIC_URL.rstrip("/")
    if not base:
        return ""
    return base + reverse("notify:stop", args=[stop_token(channel, address)])
