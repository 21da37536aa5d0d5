"""The slip's status link, `/intake/d/<token>/`, printed as a QR code on every appointment slip.

**The link** is `<code>.<signature>`: the dossier code signed with the server's secret key
(Django's `Signer`, HMAC-SHA256, salt `LINK_SALT`). A signature rather than a random token kept in
the database, because the slip is printed again whenever an officer opens it: a signed link is the
same on every print, needs no write when it is made, and a copy of the database holds nothing that
opens a status page. It cannot be guessed, so it is never rate-limited and never locked: a
stranger guessing birth dates cannot shut the owner out. The price: a link cannot be revoked alone,
and it dies with the secret key, so rotating the key keeps the old one in `SECRET_KEY_FALLBACKS`
while slips signed with it are in people's hands (docs/operations.md). Slips printed before signed
links carry a random token; migration 0005_status_links kept only its SHA-256
(`legacy_link_sha256`), so those links still open and the database no longer holds them either.

`LINK_SALT` keeps the module path the links were first signed under (`cccd.enrollments.status`):
changing it would break every slip already printed.
"""

from __future__ import annotations

import hashlib

from django.core import signing

from cccd.enrollments.models import Enrollment

LINK_SALT = "cccd.enrollments.status.link"
LINK_MAX_LENGTH = 200  # a code (32), a dot and a signature (43), with room to spare


def _signer() -> signing.Signer:
    # "." never occurs in a code or in the signature's URL-safe base64, and keeps the link short.
    return signing.Signer(salt=LINK_SALT, sep=".")


def link_token(enrollment: Enrollment) -> str:
    """The token of the slip's QR link: the dossier code and its signature (see the module)."""
    if not enrollment.code:
        raise ValueError("only a finished dossier (one with a code) has a status link")
    return _signer().sign(enrollment.code)


def signed_code(token: str) -> str | None:
    """The dossier code a link's token signs, or None when the signature does not verify (a link
    cut short, made up, or one of the first slips' random tokens)."""
    try:
        return _signer().unsign(token)
    except signing.BadSignature:
        return None


def legacy_link_hash(token: str) -> str:
    """What migration 0005_status_links kept of a pre-signature link's random token (see the
    module)."""
    return hashlib.sha256(token.encode()).hexdigest()
