"""safe_text: the one helper every export writes user text through (cccd.spreadsheets)."""

from __future__ import annotations

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from cccd.spreadsheets import safe_text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+84 912 345 678", "'+84 912 345 678"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("Xã Đắk Lao = 12A1", "Xã Đắk Lao = 12A1"),  # only a leading sign starts a formula
        ("", ""),
    ],
)
def test_it_defuses_a_leading_formula_sign(value: str, written: str) -> None:
    assert safe_text(value) == written


def test_it_replaces_the_control_characters_xlsx_cannot_hold() -> None:
    assert safe_text("Lê\x00Văn\x07Tám\x1b") == "Lê\ufffdVăn\ufffdTám\ufffd"
    assert safe_text("dòng 1\ndòng 2\tcột") == "dòng 1\ndòng 2\tcột"  # these xlsx holds


def test_a_control_character_first_is_replaced_then_defused() -> None:
    assert safe_text("\x07=1") == "\ufffd=1"
    assert safe_text("\x0b+1") == "\ufffd+1"


@pytest.mark.parametrize("value", [None, 12, 4.5, datetime.date(2021, 3, 6), True])
def test_numbers_dates_and_none_pass_unchanged(value: object) -> None:
    assert safe_text(value) is value


def test_what_it_returns_is_written_and_read_back_as_text() -> None:
    book = Workbook()
    hostile = ['=HYPERLINK("http://x")', "+1", "-1", "@A1", "\t=1", "Nguyễn\x07An"]
    book.active.append([safe_text(v) for v in hostile])
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows())
    assert [c.data_type for c in row] == ["s"] * len(hostile)
    assert [c.value for c in row] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-1",
        "'@A1",
        "'\t=1",
        "Nguyễn\ufffdAn",
    ]
