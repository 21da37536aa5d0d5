"""The daily report as a PDF: A4 portrait, DejaVu Sans from the vendored fonts of `cccd.pdf`, pages
broken so that no heading stands alone at a page's foot and the signatures stay with the text
they sign."""

from __future__ import annotations

import datetime
from typing import cast

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from cccd.pdf import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.reports.daily_report.content import (
    CHILD_HEADER,
    MOTTO_1,
    MOTTO_2,
    SIGN_LEFT,
    SIGN_RIGHT,
    SUBTITLE,
    TITLE,
    ChildLine,
    ReportContent,
    vn_number,
)

_MARGIN = 18.0
_PAGE_W = 210.0
_PT = 0.3528  # mm per point


def render_pdf(content: ReportContent) -> bytes:
    """A4 portrait, Vietnamese, DejaVu Sans from the vendored fonts of `cccd.pdf`; breaks pages as needed."""
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
        pdf.multi_cell(
            col_l, h, content.parent_name.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
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
    lines = cast(
        "list[str]",
        pdf.multi_cell(0, h, sentence, align="J", dry_run=True, output=MethodReturnValue.LINES),
    )
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
        values = (
            str(r.rank),
            _shorten(pdf, r.name, widths[1] - 2),
            vn_number(r.target),
            vn_number(r.done),
            vn_number(r.percent),
            vn_number(r.today),
        )
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
    return [
        content.parent_name.upper(),
        content.unit_name.upper(),
        content.date_line,
        content.day_line,
        content.progress_note,
        content.forecast,
        *content.remarks,
        *(r.name for r in content.children),
        *(n for n, _c in content.by_group),
        *(n for n, _c in content.by_kind),
        "…—%",
    ]
