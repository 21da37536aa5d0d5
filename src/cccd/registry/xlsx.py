"""Writing the rejected rows of an import as an Excel file, streamed (openpyxl write-only).

The values are what the file held, so each passes through `safe_text`: a formula stays text and
a control character that the xlsx XML cannot hold does not turn the download into a 500."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

if TYPE_CHECKING:
    from openpyxl.cell import Cell
    from openpyxl.workbook.child import _WorkbookChild

from cccd.registry.columns import SYNONYMS
from cccd.registry.models import RegisterImport
from cccd.spreadsheets import safe_text


def write_rejected_rows(register_import: RegisterImport, path: Path) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Rejected rows"))
    columns = list(SYNONYMS)
    bold = Font(bold=True)
    header = [_("Row"), _("Reason code"), _("Reason"), *columns]
    sheet.append([_cell(sheet, value, bold) for value in header])
    count = 0
    for rejected in register_import.rejected_rows.order_by("row_number").iterator(chunk_size=2000):
        values = rejected.values or {}
        sheet.append(
            [
                rejected.row_number,
                safe_text(rejected.code),
                safe_text(rejected.message),
                *(safe_text(values.get(c, "")) for c in columns),
            ]
        )
        count += 1
    workbook.save(path)
    return count


def _cell(sheet: _WorkbookChild, value: str, font: Font) -> Cell:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font
    return cell
