"""The daily progress report (báo cáo tiến độ cấp CCCD) a police unit sends upward, as xlsx and PDF.

`report_content(unit, campaign, day)` lays the report out from `cccd.reports.queries.figures` and
nothing else, so every figure in it is the dashboard's and the API's. The report is an official
paper in the shape Vietnamese police units use (the unit and the national motto side by side, the
place and date line, a title, numbered sections, two signatures), so its wording is Vietnamese
whatever the user's language, like the appointment slip; labels that come from the figures (kinds,
groups) are taken in Vietnamese too.

`render_xlsx` and `render_pdf` draw the same content: real number cells in the workbook (a sheet
people go on to add up), A4 portrait in both. The PDF reuses the slip's vendored DejaVu fonts.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.utils import translation
from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from cccd import spreadsheets
from cccd.campaigns.models import Campaign
from cccd.enrollments.slip import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.reports import counters, queries
from cccd.units.models import Unit

MINISTRY_PLACE = "Hà Nội"
_DIVISION_WORDS = ("thành phố ", "thị trấn ", "thị xã ", "đặc khu ", "tỉnh ", "huyện ", "quận ",
                   "phường ", "xã ")  # fmt: skip
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BÁO CÁO"
SUBTITLE = "Tiến độ thu nhận hồ sơ cấp Căn cước công dân"
SIGN_LEFT = "NGƯỜI LẬP BÁO CÁO"
SIGN_RIGHT = "THỦ TRƯỞNG ĐƠN VỊ"
CHILD_HEADER = ("Hạng", "Đơn vị", "Chỉ tiêu", "Đã thu nhận", "Tỷ lệ (%)", "Trong ngày")


@dataclass(frozen=True)
class Line:
    """One figure of section I: a label, the number (None: not applicable) and what it counts."""

    label: str
    value: int | float | None
    unit: str = "hồ sơ"


@dataclass(frozen=True)
class ChildLine:
    rank: int
    name: str
    target: int | None
    done: int
    percent: float | None
    today: int


@dataclass
class ReportContent:
    """Everything the report shows, already worded; the renderers only draw it."""

    unit_code: str
    parent_name: str  # "" for the ministry
    unit_name: str
    date_line: str  # "Đắk Mil, ngày 06 tháng 3 năm 2021"
    campaign_name: str
    day: datetime.date
    lines: list[Line]
    progress_note: str  # what the intake figures count (`counters.PROGRESS_NOTE`)
    forecast: str
    children: list[ChildLine]
    by_group: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    remarks: list[str]
    figures: queries.Figures = field(repr=False)

    @property
    def day_line(self) -> str:
        return f"Đợt: {self.campaign_name} — số liệu đến hết ngày {self.day:%d/%m/%Y}"

    @property
    def filename_stem(self) -> str:
        """ASCII-safe and deterministic: `bao-cao-tien-do-663-2021-03-06`."""
        code = "".join(c for c in self.unit_code if c.isascii() and c.isalnum()) or "unit"
        return f"bao-cao-tien-do-{code}-{self.day:%Y-%m-%d}"


def report_content(unit: Unit, campaign: Campaign, day: datetime.date) -> ReportContent:
    """The report of `unit` for `campaign` at the end of `day`, from the dashboard's figures."""
    with translation.override("vi"):
        f = queries.figures(unit, campaign, day)
    parent = unit.parent
    return ReportContent(
        unit_code=unit.code, parent_name=_nfc(parent.name) if parent else "",
        unit_name=_nfc(unit.name), date_line=date_line(place_of(unit), day),
        campaign_name=_nfc(campaign.name), day=day, lines=_lines(f), progress_note=progress_note(),
        forecast=forecast_sentence(f),
        children=[ChildLine(r.rank, _nfc(r.unit.name), r.target, r.done, r.percent, r.today)
                  for r in f.children],
        by_group=[(_label(n), c) for n, c in f.by_group], by_kind=[(_label(n), c) for n, c in f.by_kind],
        remarks=remarks(f), figures=f,
    )  # fmt: skip


def progress_note() -> str:
    """The sentence under section I saying what its intake figures count, in Vietnamese."""
    with translation.override("vi"):
        return f"Ghi chú: {counters.PROGRESS_NOTE}"


def place_of(unit: Unit) -> str:
    """The place name of the date line: "Đắk Mil" for Công an huyện Đắk Mil."""
    name = _nfc(unit.name)
    if unit.parent is None:
        return MINISTRY_PLACE
    if name.lower().startswith("công an "):
        name = name[len("công an ") :]
    for word in _DIVISION_WORDS:
        if name.lower().startswith(word):
            return name[len(word) :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """Official papers write a day below 10 and the months 1 and 2 with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_number(value: int | float | None) -> str:
    """12.345 and 62,5 as Vietnamese write them; "—" for nothing."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    whole = f"{value:,.1f}"
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")


def _lines(f: queries.Figures) -> list[Line]:
    return [
        Line("Chỉ tiêu được giao", f.target),
        Line("Thu nhận trong ngày", f.today),
        Line("Thu nhận 7 ngày qua", f.week),
        Line("Thu nhận từ đầu đợt", f.done),
        Line("Tỷ lệ so với chỉ tiêu", f.percent, "%"),
        Line("Đã trả thẻ", f.delivered, "thẻ"),
        Line("Hồ sơ quá hạn trả kết quả", f.overdue),
    ]


def forecast_sentence(f: queries.Figures) -> str:
    """The forecast of the dashboard, as one sentence of the report."""
    forecast, end = f.forecast, f"{f.campaign.end_date:%d/%m/%Y}"
    if forecast.reached:
        return "Đã hoàn thành chỉ tiêu được giao."
    if forecast.remaining is None:
        return "Chưa được giao chỉ tiêu nên chưa có dự báo."
    pace = f"Tốc độ 7 ngày qua: {vn_number(forecast.pace)} hồ sơ/ngày"
    if forecast.reaches_on is None:
        sentence = f"{pace}; với tốc độ này sẽ không hoàn thành chỉ tiêu."
    else:
        late = " (sau thời hạn của đợt)" if forecast.reaches_on > f.campaign.end_date else ""
        sentence = f"{pace}; dự kiến hoàn thành chỉ tiêu ngày {forecast.reaches_on:%d/%m/%Y}{late}."
    if forecast.needed_per_day is not None:
        sentence += (
            f" Để hoàn thành trước ngày {end} cần {vn_number(forecast.needed_per_day)} hồ sơ/ngày."
        )
    return sentence


def time_share(f: queries.Figures) -> float:
    """How much of the campaign has passed at the end of the day, in %: the pace to keep."""
    campaign = f.campaign
    passed = min((f.day - campaign.start_date).days + 1, campaign.days)
    return round(100 * max(passed, 0) / campaign.days, 1)


def remarks(f: queries.Figures) -> list[str]:
    """The sentences of section IV: who is ahead of the campaign's time, who falls behind."""
    share = time_share(f)
    said = [f"Thời gian của đợt đã qua {vn_number(share)} %."]
    ahead = [r for r in f.children if r.percent is not None and r.percent >= share]
    behind = [r for r in f.children if r.percent is not None and r.percent < share]
    if ahead:
        names = ", ".join(f"{_nfc(r.unit.name)} ({vn_number(r.percent)} %)" for r in ahead)
        said.append(f"Đơn vị đạt và vượt tiến độ: {names}.")
    if behind:
        names = ", ".join(f"{_nfc(r.unit.name)} ({vn_number(r.percent)} %)" for r in behind)
        said.append(f"Đơn vị chậm tiến độ, cần tập trung đẩy nhanh: {names}.")
    if f.children and not ahead and not behind:
        said.append("Các đơn vị trực thuộc chưa được giao chỉ tiêu.")
    if f.percent is not None:
        word = "đạt" if f.percent >= share else "chậm so với"
        said.append(f"Toàn đơn vị {word} tiến độ ({vn_number(f.percent)} % chỉ tiêu).")
    if f.overdue:
        said.append(
            f"Có {vn_number(f.overdue)} hồ sơ quá hạn trả kết quả, đề nghị khẩn trương xử lý."
        )
    said += forecast_remark(f)
    return said


def forecast_remark(f: queries.Figures) -> list[str]:
    """What the forecast means for the unit: on time, or the pace it must reach."""
    forecast, end = f.forecast, f"{f.campaign.end_date:%d/%m/%Y}"
    if forecast.reached:
        return ["Đơn vị đã hoàn thành chỉ tiêu được giao."]
    if forecast.remaining is None:
        return []
    if forecast.reaches_on is not None and forecast.reaches_on <= f.campaign.end_date:
        return [f"Với tốc độ hiện nay, đơn vị hoàn thành chỉ tiêu trước thời hạn ({end})."]
    if forecast.needed_per_day is None:
        return [f"Đợt đã kết thúc, còn {vn_number(forecast.remaining)} hồ sơ chưa đạt chỉ tiêu."]
    return [f"Với tốc độ hiện nay, đơn vị không hoàn thành chỉ tiêu đúng thời hạn ({end}); cần nâng "
            f"lên {vn_number(forecast.needed_per_day)} hồ sơ/ngày."]  # fmt: skip


def _label(text: str) -> str:
    """A label of the figures as a line of the report starts: with a capital letter."""
    text = _nfc(text)
    return text[:1].upper() + text[1:]


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# --- xlsx ---------------------------------------------------------------------------------------

_WIDTHS = (8, 38, 12, 13, 11, 12)
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_COUNT = "#,##0"
_SHARE = "0.0%"


def render_xlsx(content: ReportContent) -> bytes:
    """One A4 portrait sheet; figures are number cells (shares as fractions formatted in %)."""
    book = Workbook()
    sheet = book.active
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
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class _Sheet:
    """Writes the report down the sheet, one block after another; `row` is the next free row."""

    def __init__(self, sheet: object) -> None:
        self.sheet = sheet
        self.row = 1

    def put(self, column: int, value: object, *, bold: bool = False, fmt: str | None = None,
            align: str | None = None, span: int = 1, size: float = 11, italic: bool = False,
            box: bool = False) -> None:  # fmt: skip
        cell = self.sheet.cell(row=self.row, column=column, value=value)  # type: ignore[attr-defined]
        cell.font = Font(name="Times New Roman", bold=bold, italic=italic, size=size)
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(horizontal=align, vertical="center", wrap_text=True)
        if span > 1:
            self.sheet.merge_cells(start_row=self.row, start_column=column,  # type: ignore[attr-defined]
                                   end_row=self.row, end_column=column + span - 1)  # fmt: skip
        if box:
            for c in range(column, column + span):
                self.sheet.cell(row=self.row, column=c).border = _BOX  # type: ignore[attr-defined]

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
        self.sheet.row_dimensions[self.row].height = 15 * lines  # type: ignore[attr-defined]
        self.row += 1

    def children(self, rows: list[ChildLine]) -> None:
        if not rows:
            self.text("Không có đơn vị trực thuộc.")
            return
        for column, title in enumerate(CHILD_HEADER, start=1):
            self.put(column, title, bold=True, align="center", box=True)
        self.row += 1
        for r in rows:
            values: list[tuple[object, str | None]] = [
                (r.rank, "0"), (spreadsheets.safe_text(r.name), None), (r.target if r.target is not None else "—", _COUNT),
                (r.done, _COUNT), (r.percent / 100 if r.percent is not None else "—", _SHARE),
                (r.today, _COUNT),
            ]  # fmt: skip
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


# --- PDF ----------------------------------------------------------------------------------------

_MARGIN = 18.0
_PAGE_W = 210.0
_PT = 0.3528  # mm per point


def render_pdf(content: ReportContent) -> bytes:
    """A4 portrait, Vietnamese, DejaVu Sans from the slip's vendored fonts; breaks pages as needed."""
    pdf = pdf_with_fonts(font_paths(_texts(content)), "A4")
    pdf.set_margins(_MARGIN, 12, _MARGIN)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(f"{TITLE} {SUBTITLE} {content.day:%d/%m/%Y}")
    pdf.set_author(content.unit_name)
    pdf.set_lang("vi")
    pdf.set_creator("cccd")
    pdf.set_creation_date(datetime.datetime.combine(content.day, datetime.time(), datetime.UTC))
    pdf.add_page()
    _pdf_header(pdf, content)
    _pdf_section(pdf, "I. KẾT QUẢ THU NHẬN")
    for line in content.lines:
        suffix = "" if line.unit == "%" or line.value is None else f" {line.unit}"
        value = vn_number(line.value) + (
            " %" if line.unit == "%" and line.value is not None else ""
        )
        _pdf_text(pdf, f"- {line.label}: {value}{suffix}.")
    _pdf_text(pdf, content.progress_note, size=9)
    _pdf_text(pdf, f"- {content.forecast}")
    _pdf_section(pdf, "II. KẾT QUẢ THEO ĐƠN VỊ TRỰC THUỘC")
    _pdf_children(pdf, content.children)
    _pdf_section(pdf, "III. THEO NHÓM ĐỐI TƯỢNG VÀ LOẠI THỦ TỤC")
    _pdf_pairs(pdf, "Nhóm đối tượng", content.by_group)
    _pdf_pairs(pdf, "Loại thủ tục", content.by_kind)
    _pdf_closing(pdf, "IV. NHẬN XÉT, ĐÁNH GIÁ", [f"- {remark}" for remark in content.remarks])
    return bytes(pdf.output())


def _font(pdf: FPDF, size: float, style: str = "") -> float:
    """Set the font; return a line height in mm."""
    pdf.set_font(FONT_FAMILY, "B" if "B" in style else "", size)
    return size * _PT * 1.35


def _pdf_header(pdf: FPDF, content: ReportContent) -> None:
    width = _PAGE_W - 2 * _MARGIN
    col_l, col_r = width * 0.42, width * 0.58
    top = pdf.get_y()
    h = _font(pdf, 10)
    if content.parent_name:
        pdf.multi_cell(col_l, h, content.parent_name.upper(), align="C", new_x=XPos.LMARGIN,
                       new_y=YPos.NEXT)  # fmt: skip
    h = _font(pdf, 10, "B")
    pdf.multi_cell(
        col_l, h, content.unit_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.line(
        _MARGIN + col_l / 2 - 12, pdf.get_y() + 0.8, _MARGIN + col_l / 2 + 12, pdf.get_y() + 0.8
    )
    left_bottom = pdf.get_y()
    pdf.set_xy(_MARGIN + col_l, top)
    h = _font(pdf, 10, "B")
    pdf.cell(col_r, h, MOTTO_1, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    h = _font(pdf, 11, "B")
    pdf.cell(col_r, h, MOTTO_2, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    half = pdf.get_string_width(MOTTO_2) / 2
    centre = _MARGIN + col_l + col_r / 2
    pdf.line(centre - half, pdf.get_y() + 0.5, centre + half, pdf.get_y() + 0.5)
    pdf.set_xy(_MARGIN + col_l, max(pdf.get_y(), left_bottom) + 4)
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.cell(
        col_r, _font(pdf, 10), content.date_line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(5)
    pdf.cell(width, _font(pdf, 15, "B"), TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(width, _font(pdf, 12, "B"), SUBTITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = _font(pdf, 10)
    pdf.multi_cell(width, h, content.day_line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _pdf_section(pdf: FPDF, title: str, *, keep: float | None = None) -> None:
    """A heading, never alone at a page's foot: it goes to the next page unless `keep` mm (by
    default three lines) fit under it."""
    pdf.ln(2)
    h = _font(pdf, 11, "B")
    if pdf.will_page_break(h + 1 + (3 * h if keep is None else keep)):
        pdf.add_page()
    pdf.cell(0, h, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _pdf_text(pdf: FPDF, sentence: str, *, size: float = 10.5) -> None:
    h = _font(pdf, size)
    pdf.multi_cell(0, h, sentence, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _text_height(pdf: FPDF, sentence: str, *, size: float = 10.5) -> float:
    """How tall `_pdf_text` would write `sentence`, in mm (wrapped, not drawn)."""
    h = _font(pdf, size)
    lines = pdf.multi_cell(0, h, sentence, align="J", dry_run=True, output=MethodReturnValue.LINES)
    return len(lines) * h


def _pdf_children(pdf: FPDF, rows: list[ChildLine]) -> None:
    if not rows:
        _pdf_text(pdf, "Không có đơn vị trực thuộc.")
        return
    widths = (14, 68, 22, 24, 22, 24)
    aligns = ("C", "L", "R", "R", "R", "R")
    h = _font(pdf, 9.5, "B")
    for width, title in zip(widths, CHILD_HEADER, strict=True):
        pdf.cell(width, h + 2, title, border=1, align="C")
    pdf.ln(h + 2)
    _font(pdf, 9.5)
    for r in rows:
        if pdf.get_y() + h + 2 > pdf.h - pdf.b_margin:
            pdf.add_page()
        values = (str(r.rank), _shorten(pdf, r.name, widths[1] - 2), vn_number(r.target),
                  vn_number(r.done), vn_number(r.percent), vn_number(r.today))  # fmt: skip
        for width, align, value in zip(widths, aligns, values, strict=True):
            pdf.cell(width, h + 2, value, border=1, align=align)
        pdf.ln(h + 2)


def _pdf_pairs(pdf: FPDF, title: str, rows: list[tuple[str, int]]) -> None:
    h = _font(pdf, 9.5, "B")
    pdf.cell(120, h + 2, title, border=1)
    pdf.cell(30, h + 2, "Số hồ sơ", border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _font(pdf, 9.5)
    for name, count in rows or [("Chưa có", 0)]:
        pdf.cell(120, h + 2, _shorten(pdf, name, 118), border=1)
        pdf.cell(
            30, h + 2, vn_number(count), border=1, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.ln(2)


def _pdf_closing(pdf: FPDF, title: str, paragraphs: list[str]) -> None:
    """The last section and the signatures. A signature block must follow the text it signs on
    the same page (a page holding only signatures could be attached to any text), so when the
    last paragraph and the block do not both fit, both go to the next page; when that paragraph
    is the section's only one, its heading goes with them."""
    *earlier, last = paragraphs or [""]
    closing = (_text_height(pdf, last) if last else 0) + _SIGNATURES_HEIGHT
    _pdf_section(pdf, title, keep=None if earlier else closing)
    for paragraph in earlier:
        _pdf_text(pdf, paragraph)
    if pdf.will_page_break(closing):
        pdf.add_page()
    if last:
        _pdf_text(pdf, last)
    _pdf_signatures(pdf)


_SIGNING_ROOM = 24.0  # mm under the titles for the signatures and the seal, on the same page
_SIGNATURES_HEIGHT = 4 + (10.5 + 9) * _PT * 1.35 + _SIGNING_ROOM


def _pdf_signatures(pdf: FPDF) -> None:
    width = (_PAGE_W - 2 * _MARGIN) / 2
    pdf.ln(4)
    h = _font(pdf, 10.5, "B")
    pdf.cell(width, h, SIGN_LEFT, align="C")
    pdf.cell(width, h, SIGN_RIGHT, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = _font(pdf, 9)
    pdf.cell(width, h, "(Ký, ghi rõ họ tên)", align="C")
    pdf.cell(width, h, "(Ký tên, đóng dấu)", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _shorten(pdf: FPDF, text: str, width: float) -> str:
    """A name too long for its column loses its end rather than spilling into the next one."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _texts(content: ReportContent) -> list[str]:
    return [content.parent_name.upper(), content.unit_name.upper(), content.date_line,
             content.day_line, content.progress_note, content.forecast, *content.remarks, *(r.name for r in content.children),
             *(n for n, _c in content.by_group), *(n for n, _c in content.by_kind), "…—%"]  # fmt: skip


# --- stored reports -----------------------------------------------------------------------------

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "pdf": "application/pdf"}  # fmt: skip
STORE_ROOT = "reports"


@dataclass(frozen=True)
class StoredReport:
    day: datetime.date
    campaign_id: int
    fmt: str
    name: str  # the storage name

    @property
    def filename(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def unit_folder(unit: Unit) -> str:
    """`reports/<unit code>/`; a unit of the 2025 scheme gets `-2025` after its code, because the
    2025 codes reuse legacy ones (Lâm Đồng is 68 in both)."""
    code = "".join(c for c in unit.code if c.isascii() and c.isalnum()) or str(unit.pk)
    suffix = "-2025" if unit.scheme == Unit.Scheme.CURRENT else ""
    return f"{STORE_ROOT}/{code}{suffix}/"


def stored_name(unit: Unit, campaign_id: int, day: datetime.date, fmt: str) -> str:
    """Deterministic, so regenerating a day overwrites its files rather than adding copies."""
    code = unit_folder(unit)[len(STORE_ROOT) + 1 : -1]
    return f"{unit_folder(unit)}{day:%Y-%m-%d}/bao-cao-tien-do-{code}-{day:%Y-%m-%d}-c{campaign_id}.{fmt}"


def render(content: ReportContent, fmt: str) -> bytes:
    return render_xlsx(content) if fmt == "xlsx" else render_pdf(content)


def store_report(unit: Unit, campaign: Campaign, day: datetime.date) -> list[str]:
    """Write both files of the day through the default storage, replacing earlier ones."""
    from django.core.files.storage import default_storage

    content = report_content(unit, campaign, day)
    files = {fmt: render(content, fmt) for fmt in FORMATS}  # both made before either is replaced
    return [
        replace_file(default_storage, stored_name(unit, campaign.pk, day, fmt), data)
        for fmt, data in files.items()
    ]


def replace_file(storage: Storage, name: str, data: bytes) -> str:
    """Put `data` at `name`, replacing what is there, so that a reader (or a crash) finds the old
    file whole or the new one whole, never none and never a truncated one.

    `Storage.save` cannot do it: it never overwrites (an existing name gets a random suffix), so
    the name would have to be deleted first, and a kill between the delete and the end of the
    write leaves no report or half of one. On a storage with a local path, the bytes go to a
    hidden temporary file in the same folder (so on the same filesystem), are flushed to disk, then
    `os.replace` renames it over the name in one atomic step. A temporary left by a kill ends in
    `.part` and is never listed as a report. A storage without local paths (an object store; none
    is configured) has no rename: the old object is deleted, then the new one written in one
    upload, whole but not atomically."""
    try:
        path = Path(storage.path(name))
    except NotImplementedError:
        if storage.exists(name):
            storage.delete(name)
        return storage.save(name, ContentFile(data))
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, getattr(storage, "file_permissions_mode", None) or 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_folder(folder)
    return name


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: the folder's entry is data of the folder)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def stored_reports(unit: Unit, *, limit_days: int = 31) -> list[StoredReport]:
    """The unit's stored files, newest day first (what the schedule has left ready)."""
    from django.core.files.storage import default_storage

    folder = unit_folder(unit)
    try:
        days, _files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return []
    found = []
    for day_text in sorted(days, reverse=True)[:limit_days]:
        try:
            day = datetime.date.fromisoformat(day_text)
        except ValueError:
            continue
        for filename in sorted(default_storage.listdir(f"{folder}{day_text}")[1]):
            stem, _dot, fmt = filename.rpartition(".")
            campaign = stem.rpartition("-c")[2]
            if fmt in FORMATS and campaign.isdigit():
                found.append(
                    StoredReport(day, int(campaign), fmt, f"{folder}{day_text}/{filename}")
                )
    return found
