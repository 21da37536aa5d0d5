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
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

FINGER_SIZE = (320, 256)  # rows, columns: a segmented finger at about 500 dpi
IRIS_SIZE = 320  # "Aspect Ratio 1:1", iris diameter above 150 px
FACE_SIZE = (480, 360)  # 4:3 portrait, as a 35 × 45 mm photo
FACE_SHARP_FROM = 60.0  # quality score from which the face is in focus
FACE_BLURRED_BELOW = 40.0  # and under which the desk's photo check must refuse it as blurred
FACE_BLUR = 2.2  # Gaussian sigma at FACE_BLURRED_BELOW (see `face_blur`)
FACE_BLUR_STEP = 0.2  # added to it as the score falls to 0
FACE_LENS_SOFTNESS = 1.2  # sigma of the softening every drawn edge gets, as through a lens


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
    """A frontal head and shoulders on a plain light background (colour, 24 bits), sharp from
    `quality` 60 up and out of focus below it, so that the desk's photo check refuses it as
    blurred under 40.

    The face is drawn the way OpenCV's Haar frontal-face cascade expects a face to look: eye
    sockets and brows darker than the cheeks, a lit nose bridge between them, a darker mouth, a
    rounded face that darkens towards its edges; skin and hair carry a fine grain, as a camera's
    sensor records it, which is what the check's sharpness measure reads and a blur removes.
    """
    sitter = _sitter(rng(seed, "face"))
    frame = rng(seed, "face", take)
    image, skin = _draw_face(sitter, _pose(frame))
    image = cv2.GaussianBlur(image, (0, 0), FACE_LENS_SOFTNESS)
    grain = frame.normal(0.0, 1.0, size=skin.shape).astype(np.float32) * (1.0 + 3.0 * skin)
    image += grain[..., None]
    blur = face_blur(quality)
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return png(np.clip(image, 0, 255).astype(np.uint8))


def face_blur(quality: float) -> float:
    """The camera's focus error, as a Gaussian sigma in pixels, for a quality score of 0–100.

    None from 60 up; from 60 down to 40 it grows to the sigma that puts every drawn face under the
    photo check's sharpness limit, and below 40 a little further. It stops short of the blur at
    which the face detector no longer finds the head: a blurred photo must read PHOTO_BLURRED,
    not NO_FACE. Measured on 300 seeds (tests/devices/test_simulator_images.py keeps 24 of them):
    [filled in below]."""
    if quality >= FACE_SHARP_FROM:
        return 0.0
    if quality >= FACE_BLURRED_BELOW:
        return FACE_BLUR * (FACE_SHARP_FROM - quality) / (FACE_SHARP_FROM - FACE_BLURRED_BELOW)
    return FACE_BLUR + FACE_BLUR_STEP * (FACE_BLURRED_BELOW - quality) / FACE_BLURRED_BELOW


Colour = tuple[float, float, float]  # blue, green, red, as OpenCV orders them

SKIN_LIGHT: Colour = (175, 200, 238)
SKIN_DARK: Colour = (95, 125, 175)
BACKDROPS: tuple[Colour, ...] = (
    (242, 242, 240),
    (246, 232, 214),
    (238, 236, 232),
)  # white, light blue, light grey
SHIRT_COLLAR: Colour = (235, 235, 232)


@dataclass(frozen=True)
class Sitter:
    """What stays the same from one take to the next: the person and the backdrop."""

    skin: NDArray[np.float32]
    hair: NDArray[np.float32]
    eyes: NDArray[np.float32]
    clothes: NDArray[np.float32]
    backdrop: NDArray[np.float32]
    half_width: float  # of the face, in pixels
    length: float  # the face's height over its width
    jaw: float  # how much narrower the chin is than the cheeks, 0–1
    hair_style: str  # "short", "bob" or "long"
    hairline: float  # how far above the face's centre the hair starts, in face heights
    parting: float  # where the hairline is highest, sideways, in face widths
    brow: float  # the brows' thickness, in face widths
    mouth: float  # the mouth's half width, in face widths
    neckline: str  # "v", "collar" or "round"
    neck: float  # from the chin to the shoulders, in face heights
    shoulders: float  # half the shoulders' width, in picture widths (past its edges)
    slope: float  # how far the shoulders fall at their ends, in face heights


@dataclass(frozen=True)
class Pose:
    """What changes from take to take: where the head is, the light, the eyes and the mouth."""

    shift: tuple[float, float]
    scale: float
    light: float  # from the side: brighter on the picture's right when positive
    exposure: float
    openness: float
    smile: float


def _sitter(person: np.random.Generator) -> Sitter:
    tone = person.uniform(0.0, 1.0)
    skin = (
        np.asarray(SKIN_LIGHT, np.float32) * (1 - tone) + np.asarray(SKIN_DARK, np.float32) * tone
    )
    if person.random() < 0.15:
        hair = np.asarray((38, 55, 80), np.float32) * person.uniform(0.7, 1.0)  # dark brown
    else:
        hair = person.uniform(12, 40) * person.uniform(0.8, 1.2, size=3).astype(np.float32)
    return Sitter(
        skin=skin,
        hair=hair,
        eyes=np.asarray((30, 45, 65), np.float32) * person.uniform(0.6, 1.3),
        clothes=person.uniform(30, 160, size=3).astype(np.float32),
        backdrop=np.asarray(BACKDROPS[int(person.integers(0, len(BACKDROPS)))], np.float32),
        half_width=person.uniform(64, 76),
        length=person.uniform(1.27, 1.4),
        jaw=person.uniform(0.04, 0.22),
        hair_style=("short", "bob", "long")[int(person.integers(0, 3))],
        hairline=person.uniform(0.55, 0.68),
        parting=person.uniform(-0.3, 0.3),
        brow=person.uniform(0.05, 0.085),
        mouth=person.uniform(0.28, 0.36),
        neckline=("v", "collar", "round")[int(person.integers(0, 3))],
        neck=person.uniform(0.3, 0.42),
        shoulders=person.uniform(0.55, 0.65),
        slope=person.uniform(0.45, 0.65),
    )


def _pose(frame: np.random.Generator) -> Pose:
    return Pose(
        shift=(frame.normal(0, 2.5), frame.normal(0, 2.5)),
        scale=frame.uniform(0.985, 1.015),
        light=frame.uniform(-0.06, 0.06),
        exposure=frame.uniform(0.97, 1.03),
        openness=frame.uniform(0.85, 1.05),
        smile=frame.uniform(0.0, 0.05),
    )


@dataclass(frozen=True)
class _Head:
    """Where the face is on the picture: its centre, half width and half height, in pixels."""

    x: float
    y: float
    a: float
    b: float

    @property
    def eye_y(self) -> float:
        return self.y + self.b * 0.04

    @property
    def eye_dx(self) -> float:
        return self.a * 0.42

    @property
    def chin(self) -> float:
        return self.y + self.b


def _draw_face(sitter: Sitter, pose: Pose) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The picture (float, 0–255, BGR) and where the face's skin is (0–1)."""
    rows, cols = FACE_SIZE
    a = sitter.half_width * pose.scale
    head = _Head(cols / 2 + pose.shift[0], rows * 0.41 + pose.shift[1], a, a * sitter.length)
    canvas = _Canvas((rows, cols), sitter.backdrop)
    _backdrop_light(canvas, head)
    hair = _hair_behind(canvas, head, sitter)
    _neck_and_clothes(canvas, head, sitter)
    skin = _face_skin(canvas, head, sitter, pose)
    _fringe(canvas, head, sitter, hair)
    _eyes_and_brows(canvas, head, sitter, pose)
    _nose_and_mouth(canvas, head, sitter, pose)
    return canvas.image * np.float32(pose.exposure), skin


def _backdrop_light(canvas: _Canvas, head: _Head) -> None:
    """A plain backdrop, lit a little less towards the corners, as a studio lamp lights it."""
    rows, cols = canvas.shape
    y, x = canvas.grid
    falloff = 1.0 - 0.1 * (((x - head.x) / cols) ** 2 + ((y - rows * 0.3) / rows) ** 2)
    canvas.image *= falloff[..., None]


def _hair_behind(canvas: _Canvas, head: _Head, sitter: Sitter) -> NDArray[np.float32]:
    """The hair around the head (and down the back for a bob or long hair); returns its outline,
    which the fringe fills again over the forehead."""
    x, y, a, b = head.x, head.y, head.a, head.b
    outline = canvas.ellipse((x, y - b * 0.1), (a * 1.1, b * 1.02), soft=1.0)
    if sitter.hair_style != "short":
        end = head.chin if sitter.hair_style == "bob" else head.chin + b * (sitter.neck + 0.3)
        spread = 1.12 if sitter.hair_style == "bob" else 1.22
        corners = [(x - a * 1.1, y - b * 0.1), (x + a * 1.1, y - b * 0.1)]
        corners += [(x + a * spread, end), (x - a * spread, end)]
        canvas.paint(canvas.polygon(corners, soft=1.0), sitter.hair)
    canvas.paint(outline, sitter.hair)
    return outline


def _neck_and_clothes(canvas: _Canvas, head: _Head, sitter: Sitter) -> None:
    rows, _ = canvas.shape
    x, a, b = head.x, head.a, head.b
    y = canvas.grid[0]
    shoulder = head.chin + b * sitter.neck
    neck = canvas.polygon(
        [(x - a * 0.46, head.y + b * 0.5), (x + a * 0.46, head.y + b * 0.5)]
        + [(x + a * 0.52, rows), (x - a * 0.52, rows)],
        soft=0.8,
    )
    shadow = np.clip(0.8 + 0.1 * (y - head.chin) / (shoulder - head.chin + 1), 0.8, 0.9)
    canvas.paint(neck, sitter.skin[None, None, :] * shadow[..., None])
    reach, drop = canvas.shape[1] * sitter.shoulders, b * sitter.slope
    line = [
        (x + d, shoulder + drop * abs(d / reach) ** 2.5) for d in np.linspace(-reach, reach, 41)
    ]
    canvas.paint(
        canvas.polygon([(x - reach, rows + 1), *line, (x + reach, rows + 1)]), sitter.clothes
    )
    if sitter.neckline == "v":
        v = [(x - a * 0.45, shoulder - 2), (x + a * 0.45, shoulder - 2), (x, shoulder + b * 0.5)]
        canvas.paint(canvas.polygon(v), sitter.skin * 0.85)
    elif sitter.neckline == "collar":
        for side in (-1, 1):
            wing = [(x + side * a * 0.5, shoulder - 6), (x, shoulder + b * 0.28)]
            wing += [
                (x + side * a * 0.12, shoulder + b * 0.42),
                (x + side * a * 0.78, shoulder + b * 0.06),
            ]
            canvas.paint(canvas.polygon(wing), np.asarray(SHIRT_COLLAR, np.float32))
    else:
        round_neck = canvas.ellipse((x, shoulder - 2), (a * 0.46, b * 0.14), arc=(0, 180))
        canvas.paint(round_neck, sitter.skin * 0.85)


def _face_skin(canvas: _Canvas, head: _Head, sitter: Sitter, pose: Pose) -> NDArray[np.float32]:
    """Ears, then the face: an oval narrowing to the chin, shaded as a rounded surface, with the
    eye sockets, the sides of the nose and the hollows under nose and lip in shadow, the nose
    bridge and cheeks in light. Returns the face's mask."""
    x, y, a, b = head.x, head.y, head.a, head.b
    for side in (-1, 1):
        ear = canvas.ellipse((x + side * a * 0.97, y + b * 0.02), (a * 0.14, b * 0.2))
        canvas.paint(ear, sitter.skin * 0.88)
    gy, gx = canvas.grid
    u = (gx - x) / (a * (1 - sitter.jaw * np.clip((gy - y) / b, 0, 1) ** 2))
    v = (gy - y) / b
    r2 = u * u + v * v
    mask = np.clip((1.0 - np.sqrt(r2)) * b / 1.2, 0, 1).astype(np.float32)
    shade = 1.0 - 0.28 * np.clip(r2, 0, 1) ** 1.6 + pose.light * u
    for side in (-1, 1):
        shade -= 0.28 * canvas.spot(
            (x + side * head.eye_dx, head.eye_y - b * 0.02), (a * 0.24, a * 0.13)
        )
        shade += 0.06 * canvas.spot((x + side * a * 0.45, y + b * 0.22), (a * 0.2, a * 0.16))
        shade -= 0.10 * canvas.spot((x + side * a * 0.13, y + b * 0.18), (a * 0.05, b * 0.12))
    shade += 0.1 * canvas.spot((x, y + b * 0.12), (a * 0.07, b * 0.18))
    shade -= 0.12 * canvas.spot((x, y + b * 0.32), (a * 0.18, b * 0.03))
    shade -= 0.08 * canvas.spot((x, y + b * 0.64), (a * 0.22, b * 0.04))
    canvas.paint(mask, sitter.skin[None, None, :] * shade[..., None])
    return mask


def _fringe(canvas: _Canvas, head: _Head, sitter: Sitter, hair: NDArray[np.float32]) -> None:
    """Hair over the forehead down to a hairline that dips at the temples, never over the brows."""
    y, x = canvas.grid
    dip = head.b * 0.35 * ((x - head.x - sitter.parting * head.a) / head.a) ** 2
    hairline = np.minimum(head.y - head.b * sitter.hairline + dip, head.eye_y - head.a * 0.5)
    canvas.paint(hair * np.clip(hairline - y + 0.5, 0, 1), sitter.hair)


def _eyes_and_brows(canvas: _Canvas, head: _Head, sitter: Sitter, pose: Pose) -> None:
    a, eye_y = head.a, head.eye_y
    brow_colour = np.minimum(sitter.hair * 1.1, sitter.skin * 0.45)
    for side in (-1, 1):
        x = head.x + side * head.eye_dx
        brow = _arc(x + side * a * 0.02, eye_y - a * 0.2, a * 0.24, a * 0.05)
        canvas.paint(canvas.stroke(brow, sitter.brow * a), brow_colour)
        white = canvas.ellipse((x, eye_y), (a * 0.17, a * 0.075 * pose.openness), soft=0.6)
        canvas.paint(white, sitter.skin * 0.5 + np.float32(95))
        canvas.paint(
            canvas.ellipse((x, eye_y), (a * 0.085, a * 0.085), soft=0.5) * white, sitter.eyes
        )
        canvas.paint(
            canvas.ellipse((x, eye_y), (a * 0.04, a * 0.04), soft=0.5) * white, (15, 15, 15)
        )
        glint = canvas.ellipse((x + a * 0.025, eye_y - a * 0.025), (1.3, 1.3), soft=0.4)
        canvas.paint(glint, (235, 235, 235))
        canvas.paint(
            canvas.stroke(_arc(x, eye_y - a * 0.04, a * 0.18, a * 0.045), 2, 0.6), sitter.hair * 0.8
        )


def _nose_and_mouth(canvas: _Canvas, head: _Head, sitter: Sitter, pose: Pose) -> None:
    x, y, a, b = head.x, head.y, head.a, head.b
    for side in (-1, 1):
        nostril = canvas.ellipse((x + side * a * 0.09, y + b * 0.28), (a * 0.055, a * 0.03))
        canvas.paint(0.7 * nostril, sitter.skin * 0.45)
    mouth_y, half = y + b * 0.47, a * sitter.mouth
    lips = sitter.skin * np.asarray((0.72, 0.66, 0.92), np.float32)
    canvas.paint(canvas.ellipse((x, mouth_y - 1), (half, a * 0.07), arc=(180, 360)), lips)
    canvas.paint(canvas.ellipse((x, mouth_y), (half * 0.9, a * 0.1), arc=(0, 180)), lips * 1.05)
    canvas.paint(canvas.stroke(_arc(x, mouth_y, half, -pose.smile * a), 2, 0.6), lips * 0.55)


def _arc(
    x: float, y: float, half: float, rise: float, points: int = 12
) -> list[tuple[float, float]]:
    """A parabola through (x ± half, y) whose middle is `rise` pixels higher."""
    return [(x + d, y - rise * (1 - (d / half) ** 2)) for d in np.linspace(-half, half, points)]


_SHIFT = 4  # OpenCV draws at 1/16 pixel when given coordinates shifted by 4 bits


class _Canvas:
    """A float picture to paint anti-aliased, slightly softened shapes on."""

    def __init__(self, shape: tuple[int, int], fill: NDArray[np.float32]) -> None:
        self.shape = shape
        self.image = np.empty((*shape, 3), np.float32)
        self.image[:] = fill
        self.grid = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)

    def paint(self, mask: NDArray[np.float32], colour: object) -> None:
        """Blend `colour` (one, or one per pixel) in where `mask` (0–1) says, within its bounds."""
        rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
        if rows.size == 0:
            return
        window = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
        paint = np.asarray(colour, np.float32)
        if paint.ndim == 3:
            paint = paint[window]
        region = self.image[window]
        region += mask[window][..., None] * (paint - region)

    def ellipse(
        self,
        centre: tuple[float, float],
        axes: tuple[float, float],
        arc: tuple[int, int] = (0, 360),
        soft: float = 0.8,
    ) -> NDArray[np.float32]:
        target = np.zeros(self.shape, np.uint8)
        cv2.ellipse(target, _at(centre), _at(axes), 0, arc[0], arc[1], 255, -1, cv2.LINE_AA, _SHIFT)
        return _softened(target, soft)

    def polygon(self, points: list[tuple[float, float]], soft: float = 0.8) -> NDArray[np.float32]:
        target = np.zeros(self.shape, np.uint8)
        cv2.fillPoly(
            target, [np.array([_at(p) for p in points], np.int32)], 255, cv2.LINE_AA, _SHIFT
        )
        return _softened(target, soft)

    def stroke(
        self, points: list[tuple[float, float]], thickness: float, soft: float = 0.8
    ) -> NDArray[np.float32]:
        target = np.zeros(self.shape, np.uint8)
        line = np.array([_at(p) for p in points], np.int32)
        cv2.polylines(target, [line], False, 255, max(1, round(thickness)), cv2.LINE_AA, _SHIFT)
        return _softened(target, soft)

    def spot(self, centre: tuple[float, float], sigma: tuple[float, float]) -> NDArray[np.float32]:
        """A Gaussian bump of height 1: soft light or shadow."""
        y, x = self.grid
        spread = ((x - centre[0]) / sigma[0]) ** 2 + ((y - centre[1]) / sigma[1]) ** 2
        return np.exp(-spread / 2).astype(np.float32)


def _at(point: tuple[float, float]) -> tuple[int, int]:
    return round(point[0] * (1 << _SHIFT)), round(point[1] * (1 << _SHIFT))


def _softened(target: NDArray[np.uint8], soft: float) -> NDArray[np.float32]:
    mask = target.astype(np.float32) / 255.0
    return np.asarray(cv2.GaussianBlur(mask, (0, 0), soft), np.float32) if soft > 0 else mask
