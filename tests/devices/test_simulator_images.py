"""The simulator's face photos go through the desk's own photo check (`captures.check_photo`) as a
real camera's do: accepted at the quality a working camera gives (60 and up: the simulator scores
62–96), refused as blurred under 40 (its "low-quality" fault scores 12–35), one person distinct
from another and a retake a little different from the first take."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cccd.devices import images
from cccd.enrollments.intake import captures
from cccd.errors import DomainError

SEEDS = [f"person-{n}" for n in range(20)] + ["TX-0001", "Nguyễn Văn An", "", "x" * 200]


def pixels(data: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)


def refusal(data: bytes) -> str:
    with pytest.raises(DomainError) as caught:
        captures.check_photo(data)
    return caught.value.code


@pytest.mark.parametrize("seed", SEEDS)
def test_every_person_s_photo_passes_the_desk_check_upright_before_a_plain_backdrop(
    seed: str,
) -> None:
    quality = captures.check_photo(images.face(seed)).quality
    assert (quality["width"], quality["height"]) == (360, 480)
    assert quality["roll"] is not None and abs(quality["roll"]) <= captures.FACE_MAX_ROLL
    assert quality["background"] is not None
    assert quality["background"] < captures.BACKGROUND_MAX_EDGES
    assert quality["sharpness"] > captures.SHARPNESS_MIN


@pytest.mark.parametrize("seed", SEEDS)
def test_every_person_s_low_quality_photo_is_refused_as_blurred(seed: str) -> None:
    assert refusal(images.face(seed, quality=20)) == "PHOTO_BLURRED"


@pytest.mark.parametrize(("quality", "take"), [(96, 1), (62, 2), (60, 3)])
def test_a_working_camera_s_scores_and_retakes_pass(quality: float, take: int) -> None:
    for seed in SEEDS[:6]:
        captures.check_photo(images.face(seed, take, quality))


@pytest.mark.parametrize(("quality", "take"), [(39.9, 0), (35, 1), (12, 2), (0, 0)])
def test_the_low_quality_fault_s_scores_are_refused_as_blurred(quality: float, take: int) -> None:
    for seed in SEEDS[:6]:
        assert refusal(images.face(seed, take, quality)) == "PHOTO_BLURRED"


def test_two_people_look_different() -> None:
    first, second = (
        pixels(images.face(seed)).astype(np.int16) for seed in ("person-0", "person-1")
    )
    assert np.abs(first - second).mean() > 10  # skin, hair, clothes, face shape, backdrop


def test_a_retake_is_the_same_person_a_little_moved() -> None:
    first, retake, other = (
        pixels(images.face(seed, take)).astype(np.int16)
        for seed, take in (("person-0", 0), ("person-0", 1), ("person-1", 0))
    )
    moved = np.abs(first - retake).mean()
    assert moved > 0
    assert moved < np.abs(first - other).mean() / 2


def test_the_same_seed_take_and_quality_give_the_same_bytes() -> None:
    assert images.face("person-0", 1, 80) == images.face("person-0", 1, 80)


def test_the_photo_is_a_24_bit_colour_portrait() -> None:
    photo = pixels(images.face("person-0"))
    assert photo.shape == (*images.FACE_SIZE, 3) and photo.dtype == np.uint8


def test_the_focus_error_grows_as_the_quality_falls() -> None:
    blur = [images.face_blur(q) for q in (100, 60, 59, 50, 40, 39, 20, 0)]
    assert blur[:2] == [0.0, 0.0]
    assert blur[2:] == sorted(blur[2:]) and blur[2] > 0
    assert images.face_blur(39.9) >= images.FACE_BLUR
