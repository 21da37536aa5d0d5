"""The checks the intake desk runs on each capture before it is kept.

Every refusal is a `DomainError` from `errors.py` whose sentence tells the officer what to retake, so
a bad photo is caught while the applicant is still at the desk rather than at the card factory. The
bytes are kept exactly as received (only a canvas data URL is base64-decoded): the checks read them,
never rewrite them, so the stored file and its SHA-256 are what the camera or scanner produced.

The photo check uses OpenCV's bundled Haar face detector (docs/design.md#photo-check). Every
threshold below is a named constant with the measurement it came from; the measurements were made on
the photos in `tests/fixtures/faces/` (scikit-image's "astronaut", public domain, and "coffee", CC0)
and on images derived from them the way the tests derive them (blurred, darkened, padded, resized).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import math
import re
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import cv2
import numpy as np
from PIL import Image

from cccd import filebounds
from cccd.enrollments import errors
from cccd.enrollments.intake import fingerquality

MB = 1024 * 1024
PHOTO_MAX_MB = 10
FINGERPRINT_MAX_MB = 2
IRIS_MAX_MB = 5
SIGNATURE_MAX_MB = 2

# Pixels read from the header before anything is decoded. A 10 MB PNG of one colour can claim
# 30000×30000 and inflate to gigabytes; 40 megapixels (7300×5500) is above any desk camera and a
# phone's default 12–24 MP, and decodes to at most 40 MB of grey (120 MB of colour on the way).
# Larger is refused as IMAGE_TOO_MANY_PIXELS (cccd.filebounds), as are JPEGs of too many scans.
# OpenCV's own limit is set to the same number in settings.py (it reads it once, when it loads),
# so a file whose header tells Pillow one size and its data another is still bounded.
MAX_PIXELS = 40_000_000

# The photo must be at least 240×320 (either orientation: a desk webcam gives 640×480 landscape, a
# cropped portrait 3:4). 240 px across leaves a face of 36–132 px under the size band below, above
# the detector's 24 px window; smaller is PHOTO_TOO_SMALL.
PHOTO_MIN_SHORT_SIDE = 240
PHOTO_MIN_LONG_SIDE = 320

# Sharpness and brightness are measured on the picture scaled to 640 px on the long side (large JPEGs
# are decoded directly at 1/2, 1/4 or 1/8 scale by libjpeg, which is faster than decoding in full).
ANALYSIS_LONG_SIDE = 640

# Face detection runs on the picture scaled to 400 px on the long side, histogram-equalised, with a
# scale step of 1.15 and faces from 10 % of the short side. Measured on the development machine
# (2 cores), detection alone in a 640×480 frame: 640 px / step 1.1 took 45 ms, 400 px / step 1.15
# 15–20 ms, finding the same faces in every fixture case (portrait, two faces, padded small face,
# off-centre, blurred, dark, bright, upscaled); the whole check of a 640×480 JPEG takes ~20 ms. Faces the detector sees between 10 % and FACE_MIN_SIZE get "move closer"; smaller
# ones are not looked for and read as NO_FACE, as does a face filling over ~65 % of the picture,
# which this cascade stops recognising (FACE_TOO_LARGE is given from 55 %).
DETECT_LONG_SIDE = 400
DETECT_SCALE_STEP = 1.15
DETECT_MIN_FACE = 0.10
# A detection counts as a face when at least 8 overlapping windows agree. Measured at the settings
# above: true faces 11–29 windows; false hits 4–5 (the astronaut's neck ring in half_body.jpg; none
# on the coffee photo, noise or gradients). Counting weak hits would turn them into MANY_FACES.
FACE_MIN_NEIGHBOURS = 8

# Face width (the detector's square box, roughly brow to chin) as a fraction of the picture's short
# side: portrait.jpg measures 0.33–0.35, half_body.jpg 0.20. Below 0.15 the face is too far; above
# 0.55 the head no longer fits with hair and chin (ISO/IEC 19794-5 full-frontal images want the head
# 50–75 % of the width, and the box is about 4/5 of the head).
FACE_MIN_SIZE = 0.15
FACE_MAX_SIZE = 0.55
# Where the box's centre may be, as fractions of width and height. portrait.jpg sits at (0.50, 0.28),
# half_body.jpg at (0.44, 0.22); a face in the outer 30 % sideways, in the top fifth (head cut off)
# or in the bottom 30 % (all the space above the head) is FACE_OFF_CENTRE.
FACE_CENTRE_X = (0.30, 0.70)
FACE_CENTRE_Y = (0.20, 0.70)

# The face box is resampled to 96×96 (the fixtures' faces are 95–105 px) so the sharpness measure
# does not depend on the camera's resolution, and its grey levels are rescaled to a standard
# deviation of 50 so that exposure does not read as blur. Variance of the Laplacian of that sample,
# as built: portrait.jpg 374 (PNG 370, JPEG quality 20–90: 272–384, exposure 30 %: 339), a 640×480
# frame 272, a 5× upscale 323; Gaussian blur σ=0.5: 219, σ=0.75: 106, σ=1: 63, σ=1.5: 28, σ=2: 19;
# motion blur 7 px: 91, 15 px: 61; resolution halved then restored: 69. The limit lets mild
# softness (σ ≤ 0.75) through and refuses σ ≥ 1, shake and upscaled low-resolution faces.
FACE_SAMPLE = 96
FACE_MAX_ROLL = 10.0
"""Degrees the line through the eyes may lean before the photo is retaken. ISO/IEC 19794-5 allows
a head roll of ±8° [unverified: read from secondary sources]; we allow 2° more for our eye finder
(OpenCV's bundled haarcascade_eye, whose boxes place an eye within a few pixels): on the test
portrait, whose head already leans about 2°, turning it by d degrees reads about 2 - 0.8·d. Where
it does not find two eyes (glasses, glare) the lean is not judged rather than guessed."""
SHARPNESS_CONTRAST = 50.0
SHARPNESS_MIN = 80.0
# Mean grey of the face sample: portrait.jpg 151; at 35 % exposure 53, at 30 % 45; washed towards
# white (30 % picture + 70 % white) 223. The lower bound is deliberately low: a correctly exposed
# darker-skinned face reads far darker than this fixture and must never be refused as "too dark".
BRIGHTNESS_MIN = 50.0
BRIGHTNESS_MAX = 210.0

# A signature is blank when fewer than 0.1 % of its pixels differ from the background (the median
# grey, after compositing any transparency on white) by more than 64 grey levels. A 2 px stroke of
# 100 px on a 400×150 canvas is 0.33 %; a tap of the pen (5×5 px) is 0.04 %. JPEG ringing beside
# the ink reaches 18 levels at quality 90, 35 at 75, 55 at 50: below 64, so it never counts as ink.
SIGNATURE_INK_CONTRAST = 64
SIGNATURE_MIN_INK = 0.001

PHOTO_FORMATS = ("JPEG", "PNG", "BMP")
SCAN_FORMATS = ("JPEG", "PNG", "BMP", "JPEG2000")  # fingerprint and iris images
SIGNATURE_FORMATS = ("PNG", "JPEG", "BMP")
# Pillow's names; "MPO" is a JPEG with extra frames (many cameras), stored as the JPEG it is.
_FORMAT_NAMES = {"JPEG": "jpeg", "MPO": "jpeg", "PNG": "png", "BMP": "bmp", "JPEG2000": "jp2"}
# What Pillow or struct may raise on hostile bytes: a bad file must be a refusal, never a 500.
_PARSE_ERRORS = (
    OSError,
    ValueError,
    EOFError,
    SyntaxError,
    struct.error,
    Image.DecompressionBombError,
)

_DATA_URL = re.compile(r"data:image/(png|jpeg);base64,", re.IGNORECASE)
_RECORD_VERSION = re.compile(rb"[ 0-9]{3}\x00")
_WSQ_SOI, _WSQ_EOI = b"\xff\xa0", b"\xff\xa1"


@dataclass(frozen=True)
class Capture:
    """One accepted capture: the bytes to store, what they are, and what the check measured."""

    data: bytes
    format: str
    sha256: str
    quality: dict[str, Any] = field(default_factory=dict)


class Upload(Protocol):
    """What `read_upload` needs of a Django `UploadedFile`."""

    @property
    def size(self) -> int | None: ...

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


def read_upload(upload: Upload | bytes, *, limit_mb: int) -> bytes:
    """The upload's bytes, refused by its declared size before any is read into memory."""
    limit = limit_mb * MB
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
        if len(data) > limit:
            raise errors.TOO_LARGE(size=_megabytes(len(data)), limit=limit_mb)
    else:
        if upload.size is not None and upload.size > limit:
            raise errors.TOO_LARGE(size=_megabytes(upload.size), limit=limit_mb)
        buffer = bytearray()
        for chunk in upload.chunks():
            buffer += chunk
            if len(buffer) > limit:  # a size that understated the content
                raise errors.TOO_LARGE(size=_megabytes(len(buffer)), limit=limit_mb)
        data = bytes(buffer)
    if not data:
        raise errors.CAPTURE_EMPTY()
    return data


def data_url_bytes(text: str, *, limit_mb: int = PHOTO_MAX_MB) -> bytes:
    """The image in a browser's `canvas.toDataURL()` (webcam frame or signature), PNG or JPEG only."""
    text = text.strip()
    match = _DATA_URL.match(text)
    if match is None:
        raise errors.NOT_AN_IMAGE()
    payload = text[match.end() :]
    decoded_size = len(payload) * 3 // 4  # known before decoding: refuse without allocating it
    if decoded_size > limit_mb * MB:
        raise errors.TOO_LARGE(size=_megabytes(decoded_size), limit=limit_mb)
    try:
        data = base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        raise errors.NOT_AN_IMAGE() from None
    if not data:
        raise errors.CAPTURE_EMPTY()
    return data


def check_photo(data: bytes) -> Capture:
    """Exactly one face, big enough, centred, sharp, well lit and upright: refused here, retaken
    at once."""
    data = _not_empty(data)
    header = _header(data, PHOTO_FORMATS)
    if header is None:
        raise errors.NOT_AN_IMAGE()
    fmt, width, height = header
    short_side, long_side = sorted((width, height))
    if short_side < PHOTO_MIN_SHORT_SIDE or long_side < PHOTO_MIN_LONG_SIDE:
        portrait = height >= width
        raise errors.PHOTO_TOO_SMALL(
            width=width,
            height=height,
            min_width=PHOTO_MIN_SHORT_SIDE if portrait else PHOTO_MIN_LONG_SIDE,
            min_height=PHOTO_MIN_LONG_SIDE if portrait else PHOTO_MIN_SHORT_SIDE,
        )
    grey = _decode_grey(data, _reduced_flag(fmt, long_side))
    if grey is None:
        raise errors.NOT_AN_IMAGE()
    if (grey.shape[1] > grey.shape[0]) != (width > height) and width != height:
        width, height = height, width  # the EXIF orientation that OpenCV applied
    analysed = _fit(grey, ANALYSIS_LONG_SIDE)
    detected = cv2.equalizeHist(_fit(analysed, DETECT_LONG_SIDE))
    faces = _faces(detected)
    if not faces:
        _refuse_exposure(float(analysed.mean()))
        raise errors.NO_FACE()
    if len(faces) > 1:
        raise errors.MANY_FACES(count=len(faces))

    x, y, w, h = faces[0]
    det_h, det_w = detected.shape
    size = w / min(det_w, det_h)
    if size < FACE_MIN_SIZE:
        raise errors.FACE_TOO_SMALL()
    if size > FACE_MAX_SIZE:
        raise errors.FACE_TOO_LARGE()
    centre_x, centre_y = (x + w / 2) / det_w, (y + h / 2) / det_h
    if not (
        FACE_CENTRE_X[0] <= centre_x <= FACE_CENTRE_X[1]
        and FACE_CENTRE_Y[0] <= centre_y <= FACE_CENTRE_Y[1]
    ):
        raise errors.FACE_OFF_CENTRE()

    scale = analysed.shape[1] / det_w
    ax, ay, aw, ah = (round(v * scale) for v in (x, y, w, h))
    sample = _resample(analysed[ay : ay + ah, ax : ax + aw], FACE_SAMPLE)
    brightness = float(sample.mean())
    _refuse_exposure(brightness)
    sharpness = _sharpness(sample)
    if sharpness < SHARPNESS_MIN:
        raise errors.PHOTO_BLURRED()
    roll = _eye_roll(analysed[ay : ay + ah, ax : ax + aw])
    if roll is not None and abs(roll) > FACE_MAX_ROLL:
        raise errors.FACE_TILTED()

    to_original = width / det_w
    quality = {
        "width": width,
        "height": height,
        "face": [round(v * to_original) for v in (x, y, w, h)],
        "sharpness": round(sharpness, 1),
        "brightness": round(brightness, 1),
        "roll": round(roll, 1) if roll is not None else None,
    }
    return _capture(data, fmt, quality)


def check_fingerprint(data: bytes) -> Capture:
    """A scanner's output, recognised by its first bytes: WSQ, an image, or an ISO/ANSI record.
    An image is scored by `fingerquality` (a record or WSQ carries the device's own score, if any).

    ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 minutiae templates share "FMR\\0" and version
    " 20\\0"; they differ in the record-length field (4 bytes in ISO, 2 bytes or 0 + 4 in ANSI), so
    the length that matches the file names the standard and a truncated template matches neither.
    Version "030\\0" (ISO 19794-2:2011) is labelled iso19794-2.
    """
    data = _not_empty(data)
    quality = None
    if data.startswith(b"FMR\x00"):
        fmt = _minutiae_format(data)
    elif data.startswith(b"FIR\x00"):
        fmt = "iso19794-4" if _finger_image_record(data) else None
    elif data.startswith(_WSQ_SOI):
        fmt = "wsq" if _is_wsq(data) else None
    elif (scanned := _scanned_image(data)) is not None:
        fmt, quality = scanned[0], fingerquality.measure(scanned[1]).as_dict()
    else:
        fmt = None
    if fmt is None:
        raise errors.WRONG_FINGERPRINT_FILE()
    return _capture(data, fmt, quality)


def check_iris(data: bytes) -> Capture:
    """An iris camera's output: an image (PNG, BMP, JPEG, JPEG 2000) or an ISO 19794-6 record."""
    data = _not_empty(data)
    if data.startswith(b"IIR\x00"):
        fmt = "iso19794-6" if _record_header_ok(data) else None
    else:
        fmt = _scanned_image_format(data)
    if fmt is None:
        raise errors.WRONG_IRIS_FILE()
    return _capture(data, fmt)


def check_signature(data: bytes) -> Capture:
    """A picture from the pad or a canvas with ink on it; transparency counts as white paper."""
    data = _not_empty(data)
    try:
        with _opened(data, SIGNATURE_FORMATS) as image:
            filebounds.check_pixels(image.width, image.height, max_pixels=MAX_PIXELS)
            if image.format == "JPEG":
                filebounds.check_jpeg_scans(data)
            image.load()
            fmt = _FORMAT_NAMES[image.format or ""]
            grey = _on_white(image)
    except _PARSE_ERRORS:
        raise errors.BAD_SIGNATURE() from None
    background = float(np.median(grey))
    ink = np.abs(grey.astype(np.int16) - background) > SIGNATURE_INK_CONTRAST
    if ink.mean() < SIGNATURE_MIN_INK:
        raise errors.BLANK_SIGNATURE()
    return _capture(data, fmt)


# --- the face detector -----------------------------------------------------------------------------

_local = threading.local()


def _cascade() -> cv2.CascadeClassifier:
    return _bundled_cascade("haarcascade_frontalface_default.xml")


def _eye_cascade() -> cv2.CascadeClassifier:
    return _bundled_cascade("haarcascade_eye.xml")


def _bundled_cascade(name: str) -> cv2.CascadeClassifier:
    """One classifier per thread: OpenCV does not document CascadeClassifier as thread-safe."""
    loaded: dict[str, cv2.CascadeClassifier] = _local.__dict__.setdefault("cascades", {})
    if name not in loaded:
        folder = cv2.data.haarcascades  # type: ignore[attr-defined]  # missing from cv2's stubs
        cascade = cv2.CascadeClassifier(folder + name)
        if cascade.empty():
            raise RuntimeError(f"OpenCV's bundled {name} is missing")
        loaded[name] = cascade
    return loaded[name]


def _eye_roll(face: np.ndarray) -> float | None:
    """Degrees the line through the two largest eyes leans, found in the face's upper part; None
    when there are not two. Positive: the person's left eye (right of the picture) is lower."""
    height, width = face.shape
    upper = face[: height * 3 // 5, :]
    smallest = max(8, width // 8)
    eyes = _eye_cascade().detectMultiScale(upper, 1.1, 5, minSize=(smallest, smallest))
    boxes = _innermost([(int(x), int(y), int(w), int(h)) for x, y, w, h in eyes])
    if len(boxes) < 2:
        return None
    biggest = sorted(boxes, key=lambda e: -e[2])[:2]
    (ax, ay, aw, ah), (bx, by, bw, bh) = sorted(biggest)
    rise, run = (by + bh / 2) - (ay + ah / 2), (bx + bw / 2) - (ax + aw / 2)
    return math.degrees(math.atan2(rise, run)) if run > 0 else None


def _innermost(boxes: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """The boxes that hold no smaller box's centre. The eye cascade also frames one eye with its
    brow in a looser box, whose centre is off the eye's: paired with the other eye, that box read
    as a lean of 10° and more on upright drawn faces."""

    def holds(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int]) -> bool:
        x, y, w, h = outer
        centre_x, centre_y = inner[0] + inner[2] / 2, inner[1] + inner[3] / 2
        return w > inner[2] and x <= centre_x <= x + w and y <= centre_y <= y + h

    return [box for box in boxes if not any(holds(box, other) for other in boxes)]


def _faces(grey: np.ndarray) -> list[tuple[int, int, int, int]]:
    smallest = max(24, round(DETECT_MIN_FACE * min(grey.shape)))  # 24 px: the cascade's window
    boxes, neighbours = _cascade().detectMultiScale2(
        grey, scaleFactor=DETECT_SCALE_STEP, minNeighbors=3, minSize=(smallest, smallest)
    )
    return [
        (int(x), int(y), int(w), int(h))
        for (x, y, w, h), n in zip(boxes, neighbours, strict=True)
        if n >= FACE_MIN_NEIGHBOURS
    ]


def _refuse_exposure(brightness: float) -> None:
    if brightness < BRIGHTNESS_MIN:
        raise errors.PHOTO_TOO_DARK()
    if brightness > BRIGHTNESS_MAX:
        raise errors.PHOTO_TOO_BRIGHT()


def _sharpness(sample: np.ndarray) -> float:
    """Variance of the Laplacian inside the sample, at a standard contrast. The outermost ring of
    pixels is left out: OpenCV mirrors the picture past its edge, so a soft edge (hair against
    skin) that crosses the box's border reads there as a sharp crease."""
    spread = max(float(sample.std()), 1.0)
    laplacian = cv2.Laplacian(sample, cv2.CV_64F)[1:-1, 1:-1]
    return float(laplacian.var()) * (SHARPNESS_CONTRAST / spread) ** 2


# --- reading images ------------------------------------------------------------------------------


def _header(data: bytes, formats: tuple[str, ...]) -> tuple[str, int, int] | None:
    """Format and size from the header alone (Pillow reads no pixels); None when it is not one of
    `formats`. A picture over the bounds (pixels, JPEG scans) is refused here, before decoding."""
    try:
        with _opened(data, formats) as image:
            fmt, width, height = _FORMAT_NAMES[image.format or ""], image.width, image.height
    except (*_PARSE_ERRORS, KeyError):
        return None
    filebounds.check_pixels(width, height, max_pixels=MAX_PIXELS)
    if fmt == "jpeg":
        filebounds.check_jpeg_scans(data)
    return fmt, width, height


def _opened(data: bytes, formats: tuple[str, ...]) -> Image.Image:
    """Pillow's lazy image (header only). Pillow refuses by itself a header over twice its own
    limit (~179 MP): that is IMAGE_TOO_MANY_PIXELS too, not "not a picture"."""
    try:
        return Image.open(io.BytesIO(data), formats=formats)
    except Image.DecompressionBombError:
        over = f"> {2 * (Image.MAX_IMAGE_PIXELS or 0) / 1e6:.0f}"
        raise filebounds.too_many_pixels(over, max_pixels=MAX_PIXELS) from None


def _decode_grey(data: bytes, flag: int = cv2.IMREAD_GRAYSCALE) -> np.ndarray | None:
    """Pixels as 8-bit grey, EXIF orientation applied; None when the file does not decode in full."""
    try:
        grey = cv2.imdecode(np.frombuffer(data, np.uint8), flag)
    except cv2.error:
        return None
    return grey if grey is not None and grey.size else None


def _reduced_flag(fmt: str, long_side: int) -> int:
    """Let libjpeg decode at 1/8, 1/4 or 1/2 scale when that still leaves ANALYSIS_LONG_SIDE."""
    if fmt == "jpeg":
        for factor, flag in (
            (8, cv2.IMREAD_REDUCED_GRAYSCALE_8),
            (4, cv2.IMREAD_REDUCED_GRAYSCALE_4),
            (2, cv2.IMREAD_REDUCED_GRAYSCALE_2),
        ):
            if long_side // factor >= ANALYSIS_LONG_SIDE:
                return flag
    return cv2.IMREAD_GRAYSCALE


def _fit(grey: np.ndarray, long_side: int) -> np.ndarray:
    height, width = grey.shape
    scale = long_side / max(height, width)
    if scale >= 1:
        return grey
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA)


def _resample(region: np.ndarray, side: int) -> np.ndarray:
    shrinking = region.shape[1] > side
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(region, (side, side), interpolation=interpolation)


def _scanned_image_format(data: bytes) -> str | None:
    """'png', 'bmp', 'jpeg' or 'jp2' when the file is one of those and decodes in full."""
    scanned = _scanned_image(data)
    return scanned[0] if scanned is not None else None


def _scanned_image(data: bytes) -> tuple[str, np.ndarray] | None:
    header = _header(data, SCAN_FORMATS)
    if header is None:
        return None
    grey = _decode_grey(data)
    return None if grey is None else (header[0], grey)


def _on_white(image: Image.Image) -> np.ndarray:
    """Grey pixels with any transparency composited on white: a canvas draws ink on nothing."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    return np.asarray(image.convert("L"))


# --- biometric records ---------------------------------------------------------------------------


def _minutiae_format(data: bytes) -> str | None:
    """ISO 19794-2 or ANSI 378, told apart by which record-length field equals the file's length."""
    if len(data) < 24 or not _RECORD_VERSION.fullmatch(data[4:8]):
        return None
    length = len(data)
    four_bytes = int.from_bytes(data[8:12], "big")
    if data[4:8] == b" 20\x00":
        if four_bytes == length:
            return "iso19794-2"
        two_bytes = int.from_bytes(data[8:10], "big")
        if two_bytes == length or (two_bytes == 0 and int.from_bytes(data[10:14], "big") == length):
            return "ansi378"
        return None
    if data[4:8] == b"030\x00" and four_bytes == length:
        return "iso19794-2"
    return None


def _finger_image_record(data: bytes) -> bool:
    """ISO 19794-4 (and ANSI 381, which shares it): version " 10" carries a 6-byte length."""
    if not _record_header_ok(data):
        return False
    if data[4:8] == b" 10\x00":
        return int.from_bytes(data[8:14], "big") == len(data)
    return True


def _record_header_ok(data: bytes) -> bool:
    """A format identifier, a version like " 10\\0" or "020\\0", and room for a general header."""
    return len(data) >= 32 and bool(_RECORD_VERSION.fullmatch(data[4:8]))


def _is_wsq(data: bytes) -> bool:
    """WSQ (FBI IAFIS-IC-0110): SOI, then a table, comment or frame marker (FFA2–FFA8), EOI last."""
    return (
        len(data) > 16
        and data[2] == 0xFF
        and 0xA2 <= data[3] <= 0xA8
        and data.rstrip(b"\x00").endswith(_WSQ_EOI)
    )


# --- small helpers -------------------------------------------------------------------------------


def _not_empty(data: bytes) -> bytes:
    data = bytes(data)
    if not data:
        raise errors.CAPTURE_EMPTY()
    return data


def _capture(data: bytes, fmt: str, quality: dict[str, Any] | None = None) -> Capture:
    return Capture(data, fmt, hashlib.sha256(data).hexdigest(), quality or {})


def _megabytes(size: int) -> float:
    """Rounded up to one decimal, so 10.01 MB reads "10.1", never "10.0", against a 10 MB limit."""
    return math.ceil(size / MB * 10) / 10
