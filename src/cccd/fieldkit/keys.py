"""The keys of the field kit and of the district, their fingerprints, and the pairing code
(docs/field-kit.md#keys-and-pairing).

Each party holds two key pairs: **Ed25519** to sign (a kit its packets, the district its receipts)
and **X25519** to be encrypted to (the district receives packets; a kit will receive its checked-out
session). Two pairs rather than one converted key, because `cryptography` offers no conversion and
keeping signing and key agreement apart is the usual rule.

Keys are written as `cccd.enrollments.production.keys` writes them: a public key as the 64
hexadecimal characters of its raw 32 bytes, a private key as unencrypted PKCS#8 PEM. Reading a key
that is not one (`signing_public_key` …) is `KIT_KEY_UNREADABLE`, since public keys arrive from the
other party.

Pairing codes and fingerprints are written in `ALPHABET`: 31 symbols, the digits 2–9 and the
letters but I, L and O, so that no two symbols look alike (0/O, 1/I/L) and 31 is prime, which lets
one check symbol catch every single typing mistake and every swap of two symbols.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from cccd.fieldkit import errors

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
"""The symbols of pairing codes and fingerprints: no 0, 1, I, L or O."""
BASE = len(ALPHABET)  # 31, a prime: see `_check_symbol`

PAIRING_RANDOM_SYMBOLS = 19
"""19 random symbols carry 19 × log2(31) ≈ 94 bits; the 20th is the check symbol."""
GROUP = 4
FINGERPRINT_SYMBOLS = 16
"""16 symbols of a SHA-256 digest ≈ 79 bits: keys with a given fingerprint take ~2^79 tries."""
_FINGERPRINT_LABEL = b"cccd field kit: public keys fingerprint v1\n"


# --- key pairs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPair:
    """One key pair as stored: the public key in hex and the private key as PKCS#8 PEM."""

    public_hex: str
    private_pem: str = field(repr=False)  # never in a log line or a traceback


@dataclass(frozen=True)
class PublicKeys:
    """What a party gives the other when a kit is paired: its two public keys, in hex."""

    signing: str
    encryption: str


@dataclass(frozen=True)
class PartyKeys:
    """A kit's or the district's keys: Ed25519 to sign, X25519 to be encrypted to."""

    signing: KeyPair
    encryption: KeyPair

    @property
    def public(self) -> PublicKeys:
        return PublicKeys(signing=self.signing.public_hex, encryption=self.encryption.public_hex)


def new_party_keys() -> PartyKeys:
    """Fresh keys for a kit (made on the kit, at pairing) or for the district."""
    return PartyKeys(
        signing=_pair(Ed25519PrivateKey.generate()), encryption=_pair(X25519PrivateKey.generate())
    )


def _pair(private: Ed25519PrivateKey | X25519PrivateKey) -> KeyPair:
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return KeyPair(public_hex=public_hex(private.public_key()), private_pem=pem.decode("ascii"))


def public_hex(key: Ed25519PublicKey | X25519PublicKey) -> str:
    """The 64 hexadecimal characters of the raw public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def signing_private_key(pem: str) -> Ed25519PrivateKey:
    key = _load_private(pem)
    if not isinstance(key, Ed25519PrivateKey):
        raise errors.KIT_KEY_UNREADABLE()
    return key


def encryption_private_key(pem: str) -> X25519PrivateKey:
    key = _load_private(pem)
    if not isinstance(key, X25519PrivateKey):
        raise errors.KIT_KEY_UNREADABLE()
    return key


def _load_private(pem: str) -> object:
    try:
        return serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise errors.KIT_KEY_UNREADABLE() from None


def signing_public_key(hex_text: str) -> Ed25519PublicKey:
    try:
        return Ed25519PublicKey.from_public_bytes(_raw_public(hex_text))
    except ValueError:
        raise errors.KIT_KEY_UNREADABLE() from None


def encryption_public_key(hex_text: str) -> X25519PublicKey:
    try:
        return X25519PublicKey.from_public_bytes(_raw_public(hex_text))
    except ValueError:
        raise errors.KIT_KEY_UNREADABLE() from None


def _raw_public(hex_text: str) -> bytes:
    """The 32 raw bytes of a public key written as 64 hexadecimal characters (either case)."""
    if len(hex_text) != 64 or not all(c in string.hexdigits for c in hex_text):
        raise errors.KIT_KEY_UNREADABLE()
    return bytes.fromhex(hex_text)


# --- fingerprints --------------------------------------------------------------------------------


def fingerprint(public: PublicKeys) -> str:
    """What an administrator reads over the phone to check that the keys the district holds are
    the kit's (and the kit that the district's are the district's): 16 symbols of `ALPHABET` in
    groups of 4, from the SHA-256 of both raw public keys. Both, because a swapped encryption key
    would send packets to someone else as surely as a swapped signing key would let them sign."""
    digest = hashlib.sha256(
        _FINGERPRINT_LABEL + _raw_public(public.signing) + _raw_public(public.encryption)
    ).digest()
    value = int.from_bytes(digest, "big")
    symbols = []
    for _ in range(FINGERPRINT_SYMBOLS):
        value, index = divmod(value, BASE)
        symbols.append(ALPHABET[index])
    return _grouped("".join(symbols))


# --- pairing codes -------------------------------------------------------------------------------


def new_pairing_code() -> str:
    """A one-time pairing code: 19 random symbols and a check symbol, as `XXXX-XXXX-XXXX-XXXX-XXXX`.

    The district prints it when a kit is registered, the kit's operator types it; it is a secret
    until used, so the district keeps only `pairing_code_digest` of it."""
    values = [secrets.randbelow(BASE) for _ in range(PAIRING_RANDOM_SYMBOLS)]
    values.append(_check_symbol(values))
    return _grouped("".join(ALPHABET[v] for v in values))


def check_pairing_code(typed: str) -> str:
    """The code as printed, from what an operator typed (any case, spaces and dashes anywhere).

    Refuses `PAIRING_CODE_MALFORMED` (length, a symbol not in `ALPHABET`) and
    `PAIRING_CODE_MISTYPED` (the check symbol does not match)."""
    text = "".join(typed.split()).replace("-", "").upper()
    if len(text) != PAIRING_RANDOM_SYMBOLS + 1 or any(c not in ALPHABET for c in text):
        raise errors.PAIRING_CODE_MALFORMED()
    values = [ALPHABET.index(c) for c in text]
    if _weighted_sum(values) % BASE:
        raise errors.PAIRING_CODE_MISTYPED()
    return _grouped(text)


def pairing_code_digest(code: str) -> str:
    """The SHA-256 (hex) of a checked pairing code: what the district stores in its place. A fast
    hash is enough: ~94 random bits cannot be guessed from it."""
    return hashlib.sha256(check_pairing_code(code).encode("ascii")).hexdigest()


def pairing_code_matches(typed: str, digest: str) -> bool:
    """Whether `typed` is the code whose digest the district stored (compared in constant time).
    A code with a typing mistake raises, so the operator is told to type it again."""
    return hmac.compare_digest(pairing_code_digest(typed), digest)


def _check_symbol(values: list[int]) -> int:
    """The value that makes Σ (position × value) ≡ 0 (mod 31) over all 20 positions (from 1).

    31 is prime and every weight is between 1 and 20, so changing one symbol changes the sum by
    weight × difference, never a multiple of 31; swapping two symbols changes it by (difference of
    weights) × (difference of values), never a multiple of 31 either: both are always caught."""
    last_weight = len(values) + 1
    return (-_weighted_sum(values) * pow(last_weight, -1, BASE)) % BASE


def _weighted_sum(values: list[int]) -> int:
    return sum(position * value for position, value in enumerate(values, start=1))


def _grouped(symbols: str) -> str:
    return "-".join(symbols[i : i + GROUP] for i in range(0, len(symbols), GROUP))
