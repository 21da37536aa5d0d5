"""The desk's reference data (fees, fee exemptions, public holidays) from the versioned files in
`data/`. The data migration and `cccd load_reference` share this loader; it takes the model classes
so the migration can pass its historical models."""

from __future__ import annotations

import datetime
import json
from importlib import resources
from typing import Any


def _read(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("cccd.enrollments").joinpath(f"data/{name}").read_text("utf-8")
    )
    return data


def _date(text: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def load_reference(fee_model: Any, exemption_model: Any, holiday_model: Any) -> dict[str, int]:
    """Create or update every row of the files (idempotent); rows added by hand are kept."""
    fees = _read("fees.json")
    for item in fees["fees"]:
        fee_model.objects.update_or_create(
            kind=item["kind"],
            valid_from=_date(item["valid_from"]),
            defaults={
                "valid_to": _date(item["valid_to"]),
                "amount": item["amount"],
                "note": item["note"],
            },
        )
    for item in fees["exemptions"]:
        exemption_model.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "name_en": item["name_en"]}
        )
    holidays = _read("holidays.json")["holidays"]
    for day, name in holidays:
        holiday_model.objects.update_or_create(date=_date(day), defaults={"name": name})
    return {
        "fees": len(fees["fees"]),
        "exemptions": len(fees["exemptions"]),
        "holidays": len(holidays),
    }
