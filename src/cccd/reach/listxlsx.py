"""The list of people still to reach as an Excel file, in Vietnamese whatever the reader's language
(it goes to the commune police and the village heads).

Written with openpyxl's write-only workbook, row by row as the database gives them, so a commune of
tens of thousands costs little memory. A title and a line saying which campaign and when, the
header frozen under them and repeated on every printed page, the village as a column and the rows
grouped under a line per village. Everything from the register goes through
`cccd.spreadsheets.safe_text`: a name such as `=HYPERLINK(…)` arrives as text, not as a formula.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from cccd.reach.listrows import ReachList, Row, subtitle_of, title_of
from cccd.spreadsheets import safe_text

HEADER_ROW = 3
_WIDTHS = (6, 28, 12, 8, 15, 16, 40, 22, 22, 32, 24)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_GROUP_FILL = PatternFill("solid", fgColor="DDEBF7")


def write_list(listed: ReachList, rows: Iterable[Row], *, printed_at: datetime.datetime) -> bytes:
    with translation.override("vi"):
        workbook = Workbook(write_only=True)
        sheet: Any = workbook.create_sheet(pgettext("reach list", "To reach")[:31])
        for column, width in zip("ABCDEFGHIJK", _WIDTHS, strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.oddFooter.center.text = _("Page &P of &N")
        sheet.append([_cell(sheet, title_of(listed), _TITLE)])
        sheet.append([_cell(sheet, subtitle_of(listed, printed_at))])
        sheet.append([_cell(sheet, h, _BOLD) for h in _header()])
        counts = {
            v.name: (v.home_visits if listed.home_visit_only else v.remaining)
            for v in listed.villages
        }
        village: str | None = None
        number = 0
        for row in rows:
            if row.village != village:
                village, number = row.village, 0
                sheet.append(_group_line(sheet, village, counts.get(village, 0)))
            number += 1
            sheet.append(_person_line(number, row))
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()


def _header() -> list[str]:
    return [
        pgettext("reach list", "No."),
        _("Full name"),
        _("Date of birth"),
        _("Sex"),
        _("Personal ID number"),
        pgettext("reach list", "Village"),
        _("Address"),
        pgettext("reach list", "Card held"),
        _("Group"),
        pgettext("reach list", "Home visit (why)"),
        _("Note"),
    ]


def _group_line(sheet: Any, village: str, count: int) -> list[Cell]:
    name = village or _("No village recorded")
    text = _("%(village)s — %(count)s people") % {"village": name, "count": count}
    cells = [_cell(sheet, text, _BOLD)] + [_cell(sheet, None) for _i in _WIDTHS[1:]]
    for cell in cells:
        cell.fill = _GROUP_FILL
    return cells


def _person_line(number: int, row: Row) -> list[Any]:
    """Plain values, not styled cells (a tenth of the time on a commune's tens of thousands):
    `safe_text` leaves no text that starts like a formula, so none is read as one."""
    values = [
        number,
        row.name,
        row.birth,
        row.sex,
        row.personal_id,
        row.village,
        row.address,
        row.card,
        row.group,
        row.reason,
        None,
    ]
    return [safe_text(v) for v in values]


def _cell(sheet: Any, value: Any, font: Font | None = None) -> Cell:
    """A cell holding the value made safe; text is stored as text, never read as a formula."""
    cell = WriteOnlyCell(sheet, value=safe_text(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    return cell
