"""The unit's field-kit keys (`DistrictKeys`), made when first needed."""

from __future__ import annotations

from django.db import transaction

from cccd.fieldkit import keys
from cccd.kits.models import DistrictKeys
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
