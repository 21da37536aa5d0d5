"""The discrepancy list the school downloads: rows named by the lines of the school's own file,
and what the school or the register wrote arrives as text, never as a formula."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.rosters import services
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _school_file_with_gaps() -> bytes:
    """As a teacher makes it: two title rows, a blank row, the header on row 5, a blank row and a
    page-break header inside the list."""
    workbook = Workbook()
    sheet = workbook.active
    sheet["A2"] = "DANH SÁCH HỌC SINH LỚP 12A1"
    sheet.append([])
    sheet.append([])
    sheet["A5"], sheet["B5"], sheet["C5"], sheet["D5"] = "STT", "Họ và tên", "Ngày sinh", "Lớp"
    sheet.append([1, "Hoàng Văn Không Có", "01/01/2005", "12A1"])  # row 6
    sheet.append([2, "Đặng Thị Thu Hương", "02/09/2005", "12A1"])  # row 7: nothing to correct
    sheet.append([])  # row 8
    sheet.append([3, '=HYPERLINK("http://evil.example","Bấm vào đây")', "01/02/2005", "12A1"])
    sheet["B9"].data_type = "s"  # text in the school's cell (typed with a leading apostrophe)
    sheet.append([4, "Lê Văn Bình", "01/01/2003", "+12A1"])  # row 10: a valid card
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _download(user: User, roster_id: int) -> list[tuple]:
    response = client_for(user).get(f"/rosters/{roster_id}/discrepancies.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.active


def _upload(session: Session, user: User) -> object:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.upload_roster(
        session.pk,
        SimpleUploadedFile("Lớp 12A1.xlsx", _school_file_with_gaps()),
        actor=user,
        run_now=True,
    )


def test_rows_are_named_by_the_line_numbers_of_the_schools_own_file(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _upload(session, officer_dakmil)
    sheet = _download(officer_dakmil, roster.pk)
    assert "Lớp 12A1" in sheet["A1"].value
    rows = {row[1]: row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Hoàng Văn Không Có"] == 6
    assert rows["Lê Văn Bình"] == 10
    assert "Đặng Thị Thu Hương" not in rows
    header = [c.value for c in sheet[3]]
    assert header[0] == "Dòng trong tệp đã gửi"


def test_what_the_school_wrote_arrives_as_text_not_as_a_formula(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _upload(session, officer_dakmil)
    sheet = _download(officer_dakmil, roster.pk)
    cells = [c for row in sheet.iter_rows(min_row=4) for c in row if c.value is not None]
    assert cells
    assert all(c.data_type != "f" for c in cells)
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    assert '\'=HYPERLINK("http://evil.example","Bấm vào đây")' in texts
    assert "'+12A1" in texts
