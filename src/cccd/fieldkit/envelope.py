"""The envelope a packet travels in: its body encrypted to the district
(docs/field-kit.md#the-envelope).

```
offset  bytes  field
0       8      magic  b"CCCD-PKT"
8       1      version  1
9       16     packet id (the UUID's 16 bytes)
25      32     the sender's ephemeral X25519 public key
57      12     nonce
69      n+16   AES-256-GCM ciphertext of the body, with its 16-byte tag
```

The key is HKDF-SHA256 of the X25519 agreement between a key pair made for this one envelope and
the district's key (the info binds both public keys); the first 57 bytes (magic, version, packet
id, ephemeral key) are the associated data, so none of them can be changed without the district
noticing. These are the three primitives of HPKE's base mode (RFC 9180) in a simpler key schedule,
written out because each is one call of `cryptography` and the format is documented byte for byte
(`cryptography`'s own HPKE takes no associated data in its public interface).

This layer knows nothing of manifests or signatures (`cccd.fieldkit.packets`): it hides the body
from anyone but the district, and tells the district whether the bytes are the ones sealed.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from cccd.fieldkit import errors
from cccd.fieldkit.keys import public_hex

MAGIC = b"CCCD-PKT"
VERSION = 1
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
ASSOCIATED_END = len(MAGIC) + 1 + 16 + KEY_BYTES  # 57: magic, version, packet id, ephemeral key
HEADER_BYTES = ASSOCIATED_END + NONCE_BYTES  # 69
_HKDF_INFO = b"cccd field kit: packet envelope v1\n"

MB = 1024 * 1024


@dataclass(frozen=True)
class Opened:
    """An envelope's packet id (from its header, authenticated) and its decrypted body."""

    packet_id: uuid.UUID
    body: bytes


def seal_envelope(packet_id: uuid.UUID, body: bytes, district: X25519PublicKey) -> bytes:
    """`body` encrypted to the district's key, under a header naming `packet_id`."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = bytes.fromhex(public_hex(ephemeral.public_key()))
    associated = MAGIC + bytes([VERSION]) + packet_id.bytes + ephemeral_public
    key = _key(ephemeral.exchange(district), ephemeral_public, district)
    nonce = os.urandom(NONCE_BYTES)
    return associated + nonce + AESGCM(key).encrypt(nonce, body, associated)


def open_envelope(envelope: bytes, district: X25519PrivateKey, *, max_bytes: int) -> Opened:
    """The packet id and body of `envelope`, or a refusal: too large (before anything is read),
    not a packet, cut short, another version, or not decryptable with `district` (the wrong key,
    or any byte changed)."""
    if len(envelope) > max_bytes:
        raise errors.PACKET_TOO_LARGE(size=megabytes(len(envelope)), limit=megabytes(max_bytes))
    if envelope[: len(MAGIC)] != MAGIC[: len(envelope)]:
        raise errors.PACKET_NOT_A_PACKET()
    if len(envelope) < HEADER_BYTES + TAG_BYTES:
        raise errors.PACKET_TRUNCATED(size=len(envelope))
    version = envelope[len(MAGIC)]
    if version != VERSION:
        raise errors.PACKET_VERSION_UNSUPPORTED(version=version, supported=VERSION)
    associated = envelope[:ASSOCIATED_END]
    packet_id = uuid.UUID(bytes=associated[len(MAGIC) + 1 : len(MAGIC) + 17])
    ephemeral_public = associated[-KEY_BYTES:]
    nonce = envelope[ASSOCIATED_END:HEADER_BYTES]
    try:
        secret = district.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
        key = _key(secret, ephemeral_public, district.public_key())
        body = AESGCM(key).decrypt(nonce, envelope[HEADER_BYTES:], associated)
    except (InvalidTag, ValueError):  # ValueError: an ephemeral key of low order (all-zero secret)
        raise errors.PACKET_UNDECRYPTABLE() from None
    return Opened(packet_id=packet_id, body=body)


def _key(secret: bytes, ephemeral_public: bytes, district: X25519PublicKey) -> bytes:
    """The AES-256 key of one envelope: HKDF-SHA256 of the shared secret, bound to both keys."""
    info = _HKDF_INFO + ephemeral_public + bytes.fromhex(public_hex(district))
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(secret)


def megabytes(size: int) -> str:
    """A size in MB for a message: `64`, `1.5`, `< 0.1`."""
    value = size / MB
    if value >= 10 or value.is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if value >= 0.1 else "< 0.1"
