"""The quality a capture must reach, and how many tries a low one gets: reference data
(`enrollments/data/quality.json`), not code, so a unit can follow a newer instruction by editing a
file. The figures are MOSIP's registration client's defaults (slaps 40, irises 60, three tries);
the Ministry's own thresholds are not published [unverified].

A capture is judged by the device's score when the device gave one (SBI `qualityScore`), else by
our own measure (`fingerquality`, stored as `score`); a photo is judged by its checks, not a score.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Thresholds:
    device: Mapping[str, float]
    own: Mapping[str, float]
    tries: int


@functools.cache
def thresholds() -> Thresholds:
    raw = json.loads(
        resources.files("cccd.enrollments").joinpath("data/quality.json").read_text("utf-8")
    )
    return Thresholds(device=raw["device"], own=raw["own"], tries=int(raw["tries"]))


@dataclass(frozen=True)
class Judged:
    """A capture's score against its threshold; `by` says whose score it is."""

    score: float | None
    threshold: float | None
    by: str

    @property
    def low(self) -> bool:
        return self.score is not None and self.threshold is not None and self.score < self.threshold


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def judge(kind: str, quality: Mapping[str, Any]) -> Judged:
    """The score that counts for a capture of `kind` with its stored `quality`."""
    limits = thresholds()
    device_score = _number(quality.get("device_score"))
    if device_score is not None:
        return Judged(device_score, limits.device.get(kind), "device")
    own = _number(quality.get("score"))
    return Judged(
        own, limits.own.get(kind) if own is not None else None, str(quality.get("measure", ""))
    )


def tries(quality: Mapping[str, Any]) -> int:
    value = quality.get("tries")
    return value if isinstance(value, int) and value > 0 else 1


def retake_due(kind: str, quality: Mapping[str, Any]) -> bool:
    """Low and not yet tried as often as the rule allows: the desk must take it again."""
    return judge(kind, quality).low and tries(quality) < thresholds().tries
