"""The unit's field-kit keys (`DistrictKeys`), made when first needed, and the private halves of
both sides' keys read from their rows (docs/field-kit.md#keys-and-pairing)."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from django.db import transaction

from cccd.fieldkit import keys
from cccd.kits.models import DistrictKeys, Kit, KitIdentity
from cccd.units.models import Unit


def district_keys(unit: Unit) -> DistrictKeys:
    """The unit's keys, made on first use (two requests at once make one row: the unit is unique)."""
    found = DistrictKeys.objects.filter(unit=unit).first()
    if found is not None:
        return found
    made = keys.new_party_keys()
    with transaction.atomic():
        row, _created = DistrictKeys.objects.get_or_create(
            unit=unit,
            defaults={
                "signing_public_key": made.signing.public_hex,
                "signing_private_key_pem": made.signing.private_pem,
                "encryption_public_key": made.encryption.public_hex,
                "encryption_private_key_pem": made.encryption.private_pem,
            },
        )
    return row


# --- the district's side ------------------------------------------------------------------------


def district_signing_key(row: DistrictKeys) -> Ed25519PrivateKey:
    """Signs checkout packages and receipts."""
    return keys.signing_private_key(row.signing_private_key_pem)


def district_encryption_key(row: DistrictKeys) -> X25519PrivateKey:
    """Opens the packets the unit's kits send."""
    return keys.encryption_private_key(row.encryption_private_key_pem)


def kit_encryption_public_key(kit: Kit) -> X25519PublicKey:
    """What a checkout package is encrypted to (given by the kit when it joined)."""
    return keys.encryption_public_key(kit.encryption_public_key)


# --- the kit's side -----------------------------------------------------------------------------


def kit_signing_key(identity: KitIdentity) -> Ed25519PrivateKey:
    """Signs the kit's packets and requests."""
    return keys.signing_private_key(identity.signing_private_key_pem)


def kit_encryption_key(identity: KitIdentity) -> X25519PrivateKey:
    """Opens the checkout packages made for this kit."""
    return keys.encryption_private_key(identity.encryption_private_key_pem)


def district_signing_public_key(identity: KitIdentity) -> Ed25519PublicKey:
    """Checks the district's signature of checkout packages and receipts."""
    return keys.signing_public_key(identity.district_signing_public_key)


def district_encryption_public_key(identity: KitIdentity) -> X25519PublicKey:
    """What the kit's packets are encrypted to."""
    return keys.encryption_public_key(identity.district_encryption_public_key)
