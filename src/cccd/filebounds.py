"""Bounds on every file a user sends, checked before the file is iterated.

A 1.7 KB workbook can declare 17 billion cells, a 50 MB zip can unpack to 50 GB, a 200-byte XML
prolog can expand a billion entities, and a 30 KB PNG can decode to gigabytes. Each reader of an
uploaded file (`cccd.registry.tables` for registers and rosters, `cccd.enrollments.intake.captures`
for images, `cccd.enrollments.production.result_file` for the centre's result zip) asks this
module first, and every bound it passes has its own error code (in `cccd.errors`) and a sentence
that says what to do.

- Zip archives (`check_zip`): the central directory's size and entry count are read from its end
  record before `zipfile` parses it; then part names (no absolute or `..` paths, no repeats), the
  sum of the parts' declared sizes, and each large part's compression ratio. The declared sizes
  are what `zipfile` trusts: it stops a part at its declared size and refuses it when the CRC then
  differs, so a part cannot unpack to more than it declares.
- Workbooks (`open_workbook`): every XML part openpyxl reads goes through `_XmlGuard`, an expat
  pass over the same bytes just before openpyxl parses them, which refuses a DTD (billion laughs),
  a row (or shared string) with more elements or bytes than a row of a list can hold, a cell beyond
  the last column read, a row number beyond the last row read, and more than a list needs besides
  its rows (openpyxl keeps those elements in memory). The sheet's declared dimensions are checked
  after opening and before the first row, then ignored (openpyxl would pad every row to them).
- Tables (`bounded_rows`): rows and columns as they are read, and the time spent reading.
- Images (`check_pixels`, `check_jpeg_scans`): the pixel count from the header, and the number of
  scans of a progressive JPEG (each scan is a pass over every pixel), before anything is decoded.

Time is bounded by construction: `ReadBudget` counts the seconds spent inside a reader (not in the
code that consumes its rows) and every guarded read checks it. A file received in a web request is
read under `CCCD_MAX_REQUEST_READ_SECONDS`, one read in a worker or a command under
`CCCD_MAX_READ_SECONDS`.
"""

from __future__ import annotations

import io
import posixpath
import struct
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any, Literal
from xml.parsers import expat

from django.conf import settings

from cccd import errors

MB = 1024 * 1024

# Zip archives. An Excel workbook has a few dozen parts; 1,000 leaves room for many sheets and
# pictures. Each entry of the central directory takes at least 46 bytes plus its name, so 1 MB of
# directory holds every legitimate workbook and stops a zip of millions of empty entries, which
# `zipfile` would otherwise turn into millions of objects before anyone could count them.
MAX_PARTS = 1000
MAX_DIRECTORY_BYTES = 1 * MB
# Compression ratio (declared size / compressed size) of a part larger than RATIO_FROM. Sheet XML
# compresses 10–20 times (a generated 100,000-row sheet: 15×), a sheet of empty formatted cells
# up to ~100×; deflate cannot exceed ~1,030×, which is what a zip bomb's parts reach.
MAX_PACK_RATIO = 200
RATIO_FROM = 1 * MB

# Workbook XML. A row of a list is at most MAX_COLUMNS cells of a few elements each (rich text
# adds a few per run); ELEMENTS_PER_COLUMN × the column bound leaves ample room. A row (or shared
# string) over MAX_RECORD_BYTES of XML is no list's row either: 256 cells of 8 KB. Outside rows a
# sheet holds its column widths, merged cells, links and formats, which openpyxl keeps in memory
# until the part is read: a real list has hundreds of them, never hundreds of thousands, and no
# text among them (a header, a validation list) comes near MAX_GAP_BYTES. Between two rows there
# is only white space, which ElementTree also keeps (as the tail of the row before).
ELEMENTS_PER_COLUMN = 16
MAX_RECORD_BYTES = 2 * MB
MAX_OTHER_ELEMENTS = 200_000
MAX_OTHER_BYTES = 32 * MB
MAX_GAP_BYTES = 1 * MB
_RECORDS = frozenset({"row", "si"})  # a sheet's rows; the shared strings' entries

# Images. The JPEG standard allows any number of scans; encoders write 1 (baseline) to ~12
# (libjpeg's progressive default is 10, mozjpeg's up to 12). A crafted file repeats tiny scans
# thousands of times, each a full pass over the picture's coefficients.
MAX_JPEG_SCANS = 64


# --- limits and time --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLimits:
    """How much of a table is read: rows, columns, unpacked megabytes and seconds per pass."""

    max_rows: int
    max_columns: int
    max_unpacked_mb: int
    seconds: float


_in_request: ContextVar[bool] = ContextVar("cccd_file_in_request", default=False)


@contextmanager
def read_in_request() -> Iterator[None]:
    """Tables opened inside the `with` are read under the web request's shorter time limit."""
    token = _in_request.set(True)
    try:
        yield
    finally:
        _in_request.reset(token)


def table_limits() -> TableLimits:
    """The deployment's bounds (settings), with the request's time limit inside a request."""
    seconds = (
        settings.CCCD_MAX_REQUEST_READ_SECONDS
        if _in_request.get()
        else settings.CCCD_MAX_READ_SECONDS
    )
    return TableLimits(
        max_rows=settings.CCCD_MAX_TABLE_ROWS,
        max_columns=settings.CCCD_MAX_TABLE_COLUMNS,
        max_unpacked_mb=settings.CCCD_MAX_UNPACKED_MB,
        seconds=float(seconds),
    )


class ReadBudget:
    """Seconds spent reading one file, counted only while the reader runs (`start`/`stop`), so a
    consumer writing each batch to the database does not use up the reader's time."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._spent = 0.0
        self._since: float | None = None

    def start(self) -> None:
        if self._since is None:
            self._since = time.monotonic()

    def stop(self) -> None:
        if self._since is not None:
            self._spent += time.monotonic() - self._since
            self._since = None

    def spent(self) -> float:
        running = time.monotonic() - self._since if self._since is not None else 0.0
        return self._spent + running

    def check(self) -> None:
        if self.spent() > self.seconds:
            raise errors.FILE_READ_TOO_LONG(seconds=f"{self.seconds:g}")


# --- zip archives ------------------------------------------------------------------------------

_EOCD = struct.Struct("<4s4H2LH")  # end of central directory (APPNOTE 4.3.16)
_EOCD64_LOCATOR = struct.Struct("<4sLQL")  # zip64 locator (4.3.15)
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # zip64 end of central directory (4.3.14)


def check_zip(
    file: IO[bytes],
    *,
    max_unpacked: int,
    max_parts: int = MAX_PARTS,
    max_ratio: int = MAX_PACK_RATIO,
) -> None:
    """Refuse an archive that is too big to unpack, before anything of it is unpacked.

    `file` is a seekable binary file; a file that is not a zip at all is left to the caller's own
    `zipfile` error. Declared sizes are trusted because `zipfile` enforces them (module docstring).
    """
    try:
        entries, directory = _directory_size(file)
        if entries > max_parts or directory > MAX_DIRECTORY_BYTES:
            raise errors.FILE_TOO_MANY_PARTS(count=entries, max=max_parts)
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error):
        return  # the caller opens it again and says it is damaged, in its own words
    finally:
        file.seek(0)
    if len(infos) > max_parts:
        raise errors.FILE_TOO_MANY_PARTS(count=len(infos), max=max_parts)
    seen: set[str] = set()
    for info in infos:
        if _unsafe_name(info.filename) or info.filename in seen:
            raise errors.FILE_UNSAFE_PART_NAME(name=info.filename[:80])
        seen.add(info.filename)
    total = sum(info.file_size for info in infos)
    if total > max_unpacked:
        raise errors.FILE_UNPACKS_TOO_LARGE(size=_megabytes(total), limit=_megabytes(max_unpacked))
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM and ratio > max_ratio:
            raise errors.FILE_PACKED_TOO_TIGHT(
                name=info.filename[:80], ratio=round(ratio), max=max_ratio
            )


def _directory_size(file: IO[bytes]) -> tuple[int, int]:
    """(entries, bytes) of the central directory as its end record declares them, found the way
    `zipfile` finds it (the last end record in the file's final 64 KB), zip64 included."""
    file.seek(0, io.SEEK_END)
    end = file.tell()
    tail_size = min(end, _EOCD.size + 0xFFFF)
    file.seek(end - tail_size)
    tail = file.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < _EOCD.size:
        return 0, 0
    fields = _EOCD.unpack_from(tail, at)
    entries, directory = fields[4], fields[5]
    locator_at = at - _EOCD64_LOCATOR.size
    if locator_at >= 0 and tail[locator_at : locator_at + 4] == b"PK\x06\x07":
        record_at = end - tail_size + locator_at - _EOCD64.size
        if record_at >= 0:
            file.seek(record_at)
            record = file.read(_EOCD64.size)
            if len(record) == _EOCD64.size and record[:4] == b"PK\x06\x06":
                zip64 = _EOCD64.unpack(record)
                entries, directory = max(entries, zip64[7]), max(directory, zip64[8])
    return entries, directory


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or ":" in name[:3]:
        return True
    return ".." in posixpath.normpath(name).split("/") or ".." in name.split("/")


def _megabytes(size: int) -> str:
    value = size / MB
    return f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}"


# --- workbooks ---------------------------------------------------------------------------------


def open_workbook(handle: IO[bytes], limits: TableLimits, budget: ReadBudget) -> Any:
    """openpyxl's read-only workbook over `handle`, checked with `check_zip` first and with every
    XML part read through `_XmlGuard` (and the time budget) while openpyxl reads it.

    openpyxl's `load_workbook` is `ExcelReader(...)` then `read()`; the reader's archive is swapped
    for a guarded one between the two (openpyxl 3.1 is pinned; tests/hostile proves the guard runs).
    """
    from openpyxl.reader.excel import ExcelReader

    check_zip(handle, max_unpacked=limits.max_unpacked_mb * MB)
    source = _BudgetedFile(handle, budget)
    reader = ExcelReader(source, read_only=True, keep_vba=False, data_only=True, keep_links=False)
    reader.archive.close()
    reader.archive = _GuardedArchive(source, limits=limits, budget=budget)
    reader.read()
    return reader.wb


def check_declared_size(max_row: int | None, max_column: int | None, limits: TableLimits) -> None:
    """The sheet's `<dimension>` is what openpyxl pads every row to: refuse it before the first row."""
    if max_row is not None and max_row > limits.max_rows:
        raise errors.TABLE_TOO_MANY_ROWS(row=max_row, max=limits.max_rows)
    if max_column is not None and max_column > limits.max_columns:
        raise errors.TABLE_TOO_MANY_COLUMNS(
            column=_column_letters(max_column), max=limits.max_columns
        )


class _BudgetedFile:
    """The workbook's bytes as zipfile reads them, checking the time budget at each read."""

    def __init__(self, handle: IO[bytes], budget: ReadBudget) -> None:
        self._handle = handle
        self._budget = budget

    def read(self, size: int = -1) -> bytes:
        self._budget.check()
        return self._handle.read(size)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._handle.seek(offset, whence)

    def tell(self) -> int:
        return self._handle.tell()

    def seekable(self) -> bool:
        return True


class _GuardedArchive(zipfile.ZipFile):
    """A workbook's archive whose XML parts are read through `_XmlGuard`."""

    def __init__(self, file: Any, *, limits: TableLimits, budget: ReadBudget) -> None:
        super().__init__(file)
        self._limits = limits
        self._budget = budget

    def open(
        self,
        name: str | zipfile.ZipInfo,
        mode: Literal["r", "w"] = "r",
        pwd: bytes | None = None,
        *,
        force_zip64: bool = False,
    ) -> Any:
        stream = super().open(name, mode, pwd, force_zip64=force_zip64)
        part = name.filename if isinstance(name, zipfile.ZipInfo) else str(name)
        if mode != "r" or not part.endswith((".xml", ".rels")):
            return stream
        return _XmlGuard(stream, part=part, limits=self._limits, budget=self._budget)


class _XmlGuard:
    """One XML part, passed through expat just before openpyxl parses the same bytes.

    openpyxl (ElementTree's iterparse) keeps a row's elements until the row ends and every element
    outside rows until the part ends, so the guard bounds exactly those: elements and bytes per
    row or shared string; elements outside them, the bytes between two of their events and in all;
    the row numbers and cell columns against the table's bounds; and no DTD at all. Byte spans are
    checked at each event and after each chunk, so a text with no event inside is bounded too.
    """

    def __init__(self, stream: Any, *, part: str, limits: TableLimits, budget: ReadBudget) -> None:
        self._stream = stream
        self._part = part[:80]
        self._budget = budget
        self._limits = limits
        self._last_column = _column_letters(limits.max_columns)
        self._max_record_elements = limits.max_columns * ELEMENTS_PER_COLUMN
        parser = expat.ParserCreate()
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.StartDoctypeDeclHandler = self._doctype
        parser.EntityDeclHandler = self._doctype
        self._parser: Any = parser
        self._done = False
        self._fed = 0
        self._depth = 0  # inside a record (row or shared string) when > 0
        self._record_start = 0
        self._record_elements = 0
        self._record_label = ""
        self._rows = 0
        self._last_event = 0  # byte index of the last event outside records (or a record's end)
        self._other_bytes = 0
        self._other_elements = 0

    # file protocol, as openpyxl and zipfile use it
    def read(self, size: int = -1) -> bytes:
        self._budget.check()
        data: bytes = self._stream.read(size)
        self._feed(data)
        return data

    def close(self) -> None:
        self._stream.close()

    def __enter__(self) -> _XmlGuard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _feed(self, data: bytes) -> None:
        if self._done:
            return
        try:
            self._parser.Parse(data, not data)
        except expat.ExpatError:
            self._done = True  # not XML: openpyxl's parser stops at the same byte and says so
            return
        self._done = not data
        self._fed += len(data)
        if self._depth:
            if self._fed - self._record_start > MAX_RECORD_BYTES:
                raise self._record_too_large()
        elif self._fed - self._last_event > MAX_GAP_BYTES:
            raise errors.SHEET_TOO_COMPLEX(name=self._part)

    def _doctype(self, *args: object) -> None:
        raise errors.FILE_XML_ENTITIES(name=self._part)

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self._depth:  # the common case first: an element of a row
            self._depth += 1
            self._record_elements += 1
            if self._record_elements > self._max_record_elements:
                raise self._record_too_large()
            if name == "c" or name.endswith(":c"):
                self._check_column(attributes.get("r", ""))
            return
        local = name.rpartition(":")[2]
        if local in _RECORDS:
            self._record_start = self._parser.CurrentByteIndex
            if self._record_start - self._last_event > MAX_GAP_BYTES:  # the row before's tail
                raise errors.SHEET_TOO_COMPLEX(name=self._part)
            self._depth, self._record_elements = 1, 0
            if local == "row":
                self._start_row(attributes.get("r", ""))
            else:
                self._record_label = ""  # a shared string: no row to name
        else:
            self._other_elements += 1
            if self._other_elements > MAX_OTHER_ELEMENTS:
                raise errors.SHEET_TOO_COMPLEX(name=self._part)
            self._other_event()

    def _end(self, name: str) -> None:
        if not self._depth:
            self._other_event()
            return
        self._depth -= 1
        if not self._depth:
            self._last_event = self._parser.CurrentByteIndex

    def _other_event(self) -> None:
        """An element outside records starts or ends: the text since the last event is kept."""
        index = self._parser.CurrentByteIndex
        gap, self._last_event = index - self._last_event, index
        self._other_bytes += gap
        if gap > MAX_GAP_BYTES or self._other_bytes > MAX_OTHER_BYTES:
            raise errors.SHEET_TOO_COMPLEX(name=self._part)

    def _record_too_large(self) -> Exception:
        if self._record_label:
            return errors.TABLE_ROW_TOO_LARGE(row=self._record_label)
        return errors.TABLE_TEXT_TOO_LARGE(name=self._part)

    def _start_row(self, number: str) -> None:
        self._rows += 1
        row = self._rows
        if number.isdigit():  # 13 digits are far past any bound; int() of more is refused
            row = max(row, int(number.lstrip("0")[:13] or "0"))
        if row > self._limits.max_rows:
            raise errors.TABLE_TOO_MANY_ROWS(row=row, max=self._limits.max_rows)
        self._record_label = str(row)

    def _check_column(self, reference: str) -> None:
        letters = reference.rstrip("0123456789").upper()
        last = self._last_column
        if len(letters) > len(last) or (len(letters) == len(last) and letters > last):
            raise errors.TABLE_TOO_MANY_COLUMNS(column=letters[:5], max=self._limits.max_columns)


def _column_letters(index: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD (as Excel names columns)."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- rows of any table -------------------------------------------------------------------------


def bounded_rows(
    rows: Iterator[list[Any]], limits: TableLimits, budget: ReadBudget
) -> Iterator[list[Any]]:
    """`rows` within the table's bounds: at most `max_rows` rows; a row wider than `max_columns` is
    cut when what lies beyond is blank (formatted empty cells) and refused otherwise; the time
    spent producing rows is charged to `budget`."""
    count = 0
    budget.start()
    try:
        for row in rows:
            count += 1
            if count > limits.max_rows:
                raise errors.TABLE_TOO_MANY_ROWS(row=count, max=limits.max_rows)
            if len(row) > limits.max_columns:
                row = _cut(row, limits)
            budget.check()
            budget.stop()
            yield row
            budget.start()
    finally:
        budget.stop()


def _cut(row: list[Any], limits: TableLimits) -> list[Any]:
    beyond = row[limits.max_columns :]
    filled = [i for i, value in enumerate(beyond) if value is not None and str(value).strip()]
    if filled:
        column = limits.max_columns + filled[-1] + 1
        raise errors.TABLE_TOO_MANY_COLUMNS(column=_column_letters(column), max=limits.max_columns)
    return row[: limits.max_columns]


# --- images ------------------------------------------------------------------------------------


def check_pixels(width: int, height: int, *, max_pixels: int) -> None:
    """Refuse a picture by the size its header declares, before a pixel is decoded."""
    if width * height > max_pixels:
        raise too_many_pixels(f"{width * height / 1e6:.0f}", max_pixels=max_pixels)


def too_many_pixels(megapixels: str, *, max_pixels: int) -> Exception:
    return errors.IMAGE_TOO_MANY_PIXELS(megapixels=megapixels, max=f"{max_pixels / 1e6:g}")


def check_jpeg_scans(data: bytes) -> None:
    """Refuse a JPEG with more than MAX_JPEG_SCANS scans (start-of-scan markers after the header).

    Markers before the first scan are walked by their lengths, so metadata (EXIF, ICC) is never
    mistaken for a scan; after it, FF DA can only be a marker (entropy-coded data stuffs FF 00).
    """
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return  # not a marker where one should be: the decoder refuses the file
        marker = data[position + 1]
        if marker == 0xFF:
            position += 1
            continue
        if marker == 0xDA:
            break
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
    else:
        return
    scans = data.count(b"\xff\xda", position)
    if scans > MAX_JPEG_SCANS:
        raise errors.IMAGE_TOO_MANY_SCANS(scans=scans, max=MAX_JPEG_SCANS)
