"""A home-visit round on paper: A4 portrait, in Vietnamese, DejaVu Sans from `cccd.pdf`'s vendored
fonts. The homes in the round's order, each with its person, birth year, village, address and why
at home, and two columns left blank for the team's pen: a tick when the person was enrolled, and a
note (not at home, moved, refused …). The table's heading repeats on every page."""

from __future__ import annotations

import datetime

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from cccd.pdf import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.reach.homevisits import Round
from cccd.reach.models import HomeVisit, HomeVisitReason

_MARGIN = 12.0
_PAGE_W = 210.0
_PT = 0.3528  # mm per point

TITLE = "DANH SÁCH ĐẾN TẬN NHÀ THU NHẬN HỒ SƠ CĂN CƯỚC"
HEADINGS = (
    "STT",
    "Họ và tên",
    "Năm sinh",
    "Thôn, tổ",
    "Địa chỉ",
    "Lý do",
    "Đã thu nhận",
    "Ghi chú",
)
WIDTHS = (9.0, 38.0, 13.0, 20.0, 38.0, 20.0, 14.0, 34.0)  # 186 mm: the page less its margins
REASONS = {
    HomeVisitReason.VERY_OLD: "Cao tuổi (từ 80)",
    HomeVisitReason.ALONE: "Sống một mình",
    HomeVisitReason.DISABLED: "Khuyết tật",
    HomeVisitReason.BEDRIDDEN: "Nằm liệt giường",
    HomeVisitReason.OTHER: "Lý do khác",
}
SIGN = "TỔ TRƯỞNG"


def _row(visit: HomeVisit) -> tuple[str, ...]:
    person = visit.person
    return (
        str(visit.position),
        person.full_name,
        str(person.birth_year),
        visit.village,
        visit.address,
        REASONS.get(HomeVisitReason(visit.reason), "") if visit.reason else "",
        "",
        "",
    )


def _lines(found: Round) -> tuple[str, str]:
    session = found.session
    commune = session.venue.commune.name if session.venue.commune else session.venue.name
    return (
        f"{commune} — {session.hours} — Tổ: {session.team.name}",
        f"Đợt: {session.campaign.name} — {len(found.visits)} hộ",
    )


def render_round(found: Round) -> bytes:
    """The round's paper (module docstring)."""
    rows = [_row(v) for v in found.visits]
    session = found.session
    lines = _lines(found)
    texts = [TITLE, SIGN, session.unit.name, *lines, *HEADINGS, *(c for r in rows for c in r)]
    pdf = pdf_with_fonts(font_paths(texts), "A4")
    pdf.set_margins(_MARGIN, 12, _MARGIN)
    pdf.set_auto_page_break(True, margin=12)
    pdf.set_title(f"{TITLE} {lines[0]}")
    pdf.set_author(session.unit.name)
    pdf.set_lang("vi")
    pdf.set_creator("cccd")
    pdf.set_creation_date(timezone.now().astimezone(datetime.UTC))
    pdf.add_page()
    _header(pdf, session.unit.name, lines)
    _table(pdf, rows)
    _signature(pdf)
    return bytes(pdf.output())


def _font(pdf: FPDF, size: float, bold: bool = False) -> float:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    return size * _PT * 1.35


def _header(pdf: FPDF, unit_name: str, lines: tuple[str, str]) -> None:
    width = _PAGE_W - 2 * _MARGIN
    h = _font(pdf, 10, bold=True)
    pdf.cell(width, h, unit_name.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    h = _font(pdf, 13, bold=True)
    pdf.multi_cell(width, h, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = _font(pdf, 10)
    for line in lines:
        pdf.multi_cell(width, h, line, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _table(pdf: FPDF, rows: list[tuple[str, ...]]) -> None:
    h = _font(pdf, 8.5)
    with pdf.table(
        col_widths=WIDTHS,
        width=sum(WIDTHS),
        line_height=h + 0.6,
        text_align=("C", "L", "C", "L", "L", "L", "C", "L"),
        headings_style=FontFace(emphasis="BOLD"),
        padding=1,
        repeat_headings=1,
        min_row_height=9,  # room for a tick and a word by hand
    ) as table:
        table.row(HEADINGS)
        for values in rows:
            table.row(values)


def _signature(pdf: FPDF) -> None:
    room = 30.0
    if pdf.will_page_break(room):
        pdf.add_page()
    pdf.ln(6)
    half = (_PAGE_W - 2 * _MARGIN) / 2
    h = _font(pdf, 10.5, bold=True)
    pdf.set_x(_MARGIN + half)
    pdf.cell(half, h, SIGN, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = _font(pdf, 9)
    pdf.set_x(_MARGIN + half)
    pdf.cell(half, h, "(Ký, ghi rõ họ tên)", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
