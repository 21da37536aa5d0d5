"""The two files of the list, opened as their readers open them: the xlsx with openpyxl (cells,
title, frozen header, widths, a line per village), the PDF with pypdf (the names in order, the
running head, the page numbers), a hostile name written as text in both."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cccd.accounts.models import User
from cccd.campaigns.models import PriorityGroup
from cccd.reach import lists
from cccd.registry.models import Person
from tests.conftest import client_for
from tests.reach.lists_world import Commune

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2021, 3, 20)


def _download(user: Any, commune: Commune, name: str, **params: Any) -> Any:
    query = {"campaign": commune.campaign.pk, "unit": commune.tree.daklao.pk, **params}
    return client_for(user).get(reverse(name), query)


def _names(commune: Commune, user: Any, **kwargs: Any) -> list[str]:
    people = lists.still_to_reach(
        actor=user, campaign=commune.campaign, unit=commune.tree.daklao, **kwargs
    )
    return [row.name for row in lists.rows_of(people)]


@pytest.fixture
def today(time_machine: Any) -> None:
    time_machine.move_to(datetime.datetime(2021, 3, 20, 9, 30, tzinfo=datetime.UTC))


def test_the_xlsx_is_a_list_by_village_in_vietnamese(
    commune: Commune, officer_dakmil: User, today: None
) -> None:
    response = _download(officer_dakmil, commune, "reach_lists:xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="can-van-dong-24667-20210320.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Danh sách người cần vận động làm CCCD — Xã Đắk Lao"
    assert sheet["A2"].value == "Đợt: Đắk Mil 2021 · in lúc 20/03/2021 16:30 · 12 người"
    header = [c.value for c in sheet[3]]
    assert header == [
        "STT",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Số định danh cá nhân",
        "Thôn, tổ dân phố",
        "Địa chỉ",
        "Thẻ đang có",
        "Nhóm đối tượng",
        "Đến tận nhà (lý do)",
        "Ghi chú",
    ]
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["B"].width == 28 and sheet.column_dimensions["G"].width == 40
    lines = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    groups = [line[0] for line in lines if line[1] is None]
    assert groups == [
        "Thôn 1 — 3 người",
        "Thôn 2 — 5 người",
        "Thôn 10 — 3 người",
        "Chưa ghi thôn, tổ dân phố — 1 người",
    ]
    people = [line for line in lines if line[1] is not None]
    assert [p[1] for p in people] == [
        n if not n.startswith("=") else "'" + n for n in _names(commune, officer_dakmil)
    ]
    assert [p[0] for p in people[:4]] == [1, 2, 3, 1]  # numbered within each village
    an = next(p for p in people if p[1] == "Lê Thị An")
    general = PriorityGroup.objects.get(code="general").name
    pid = Person.objects.get(full_name="Lê Thị An").personal_id
    assert an[2:9] == ["05/06/1985", "Nữ", pid, "Thôn 10", "Thôn 10, số 2", "Chưa có", general]
    assert an[9] in ("", None) and an[10] in ("", None)  # no home visit; the note column blank
    old = next(p for p in people if p[1] == "Cao Thị Cụ")
    assert old[9] == "Từ 80 tuổi trở lên"


def test_the_xlsx_writes_a_hostile_name_as_text(commune: Commune, officer_dakmil: User) -> None:
    body = _download(officer_dakmil, commune, "reach_lists:xlsx", village="Thôn 2").content
    sheet = load_workbook(io.BytesIO(body)).active
    cells = [row[1] for row in sheet.iter_rows(min_row=5) if row[1].value]
    hostile = next(c for c in cells if "HYPERLINK" in str(c.value))
    assert hostile.data_type == "s"
    assert str(hostile.value).startswith("'=HYPERLINK(")
    assert "<script>alert(1)</script>" in str(hostile.value)
    assert "\u202e" not in str(hostile.value) and "\x07" not in str(hostile.value)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _pdf_text(body: bytes) -> tuple[list[str], int]:
    reader = PdfReader(io.BytesIO(body))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return pages, len(reader.pages)


def test_the_pdf_lists_the_names_in_order_with_heads_and_page_numbers(
    commune: Commune, officer_dakmil: User, today: None, monkeypatch: Any
) -> None:
    response = _download(officer_dakmil, commune, "reach_lists:pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="can-van-dong-24667-20210320.pdf"' in response["Content-Disposition"]
    pages, count = _pdf_text(response.content)
    text = " ".join(pages)
    assert "DANH SÁCH NGƯỜI CẦN VẬN ĐỘNG LÀM CCCD — XÃ ĐẮK LAO" in text
    assert "Xã Đắk Lao · đợt Đắk Mil 2021 · in ngày 20/03/2021" in pages[0]
    for heading in ("STT", "Họ và tên", "Năm sinh", "Địa chỉ", "Lý do đến tận nhà", "Ghi chú"):
        assert heading in text
    assert f"Trang 1 trên {count}" in pages[0]
    squashed = "".join(text.split())  # a long name wraps inside its cell
    positions = [squashed.find("".join(n.split())) for n in _names(commune, officer_dakmil)]
    assert -1 not in positions and positions == sorted(positions)
    villages = [text.find(v) for v in ("Thôn 1 — 3 người", "Thôn 2 — 5 người", "Thôn 10 — 3")]
    assert -1 not in villages and villages == sorted(villages)
    assert "Khuyết tật: Liệt hai chân gọi trước" in text
    assert "1930" in text  # the year of birth


def test_a_long_pdf_repeats_its_head_and_numbers_every_page(
    commune: Commune, officer_dakmil: User, monkeypatch: Any
) -> None:
    """Forty copies of the list make several pages: each has the head and "Trang n trên N"."""
    real = lists.rows_of
    monkeypatch.setattr(
        lists, "rows_of", lambda people: [r for _ in range(40) for r in real(people)]
    )
    pages, count = _pdf_text(_download(officer_dakmil, commune, "reach_lists:pdf").content)
    assert count > 3
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number} trên {count}" in page
        assert "Xã Đắk Lao · đợt Đắk Mil 2021" in page
        assert "STT" in page  # the table's heading row repeats


def test_the_pdf_writes_a_hostile_name_as_text(commune: Commune, officer_dakmil: User) -> None:
    body = _download(officer_dakmil, commune, "reach_lists:pdf", village="Thôn 2").content
    pages, _count = _pdf_text(body)
    text = "".join("".join(pages).split())  # the name wraps inside its cell
    assert (
        '=HYPERLINK("http://x.invalid","<b>Bấm</b>")\ufffdNgô\ufffd<script>alert(1)</script>'
        in text
    )
    assert "\u202e" not in text and "\x07" not in text
    assert not re.search(rb"/(JavaScript|JS|URI|Launch|Annots)\b", body)  # nothing active


def test_an_empty_list_prints_a_sentence(commune: Commune, officer_dakmil: User) -> None:
    from cccd.reach.models import Reachable

    Reachable.objects.filter(campaign=commune.campaign).update(reached_on=TODAY)
    pages, count = _pdf_text(_download(officer_dakmil, commune, "reach_lists:pdf").content)
    assert count == 1 and "Không còn ai cần vận động trong danh sách này." in pages[0]
    body = _download(officer_dakmil, commune, "reach_lists:xlsx").content
    sheet = load_workbook(io.BytesIO(body)).active
    assert sheet.max_row == 3  # the title, the line under it, the header
