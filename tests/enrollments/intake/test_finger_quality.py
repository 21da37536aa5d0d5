"""Our fingerprint quality score (`fingerquality`): what it must rank, on synthetic prints whose
faults are known — a print, then the same print blurred, pale, noisy, half off the glass."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cccd.accounts.models import User
from cccd.enrollments.intake import captures, fingerquality, services
from cccd.enrollments.intake.fingerquality import FINGER_QUALITY_MIN, measure
from cccd.enrollments.models import Artefact
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.enrollments.intake.test_captures import wsq


def finger(height: int = 500, width: int = 400, period: float = 9.0, seed: int = 0) -> np.ndarray:
    """A 500 ppi-like print: elliptic ridges of `period` pixels on an oval pad, white around it."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    cy, cx = height * 0.45 + rng.uniform(-20, 20), width / 2 + rng.uniform(-20, 20)
    radius = np.sqrt((x - cx) ** 2 + ((y - cy) / 1.3) ** 2)
    ridges = 128 + 100 * np.sin(2 * np.pi * radius / period)
    pad = ((x - width / 2) / (width * 0.42)) ** 2 + ((y - height / 2) / (height * 0.45)) ** 2 <= 1
    return np.where(pad, ridges, 255).astype(np.uint8)


GOOD = finger()


def _noisy(image: np.ndarray, sigma: float) -> np.ndarray:
    noise = np.random.default_rng(7).normal(0, sigma, image.shape)
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def _two_thirds_off(image: np.ndarray) -> np.ndarray:
    off = image.copy()
    off[: image.shape[0] * 2 // 3, :] = 255
    return off


def test_a_clear_print_scores_high_whatever_its_pattern() -> None:
    scores = [measure(finger(seed=s, period=p)).score for s in range(3) for p in (8.0, 10.0)]
    assert min(scores) >= 90


@pytest.mark.parametrize(
    ("fault", "degrade"),
    [
        ("smudged", lambda g: cv2.GaussianBlur(g, (0, 0), 4)),
        ("pale", lambda g: (g.astype(np.float32) * 0.15 + 200).astype(np.uint8)),
        ("two thirds off the glass", _two_thirds_off),
        (
            "noise, no ridges",
            lambda g: np.random.default_rng(1).integers(0, 256, g.shape, np.uint8),
        ),
        ("nothing on the glass", lambda g: np.full_like(g, 255)),
    ],
)
def test_a_faulty_print_falls_below_the_retake_threshold(fault: str, degrade: object) -> None:
    score = measure(degrade(GOOD)).score  # type: ignore[operator]
    assert score < FINGER_QUALITY_MIN, fault


def test_more_noise_never_scores_better() -> None:
    scores = [measure(_noisy(GOOD, sigma)).score for sigma in (0, 20, 40, 60, 90)]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_an_image_smaller_than_a_block_scores_zero() -> None:
    assert measure(np.zeros((8, 300), np.uint8)).score == 0


def test_a_huge_image_is_reduced_before_it_is_measured() -> None:
    big = cv2.resize(GOOD, (2400, 3000), interpolation=cv2.INTER_LINEAR)
    assert measure(big).score >= 60  # measured at MAX_SIDE; ridges of 54 px become 18 px


def test_the_desk_keeps_the_score_beside_a_scanned_image_and_none_for_a_record() -> None:
    for ext in (".png", ".bmp", ".jpg"):
        data = cv2.imencode(ext, GOOD)[1].tobytes()
        quality = captures.check_fingerprint(data).quality
        assert quality["measure"] == fingerquality.MEASURE and quality["score"] >= 90, ext
    smudged = cv2.imencode(".png", cv2.GaussianBlur(GOOD, (0, 0), 4))[1].tobytes()
    assert captures.check_fingerprint(smudged).quality["score"] < FINGER_QUALITY_MIN
    assert captures.check_fingerprint(wsq()).quality == {}  # the device's own record, unscored


@pytest.mark.django_db
def test_the_intake_screen_shows_each_fingers_score_and_asks_again_for_a_low_one(
    called: Ticket, officer_dakmil: User
) -> None:
    sharp = cv2.imencode(".png", GOOD)[1].tobytes()
    smudged = cv2.imencode(".png", cv2.GaussianBlur(GOOD, (0, 0), 4))[1].tobytes()
    services.capture_slots(
        called.pk,
        Artefact.Kind.FINGERPRINT,
        actor=officer_dakmil,
        files={1: sharp, 2: smudged},
        reasons={},
    )
    page = client_for(officer_dakmil).get(
        f"/intake/tickets/{called.pk}/", HTTP_ACCEPT_LANGUAGE="vi"
    )
    html = page.content.decode()
    first = html.split('data-testid="finger-quality-1">')[1].split("</small>")[0]
    second = html.split('data-testid="finger-quality-2">')[1].split("</small>")[0]
    assert "chất lượng" in first and "lấy lại" not in first
    assert "chất lượng" in second and "thấp: lấy lại" in second
    assert 'data-testid="finger-quality-3"' not in html  # not taken yet
