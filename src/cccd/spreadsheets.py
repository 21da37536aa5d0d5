"""Writing user text into spreadsheets as text: the one place exports neutralise formulas.

A school's list or a register row may hold `=HYPERLINK(...)`, `+cmd|...` or `@SUM(...)`; written
as-is into a cell, Excel or LibreOffice runs it when the discrepancy list reaches the school (OWASP,
"CSV injection"). Every xlsx or CSV export passes user text through `safe_text`, and openpyxl cells
get `data_type="s"` so nothing is read back as a formula.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from openpyxl.worksheet.worksheet import Worksheet

if TYPE_CHECKING:
    from openpyxl import Workbook


# Leading characters a spreadsheet reads as the start of a formula or a DDE call; tab and CR too,
# which some programs strip before they look.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the xlsx XML cannot hold (openpyxl raises IllegalCharacterError).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_text(value: Any) -> Any:
    """User text made safe for a cell: formulas defused with a leading apostrophe, control
    characters that xlsx cannot hold replaced by U+FFFD. Numbers, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    text = _ILLEGAL.sub("\ufffd", value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def first_sheet(workbook: Workbook) -> Worksheet:
    """The sheet a new workbook opens with (openpyxl types `active` as possibly none)."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("a new workbook opens with a worksheet")
    return sheet
