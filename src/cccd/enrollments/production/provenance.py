"""Where each capture of a batch came from: the `capture` object of a manifest artefact
(`docs/production-format.md`), built from `Artefact.quality` by a whitelist. Only the named keys of
the right type are copied, so nothing else the desk keeps in `quality` (the photo check's measures,
a later key) reaches the centre without being added here and to the document.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from cccd.enrollments.models import Artefact

SOURCES = ("device", "file", "webcam")
"""How the bytes reached the desk. A row written before the key existed came in as a file."""
DEVICE_KEYS = (
    "provider",
    "provider_id",
    "make",
    "model",
    "serial_no",
    "device_code",
    "type",
    "sub_type",
)
"""The device's identity as its signed SBI digitalId gives it; its certificate and keys stay out."""


def capture_provenance(artefact: Artefact) -> dict[str, Any]:
    """The `capture` object of one artefact with a file."""
    quality = artefact.quality if isinstance(artefact.quality, dict) else {}
    score, by = _quality_score(quality)
    source = quality.get("source")
    return {
        "source": source if source in SOURCES else "file",
        "captured_at": artefact.captured_at.astimezone(datetime.UTC).isoformat(),
        "quality_score": score,
        "quality_by": by,
        "device": _device(quality.get("device")),
        "device_time": _text(quality.get("device_time")),
        "sbi_hash": _text(quality.get("sbi_hash")),
        "tries": _count(quality.get("tries")),
        "kept_reason": _text(quality.get("kept_reason")),
    }


def _quality_score(quality: dict[str, Any]) -> tuple[float | int | None, str | None]:
    """The device's score when it gave one, else ours with the measure that made it: a score that
    does not say which measure made it cannot be compared with anything, so it is left out."""
    device_score = _number(quality.get("device_score"))
    if device_score is not None:
        return device_score, "device"
    own, measure = _number(quality.get("score")), _text(quality.get("measure"))
    if own is not None and measure is not None:
        return own, measure
    return None, None


def _device(value: object) -> dict[str, str | None] | None:
    if not isinstance(value, dict):
        return None
    return {key: _text(value.get(key)) for key in DEVICE_KEYS}


def _text(value: object) -> str | None:
    """A non-empty string, or null (absent, empty or of another type)."""
    return value if isinstance(value, str) and value else None


def _number(value: object) -> float | int | None:
    """A finite number (not a boolean): `json.dumps` would write NaN, which is not JSON."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
