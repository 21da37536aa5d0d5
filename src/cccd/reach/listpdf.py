"""The list of people still to reach as a printable A4 list in Vietnamese, for the village heads and
the commune police to carry from door to door and write on.

A4 portrait, DejaVu Sans through `cccd.pdf` (fpdf2). Every page carries the commune, the campaign
and the day it was printed at its head and "Trang n/N" at its foot (written once the page count is
known, by going back over the pages). Each village starts with its heading, then a table whose
heading row repeats on every page: STT, name, year of birth, address, why to visit at home, and an
empty column wide and tall enough to write in. Names go in as text, on one line, NFC
(`lists.one_line`): fpdf2 reads no markup, so `<b>` or `=1+1` print as they are written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from cccd.pdf import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.reach.lists import ReachList, Row, subtitle_of, title_of

_MARGIN = 12.0
_TOP = 22.0  # the running head sits above it
_BOTTOM = 15.0  # the page number sits below it
_WIDTHS = (10.0, 46.0, 16.0, 54.0, 32.0, 28.0)  # 186 mm: A4 less the margins
_GREY = (90, 90, 90)


def render_list(listed: ReachList, rows: Iterable[Row], *, printed_at: datetime.datetime) -> bytes:
    with translation.override("vi"):
        people = list(rows)
        title, subtitle = title_of(listed), subtitle_of(listed, printed_at)
        head = _running_head(listed, printed_at)
        pdf = pdf_with_fonts(font_paths(_texts(people, title, subtitle, head)), "A4")
        pdf.set_margins(_MARGIN, _TOP, _MARGIN)
        pdf.set_auto_page_break(True, margin=_BOTTOM)
        pdf.set_title(title)
        pdf.set_lang("vi")
        pdf.set_creator("cccd")
        pdf.set_creation_date(printed_at)
        pdf.add_page()
        _title(pdf, title, subtitle)
        if not people:
            pdf.set_font(FONT_FAMILY, "", 11)
            pdf.multi_cell(0, 6, _("Nobody is left to reach in this list."))
        counts = {
            v.name: (v.home_visits if listed.home_visit_only else v.remaining)
            for v in listed.villages
        }
        for village, group in _by_village(people):
            _village(pdf, village, counts.get(village, len(group)), group)
        _heads_and_feet(pdf, head)
        return bytes(pdf.output())


def _running_head(listed: ReachList, printed_at: datetime.datetime) -> str:
    return _("%(commune)s · campaign %(campaign)s · printed on %(day)s") % {
        "commune": listed.unit.name,
        "campaign": listed.campaign.name,
        "day": f"{printed_at:%d/%m/%Y}",
    }


def _headings() -> tuple[str, ...]:
    return (
        _("No."),
        _("Full name"),
        _("Year of birth"),
        _("Address"),
        _("Why at home"),
        _("Notes"),
    )


def _texts(people: list[Row], *fixed: str) -> Iterator[str]:
    yield from fixed
    yield from _headings()
    yield "Trang 0123456789/" + _("Page %(n)s of %(total)s") + _("No village recorded")
    for row in people:
        yield from (row.name, row.address, row.reason, row.village)


def _by_village(people: list[Row]) -> Iterator[tuple[str, list[Row]]]:
    group: list[Row] = []
    for row in people:
        if group and row.village != group[0].village:
            yield group[0].village, group
            group = []
        group.append(row)
    if group:
        yield group[0].village, group


def _title(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.set_font(FONT_FAMILY, "B", 13)
    pdf.multi_cell(0, 6.5, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 9.5)
    pdf.multi_cell(0, 5, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _village(pdf: FPDF, village: str, count: int, rows: list[Row]) -> None:
    """The village's heading (never alone at a page's foot) and its table."""
    heading = _("%(village)s — %(count)s people") % {
        "village": village or _("No village recorded"),
        "count": count,
    }
    if pdf.will_page_break(7 + 2 * 8.5):
        pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 9)
    with pdf.table(
        col_widths=_WIDTHS,
        text_align=("CENTER", "LEFT", "CENTER", "LEFT", "LEFT", "LEFT"),
        line_height=4.4,
        padding=(1.9, 1.2),
        repeat_headings=1,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
    ) as table:
        table.row(list(_headings()))
        for number, row in enumerate(rows, start=1):
            line = table.row()
            for text in (str(number), row.name, str(row.birth_year), row.address, row.reason, ""):
                line.cell(text)
    pdf.ln(3)


def _heads_and_feet(pdf: FPDF, head: str) -> None:
    """The running head and "Trang n/N" on every page, once N is known."""
    total = pdf.pages_count
    pdf.set_auto_page_break(False)
    for number in range(1, total + 1):
        pdf.page = number
        pdf.set_text_color(*_GREY)
        pdf.set_font(FONT_FAMILY, "", 8)
        pdf.set_xy(_MARGIN, 9)
        pdf.cell(0, 4, head, align="L")
        pdf.set_draw_color(*_GREY)
        pdf.line(_MARGIN, 14.5, pdf.w - _MARGIN, 14.5)
        pdf.set_xy(_MARGIN, pdf.h - 11)
        pdf.cell(0, 4, _("Page %(n)s of %(total)s") % {"n": number, "total": total}, align="C")
    pdf.set_text_color(0, 0, 0)
