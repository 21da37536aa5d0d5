"""The photo's background must be plain (`captures.BACKGROUND_MAX_EDGES`, after ISO/IEC 19794-5):
the test portrait's head is cut out along an oval and laid on plain and on busy backgrounds, the
way a desk photo is taken before a backdrop or before a shelf, a poster or a window."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from cccd.enrollments.intake import captures
from cccd.errors import DomainError

FACES = Path(__file__).resolve().parents[2] / "fixtures" / "faces"
PORTRAIT = cv2.imread(str(FACES / "portrait.jpg"))
COFFEE = cv2.imread(str(FACES / "no_face.jpg"))  # a real photograph: cup, saucer, wooden table
HEIGHT, WIDTH = PORTRAIT.shape[:2]


def encode(image: np.ndarray) -> bytes:
    return cv2.imencode(".jpg", np.clip(image, 0, 255).astype(np.uint8))[1].tobytes()


def before(background: np.ndarray) -> np.ndarray:
    """The portrait's head and body (an oval round the head, everything under the chin) laid on
    `background`, with a soft seam as a cut-out has."""
    person = np.zeros((HEIGHT, WIDTH), np.float32)
    cv2.ellipse(person, (150, 105), (82, 100), 0, 0, 360, 1.0, -1)
    person[190:, :] = 1.0
    weight = cv2.GaussianBlur(person, (0, 0), 2)[..., None]
    return PORTRAIT * weight + background.astype(np.float32) * (1 - weight)


def plain(value: float = 225.0) -> np.ndarray:
    return np.full((HEIGHT, WIDTH, 3), value, np.float32)


def graded() -> np.ndarray:
    """A backdrop lit from one side: from 170 to 245 grey across the picture."""
    ramp = np.linspace(170, 245, WIDTH, dtype=np.float32)
    return np.repeat(np.tile(ramp, (HEIGHT, 1))[..., None], 3, axis=2)


def grainy() -> np.ndarray:
    """A plain backdrop seen through a noisy sensor."""
    return plain() + np.random.default_rng(7).normal(0, 4, (HEIGHT, WIDTH, 3))


def striped() -> np.ndarray:
    """Red and white stripes 15 px high, as a flag behind the person."""
    stripes = plain(235)
    for top in range(0, HEIGHT, 30):
        stripes[top : top + 15] = (60, 60, 200)
    return stripes


def printed() -> np.ndarray:
    """A notice board of printed lines."""
    board = np.full((HEIGHT, WIDTH, 3), 235, np.uint8)
    for baseline in range(10, HEIGHT, 18):
        cv2.putText(board, "Lorem ipsum dolor sit amet", (2, baseline), 0, 0.45, (40, 40, 40))
    return board.astype(np.float32)


def refused(data: bytes) -> str:
    with pytest.raises(DomainError) as caught:
        captures.check_photo(data)
    return caught.value.code


@pytest.mark.parametrize("backdrop", [plain, graded, grainy], ids=["plain", "graded", "grainy"])
def test_a_head_before_a_plain_backdrop_passes_with_no_edge_behind_it(backdrop: object) -> None:
    quality = captures.check_photo(encode(before(backdrop()))).quality  # type: ignore[operator]
    assert quality["background"] == 0.0


def test_the_portrait_passes_and_keeps_its_background_measure() -> None:
    quality = captures.check_photo((FACES / "portrait.jpg").read_bytes()).quality
    assert 0 < quality["background"] < captures.BACKGROUND_MAX_EDGES / 3  # a mottled backdrop
    assert json.loads(json.dumps(quality)) == quality


@pytest.mark.parametrize(
    "backdrop",
    [lambda: COFFEE, striped, printed],
    ids=["cafe-table", "flag-stripes", "notice-board"],
)
def test_a_head_before_a_busy_background_is_retaken(backdrop: object) -> None:
    assert refused(encode(before(backdrop()))) == "BACKGROUND_NOT_PLAIN"  # type: ignore[operator]


def test_a_busy_background_is_as_busy_in_a_dim_room() -> None:
    dim = before(COFFEE) * 0.4  # the face still passes as lit well enough
    assert refused(encode(dim)) == "BACKGROUND_NOT_PLAIN"


def test_the_astronaut_before_her_flag_and_model_shuttle_is_retaken() -> None:
    # the neck ring is still no second person: the refusal is the background, not MANY_FACES
    assert refused((FACES / "half_body.jpg").read_bytes()) == "BACKGROUND_NOT_PLAIN"


def test_a_face_filling_the_picture_is_refused_as_too_close_not_judged_on_background() -> None:
    close = cv2.resize(PORTRAIT[40:240, 75:225], (WIDTH, HEIGHT))  # face 60 % of the width
    assert refused(encode(close)) == "FACE_TOO_LARGE"


@pytest.mark.parametrize(
    "box",
    [(0, 0, 300, 400), (-50, -80, 420, 600), (70, 0, 160, 120)],
    ids=["the-whole-picture", "past-every-edge", "slivers-beside-a-close-face"],
)
def test_too_little_background_to_judge_is_not_judged(box: tuple[int, int, int, int]) -> None:
    busy = cv2.cvtColor(COFFEE, cv2.COLOR_BGR2GRAY)
    assert captures._background_clutter(busy, box) is None


def test_slivers_of_background_are_too_few_pixels_to_judge() -> None:
    slivers = captures._background_mask((400, 300), (70, 0, 160, 120))
    assert 0 < slivers.mean() < captures.BACKGROUND_MIN_SHARE  # some, but under 3 % of the picture


def test_a_face_at_the_top_is_judged_on_the_bands_beside_it() -> None:
    busy = cv2.cvtColor(COFFEE, cv2.COLOR_BGR2GRAY)
    clutter = captures._background_clutter(busy, (100, 0, 100, 100))
    assert clutter is not None and clutter > captures.BACKGROUND_MAX_EDGES


def test_the_background_is_read_beside_and_above_the_head_only() -> None:
    mask = captures._background_mask((400, 300), (100, 100, 100, 100))
    assert mask[:40].all()  # above the hair: 0.6 of the face's height over the box
    assert not mask[40:200, 65:235].any()  # the head, its hair and ears
    assert mask[40:200, :65].all() and mask[40:200, 235:].all()  # beside it, down to the chin
    assert not mask[200:].any()  # the shoulders and body
