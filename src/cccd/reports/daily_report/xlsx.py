"""The daily report as a workbook: one A4 portrait sheet, real number cells (a sheet people go on
to add up), user text written through `cccd.spreadsheets.safe_text`."""

from __future__ import annotations

import datetime
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from cccd import spreadsheets
from cccd.reports.daily_report.content import (
    CHILD_HEADER,
    MOTTO_1,
    MOTTO_2,
    SIGN_LEFT,
    SIGN_RIGHT,
    SUBTITLE,
    TITLE,
    ChildLine,
    Line,
    ReportContent,
)

_WIDTHS = (8, 38, 12, 13, 11, 12)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_COUNT = "#,##0"
_SHARE = "0.0%"


def render_xlsx(content: ReportContent) -> bytes:
    """One A4 portrait sheet; figures are number cells (shares as fractions formatted in %)."""
    book = Workbook()
    sheet = spreadsheets.first_sheet(book)
    sheet.title = "Báo cáo tiến độ"
    writer = _Sheet(sheet)
    writer.header(content)
    writer.section("I. KẾT QUẢ THU NHẬN")
    for line in content.lines:
        writer.line(line)
    writer.text(content.progress_note, italic=True)
    writer.text(content.forecast)
    writer.section("II. KẾT QUẢ THEO ĐƠN VỊ TRỰC THUỘC")
    writer.children(content.children)
    writer.section("III. THEO NHÓM ĐỐI TƯỢNG VÀ LOẠI THỦ TỤC")
    writer.pairs("Nhóm đối tượng", content.by_group)
    writer.pairs("Loại thủ tục", content.by_kind)
    writer.section("IV. NHẬN XÉT, ĐÁNH GIÁ")
    for remark in content.remarks:
        writer.text(f"- {spreadsheets.safe_text(remark)}")
    writer.signatures()
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.print_area = f"A1:F{writer.row - 1}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_PORTRAIT
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Sheet:
    """Writes the report down the sheet, one block after another; `row` is the next free row."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.row = 1

    def put(
        self,
        column: int,
        value: str | float | datetime.date | None,
        *,
        bold: bool = False,
        fmt: str | None = None,
        align: str | None = None,
        span: int = 1,
        size: float = 11,
        italic: bool = False,
        box: bool = False,
    ) -> None:
        cell = self.sheet.cell(row=self.row, column=column, value=value)
        cell.font = Font(name="Times New Roman", bold=bold, italic=italic, size=size)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if span > 1:
            self.sheet.merge_cells(
                start_row=self.row,
                start_column=column,
                end_row=self.row,
                end_column=column + span - 1,
            )
        if box:
            for c in range(column, column + span):
                self.sheet.cell(row=self.row, column=c).border = _BOX

    def header(self, content: ReportContent) -> None:
        above, unit = (content.parent_name.upper(), 2) if content.parent_name else ("", 1)
        if above:
            self.put(1, spreadsheets.safe_text(above), span=2, align="center", size=11)
        self.put(3, MOTTO_1, bold=True, span=4, align="center", size=11)
        self.row = unit
        name = spreadsheets.safe_text(content.unit_name.upper())
        self.put(1, name, bold=True, span=2, align="center", size=11)
        self.row = 2
        self.put(3, MOTTO_2, bold=True, span=4, align="center", size=12)
        self.row += 2
        self.put(3, spreadsheets.safe_text(content.date_line), italic=True, span=4, align="center")
        self.row += 2
        self.put(1, TITLE, bold=True, span=6, align="center", size=14)
        self.row += 1
        self.put(1, SUBTITLE, bold=True, span=6, align="center", size=12)
        self.row += 1
        self.put(1, spreadsheets.safe_text(content.day_line), italic=True, span=6, align="center")
        self.row += 2

    def section(self, title: str) -> None:
        self.row += 1 if self.row > 12 else 0
        self.put(1, title, bold=True, span=6)
        self.row += 1

    def line(self, line: Line) -> None:
        self.put(1, line.label, span=3)
        percent = line.unit == "%"
        value = line.value / 100 if percent and line.value is not None else line.value
        self.put(
            4, "—" if value is None else value, fmt=_SHARE if percent else _COUNT, align="right"
        )
        self.put(5, "" if percent else line.unit)
        self.row += 1

    def text(self, sentence: str, *, italic: bool = False) -> None:
        self.put(1, sentence, span=6, align="left", italic=italic)
        lines = max(1, len(sentence) // 85 + 1)
        self.sheet.row_dimensions[self.row].height = 15 * lines
        self.row += 1

    def children(self, rows: list[ChildLine]) -> None:
        if not rows:
            self.text("Không có đơn vị trực thuộc.")
            return
        for column, title in enumerate(CHILD_HEADER, start=1):
            self.put(column, title, bold=True, align="center", box=True)
        self.row += 1
        for r in rows:
            values: list[tuple[str | float | None, str | None]] = [
                (r.rank, "0"),
                (spreadsheets.safe_text(r.name), None),
                (r.target if r.target is not None else "—", _COUNT),
                (r.done, _COUNT),
                (r.percent / 100 if r.percent is not None else "—", _SHARE),
                (r.today, _COUNT),
            ]
            for column, (value, fmt) in enumerate(values, start=1):
                align = "left" if column == 2 else "center" if column == 1 else "right"
                self.put(column, value, fmt=fmt, align=align, box=True)
            self.row += 1

    def pairs(self, title: str, rows: list[tuple[str, int]]) -> None:
        self.put(1, title, bold=True, span=3, box=True)
        self.put(4, "Số hồ sơ", bold=True, align="center", box=True)
        self.row += 1
        for name, count in rows or [("Chưa có", 0)]:
            self.put(1, spreadsheets.safe_text(name), span=3, box=True)
            self.put(4, count, fmt=_COUNT, align="right", box=True)
            self.row += 1
        self.row += 1

    def signatures(self) -> None:
        self.row += 1
        self.put(1, SIGN_LEFT, bold=True, span=2, align="center")
        self.put(3, SIGN_RIGHT, bold=True, span=4, align="center")
        self.row += 1
        self.put(1, "(Ký, ghi rõ họ tên)", italic=True, span=2, align="center")
        self.put(3, "(Ký tên, đóng dấu)", italic=True, span=4, align="center")
        self.row += 5
