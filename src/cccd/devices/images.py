"""Synthetic biometric images for the device simulator: distinct per person and finger, never real.

Deterministic: the same seed and finger give the same bytes, so a test or the bench can tell one
person's captures from another's and a retake from a first take (the `take` number varies the frame
a little, as a real second press does). Fingerprints are ridge fields (a whorl, loop or arch around
a core, with wandering ridge frequency), an iris is a textured ring around a pupil at the spec's
minimum of 150 pixels across, a face is a drawn head on a plain background. They are made to look
like what the desk shows, not to be matched by an AFIS.
"""

from __future__ import annotations

import hashlib

import cv2
import numpy as np
from numpy.typing import NDArray

FINGER_SIZE = (320, 256)  # rows, columns: a segmented finger at about 500 dpi
IRIS_SIZE = 320  # "Aspect Ratio 1:1", iris diameter above 150 px
FACE_SIZE = (480, 360)  # 4:3 portrait, as a 35 × 45 mm photo


def rng(*parts: object) -> np.random.Generator:
    """A generator seeded by the text of `parts` (the person's seed, the finger, the take)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def png(image: NDArray[np.uint8]) -> bytes:
    ok, encoded = cv2.imencode(".png", image)
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 array
        raise ValueError("PNG encoding failed")
    return encoded.tobytes()


def _smooth_noise(
    generator: np.random.Generator, shape: tuple[int, int], scale: int
) -> NDArray[np.float64]:
    small = generator.normal(size=(max(2, shape[0] // scale), max(2, shape[1] // scale)))
    return np.asarray(
        cv2.resize(small, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC), dtype=np.float64
    )


def finger(seed: str, sub_type: str, take: int = 0, quality: float = 80.0) -> bytes:
    """A segmented finger: dark ridges on white, clearer as `quality` (0–100) rises."""
    person = rng(seed, sub_type)
    frame = rng(seed, sub_type, take)
    rows, cols = FINGER_SIZE
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    cx = cols * person.uniform(0.42, 0.58) + frame.normal(0, 4)
    cy = rows * person.uniform(0.40, 0.55) + frame.normal(0, 4)
    period = person.uniform(8.0, 10.5)
    k = 2 * np.pi / period
    dx, dy = x - cx, y - cy
    radius = np.hypot(dx, dy * 0.85)
    kind = int(person.integers(0, 3))
    if kind == 0:  # whorl: rings around the core
        phase = k * radius
    elif kind == 1:  # loop: rings opened by the angle
        phase = k * radius + person.choice([-1.0, 1.0]) * 2.0 * np.arctan2(dy, dx)
    else:  # arch: waves bent over the core
        phase = k * (y + 40.0 * np.exp(-((dx / (cols * 0.35)) ** 2)) * np.tanh(-dy / 40.0))
    phase += 9.0 * _smooth_noise(person, (rows, cols), 48)
    ridges = 0.5 + 0.5 * np.sin(phase)
    blur = max(0.0, (85.0 - quality) / 12.0)
    noise = frame.normal(0.0, 0.05 + max(0.0, 70.0 - quality) / 120.0, size=ridges.shape)
    image = 255.0 * np.clip(ridges + noise, 0.0, 1.0)
    if blur > 0.3:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    pressure = (dx / (cols * 0.42)) ** 2 + (dy / (rows * 0.47)) ** 2
    image = np.where(pressure <= 1.0, image, 255.0)
    return png(np.clip(image, 0, 255).astype(np.uint8))


def iris(seed: str, side: str, take: int = 0, quality: float = 85.0) -> bytes:
    """One eye in grey at 8 bits: sclera, a textured iris ring, the pupil and a light's glint."""
    person = rng(seed, "iris", side)
    frame = rng(seed, "iris", side, take)
    size = IRIS_SIZE
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    cx, cy = size / 2 + frame.normal(0, 3), size / 2 + frame.normal(0, 3)
    r = np.hypot(x - cx, y - cy)
    theta = np.arctan2(y - cy, x - cx)
    iris_r = person.uniform(88, 100)  # over 150 px across
    pupil_r = person.uniform(28, 40)
    texture = np.zeros_like(r)
    for _ in range(24):
        texture += np.cos(person.integers(8, 60) * theta + person.uniform(0, 2 * np.pi)) * np.cos(
            person.uniform(0.05, 0.25) * r + person.uniform(0, 2 * np.pi)
        )
    texture /= 24
    base = person.uniform(90, 140)
    image = np.full_like(r, 205.0)
    ring = (r > pupil_r) & (r <= iris_r)
    image[ring] = base + 90.0 * texture[ring] - 20.0 * (r[ring] - pupil_r) / (iris_r - pupil_r)
    image[r <= pupil_r] = 18.0
    glint = np.hypot(x - cx - pupil_r * 0.5, y - cy + pupil_r * 0.5) < 5
    image[glint] = 250.0
    if quality < 60:
        image = cv2.GaussianBlur(image, (0, 0), (60 - quality) / 8 + 1)
    image += frame.normal(0, 3, size=image.shape)
    return png(np.clip(image, 0, 255).astype(np.uint8))


def face(seed: str, take: int = 0, quality: float = 90.0) -> bytes:
    """A frontal head and shoulders on a plain light background (colour, 24 bits)."""
    person = rng(seed, "face")
    frame = rng(seed, "face", take)
    rows, cols = FACE_SIZE
    image = np.full((rows, cols, 3), (236, 232, 228), dtype=np.uint8)
    skin = tuple(int(v) for v in person.integers((120, 150, 185), (175, 200, 235)))
    hair = tuple(int(v) for v in person.integers(10, 50, size=3))
    shirt = tuple(int(v) for v in person.integers(40, 200, size=3))
    cx = cols // 2 + int(frame.normal(0, 3))
    cy = int(rows * 0.42) + int(frame.normal(0, 3))
    head = (int(person.uniform(78, 92)), int(person.uniform(102, 118)))
    cv2.ellipse(image, (cx, rows + 20), (150, 150), 0, 180, 360, shirt, -1)
    cv2.rectangle(image, (cx - 28, cy + head[1] - 20), (cx + 28, cy + head[1] + 40), skin, -1)
    cv2.ellipse(image, (cx, cy - 20), (head[0] + 8, head[1] - 10), 0, 180, 360, hair, -1)
    cv2.ellipse(image, (cx, cy), head, 0, 0, 360, skin, -1)
    eye_y = cy - int(head[1] * 0.15)
    for side in (-1, 1):
        ex = cx + side * int(head[0] * 0.42)
        cv2.ellipse(image, (ex, eye_y), (14, 7), 0, 0, 360, (245, 245, 245), -1)
        cv2.circle(image, (ex, eye_y), 5, (40, 30, 20), -1)
        cv2.line(image, (ex - 16, eye_y - 16), (ex + 16, eye_y - 18), hair, 3)
    cv2.line(image, (cx, eye_y + 8), (cx - 6, cy + 30), tuple(v - 30 for v in skin), 2)
    mouth_y = cy + int(head[1] * 0.5)
    cv2.ellipse(image, (cx, mouth_y), (24, 6), 0, 0, 180, (90, 80, 160), 2)
    if quality < 60:
        return png(np.asarray(cv2.GaussianBlur(image, (0, 0), (60 - quality) / 6 + 1), np.uint8))
    return png(image)
