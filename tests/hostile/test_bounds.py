"""Every bound of `cccd.filebounds` met by a file built to cross it, through the real readers: the
register's and the rosters' tables, the intake's image checks. Each refusal has the bound's own code
and comes before the file is iterated or decoded; time is bounded by a limit the code enforces,
shown here with a clock the test controls (no sleeping, no timing)."""

from __future__ import annotations

import io
import os
import types
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from PIL import Image, ImageFile

from cccd import errors as shared
from cccd import filebounds
from cccd.enrollments import errors as intake
from cccd.enrollments.intake import captures
from cccd.enrollments.intake.services import check_proof_scan
from cccd.errors import DomainError, ErrorCode
from cccd.registry import errors as registry
from cccd.registry.tables import open_table, received_file
from tests.hostile import make_corpus
from tests.hostile.conftest import corpus, filename

TABLES: dict[str, ErrorCode] = {
    "huge-dimensions": shared.TABLE_TOO_MANY_COLUMNS,
    "far-cell": shared.TABLE_TOO_MANY_COLUMNS,
    "far-row": shared.TABLE_TOO_MANY_ROWS,
    "wide-row": shared.TABLE_ROW_TOO_LARGE,
    "zip-bomb": shared.FILE_PACKED_TOO_TIGHT,
    "many-parts": shared.FILE_TOO_MANY_PARTS,
    "many-merges": shared.SHEET_TOO_COMPLEX,
    "huge-header-text": shared.SHEET_TOO_COMPLEX,
    "huge-shared-string": shared.TABLE_TEXT_TOO_LARGE,
    "nested-shared-string": shared.TABLE_TEXT_TOO_LARGE,
    "billion-laughs": shared.FILE_XML_ENTITIES,
    "truncated-xlsx": registry.BAD_XLSX,
    "path-traversal": shared.FILE_UNSAFE_PART_NAME,
    "csv-nul": registry.NOT_A_TABLE,
    "csv-late-nul": registry.BINARY_CONTENT,
    "csv-one-line": shared.TABLE_ROW_TOO_LARGE,
    "empty": registry.EMPTY_FILE,
    "png-bomb": registry.NOT_A_TABLE,
    "jpeg-claiming": registry.NOT_A_TABLE,
    "pdf-named-jpg": registry.NOT_A_TABLE,
}


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_all(path: Path) -> list[list[Any]]:
    return list(open_table(path).rows())


def refusal(path: Path) -> DomainError:
    with pytest.raises(DomainError) as caught:
        read_all(path)
    return caught.value


@pytest.fixture
def no_rows_iterated(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if openpyxl is asked for a row: the refusal must come before."""

    def iterate(*args: Any, **kwargs: Any) -> Iterator[Any]:
        raise AssertionError("rows were iterated")

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", iterate)


# --- tables --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_a_hostile_table_is_refused_with_its_bound(tmp_path: Path, name: str) -> None:
    error = refusal(write(tmp_path, filename(name), corpus(name)))
    assert error.code == TABLES[name].code, error.message


@pytest.mark.usefixtures("no_rows_iterated")
@pytest.mark.parametrize(
    "name",
    [
        "huge-dimensions",
        "zip-bomb",
        "many-parts",
        "billion-laughs",
        "path-traversal",
        "huge-shared-string",
    ],
)
def test_a_hostile_workbook_is_refused_before_its_first_row(tmp_path: Path, name: str) -> None:
    assert refusal(write(tmp_path, "x.xlsx", corpus(name))).code == TABLES[name].code


def test_the_issue_s_one_and_a_half_kilobyte_workbook_names_what_it_claims(tmp_path: Path) -> None:
    data = corpus("huge-dimensions")
    assert len(data) < 1700
    error = refusal(write(tmp_path, "x.xlsx", data))
    assert "column XFD" in error.message and "256 columns" in error.message


def test_a_well_made_workbook_reads_through_the_guard(tmp_path: Path) -> None:
    rows = read_all(write(tmp_path, "x.xlsx", make_corpus.minimal_xlsx()))
    assert rows[1][:2] == ["067199012345", "Đặng Thị Hương"]
    book = Workbook()
    book.active.append(["DANH SÁCH HỌC SINH"])
    book.active.merge_cells("A1:E1")
    book.active.append(["STT", "Họ và tên", "Ngày sinh"])
    book.active.append([1, "Nguyễn Văn An", "15/03/2006"])
    book.save(tmp_path / "excel.xlsx")
    assert read_all(tmp_path / "excel.xlsx")[2][:3] == [1, "Nguyễn Văn An", "15/03/2006"]


def test_a_sheet_declaring_fewer_rows_than_it_holds_loses_none(tmp_path: Path) -> None:
    rows = "".join(
        f'<row r="{n}">{make_corpus.text_cell(f"A{n}", f"dòng {n}")}</row>' for n in range(1, 6)
    )
    parts = make_corpus.workbook_parts(make_corpus.sheet_xml(rows, dimension="A1:A2"))
    path = write(tmp_path, "x.xlsx", make_corpus.zip_of(parts))
    assert [row[0] for row in read_all(path)] == [f"dòng {n}" for n in range(1, 6)]


def test_the_unpacked_size_is_a_setting(tmp_path: Path, settings: Any) -> None:
    settings.CCCD_MAX_UNPACKED_MB = 1
    cells = "".join(
        f'<row r="{n}">{make_corpus.text_cell(f"A{n}", os.urandom(40).hex())}</row>'
        for n in range(1, 20_000)
    )
    parts = make_corpus.workbook_parts(make_corpus.sheet_xml(cells))
    error = refusal(write(tmp_path, "x.xlsx", make_corpus.zip_of(parts)))
    assert error.code == "FILE_UNPACKS_TOO_LARGE" and error.status == 413


def test_a_zip64_directory_is_measured_by_its_zip64_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipfile writes the zip64 end record (counts 0xFFFF in the old one) past 65,535 entries;
    the check reads the zip64 record as zipfile does, so the count cannot hide there."""
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 0)
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as archive:
        for name, data in make_corpus.workbook_parts(make_corpus.sheet_xml("")).items():
            archive.writestr(name, data)
    assert b"PK\x06\x06" in small.getvalue()
    assert read_all(write(tmp_path, "small.xlsx", small.getvalue())) == []
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for number in range(filebounds.MAX_PARTS + 1):
            archive.writestr(f"xl/media/{number}.bin", b"")
    error = refusal(write(tmp_path, "many.xlsx", many.getvalue()))
    assert error.code == "FILE_TOO_MANY_PARTS" and str(filebounds.MAX_PARTS + 1) in error.message


def test_rows_and_columns_are_settings(tmp_path: Path, settings: Any) -> None:
    settings.CCCD_MAX_TABLE_ROWS, settings.CCCD_MAX_TABLE_COLUMNS = 100, 8
    long = write(tmp_path, "long.csv", "".join(f"{n},x\n" for n in range(150)).encode())
    assert refusal(long).code == "TABLE_TOO_MANY_ROWS"
    wide = write(tmp_path, "wide.csv", ("a," * 9 + "j\n").encode())
    assert refusal(wide).code == "TABLE_TOO_MANY_COLUMNS"
    blank_beyond = write(tmp_path, "blank.csv", ("a," * 8 + ",,,\n").encode())
    assert read_all(blank_beyond) == [["a"] * 8]  # formatted empty cells beyond are cut


class Clock:
    """time.monotonic for filebounds: `tick` seconds pass at each reading; `now` moves by hand."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def monotonic(self) -> float:
        self.now += self.tick
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[float], Clock]:
    def install(tick: float) -> Clock:
        fake = Clock(tick)
        monkeypatch.setattr(filebounds, "time", types.SimpleNamespace(monotonic=fake.monotonic))
        return fake

    return install


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_read_stops_when_its_time_is_spent(
    tmp_path: Path, settings: Any, clock: Callable[[float], Clock], kind: str
) -> None:
    settings.CCCD_MAX_READ_SECONDS = 60
    if kind == "csv":
        path = write(
            tmp_path, "x.csv", "".join(f"{n},Nguyễn Văn An\n" for n in range(500)).encode()
        )
    else:
        book = Workbook()
        for n in range(500):
            book.active.append([n, "Nguyễn Văn An"])
        book.save(tmp_path / "x.xlsx")
        path = tmp_path / "x.xlsx"
    clock(1.0)  # one second passes each time the reader looks at the clock
    error = refusal(path)
    assert error.code == "FILE_READ_TOO_LONG" and "60 seconds" in error.message


def test_the_time_spent_by_whoever_consumes_the_rows_is_not_the_reader_s(
    tmp_path: Path, settings: Any, clock: Callable[[float], Clock]
) -> None:
    """An import writes each batch to the database between rows: that is not reading time."""
    settings.CCCD_MAX_READ_SECONDS = 60
    path = write(tmp_path, "x.csv", "".join(f"{n},x\n" for n in range(50)).encode())
    fake = clock(0.0)
    count = 0
    for _row in open_table(path).rows():
        fake.now += 100  # the consumer's work
        count += 1
    assert count == 50


def test_a_file_received_in_a_request_is_read_under_the_request_s_limit(settings: Any) -> None:
    settings.CCCD_MAX_READ_SECONDS, settings.CCCD_MAX_REQUEST_READ_SECONDS = 900, 7
    with received_file(SimpleUploadedFile("x.csv", b"a,b\n1,2\n")) as path:
        assert open_table(path).limits.seconds == 7
        kept = path.read_bytes()
    assert kept and filebounds.table_limits().seconds == 900


# --- images --------------------------------------------------------------------------------------

IMAGES: dict[str, ErrorCode] = {
    "png-claiming": shared.IMAGE_TOO_MANY_PIXELS,
    "png-bomb": shared.IMAGE_TOO_MANY_PIXELS,
    "jpeg-claiming": shared.IMAGE_TOO_MANY_PIXELS,
    "jpeg-many-scans": shared.IMAGE_TOO_MANY_SCANS,
}
CHECKS = [
    captures.check_photo,
    captures.check_fingerprint,
    captures.check_iris,
    captures.check_signature,
    check_proof_scan,
]


@pytest.fixture
def no_decoding(monkeypatch: pytest.MonkeyPatch) -> None:
    def decode(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(captures.cv2, "imdecode", decode)
    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)


@pytest.mark.usefixtures("no_decoding")
@pytest.mark.parametrize("name", sorted(IMAGES))
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_a_picture_bomb_is_refused_from_its_header_before_decoding(
    name: str, check: Callable[[bytes], Any]
) -> None:
    with pytest.raises(DomainError) as caught:
        check(corpus(name))
    assert caught.value.code == IMAGES[name].code


def test_a_progressive_photo_of_a_real_camera_passes(portrait: bytes) -> None:
    out = io.BytesIO()
    Image.open(io.BytesIO(portrait)).save(out, "JPEG", quality=90, progressive=True)
    assert out.getvalue().count(b"\xff\xda") > 1
    assert captures.check_photo(out.getvalue()).format == "jpeg"


def test_opencv_decodes_nothing_over_the_intake_s_pixel_limit() -> None:
    """Set in settings.py before cv2 loads: a file whose header misleads Pillow is still bounded."""
    assert os.environ["OPENCV_IO_MAX_IMAGE_PIXELS"] == str(captures.MAX_PIXELS)
    bomb = np.frombuffer(make_corpus.png_bomb(8000, 6000), np.uint8)  # 48 MP
    try:
        decoded = cv2.imdecode(bomb, cv2.IMREAD_GRAYSCALE)
    except cv2.error:
        decoded = None
    assert decoded is None


@pytest.mark.parametrize(
    "name", ["truncated-jpeg", "truncated-png", "pdf-named-jpg", "xlsx-named-png", "zip-bomb"]
)
def test_a_proof_that_is_not_a_whole_picture_is_refused(name: str) -> None:
    with pytest.raises(DomainError) as caught:
        check_proof_scan(corpus(name))
    assert caught.value.code == intake.PROOF_FILE_NOT_AN_IMAGE.code


def test_a_photographed_proof_is_kept_as_it_came(portrait: bytes) -> None:
    proof = check_proof_scan(portrait)
    assert (proof.data, proof.format) == (portrait, "jpeg")
