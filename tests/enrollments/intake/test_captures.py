"""The checks the intake desk runs on each capture (photo, fingerprints, iris, signature).

Malformed photos are made here from `tests/fixtures/faces/portrait.jpg` the way a desk gets them
wrong: two people, a shaken camera, a dark room, a face at the edge, too far, too close.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import struct
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFile

from cccd.enrollments.intake import captures
from cccd.enrollments.intake.captures import (
    MB,
    Capture,
    check_fingerprint,
    check_iris,
    check_photo,
    check_signature,
    data_url_bytes,
    read_upload,
)
from cccd.errors import DomainError

FACES = Path(__file__).resolve().parents[2] / "fixtures" / "faces"
PORTRAIT_BYTES = (FACES / "portrait.jpg").read_bytes()
NO_FACE_BYTES = (FACES / "no_face.jpg").read_bytes()
HALF_BODY_BYTES = (FACES / "half_body.jpg").read_bytes()
PORTRAIT = cv2.imdecode(np.frombuffer(PORTRAIT_BYTES, np.uint8), cv2.IMREAD_COLOR)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JP2_MAGIC = b"\x00\x00\x00\x0cjP  \r\n\x87\n"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ZIP = b"PK\x03\x04" + bytes(26) + b"word/document.xml" + bytes(40)
TEXT = "Nguyễn Văn An, 12/03/1990\n".encode()


def refused(code: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check(*args, **kwargs)
    assert caught.value.code == code
    return caught.value


def encode(image: np.ndarray, ext: str = ".jpg") -> bytes:
    params = [cv2.IMWRITE_JPEG_QUALITY, 90] if ext == ".jpg" else []
    ok, buffer = cv2.imencode(ext, image, params)
    assert ok
    return buffer.tobytes()


def pad(
    image: np.ndarray, top: int = 0, bottom: int = 0, left: int = 0, right: int = 0
) -> np.ndarray:
    """Widen the picture with its own edge colours, as if the camera were moved or zoomed out."""
    return cv2.copyMakeBorder(image, top, bottom, left, right, cv2.BORDER_REPLICATE)


def png_claiming(width: int, height: int, rows: int = 8) -> bytes:
    """A valid PNG header for width×height grey pixels, with only the first rows' data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + bytes(width)) * rows, 9)
    return PNG_MAGIC + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def png_bomb(width: int, height: int) -> bytes:
    """A complete, valid PNG of black pixels: a few kilobytes that decode to width×height bytes."""
    packer = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    whole = png_claiming(width, height, rows=0)
    ihdr_end = len(PNG_MAGIC) + 25
    idat = struct.pack(">I", len(pixels)) + b"IDAT" + pixels
    idat += struct.pack(">I", zlib.crc32(b"IDAT" + pixels))
    return whole[:ihdr_end] + idat + whole[-12:]


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any pixel is decoded: the refusal must come from the header alone."""

    def decode(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(captures.cv2, "imdecode", decode)
    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)


# --- reading the upload --------------------------------------------------------------------------


class FakeUpload:
    """An UploadedFile's two attributes that matter: its declared size and its chunks."""

    def __init__(self, size: int | None, chunks: list[bytes] | None = None) -> None:
        self.size = size
        self._chunks = chunks
        self.chunks_read = 0

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        if self._chunks is None:
            raise AssertionError("the content was read")
        for chunk in self._chunks:
            self.chunks_read += 1
            yield chunk


def test_it_reads_a_django_upload_whole() -> None:
    upload = SimpleUploadedFile("anh.jpg", PORTRAIT_BYTES, content_type="image/jpeg")
    assert read_upload(upload, limit_mb=captures.PHOTO_MAX_MB) == PORTRAIT_BYTES


def test_it_refuses_a_50_mb_upload_by_its_size_without_reading_it() -> None:
    upload = FakeUpload(size=50 * MB)  # reading its chunks would fail the test
    error = refused("TOO_LARGE", read_upload, upload, limit_mb=captures.PHOTO_MAX_MB)
    assert error.params == {"size": 50.0, "limit": 10}
    assert error.status == 413


def test_it_accepts_exactly_the_limit_and_refuses_one_byte_more_rounding_up() -> None:
    assert len(read_upload(b"x" * MB, limit_mb=1)) == MB
    error = refused("TOO_LARGE", read_upload, b"x" * (MB + 1), limit_mb=1)
    assert error.params["size"] == 1.1  # never "1.0 MB; the largest is 1 MB"


def test_it_stops_reading_when_the_content_outgrows_a_declared_size() -> None:
    upload = FakeUpload(size=100, chunks=[b"x" * MB] * 5)
    refused("TOO_LARGE", read_upload, upload, limit_mb=2)
    assert upload.chunks_read == 3  # stopped as soon as it passed 2 MB


@pytest.mark.parametrize(
    "upload", [b"", SimpleUploadedFile("empty.jpg", b""), FakeUpload(size=0, chunks=[])]
)
def test_it_refuses_an_empty_file(upload: Any) -> None:
    refused("CAPTURE_EMPTY", read_upload, upload, limit_mb=captures.PHOTO_MAX_MB)


# --- canvas data URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mime", "data"), [("png", encode(PORTRAIT, ".png")), ("jpeg", PORTRAIT_BYTES)]
)
def test_it_decodes_a_canvas_data_url(mime: str, data: bytes) -> None:
    text = f"data:image/{mime};base64,{base64.b64encode(data).decode()}"
    assert data_url_bytes(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "data:image/gif;base64,R0lGODlhAQABAAAAACw=",
        "data:text/plain;base64,aGVsbG8=",
        "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=",
        "image/png;base64,iVBORw0KGgo=",
        "data:image/png,iVBORw0KGgo=",
        "data:image/png;base64,iVBORw0KGgo*@#",
        "data:image/png;base64,iVBORw0KGgo",  # truncated: padding missing
        "data:,",  # what an empty canvas gives
        "",
    ],
)
def test_it_refuses_anything_but_a_png_or_jpeg_data_url(text: str) -> None:
    refused("NOT_AN_IMAGE", data_url_bytes, text)


def test_it_refuses_an_oversized_data_url_before_decoding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def decode(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("decoded")

    monkeypatch.setattr(captures.base64, "b64decode", decode)
    text = "data:image/png;base64," + "A" * (3 * MB)  # 2.25 MB once decoded
    error = refused("TOO_LARGE", data_url_bytes, text, limit_mb=2)
    assert error.params == {"size": 2.3, "limit": 2}


def test_it_refuses_a_data_url_with_nothing_in_it() -> None:
    refused("CAPTURE_EMPTY", data_url_bytes, "data:image/png;base64,")


# --- the photo -----------------------------------------------------------------------------------


def test_a_centred_sharp_well_lit_portrait_passes_and_is_kept_as_received() -> None:
    capture = check_photo(PORTRAIT_BYTES)
    assert capture.data == PORTRAIT_BYTES
    assert capture.format == "jpeg"
    assert capture.sha256 == hashlib.sha256(PORTRAIT_BYTES).hexdigest()
    quality = capture.quality
    assert (quality["width"], quality["height"]) == (300, 400)
    # the astronaut's face is at x=102, y=66, 95 px wide in this crop (OpenCV on the original)
    x, y, w, h = quality["face"]
    assert abs(x - 102) <= 10 and abs(y - 66) <= 10 and abs(w - 95) <= 12 and w == h
    assert quality["sharpness"] > 2 * captures.SHARPNESS_MIN
    assert captures.BRIGHTNESS_MIN < quality["brightness"] < captures.BRIGHTNESS_MAX
    assert json.loads(json.dumps(quality)) == quality  # storable as JSON as it is


@pytest.mark.parametrize(("ext", "fmt"), [(".png", "png"), (".bmp", "bmp"), (".jpg", "jpeg")])
def test_the_same_portrait_passes_as_png_bmp_or_jpeg(ext: str, fmt: str) -> None:
    data = encode(PORTRAIT, ext)
    capture = check_photo(data)
    assert capture.format == fmt
    assert capture.sha256 == hashlib.sha256(data).hexdigest()


def test_a_landscape_webcam_frame_passes_with_its_face_in_original_pixels() -> None:
    frame = cv2.resize(pad(PORTRAIT, left=90, right=90), (640, 480))
    quality = check_photo(encode(frame)).quality
    assert (quality["width"], quality["height"]) == (640, 480)
    x, _, w, _ = quality["face"]
    assert abs(x + w / 2 - 320) < 20  # centred, in the 640 px frame's coordinates


def test_a_half_body_photo_passes_though_the_suit_half_looks_like_a_second_face(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the detector finds a weak face-like pattern in the neck ring (README.md): not a person. The
    # flag and model shuttle behind her are no plain background (test_photo_background.py): that
    # check is lifted here, so that what is judged is the face alone.
    monkeypatch.setattr(captures, "BACKGROUND_MAX_EDGES", float("inf"))
    quality = check_photo(HALF_BODY_BYTES).quality
    assert (quality["width"], quality["height"]) == (512, 512)
    x, y, w, _ = quality["face"]
    assert abs(x - 177) <= 10 and abs(y - 66) <= 10 and abs(w - 95) <= 12


def test_a_large_photo_is_measured_in_its_own_pixels() -> None:
    big = cv2.resize(PORTRAIT, (1500, 2000), interpolation=cv2.INTER_CUBIC)
    quality = check_photo(encode(big)).quality
    assert (quality["width"], quality["height"]) == (1500, 2000)
    x, _, w, _ = quality["face"]
    assert abs(x - 5 * 102) <= 50 and abs(w - 5 * 95) <= 60


def test_a_phone_photo_stored_sideways_is_read_upright_by_its_exif_orientation() -> None:
    sideways = Image.open(FACES / "portrait.jpg").transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    with_tag, without_tag = io.BytesIO(), io.BytesIO()
    sideways.save(with_tag, "JPEG", quality=90, exif=exif.tobytes())
    sideways.save(without_tag, "JPEG", quality=90)

    quality = check_photo(with_tag.getvalue()).quality
    assert (quality["width"], quality["height"]) == (300, 400)
    refused("NO_FACE", check_photo, without_tag.getvalue())  # the detector needs the face upright


@pytest.mark.parametrize(
    "data",
    [
        NO_FACE_BYTES,  # a real photograph (a coffee cup) without a face
        encode(np.tile(np.linspace(30, 220, 400).astype(np.uint8)[:, None], (1, 300))),
        encode(np.full((400, 300), 128, np.uint8)),
    ],
    ids=["coffee", "gradient", "grey"],
)
def test_it_refuses_a_photo_without_a_face(data: bytes) -> None:
    refused("NO_FACE", check_photo, data)


@pytest.mark.parametrize("count", [2, 3])
def test_it_refuses_a_photo_with_more_than_one_person(count: int) -> None:
    group = np.hstack([PORTRAIT] * count)
    assert refused("MANY_FACES", check_photo, encode(group)).params == {"count": count}


@pytest.mark.parametrize("sigma", [1.5, 2.0, 3.0])
def test_it_refuses_a_blurred_photo(sigma: float) -> None:
    refused("PHOTO_BLURRED", check_photo, encode(cv2.GaussianBlur(PORTRAIT, (0, 0), sigma)))


def test_it_refuses_a_shaken_photo() -> None:
    shake = np.full((1, 15), 1 / 15)  # 15 px of horizontal motion
    refused("PHOTO_BLURRED", check_photo, encode(cv2.filter2D(PORTRAIT, -1, shake)))


def test_it_lets_a_slightly_soft_webcam_photo_through() -> None:
    assert check_photo(encode(cv2.GaussianBlur(PORTRAIT, (0, 0), 0.5))).quality["sharpness"] > 0


@pytest.mark.parametrize("exposure", [0.15, 0.25])
def test_it_refuses_a_dark_photo(exposure: float) -> None:
    refused("PHOTO_TOO_DARK", check_photo, encode((PORTRAIT * exposure).astype(np.uint8)))


@pytest.mark.parametrize("washed", [0.7, 0.8])
def test_it_refuses_a_washed_out_photo(washed: float) -> None:
    image = (PORTRAIT * (1 - washed) + 255 * washed).astype(np.uint8)
    refused("PHOTO_TOO_BRIGHT", check_photo, encode(image))


@pytest.mark.parametrize(("value", "code"), [(0, "PHOTO_TOO_DARK"), (255, "PHOTO_TOO_BRIGHT")])
def test_a_black_or_white_frame_says_so_rather_than_no_face(value: int, code: str) -> None:
    refused(code, check_photo, encode(np.full((400, 300), value, np.uint8)))


def test_exposure_moves_brightness_but_not_sharpness() -> None:
    measured = [
        check_photo(encode(np.clip(PORTRAIT * f, 0, 255).astype(np.uint8))).quality
        for f in (0.5, 0.7, 1.0, 1.3)
    ]
    brightness = [q["brightness"] for q in measured]
    assert brightness == sorted(brightness) and brightness[-1] - brightness[0] > 80
    assert all(q["sharpness"] > 2 * captures.SHARPNESS_MIN for q in measured)


def test_sharpness_falls_as_the_blur_grows() -> None:
    values = [
        check_photo(encode(cv2.GaussianBlur(PORTRAIT, (0, 0), s) if s else PORTRAIT)).quality[
            "sharpness"
        ]
        for s in (0, 0.4, 0.6)
    ]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    "sides",
    [{"right": 300}, {"left": 300}, {"bottom": 400}],
    ids=["face-left", "face-right", "face-at-the-top"],
)
def test_it_refuses_a_face_away_from_the_middle(sides: dict[str, int]) -> None:
    refused("FACE_OFF_CENTRE", check_photo, encode(pad(PORTRAIT, **sides)))


def test_it_refuses_a_face_too_far_from_the_camera() -> None:
    far = pad(PORTRAIT, top=300, bottom=300, left=300, right=300)  # face 12 % of the width
    refused("FACE_TOO_SMALL", check_photo, encode(far))


@pytest.mark.parametrize("width", [160, 140])
def test_it_refuses_a_face_too_close_to_the_camera(width: int) -> None:
    left, top = 150 - width // 2, 40
    close = PORTRAIT[top : top + width * 4 // 3, left : left + width]
    refused("FACE_TOO_LARGE", check_photo, encode(cv2.resize(close, (300, 400))))


@pytest.mark.parametrize(("size", "minimum"), [((180, 240), (240, 320)), ((300, 200), (320, 240))])
def test_it_refuses_a_photo_with_too_few_pixels(
    size: tuple[int, int], minimum: tuple[int, int]
) -> None:
    small = cv2.resize(PORTRAIT, size, interpolation=cv2.INTER_AREA)
    error = refused("PHOTO_TOO_SMALL", check_photo, encode(small))
    assert error.params == {
        "width": size[0],
        "height": size[1],
        "min_width": minimum[0],
        "min_height": minimum[1],
    }


def gif(image: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image[:, :, ::-1]).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        PDF,
        TEXT,
        ZIP,
        gif(PORTRAIT),  # a real picture, not in a format the card system takes
        PORTRAIT_BYTES[: len(PORTRAIT_BYTES) // 2],  # truncated upload
        PORTRAIT_BYTES[:-2],  # only the end-of-image marker lost
        encode(PORTRAIT, ".png")[:-500],
        PORTRAIT_BYTES[:200],
    ],
    ids=[
        "pdf",
        "text",
        "zip",
        "gif",
        "half-jpeg",
        "jpeg-without-eoi",
        "truncated-png",
        "jpeg-header",
    ],
)
def test_it_refuses_a_file_that_is_not_a_whole_picture(data: bytes) -> None:
    refused("NOT_AN_IMAGE", check_photo, data)


def test_it_refuses_an_empty_photo() -> None:
    refused("CAPTURE_EMPTY", check_photo, b"")


@pytest.mark.usefixtures("no_decoding")
@pytest.mark.parametrize(
    "data",
    [png_claiming(30000, 30000), png_bomb(8000, 6000)],
    ids=["claims-900-megapixels", "valid-48-megapixel-bomb"],
)
def test_it_refuses_a_decompression_bomb_from_its_header_alone(data: bytes) -> None:
    assert len(data) < 200_000
    for check in (check_photo, check_fingerprint, check_iris, check_signature):
        refused("IMAGE_TOO_MANY_PIXELS", check, data)


def test_a_capture_cannot_be_changed_after_the_check() -> None:
    capture = check_photo(PORTRAIT_BYTES)
    with pytest.raises(dataclasses.FrozenInstanceError):
        capture.data = b"other"  # type: ignore[misc]


def test_photos_checked_in_parallel_threads_get_the_same_answer() -> None:
    expected = check_photo(PORTRAIT_BYTES).quality
    two_faces = encode(np.hstack([PORTRAIT, PORTRAIT]))

    def check(data: bytes) -> Any:
        try:
            return check_photo(data).quality
        except DomainError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(check, [PORTRAIT_BYTES, two_faces] * 6))
    assert results == [expected, "MANY_FACES"] * 6


# --- fingerprints --------------------------------------------------------------------------------


def ridges(width: int = 256, height: int = 320) -> np.ndarray:
    """A fingerprint-like grey image: concentric ridges about 9 px apart."""
    y, x = np.mgrid[0:height, 0:width]
    radius = np.hypot(x - width / 2, (y - height / 2) * 0.8)
    return (127 + 100 * np.sin(radius / 1.5)).astype(np.uint8)


def jp2(image: np.ndarray, *, codestream: bool = False) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, "JPEG2000", no_jp2=codestream)
    return out.getvalue()


def wsq(payload: bytes = bytes(64)) -> bytes:
    """A WSQ-shaped stream: SOI, a NIST comment, table/frame bytes, EOI (the check reads markers)."""
    comment = b"NIST_COM\nPIX_WIDTH 256\nPIX_HEIGHT 320\n"
    return (
        b"\xff\xa0\xff\xa8" + struct.pack(">H", len(comment) + 2) + comment + payload + b"\xff\xa1"
    )


MINUTIAE = bytes([1, 0x00, 80, 2]) + bytes.fromhex("40640080c83c80c800a0505a") + b"\x00\x00"


def iso_fmr() -> bytes:
    """ISO/IEC 19794-2:2005: 24-byte header with a 4-byte record length, one view of 2 minutiae."""
    rest = struct.pack(">HHHHHBB", 0, 256, 320, 197, 197, 1, 0) + MINUTIAE
    return b"FMR\x00 20\x00" + struct.pack(">I", 12 + len(rest)) + rest


def ansi_fmr(*, long_form: bool = False) -> bytes:
    """ANSI INCITS 378-2004: 2-byte record length, or 0 then a 4-byte length; 4-byte product id."""
    rest = struct.pack(">IHHHHHBB", 0x00330001, 0, 256, 320, 197, 197, 1, 0) + MINUTIAE
    if long_form:
        return b"FMR\x00 20\x00\x00\x00" + struct.pack(">I", 14 + len(rest)) + rest
    return b"FMR\x00 20\x00" + struct.pack(">H", 10 + len(rest)) + rest


def iso_fmr_2011() -> bytes:
    rest = struct.pack(">HB", 1, 0) + bytes(30)
    return b"FMR\x00030\x00" + struct.pack(">I", 12 + len(rest)) + rest


def finger_image_record() -> bytes:
    """ISO/IEC 19794-4:2005: "FIR\\0", " 10\\0", a 6-byte record length, 32-byte header."""
    rest = bytes(18) + bytes(32) + encode(ridges(), ".png")
    return b"FIR\x00 10\x00" + (14 + len(rest)).to_bytes(6, "big") + rest


FINGERPRINTS = {
    "wsq": (wsq(), "wsq"),
    "png": (encode(ridges(), ".png"), "png"),
    "bmp": (encode(ridges(), ".bmp"), "bmp"),
    "jpeg": (encode(ridges()), "jpeg"),
    "jp2": (jp2(ridges()), "jp2"),
    "j2k-codestream": (jp2(ridges(), codestream=True), "jp2"),
    "iso-template": (iso_fmr(), "iso19794-2"),
    "iso-2011-template": (iso_fmr_2011(), "iso19794-2"),
    "ansi-template": (ansi_fmr(), "ansi378"),
    "ansi-template-long-length": (ansi_fmr(long_form=True), "ansi378"),
    "iso-finger-image": (finger_image_record(), "iso19794-4"),
}


@pytest.mark.parametrize(("data", "fmt"), FINGERPRINTS.values(), ids=FINGERPRINTS.keys())
def test_it_accepts_what_fingerprint_scanners_produce(data: bytes, fmt: str) -> None:
    capture = check_fingerprint(data)
    assert (capture.data, capture.format, capture.sha256) == (
        data,
        fmt,
        hashlib.sha256(data).hexdigest(),
    )
    scored = fmt in (
        "png",
        "bmp",
        "jpeg",
        "jp2",
    )  # an image; a record or WSQ keeps no score of ours
    assert ("score" in capture.quality) == scored


def test_the_magic_bytes_are_the_ones_the_standards_give() -> None:
    assert FINGERPRINTS["jp2"][0].startswith(JP2_MAGIC)
    assert FINGERPRINTS["j2k-codestream"][0].startswith(b"\xff\x4f\xff\x51")
    assert FINGERPRINTS["jpeg"][0].startswith(b"\xff\xd8\xff")
    assert FINGERPRINTS["bmp"][0].startswith(b"BM")


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xa0",
        b"FMR\x00 20\x00",
        PDF,
        ZIP,
        TEXT,
        encode(ridges(), ".png")[:-200],  # a PNG cut short: its header still says PNG
        PNG_MAGIC + bytes(100),
        encode(ridges())[:-2],
        iso_fmr()[:-6],  # a template that lost its last minutia
        ansi_fmr()[:-1],
        b"FMR\x00 99\x00" + iso_fmr()[8:],  # a version no standard wrote
        wsq()[:-2],  # a WSQ stream without its end marker
        b"\xff\xa0\xff\xd8" + bytes(60) + b"\xff\xa1",  # FFA0 followed by a JPEG marker
        finger_image_record()[:-10],
        b"IIR\x00 10\x00" + bytes(60),  # an iris record
    ],
    ids=[
        "too-short-wsq",
        "too-short-template",
        "pdf",
        "zip",
        "text",
        "truncated-png",
        "png-magic-only",
        "truncated-jpeg",
        "truncated-iso-template",
        "truncated-ansi-template",
        "unknown-template-version",
        "wsq-without-eoi",
        "not-wsq",
        "truncated-finger-image",
        "iris-record",
    ],
)
def test_it_refuses_what_is_not_a_whole_fingerprint(data: bytes) -> None:
    refused("WRONG_FINGERPRINT_FILE", check_fingerprint, data)


def test_it_refuses_an_empty_fingerprint() -> None:
    refused("CAPTURE_EMPTY", check_fingerprint, b"")


# --- iris ----------------------------------------------------------------------------------------


def iris_record() -> bytes:
    return b"IIR\x00 10\x00" + struct.pack(">I", 80) + bytes(68)


IRIS_IMAGE = cv2.circle(np.full((480, 640), 200, np.uint8), (320, 240), 120, 60, -1)


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (encode(IRIS_IMAGE, ".png"), "png"),
        (encode(IRIS_IMAGE, ".bmp"), "bmp"),
        (encode(IRIS_IMAGE), "jpeg"),
        (jp2(IRIS_IMAGE), "jp2"),
        (iris_record(), "iso19794-6"),
    ],
    ids=["png", "bmp", "jpeg", "jp2", "iso-record"],
)
def test_it_accepts_what_iris_cameras_produce(data: bytes, fmt: str) -> None:
    capture = check_iris(data)
    assert (capture.data, capture.format, capture.quality) == (data, fmt, {})
    assert capture.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data",
    [iso_fmr(), wsq(), PDF, TEXT, b"IIR\x00 10\x00", encode(IRIS_IMAGE, ".png")[:-100]],
    ids=["fingerprint-template", "wsq", "pdf", "text", "too-short-record", "truncated-png"],
)
def test_it_refuses_what_is_not_an_iris_image(data: bytes) -> None:
    refused("WRONG_IRIS_FILE", check_iris, data)


# --- signature -----------------------------------------------------------------------------------

STROKE = np.array([[40, 110], [90, 40], [130, 120], [190, 50], [250, 115], [330, 60]], np.int32)


def canvas(*, ink: bool = True, width: int = 400, height: int = 150) -> np.ndarray:
    """A browser canvas: transparent, black ink drawn with full alpha."""
    image = np.zeros((height, width, 4), np.uint8)
    if ink:
        cv2.polylines(image, [STROKE], False, (0, 0, 0, 255), 2, cv2.LINE_AA)
    return image


def paper(ink_colour: tuple[int, int, int] = (120, 20, 10), background: int = 255) -> np.ndarray:
    image = np.full((150, 400, 3), background, np.uint8)
    cv2.polylines(image, [STROKE], False, ink_colour, 2, cv2.LINE_AA)
    return image


def palette_png() -> bytes:
    """A signature pad's palette PNG whose background colour is marked transparent."""
    image = Image.new("P", (400, 150), 0)
    image.putpalette([0, 0, 0, 20, 20, 20])
    for x, y in STROKE:
        image.paste(1, (int(x) - 3, int(y) - 3, int(x) + 30, int(y) + 3))
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (encode(canvas(), ".png"), "png"),
        (encode(paper()), "jpeg"),
        (encode(paper(), ".bmp"), "bmp"),
        (encode(paper((255, 255, 255), background=0), ".png"), "png"),
        (palette_png(), "png"),
    ],
    ids=["canvas-png", "pad-jpeg", "pad-bmp", "white-ink-on-black", "palette-png"],
)
def test_it_accepts_a_signature_with_ink(data: bytes, fmt: str) -> None:
    capture = check_signature(data)
    assert (capture.data, capture.format, capture.quality) == (data, fmt, {})
    assert capture.sha256 == hashlib.sha256(data).hexdigest()


def test_a_canvas_signature_arrives_through_its_data_url() -> None:
    png = encode(canvas(), ".png")
    text = "data:image/png;base64," + base64.b64encode(png).decode()
    received = data_url_bytes(text, limit_mb=captures.SIGNATURE_MAX_MB)
    assert check_signature(received).sha256 == hashlib.sha256(png).hexdigest()


def tapped() -> np.ndarray:
    image = canvas(ink=False)
    cv2.circle(image, (200, 75), 2, (0, 0, 0, 255), -1)
    return image


@pytest.mark.parametrize(
    "data",
    [
        encode(canvas(ink=False), ".png"),  # nothing drawn on the canvas
        encode(
            np.zeros((150, 400, 3), np.uint8)
        ),  # a transparent canvas exported as JPEG: all black
        encode(np.full((150, 400, 3), 255, np.uint8)),
        encode(tapped(), ".png"),  # the pen touched once
        encode(paper((245, 245, 245))),  # ink too faint to see
    ],
    ids=["empty-canvas", "black-jpeg", "white-jpeg", "one-tap", "faint"],
)
def test_it_refuses_a_blank_signature(data: bytes) -> None:
    refused("BLANK_SIGNATURE", check_signature, data)


@pytest.mark.parametrize(
    "data",
    [TEXT, PDF, gif(paper()), encode(canvas(), ".png")[:-100], b"BM"],
    ids=["text", "pdf", "gif", "truncated-png", "bmp-magic-only"],
)
def test_it_refuses_a_signature_that_is_not_a_picture(data: bytes) -> None:
    refused("BAD_SIGNATURE", check_signature, data)


# --- never a 500 ---------------------------------------------------------------------------------

PREFIXES = [b"", PNG_MAGIC, b"\xff\xd8\xff\xe0", b"BM", JP2_MAGIC, b"\xff\xa0\xff\xa8"]
PREFIXES += [b"FMR\x00 20\x00", b"FIR\x00 10\x00", b"IIR\x00 10\x00", b"GIF89a"]
BOUNDS = {"IMAGE_TOO_MANY_PIXELS", "IMAGE_TOO_MANY_SCANS"}  # a random header may claim anything
EXPECTED = {
    check_photo: {"NOT_AN_IMAGE", "CAPTURE_EMPTY", *BOUNDS},
    check_fingerprint: {"WRONG_FINGERPRINT_FILE", "CAPTURE_EMPTY", *BOUNDS},
    check_iris: {"WRONG_IRIS_FILE", "CAPTURE_EMPTY", *BOUNDS},
    check_signature: {"BAD_SIGNATURE", "CAPTURE_EMPTY", *BOUNDS},
}


def outcome(check: Callable[[bytes], Capture], data: bytes) -> Capture | str:
    try:
        return check(data)
    except DomainError as error:
        return error.code


@given(prefix=st.sampled_from(PREFIXES), tail=st.binary(max_size=300))
def test_arbitrary_bytes_get_a_domain_error_or_a_capture_never_a_crash(
    prefix: bytes, tail: bytes
) -> None:
    data = prefix + tail
    for check, codes in EXPECTED.items():
        result = outcome(check, data)
        if isinstance(result, Capture):
            assert result.data == data and result.sha256 == hashlib.sha256(data).hexdigest()
        else:
            assert result in codes
