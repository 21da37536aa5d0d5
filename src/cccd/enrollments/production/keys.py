"""The Ed25519 keys of production (`docs/production-format.md`): a unit's key signs its batches'
manifests, the centre's key signs result files. Keys are rows of `SigningKey`, made on first use.

The centre's key pair is kept here too, because the only centre cccd talks to is the simulated
one (`cccd.demo.card_centre`); a real installation would hold only the centre's public key.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.db import IntegrityError, transaction

from cccd.enrollments.models import SigningKey
from cccd.units.models import Unit


def _new_key() -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return public.hex(), pem.decode()


def _get_or_make_key(lookup: dict[str, Any]) -> SigningKey:
    """The key, made on first use; two first uses at once keep the one that was saved first."""
    found = SigningKey.objects.filter(**lookup).first()
    if found is not None:
        return found
    public, pem = _new_key()
    try:
        with transaction.atomic():
            return SigningKey.objects.create(**lookup, public_key=public, private_key_pem=pem)
    except IntegrityError:
        return SigningKey.objects.get(**lookup)


def unit_key(unit: Unit) -> SigningKey:
    """The unit's Ed25519 key, which signs its batches (made on first use)."""
    return _get_or_make_key({"unit": unit, "is_centre": False})


def centre_key() -> SigningKey:
    """The simulated production centre's Ed25519 key, which signs result files (made on first use).
    A real installation would hold only the centre's public key."""
    return _get_or_make_key({"unit": None, "is_centre": True})


def _private(key: SigningKey) -> Ed25519PrivateKey:
    loaded = serialization.load_pem_private_key(key.private_key_pem.encode(), password=None)
    assert isinstance(loaded, Ed25519PrivateKey)  # noqa: S101  (we only ever store Ed25519 keys)
    return loaded


def sign(key: SigningKey, data: bytes) -> bytes:
    """The base64 text of the Ed25519 signature of `data` (what goes in a `.sig` member)."""
    return base64.b64encode(_private(key).sign(data))


def signature_is_valid(public_key_hex: str, data: bytes, signature_b64: bytes) -> bool:
    """Whether `signature_b64` (base64, as in a `.sig` member) signs exactly `data`."""
    try:
        public = Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex))
        signature = base64.b64decode(signature_b64.strip(), validate=True)
        public.verify(signature, data)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
