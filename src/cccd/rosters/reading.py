"""Reading the rosters schools and communes send: hand-made Excel or CSV lists of people to enrol.

Unlike a register export, a roster is typed by a teacher or a commune clerk: title rows and merged
cells above the header, Vietnamese headers in any order (sometimes on two rows), dates in half a
dozen spellings, a signature block at the bottom. So the header is searched for, values that cannot
be read are kept with a reason (an officer fixes them) instead of refusing the row, and only
whole-file problems raise a `DomainError`.

The file itself is opened by `cccd.registry.tables` (format by content, streamed rows); header
words are folded by `cccd.registry.columns.header_key`; dates, sex, names and ID numbers reuse
`cccd.registry.rows`, `cccd.core.names` and `cccd.core.idnumber`.

Rules of our own (documented here because the officer sees their effect):

- Header: among the first `HEADER_SEARCH_ROWS` non-blank rows, the row mapping the most known
  columns, with at least a name and a date of birth; first such row on ties. The next row is read
  as sub-headers when all its cells are header words (e.g. "Nam" | "Nữ" under a merged
  "Ngày sinh"), filling columns the header left out. A header repeated further down (a new printed
  page) and a row of column numbers "(1) (2) (3)…" are skipped.
- A column with a blank header right after "Họ và tên" holds the given name when the header was
  merged over two columns: it is appended to the name when it is one word of at least two letters.
- Bottom block: the list ends at a row whose name or STT cell (or, in a row of at most two cells
  with a blank name, any cell) reads "Tổng cộng", "Tổng số", "Cộng: 45", "Người lập…", "Hiệu
  trưởng", "Xác nhận", "T/M …", "KT. …" … or "…, ngày … tháng … năm …" (case-insensitive, with
  the diacritics, so "Tống Công Minh" is a person). Everything below is ignored except the header
  repeated, which starts the next list (several classes on one sheet). Rows with a single filled
  cell (STT not counted) and no STT number are kept only when more data follows them, so the
  signer's name under the list is not a person; a row whose only filled cell is the STT is blank.
- Two-digit years: 20yy, unless that date is after today, then 19yy (so in 2025 "06" is 2006 and
  "85" is 1985); a century that gives an age over 110 is not taken. A full date must be between
  1900-01-01 and today.
- Numbers in the date column: a whole number from 1900 to this year is a year of birth; any other
  number from 1 to 80000 (or five digits typed as text) is an Excel serial day, 1899-12-30 + n.
- `birth_date_swappable`: day and month are both ≤ 12 and differ, and the swapped date is not in
  the future — the date may have been typed month first.
- Sex from separate "Nam" / "Nữ" columns: the filled one gives the sex; when only a "Nữ" column
  exists, a blank cell means male (the usual convention of school lists). A date written in the
  column instead of a mark is taken as the date of birth.
- An ID number stored by Excel as a number lost its leading zeros: it is padded back to 12 digits.
"""

from __future__ import annotations

import datetime
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import IO, NoReturn

from django.utils import timezone
from django.utils.translation import gettext as _

from cccd import filebounds
from cccd.core import idnumber, names
from cccd.registry import columns as register_columns
from cccd.registry import errors as register_errors
from cccd.registry.columns import column_label, header_key
from cccd.registry.rows import MAX_CELL, RowRejected, parse_date, parse_sex, raw_values
from cccd.registry.tables import Cell, open_table
from cccd.rosters import errors
from cccd.rule_messages import explain

ROSTER_COLUMNS = (
    "full_name",
    "birth_date",
    "sex",
    "personal_id",
    "class_name",
    "hometown",
    "permanent_address",
    "father_name",
    "mother_name",
    "ethnicity",
    "note",
)
REQUIRED_COLUMNS = ("full_name", "birth_date")
# Layouts a mapping may also name: a "Nam" and/or "Nữ" column marked with x (or holding the date),
# and a name split into "Họ (đệm)" and "Tên". Read into `sex`, `birth_date` and `full_name`.
EXTRA_COLUMNS = ("sex_male", "sex_female", "family_name", "given_name")
MAPPABLE_COLUMNS = ROSTER_COLUMNS + EXTRA_COLUMNS
HEADER_SEARCH_ROWS = 30
DEFAULT_MAX_ROWS = 100_000

_ROSTER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten hoc sinh", "ho ten hoc sinh", "ten hoc sinh", "ho va ten cong dan",
                  "ho ten cong dan", "ho va ten khai sinh", "ho ten khai sinh", "hovaten", "hoten"),
    "birth_date": ("ns", "nam sinh", "sinh ngay", "dob"),
    "sex": ("gt", "nam nu", "nam hoac nu", "phai"),
    "personal_id": ("so cccd dinh danh", "so dinh danh cccd", "ma so dinh danh", "so the cccd",
                    "so can cuoc cong dan cccd"),
    "class_name": ("lop", "lop hoc", "ten lop", "class", "class name"),
    "permanent_address": ("ho khau thuong tru", "dia chi thuong tru"),
    "note": ("ghi chu", "note", "notes"),
    "sex_male": ("nam", "male"),
    "sex_female": ("nu", "female"),
    "family_name": ("ho", "ho dem", "ho va ten dem", "ho va dem", "ho lot", "ho va chu lot"),
    "given_name": ("ten", "given name"),
    "_stt": ("stt", "tt", "so tt", "so thu tu"),
}  # fmt: skip
_STT = "_stt"
_TERMS: dict[str, str] = {
    synonym: column
    for column, synonyms in chain(
        ((c, s) for c, s in register_columns.SYNONYMS.items() if c in ROSTER_COLUMNS),
        _ROSTER_SYNONYMS.items(),
    )
    for synonym in synonyms
}
# Multi-word synonyms also name a header that starts with them ("Ngày sinh (dd/mm/yyyy)",
# "Họ và tên học sinh"); the longest wins, so "Họ tên mẹ học sinh" is the mother's name.
_PREFIX_TERMS = sorted(
    ((s, c) for s, c in _TERMS.items() if " " in s), key=lambda item: len(item[0]), reverse=True
)
_MAX_HEADER = 200  # a longer cell is a title or a value, never a header

_FOOTER = re.compile(
    r"^\(?(?:tổng cộng|tổng số|người lập|người duyệt|hiệu trưởng|phó hiệu trưởng|xác nhận|"
    r"giáo viên chủ nhiệm|thủ trưởng|trưởng công an|chủ tịch|ký tên|ký,|t/m|tm\.|kt\.)(?!\w)"
    r"|^cộng\s*[:.]?\s*(?:\d.*)?$"  # "Cộng: 45", but not a name that starts with Cộng
)
_DATE_LINE = re.compile(r"\b(?:ngày|ngay)\b.*\b(?:tháng|thang)\b.*\b(?:năm|nam)\b")
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?$")
_SPACES_AROUND_SEPARATORS = re.compile(r"\s*([/.\-])\s*")
_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_YMD_ANY = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_DMY_SHORT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2})$")
_YEAR = re.compile(r"^\d{4}(?:\.0+)?$")
_SERIAL_TEXT = re.compile(r"^\d{5}(?:\.0+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_SERIAL = 80_000
_FIRST_DATE = datetime.date(1900, 1, 1)
_MAX_AGE = 110
_SEX_ALIASES = {
    "nam gioi": "M",
    "trai": "M",
    "con trai": "M",
    "nu gioi": "F",
    "gai": "F",
    "con gai": "F",
}


@dataclass(frozen=True, slots=True)
class RosterRow:
    """One person of the list, as far as the file lets us read them."""

    row: int  # 1-based data row number (blank lines and the bottom block not counted)
    line: int  # the row's line/row number in the file, for messages ("dòng 17")
    full_name: str  # normalised (names.normalize) or "" if unreadable
    birth_date: datetime.date | None  # None when only a year is known or unreadable
    birth_year: int | None  # from the date, or the year alone
    birth_date_swappable: bool  # day and month both ≤ 12 and different (could be swapped)
    sex: str | None  # "M" / "F" / None
    personal_id: str  # 12 digits if present and structurally valid, else ""
    class_name: str
    hometown: str
    permanent_address: str
    father_name: str
    mother_name: str
    ethnicity: str
    note: str
    problems: tuple[tuple[str, str], ...]  # (code, sentence) for each value that could not be read
    values: dict[str, str]  # the raw text of each mapped column (for discrepancy lists)


@dataclass(frozen=True)
class Roster:
    """A whole list: where its header is, how its columns were understood, and its people."""

    kind: str  # "csv" | "xlsx"
    header_line: int
    headers: tuple[str, ...]  # the header row as written (blank cells filled from sub-headers)
    mapping: dict[str, int]  # column → index
    rows: tuple[RosterRow, ...]


@dataclass
class _Header:
    line: int
    position: int  # index of the header row in the buffered head of the file
    mapping: dict[str, int]
    headers: tuple[str, ...]
    stt: int | None = None
    skip_line: int | None = None  # the sub-header row, read with the header
    continuation: bool = False  # given_name is the blank column after "Họ và tên"
    name_text: str = ""  # the header cell of the name column, to spot a repeated header
    score: int = 0


class _Unreadable(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class _Birth:
    date: datetime.date | None = None
    year: int | None = None
    swappable: bool = False
    problem: tuple[str, str] | None = None


# ---------------------------------------------------------------------------------------------
# Public API


def read_roster(
    path: Path,
    *,
    mapping: dict[str, int] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
    today: datetime.date | None = None,
) -> Roster:
    """Read a whole roster; a user-chosen `mapping` (column → index) replaces header detection.

    Raises DomainError for whole-file problems: those of `open_table`, EMPTY_FILE,
    NO_ROSTER_HEADER, BAD_MAPPING, FORMULAS_WITHOUT_VALUES, NO_ROSTER_ROWS, ROSTER_TOO_LONG.
    """
    today = today or timezone.localdate()
    path = Path(path)
    table = open_table(path)
    if table.kind == "xlsx":
        _refuse_unsaved_formulas(path, filebounds.ReadBudget(table.limits.seconds))
    lines = enumerate(table.rows(), start=1)
    head: list[tuple[int, list[Cell]]] = []
    for line, cells in lines:
        if _filled(cells):
            head.append((line, cells))
            if len(head) >= HEADER_SEARCH_ROWS:
                break
    if not head:
        raise register_errors.EMPTY_FILE()
    header = _header_for(head, mapping)
    rest = chain(
        (item for item in head[header.position + 1 :] if item[0] != header.skip_line), lines
    )
    rows = tuple(_data_rows(rest, header, max_rows=max_rows, today=today))
    if not rows:
        raise errors.NO_ROSTER_ROWS(line=header.line)
    return Roster(table.kind, header.line, header.headers, dict(header.mapping), rows)


def detect_header(
    cells_by_line: Iterable[tuple[int, Sequence[Cell]]],
) -> tuple[int, dict[str, int]]:
    """(line, mapping) of the header among the first non-blank rows; NO_ROSTER_HEADER if none."""
    filled = ((line, list(cells)) for line, cells in cells_by_line if _filled(cells))
    header, closest = _find_header(list(islice(filled, HEADER_SEARCH_ROWS)))
    if header is None:
        raise _no_header(closest)
    return header.line, header.mapping


def suggest_mapping(headers: Sequence[object]) -> dict[str, int]:
    """The columns one header row names, for a mapping form; nothing is required or refused."""
    cells = [h if isinstance(h, str) else (None if h is None else str(h)) for h in headers]
    mapping, _stt = _map_row(cells)
    mapping, _continuation = _settle_names(mapping, cells, [])
    return mapping


# ---------------------------------------------------------------------------------------------
# Header


def _filled(cells: Sequence[Cell]) -> bool:
    return any(not _blank(c) for c in cells)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _term(cell: Cell) -> str | None:
    """The column a header cell names, or None."""
    if not isinstance(cell, str) or len(cell) > _MAX_HEADER:
        return None
    key = header_key(cell)
    if not key:
        return None
    column = _TERMS.get(key)
    if column is not None:
        return column
    for synonym, column in _PREFIX_TERMS:
        if key.startswith(synonym + " "):
            return column
    return None


def _map_row(cells: Sequence[Cell]) -> tuple[dict[str, int], int | None]:
    """Column → index for one row (the leftmost header wins a column), and the STT index."""
    mapping: dict[str, int] = {}
    stt: int | None = None
    for index, cell in enumerate(cells):
        column = _term(cell)
        if column == _STT:
            stt = index if stt is None else stt
        elif column is not None and column not in mapping:
            mapping[column] = index
    return mapping, stt


def _settle_names(
    mapping: dict[str, int], header: Sequence[Cell], sub: Sequence[Cell]
) -> tuple[dict[str, int], bool]:
    """Decide how the name is spread: one column, "Họ" + "Tên", or "Họ và tên" over two columns."""
    mapping = dict(mapping)
    if "family_name" in mapping and "given_name" in mapping:
        mapping.pop("full_name", None)
        return mapping, False
    if "full_name" in mapping:
        mapping.pop("family_name", None)
        mapping.pop("given_name", None)
        after = mapping["full_name"] + 1
        if (
            after < len(header)
            and _blank(header[after])
            and (after >= len(sub) or _blank(sub[after]))
            and after not in mapping.values()
        ):
            mapping["given_name"] = after
            return mapping, True
        return mapping, False
    if "given_name" in mapping and "family_name" not in mapping:
        mapping["full_name"] = mapping.pop("given_name")
    return mapping, False


def _complete(mapping: dict[str, int]) -> bool:
    has_name = "full_name" in mapping or {"family_name", "given_name"} <= mapping.keys()
    return has_name and "birth_date" in mapping


def _header_words_only(cells: Sequence[Cell], *, at_least: int) -> bool:
    """True when every filled cell is a header word: a sub-header row or a repeated header."""
    count = 0
    for cell in cells:
        if _blank(cell):
            continue
        if _term(cell) is None:
            return False
        count += 1
    return count >= at_least


def _find_header(
    head: list[tuple[int, list[Cell]]],
) -> tuple[_Header | None, _Header | None]:
    """The best complete header in `head`, and the closest row (for the error message)."""
    best: _Header | None = None
    closest: _Header | None = None
    closest_likeness = (0, 0)
    for position, (line, cells) in enumerate(head):
        mapping, stt = _map_row(cells)
        candidate = _Header(line, position, mapping, _texts(cells), stt=stt, score=len(mapping))
        # For the message: "Nam"/"Nữ" are values as often as headers, so they weigh less.
        likeness = (
            len(mapping.keys() - {"sex_male", "sex_female"}),
            sum(map(bool, candidate.headers)),
        )
        if closest is None or likeness > closest_likeness:
            closest, closest_likeness = candidate, likeness
        if _complete(_settle_names(mapping, cells, [])[0]) and (
            best is None or candidate.score > best.score
        ):
            best = candidate
    if best is None:
        return None, closest
    cells = head[best.position][1]
    sub: list[Cell] = []
    if best.position + 1 < len(head):
        next_line, next_cells = head[best.position + 1]
        if _header_words_only(next_cells, at_least=1):
            sub = next_cells
            best.skip_line = next_line
            _merge_sub_headers(best, next_cells)
    best.mapping, best.continuation = _settle_names(best.mapping, cells, sub)
    full = best.mapping.get("full_name", best.mapping.get("family_name"))
    best.name_text = best.headers[full] if full is not None else ""
    return best, closest


def _merge_sub_headers(header: _Header, sub: Sequence[Cell]) -> None:
    """Add the columns a second header row names that the first one did not."""
    sub_mapping, stt = _map_row(sub)
    for column, index in sub_mapping.items():
        if column not in header.mapping:
            header.mapping[column] = index
    if header.stt is None:
        header.stt = stt
    headers = list(header.headers) + [""] * max(0, len(sub) - len(header.headers))
    for index, cell in enumerate(sub):
        if not headers[index] and not _blank(cell):
            headers[index] = str(cell).strip()
    header.headers = tuple(headers)


def _texts(cells: Sequence[Cell]) -> tuple[str, ...]:
    return tuple("" if c is None else str(c).strip() for c in cells)


def _no_header(closest: _Header | None) -> Exception:
    if closest is None or not any(closest.headers):
        found = "—"
    else:
        shown = ", ".join(h[:40] for h in closest.headers if h)[:300]
        found = _("line %(line)s: %(headers)s") % {"line": closest.line, "headers": shown}
    return errors.NO_ROSTER_HEADER(rows=HEADER_SEARCH_ROWS, found=found)


def _header_for(head: list[tuple[int, list[Cell]]], mapping: dict[str, int] | None) -> _Header:
    found, closest = _find_header(head)
    if mapping is None:
        if found is None:
            raise _no_header(closest)
        return found
    width = max(len(cells) for _line, cells in head)
    _check_mapping(mapping, width)
    chosen = found or _row_under(head, mapping)
    cells = head[chosen.position][1]
    given = mapping.get("given_name")
    continuation = (
        given is not None
        and "full_name" in mapping
        and given == mapping["full_name"] + 1
        and _blank(_cell(cells, given))
    )
    headers = chosen.headers + ("",) * max(0, width - len(chosen.headers))
    full = mapping.get("full_name", mapping.get("family_name"))
    return _Header(
        chosen.line,
        chosen.position,
        dict(mapping),
        headers,
        stt=chosen.stt,
        skip_line=chosen.skip_line if found else None,
        continuation=continuation,
        name_text=headers[full] if full is not None else "",
    )


def _row_under(head: list[tuple[int, list[Cell]]], mapping: dict[str, int]) -> _Header:
    """With a hand-made mapping and no header recognised: the first row with text in every
    chosen column (a header names every column; titles are single cells), else the first row."""
    for position, (line, cells) in enumerate(head):
        if all(isinstance(_cell(cells, i), str) and not _blank(cells[i]) for i in mapping.values()):
            return _Header(line, position, {}, _texts(cells), stt=_map_row(cells)[1])
    line, cells = head[0]
    return _Header(line, 0, {}, _texts(cells), stt=_map_row(cells)[1])


def _check_mapping(mapping: dict[str, int], width: int) -> None:
    def refuse(detail: str) -> NoReturn:
        raise errors.BAD_MAPPING(detail=detail)

    if not isinstance(mapping, dict):
        refuse(_("the mapping is not a list of columns"))
    for column, index in mapping.items():
        if column not in MAPPABLE_COLUMNS:
            refuse(_("“%(column)s” is not a roster column") % {"column": str(column)[:40]})
        if not isinstance(index, int) or isinstance(index, bool):
            refuse(_("the column index “%(index)s” is not a number") % {"index": str(index)[:20]})
        if not 0 <= index < width:
            refuse(
                _(
                    "column index %(index)s is outside the file, which has %(width)s columns (0 to %(last)s)"
                )
                % {"index": index, "width": width, "last": width - 1}
            )
    if not _complete(mapping):
        refuse(
            _("the columns “Họ và tên” (full name) and “Ngày sinh” (date of birth) are required")
        )
    may_share = {"birth_date", "sex_male", "sex_female"}  # a date written under "Nam" or "Nữ"
    used: dict[int, str] = {}
    for column, index in mapping.items():
        other = used.get(index)
        if other is not None and not {column, other} <= may_share:
            refuse(
                _("“%(first)s” and “%(second)s” both use column %(index)s")
                % {"first": column_label(other), "second": column_label(column), "index": index}
            )
        used[index] = column


# ---------------------------------------------------------------------------------------------
# Rows


def _data_rows(
    lines: Iterator[tuple[int, list[Cell]]],
    header: _Header,
    *,
    max_rows: int,
    today: datetime.date,
) -> Iterator[RosterRow]:
    """The people under the header, up to the bottom block."""
    mapped = set(header.mapping.values())
    name_index = header.mapping.get("full_name", header.mapping.get("family_name"))
    pending: list[tuple[int, list[Cell]]] = []
    count = 0
    after_footer = False
    for line, cells in lines:
        content = [i for i, c in enumerate(cells) if i != header.stt and not _blank(c)]
        if not content:
            continue
        if after_footer:
            # Only a repeated header starts a new list (the next class) after a bottom block.
            after_footer = not _is_repeated_header(cells, header, name_index)
            continue
        if _is_footer(cells, content, header, name_index):
            after_footer = True
            if count:  # else the one-value rows were the list itself (names only)
                pending.clear()
            continue
        if _is_repeated_header(cells, header, name_index) or _is_column_numbers(cells):
            continue
        if len(content) == 1 and not _is_number(_cell(cells, header.stt)):
            # Maybe the bottom block, maybe a person with one value: decided by what follows.
            if content[0] in mapped and not _lone_unreadable_name(cells, content[0], name_index):
                pending.append((line, cells))
            continue
        pending.append((line, cells))
        for pending_line, pending_cells in pending:
            count += 1
            if count > max_rows:
                raise errors.ROSTER_TOO_LONG(max=max_rows)
            yield _read_row(count, pending_line, pending_cells, header, today)
        pending.clear()
    if count == 0:  # a list with one value per person has no bottom-block question to ask
        for line, cells in pending:
            count += 1
            if count > max_rows:
                raise errors.ROSTER_TOO_LONG(max=max_rows)
            yield _read_row(count, line, cells, header, today)


def _is_number(cell: Cell) -> bool:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    return isinstance(cell, str) and cell.strip().isdigit()


def _lone_unreadable_name(cells: list[Cell], index: int, name_index: int | None) -> bool:
    """A lone text in the name column that is no name ("Lớp 12A1") is a section title."""
    if index != name_index:
        return False
    try:
        names.normalize(str(cells[index]))
    except ValueError:
        return True
    return False


def _cell(cells: Sequence[Cell], index: int | None) -> Cell:
    return cells[index] if index is not None and index < len(cells) else None


def _is_footer(
    cells: list[Cell], content: list[int], header: _Header, name_index: int | None
) -> bool:
    """The first row of the bottom block: totals, signatures, "…, ngày … tháng … năm …"."""
    name_cell = _cell(cells, name_index)
    if _is_footer_text(name_cell) or _is_footer_text(_cell(cells, header.stt)):
        return True
    return _blank(name_cell) and len(content) <= 2 and any(_is_footer_text(c) for c in cells)


def _is_footer_text(cell: Cell) -> bool:
    if not isinstance(cell, str) or not cell.strip() or len(cell) > _MAX_HEADER:
        return False
    text = unicodedata.normalize("NFC", cell.strip()).lower()
    return bool(_FOOTER.match(text) or _DATE_LINE.search(text))


def _is_repeated_header(cells: list[Cell], header: _Header, name_index: int | None) -> bool:
    """The header or its sub-header row again: a new printed page, or the next class."""
    name_cell = _cell(cells, name_index)
    if _blank(name_cell):
        return _header_words_only(cells, at_least=2)
    if isinstance(name_cell, str) and name_cell.strip().casefold() == header.name_text.casefold():
        return _header_words_only(cells, at_least=1)
    return False


def _is_column_numbers(cells: list[Cell]) -> bool:
    """The row "(1) (2) (3) …" official forms put under the header."""
    numbers: list[int] = []
    for cell in cells:
        if _blank(cell):
            continue
        if (
            isinstance(cell, int | float)
            and not isinstance(cell, bool)
            and float(cell).is_integer()
        ):
            numbers.append(int(cell))
        elif isinstance(cell, str) and (match := _COLUMN_NUMBER.match(cell.strip())):
            numbers.append(int(match.group(1)))
        else:
            return False
    return len(numbers) >= 3 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))


def _read_row(
    number: int, line: int, cells: list[Cell], header: _Header, today: datetime.date
) -> RosterRow:
    """Read every mapped value; what cannot be read becomes a problem, never an exception."""
    mapping = header.mapping
    shown = raw_values(cells, mapping)
    values = dict(shown)
    problems: list[tuple[str, str]] = []
    for column, index in mapping.items():
        cell = _cell(cells, index)
        if isinstance(cell, str) and len(cell.strip()) > MAX_CELL:
            message = _("The value in column %(column)s has %(n)s characters; at most %(max)s.")
            params = {"column": column_label(column), "n": len(cell.strip()), "max": MAX_CELL}
            problems.append((errors.VALUE_TOO_LONG, message % params))
            values[column] = ""  # not read: a truncated value would pass for the real one
    too_long = {column for column, text in values.items() if not text and shown[column]}
    full_name = _read_name(values, header, problems, reported=bool(too_long & _NAME_COLUMNS))
    birth = _read_birth(cells, mapping, today) if not too_long & _DATE_COLUMNS else _Birth()
    if birth.problem:
        problems.append(birth.problem)
    sex = _read_sex(cells, values, mapping, problems)
    personal_id = _read_personal_id(
        None if "personal_id" in too_long else _cell(cells, mapping.get("personal_id")),
        values.get("personal_id", ""),
        problems,
    )
    return RosterRow(
        row=number,
        line=line,
        full_name=full_name,
        birth_date=birth.date,
        birth_year=birth.year,
        birth_date_swappable=birth.swappable,
        sex=sex,
        personal_id=personal_id,
        class_name=_plain(values.get("class_name", "")),
        hometown=_plain(values.get("hometown", "")),
        permanent_address=_plain(values.get("permanent_address", "")),
        father_name=_optional_name(values.get("father_name", "")),
        mother_name=_optional_name(values.get("mother_name", "")),
        ethnicity=_plain(values.get("ethnicity", "")),
        note=_plain(values.get("note", "")),
        problems=tuple(problems),
        values=shown,
    )


_NAME_COLUMNS = frozenset({"full_name", "family_name", "given_name"})
_DATE_COLUMNS = frozenset({"birth_date", "sex_male", "sex_female"})


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split()) if text else ""


def _read_name(
    values: dict[str, str], header: _Header, problems: list[tuple[str, str]], *, reported: bool
) -> str:
    given = values.get("given_name", "")
    if header.continuation and not (given.isalpha() and len(given) >= 2):
        given = ""  # the blank-headed column after "Họ và tên" holds something else on this row
    parts = (values.get("family_name", ""), values.get("full_name", ""), given)
    text = " ".join(p for p in parts if p)
    if not text:
        if not reported:
            problems.append((errors.MISSING_NAME, _("The full name is missing.")))
        return ""
    try:
        return names.normalize(text)
    except ValueError as exc:
        message = _("Name in column %(column)s: %(reason)s")
        params = {"column": column_label("full_name"), "reason": explain(exc)}
        problems.append((errors.BAD_NAME, message % params))
        return ""


def _optional_name(text: str) -> str:
    """Parents' names help matching only: kept as written when they are not a clean name."""
    if not text:
        return ""
    try:
        return names.normalize(text)
    except ValueError:
        return _plain(text)


def _read_birth(cells: list[Cell], mapping: dict[str, int], today: datetime.date) -> _Birth:
    index = mapping.get("birth_date")
    cell = _cell(cells, index)
    if _blank(cell):
        # A date written under "Nam" or "Nữ" instead of a mark.
        for column in ("sex_male", "sex_female"):
            other = _cell(cells, mapping.get(column))
            if mapping.get(column) != index and not _blank(other) and _looks_like_date(other):
                cell = other
                break
    if _blank(cell):
        return _Birth(problem=(errors.MISSING_DATE, _("The date of birth is missing.")))
    try:
        day, year = _parse_birth(cell, today)
    except _Unreadable as exc:
        return _Birth(problem=(exc.code, exc.message))
    if day is None:
        return _Birth(year=year)
    swappable = day.day <= 12 and day.month <= 12 and day.day != day.month
    if swappable:
        swappable = datetime.date(day.year, day.day, day.month) <= today
    return _Birth(date=day, year=day.year, swappable=swappable)


def _looks_like_date(cell: Cell) -> bool:
    if isinstance(cell, datetime.date):
        return True
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return 1 <= cell <= _MAX_SERIAL
    text = str(cell).strip()
    return len(text) >= 4 and text[0].isdigit()


def _parse_birth(cell: Cell, today: datetime.date) -> tuple[datetime.date | None, int | None]:
    """(date, year) from a real date, an Excel serial, a year or a date typed as text."""
    if isinstance(cell, datetime.datetime):
        return _in_range(cell.date(), today), None
    if isinstance(cell, datetime.date):
        return _in_range(cell, today), None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _from_number(cell, today)
    text = unicodedata.normalize("NFKC", str(cell)).strip()
    if " " in text or ":" in text:
        text = _SPACES_AROUND_SEPARATORS.sub(r"\1", _TIME_SUFFIX.sub("", text))
    if _YEAR.match(text):
        return None, _year(int(float(text)), today)
    if _SERIAL_TEXT.match(text):
        return _from_number(float(text), today)
    if match := _YMD_ANY.match(text):
        text = "-".join(match.groups())
    day = parse_date(text)
    if day is None and (match := _DMY_SHORT.match(text)):
        day = _two_digit_year(*(int(g) for g in match.groups()), today=today)
    if day is None:
        message = _("“%(text)s” is not a date; write dd/mm/yyyy, yyyy-mm-dd or the year alone.")
        raise _Unreadable(errors.BAD_DATE, message % {"text": str(cell).strip()[:40]})
    return _in_range(day, today), None


def _from_number(value: float, today: datetime.date) -> tuple[datetime.date | None, int | None]:
    if float(value).is_integer() and _FIRST_DATE.year <= value <= today.year:
        return None, int(value)
    if not 1 <= value <= _MAX_SERIAL:
        message = _("%(value)s in the date column is neither a date nor a year.")
        raise _Unreadable(errors.BAD_DATE, message % {"value": f"{value:g}"})
    day = _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    return _in_range(day, today), None


def _two_digit_year(day: int, month: int, yy: int, *, today: datetime.date) -> datetime.date | None:
    """20yy, unless that date is after today (or over 110 years ago): then 19yy."""
    for century in (2000, 1900):
        try:
            candidate = datetime.date(century + yy, month, day)
        except ValueError:
            return None
        if candidate <= today and today.year - candidate.year <= _MAX_AGE:
            return candidate
    return None


def _year(year: int, today: datetime.date) -> int:
    if not _FIRST_DATE.year <= year <= today.year:
        raise _Unreadable(
            errors.BAD_DATE, _("Year of birth %(year)s is out of range.") % {"year": year}
        )
    return year


def _in_range(day: datetime.date, today: datetime.date) -> datetime.date:
    if day > today:
        message = _("The date of birth %(date)s is in the future; check the day, month and year.")
        raise _Unreadable(errors.BAD_DATE, message % {"date": day.strftime("%d/%m/%Y")})
    if day < _FIRST_DATE:
        message = _("Date of birth %(date)s is out of range.")
        raise _Unreadable(errors.BAD_DATE, message % {"date": day.strftime("%d/%m/%Y")})
    return day


def _read_sex(
    cells: list[Cell],
    values: dict[str, str],
    mapping: dict[str, int],
    problems: list[tuple[str, str]],
) -> str | None:
    text = values.get("sex", "")
    if text:
        alias = _SEX_ALIASES.get(names.fold(text))
        if alias:
            return alias
        try:
            return parse_sex(text)
        except RowRejected as exc:
            problems.append((errors.BAD_SEX, exc.message))
            return None
    if "sex_male" not in mapping and "sex_female" not in mapping:
        return None
    male = not _blank(_cell(cells, mapping.get("sex_male")))
    female = not _blank(_cell(cells, mapping.get("sex_female")))
    if male and female:
        problems.append((errors.BAD_SEX, _("Both the Nam and the Nữ columns are marked.")))
        return None
    if female:
        return "F"
    if male or "sex_male" not in mapping:
        return "M"  # a list with a "Nữ" column only marks the girls
    return None


def _read_personal_id(cell: Cell, text: str, problems: list[tuple[str, str]]) -> str:
    if isinstance(cell, int | float) and not isinstance(cell, bool) and float(cell).is_integer():
        text = str(int(cell)).zfill(idnumber.LENGTH)  # Excel drops a number's leading zeros
    text = "".join(text.split()).removeprefix("'")
    if not text:
        return ""
    try:
        return str(idnumber.parse(text))
    except idnumber.InvalidPersonalId as exc:
        problems.append(
            (errors.BAD_ID, _("Personal ID number: %(reason)s") % {"reason": explain(exc)})
        )
        return ""


# ---------------------------------------------------------------------------------------------
# Formulas without saved values

_UNSAVED_FORMULA = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v\s*>\s*</(?:\w+:)?v>|</(?:\w+:)?c>)"
)
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_RELS = "xl/_rels/workbook.xml.rels"
_ATTRIBUTE = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_CHUNK = 1 << 20
_OVERLAP = 1 << 17  # longer than any formula cell (8,192 characters of formula, escaped)


def _refuse_unsaved_formulas(path: Path, budget: filebounds.ReadBudget) -> None:
    """openpyxl reads a formula whose result Excel never saved as empty: refuse, don't lose it.

    Files written by programs (not by Excel or LibreOffice) hold such formulas; a pass over the
    first sheet's XML finds them. A damaged workbook is left to `open_table`'s own error, and
    `open_table` has bounded the archive's unpacked size; `budget` bounds the pass's time.
    """
    budget.start()
    try:
        with zipfile.ZipFile(path) as archive:
            member = _first_sheet(archive)
            if member is None:
                return
            with archive.open(member) as stream:
                cell = _first_unsaved_formula(stream, budget)
    except (KeyError, OSError, EOFError, ValueError, zipfile.BadZipFile, zlib.error):
        return
    if cell is not None:
        raise errors.FORMULAS_WITHOUT_VALUES(cell=cell)


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The XML of the sheet `open_table` reads: the first worksheet (not chart sheet)."""
    targets: dict[bytes, str] = {}
    for relation in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", archive.read(_RELS)):
        attributes = dict(_ATTRIBUTE.findall(relation.group(1)))
        if attributes.get(b"Type", b"").endswith(b"/worksheet") and b"Target" in attributes:
            targets[attributes.get(b"Id", b"")] = attributes[b"Target"].decode("utf-8")
    for sheet in re.finditer(rb"<(?:\w+:)?sheet\b([^>]*)>", archive.read("xl/workbook.xml")):
        attributes = dict(_ATTRIBUTE.findall(sheet.group(1)))
        rid = next((v for k, v in attributes.items() if k.endswith(b":id")), b"")
        if rid in targets:
            target = targets[rid]
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _first_unsaved_formula(stream: IO[bytes], budget: filebounds.ReadBudget) -> str | None:
    tail = b""
    while chunk := stream.read(_CHUNK):
        budget.check()
        buffer = tail + chunk
        if _FORMULA.search(buffer):  # most sheets have none: one quick scan
            for match in _UNSAVED_FORMULA.finditer(buffer):
                attributes: dict[bytes, bytes] = dict(_ATTRIBUTE.findall(match.group(1)))
                if attributes.get(b"t") == b"str" and match.group(2).startswith(b"<"):
                    continue  # a formula whose saved result is the empty text
                return attributes.get(b"r", b"?").decode("ascii", "replace")
        tail = buffer[-_OVERLAP:]
    return None
