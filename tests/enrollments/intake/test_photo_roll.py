"""A head leaning to one side is retaken at the desk (`captures.FACE_MAX_ROLL`): the portrait that
passes every check, turned about its face by a known angle."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from cccd.enrollments.intake import captures
from cccd.errors import DomainError

PORTRAIT = cv2.imread(str(Path(__file__).resolve().parents[2] / "fixtures/faces/portrait.jpg"))


def turned(degrees: float) -> bytes:
    """The portrait turned about the face (counter-clockwise for a positive angle), edges repeated
    so no black corner becomes a second subject."""
    matrix = cv2.getRotationMatrix2D((150, 150), degrees, 1.0)
    image = cv2.warpAffine(PORTRAIT, matrix, (300, 400), borderMode=cv2.BORDER_REPLICATE)
    return cv2.imencode(".jpg", image)[1].tobytes()


@pytest.mark.parametrize("degrees", [0, 4, -4, 6, -6])
def test_a_head_held_straight_or_nearly_is_kept_with_its_measured_lean(degrees: float) -> None:
    roll = captures.check_photo(turned(degrees)).quality["roll"]
    assert roll is not None and abs(roll) <= captures.FACE_MAX_ROLL


@pytest.mark.parametrize("degrees", [-10, 15, 20])
def test_a_head_leaning_far_to_either_side_is_retaken(degrees: float) -> None:
    with pytest.raises(DomainError) as refused:
        captures.check_photo(turned(degrees))
    assert refused.value.code == "FACE_TILTED"


def test_the_lean_is_read_in_the_direction_it_goes() -> None:
    left, right = (captures.check_photo(turned(d)).quality["roll"] for d in (6, -6))
    assert left is not None and right is not None and left < right


def test_a_face_whose_eyes_are_not_found_is_not_judged_on_its_lean() -> None:
    assert captures._eye_roll(np.full((120, 100), 128, np.uint8)) is None
