"""The list of people still to reach as a printable A4 list in Vietnamese, for the village heads and
the commune police to carry from door to door and write on.

A4 portrait, DejaVu Sans through `cccd.pdf` (fpdf2). Every page carries the commune, the campaign
and the day it was printed at its head and "Trang n/N" at its foot (written once the page count is
known, by going back over the pages). Each village starts with its heading, then a table whose
heading row repeats on every page it runs onto: STT, name, year of birth, address, why to visit at home, and an
empty column wide and tall enough to write in. Names go in as text, on one line, NFC
(`lists.one_line`): fpdf2 reads no markup, so `<b>` or `=1+1` print as they are written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cccd.pdf import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.reach.listrows import ReachList, Row, subtitle_of, title_of

_MARGIN = 12.0
_TOP = 22.0  # the running head sits above it
_BOTTOM = 15.0  # the page number sits below it
_WIDTHS = (10.0, 46.0, 16.0, 54.0, 32.0, 28.0)  # 186 mm: A4 less the margins
_ALIGN = ["C", "L", "C", "L", "L", "L"]
_SIZE = 9.0  # pt
_LINE = 4.4  # mm a line of text
_BASELINE = 3.2  # mm from a line's top to its baseline at 9 pt
_PAD_X, _PAD_Y = 1.2, 1.9  # an empty row is ~8 mm tall: room to write by hand
_HEAD_HEIGHT = 2 * _LINE + 2 * 1.2
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
        width_of = _Widths(pdf)
        for village, group in _by_village(people):
            _village(pdf, width_of, village, counts.get(village, len(group)), group)
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
        pgettext("reach list", "No."),
        _("Full name"),
        pgettext("reach list", "Year of birth"),
        _("Address"),
        pgettext("reach list", "Why at home"),
        _("Note"),
    )


def _texts(people: list[Row], *fixed: str) -> Iterator[str]:
    yield from fixed
    yield from _headings()
    yield "0123456789" + _("Page %(n)s of %(total)s") + _("No village recorded")
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


def _village(pdf: FPDF, width_of: _Widths, village: str, count: int, rows: list[Row]) -> None:
    """The village's heading (never alone at a page's foot) and its table."""
    heading = _("%(village)s — %(count)s people") % {
        "village": village or _("No village recorded"),
        "count": count,
    }
    if pdf.will_page_break(7 + _HEAD_HEIGHT + _LINE + 2 * _PAD_Y):
        pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.cell(0, 7, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _table_head(pdf, width_of)
    pdf.set_font(FONT_FAMILY, "", _SIZE)
    for number, row in enumerate(rows, start=1):
        texts = (str(number), row.name, str(row.birth_year), row.address, row.reason, "")
        cells = [_wrapped(width_of, t, w - 2 * _PAD_X) for t, w in zip(texts, _WIDTHS, strict=True)]
        height = max(len(lines) for lines in cells) * _LINE + 2 * _PAD_Y
        if pdf.will_page_break(height):
            pdf.add_page()
            _table_head(pdf, width_of)
            pdf.set_font(FONT_FAMILY, "", _SIZE)
        _table_row(pdf, width_of, cells, height, _ALIGN)
    pdf.ln(3)


def _table_head(pdf: FPDF, width_of: _Widths) -> None:
    """The heading row, at the top of each village's table and of each page it runs onto."""
    pdf.set_font(FONT_FAMILY, "B", _SIZE)
    pdf.set_fill_color(230, 236, 245)
    cells = [
        _wrapped(width_of, t, w - 2 * _PAD_X) for t, w in zip(_headings(), _WIDTHS, strict=True)
    ]
    _table_row(pdf, width_of, cells, _HEAD_HEIGHT, ["C"] * len(_WIDTHS), fill=True)


def _table_row(
    pdf: FPDF,
    width_of: _Widths,
    cells: list[list[str]],
    height: float,
    align: list[str],
    *,
    fill: bool = False,
) -> None:
    """Bordered cells of one row, each text line drawn where it goes (fpdf2's own table lays out
    every cell twice and takes ~6 ms a row; this, a tenth of it)."""
    x, y = pdf.l_margin, pdf.get_y()
    for lines, width, side in zip(cells, _WIDTHS, align, strict=True):
        pdf.rect(x, y, width, height, style="DF" if fill else "D")
        top = y + (height - len(lines) * _LINE) / 2
        for number, line in enumerate(lines):
            shift = _PAD_X if side == "L" else (width - width_of(line)) / 2
            pdf.text(x + shift, top + number * _LINE + _BASELINE, line)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


class _Widths:
    """String widths at the current font, summed from a cache of each character's width: what
    `FPDF.get_string_width` computes (no kerning, no shaping), without its cost on every call."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.cache: dict[tuple[str, float, str], float] = {}

    def __call__(self, text: str) -> float:
        key = (self.pdf.font_style, self.pdf.font_size_pt)
        total = 0.0
        for char in text:
            width = self.cache.get((*key, char))
            if width is None:
                width = self.cache[(*key, char)] = self.pdf.get_string_width(char)
            total += width
        return total


def _wrapped(width_of: _Widths, text: str, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` at spaces, and inside a word longer than a
    line (a name with no space must not run out of its cell)."""
    if width_of(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if width_of(candidate) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and width_of(line + char) > width:
                lines.append(line)
                line = ""
            line += char
    lines.append(line)
    return lines


def _heads_and_feet(pdf: FPDF, head: str) -> None:
    """The running head and "Trang n/N" on every page, once N is known."""
    total = pdf.pages_count
    pdf.set_auto_page_break(False)
    for number in range(1, total + 1):
        pdf.page = number
        # fpdf2 writes a font or colour into the page only when it changes, and it remembers the
        # last one set on any page: set another first, so this page's stream gets its own.
        pdf.set_font(FONT_FAMILY, "B", 8)
        pdf.set_font(FONT_FAMILY, "", 8)
        pdf.set_text_color(0, 0, 0)
        pdf.set_text_color(*_GREY)
        pdf.set_draw_color(0, 0, 0)
        pdf.set_xy(_MARGIN, 9)
        pdf.cell(0, 4, head, align="L")
        pdf.set_draw_color(*_GREY)
        pdf.line(_MARGIN, 14.5, pdf.w - _MARGIN, 14.5)
        pdf.set_xy(_MARGIN, pdf.h - 11)
        pdf.cell(0, 4, _("Page %(n)s of %(total)s") % {"n": number, "total": total}, align="C")
    pdf.set_text_color(0, 0, 0)
