"""One class of a school's session as an A4 sheet in Vietnamese, printed the day before: each
student's number, name, time and what to bring, for the form teacher to read out.

A4 portrait, DejaVu Sans through `cccd.pdf` (fpdf2), like `cccd.reach.listpdf`. Names go in as
text (fpdf2's table reads no markup unless asked), so `<b>` or `=1+1` print as they are written.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterator

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cccd.campaigns.models import Session
from cccd.pdf import FONT_FAMILY, font_paths, pdf_with_fonts
from cccd.tickets.school import SchoolClass

_MARGIN = 12.0
_WIDTHS = (10, 18, 52, 16, 90)  # 186 mm: A4 less the margins


def render_class(
    session: Session, school_class: SchoolClass, *, printed_at: datetime.datetime
) -> bytes:
    with translation.override("vi"):
        title = _("Class %(name)s") % {"name": school_class.name or "—"}
        subtitle = _subtitle(session, school_class, printed_at)
        rows = list(_rows(school_class))
        pdf = pdf_with_fonts(font_paths(_texts(session.venue.name, title, subtitle, rows)), "A4")
        pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
        pdf.set_auto_page_break(True, margin=_MARGIN)
        pdf.set_title(title)
        pdf.set_lang("vi")
        pdf.set_creator("cccd")
        pdf.set_creation_date(printed_at)
        pdf.add_page()
        _heading(pdf, session.venue.name, title, subtitle)
        _table(pdf, rows)
        return bytes(pdf.output())


def _subtitle(session: Session, school_class: SchoolClass, printed_at: datetime.datetime) -> str:
    starts = timezone.localtime(school_class.slot or session.starts_at)
    return _("Session of %(day)s, from %(time)s · printed on %(printed)s") % {
        "day": f"{starts:%d/%m/%Y}",
        "time": f"{starts:%H:%M}",
        "printed": f"{timezone.localtime(printed_at):%d/%m/%Y %H:%M}",
    }


def _headings() -> tuple[str, ...]:
    return (
        pgettext("class sheet", "No."),
        _("Number"),
        _("Full name"),
        _("Time"),
        _("What to bring"),
    )


def _rows(school_class: SchoolClass) -> Iterator[tuple[str, ...]]:
    for index, student in enumerate(school_class.students, start=1):
        slot = f"{timezone.localtime(student.slot):%H:%M}" if student.slot else ""
        name = unicodedata.normalize("NFC", " ".join(student.name.split()))
        yield (str(index), student.number, name, slot, student.bring)


def _texts(*fixed: object) -> Iterator[str]:
    yield "0123456789:·—/" + "".join(_headings())
    for item in fixed:
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            for row in item:
                yield from row


def _heading(pdf: FPDF, venue: str, title: str, subtitle: str) -> None:
    pdf.set_font(FONT_FAMILY, "", 10)
    pdf.multi_cell(0, 5, venue, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "B", 14)
    pdf.multi_cell(0, 7, title.upper(), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT_FAMILY, "", 9.5)
    pdf.multi_cell(0, 5, subtitle, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _table(pdf: FPDF, rows: list[tuple[str, ...]]) -> None:
    pdf.set_font(FONT_FAMILY, "", 9)
    if not rows:
        pdf.multi_cell(0, 6, _("Nobody is on this class's list."))
        return
    with pdf.table(
        col_widths=_WIDTHS,
        text_align=("CENTER", "CENTER", "LEFT", "CENTER", "LEFT"),
        line_height=4.6,
        padding=1.2,
        markdown=False,
    ) as table:
        heading = table.row()
        for text in _headings():
            heading.cell(text)
        for values in rows:
            row = table.row()
            for text in values:
                row.cell(text)
