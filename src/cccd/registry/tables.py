"""Reading the tables people actually send: CSV (UTF-8, with or without BOM) and Excel .xlsx.

Streams rows (openpyxl read-only mode, the csv module over a byte stream), so memory stays flat
whatever the file's size. Whole-file problems raise a DomainError before anything is written.
Every read stays within `cccd.filebounds`: the archive is checked before openpyxl opens it, the
sheet's declared size before its first row, and rows, columns, line length and time as they are
read, so a hostile file is a refusal with its own code, never a hung worker.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from cccd import filebounds
from cccd.errors import TABLE_ROW_TOO_LARGE, DomainError
from cccd.registry import errors

csv.field_size_limit(64 * 1024 * 1024)  # long cells are rejected per row, with a reason, not here
Cell = str | datetime.datetime | datetime.date | int | float | None


@dataclass
class Table:
    """An opened table: the kind, its bounds, and a way to iterate its rows as lists of cells."""

    path: Path
    kind: str  # "csv" | "xlsx"
    limits: filebounds.TableLimits = field(default_factory=filebounds.table_limits)

    def rows(self) -> Iterator[list[Cell]]:
        """Each pass reads the file again, under its own time budget."""
        budget = filebounds.ReadBudget(self.limits.seconds)
        if self.kind == "csv":
            source = _csv_rows(self.path)
        else:
            source = _xlsx_rows(self.path, self.limits, budget)
        yield from filebounds.bounded_rows(source, self.limits, budget)


def open_table(path: Path) -> Table:
    """Recognise the file by its content, not its name: users rename files freely."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if not head:
        raise errors.EMPTY_FILE()
    if head.startswith(b"PK\x03\x04"):
        _check_xlsx(path)
        return Table(path, "xlsx")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise errors.NOT_UTF8(line=1)
    if not _looks_like_text(head):  # a photo of the list, a PDF, an old .xls: not "not UTF-8"
        raise errors.NOT_A_TABLE()
    return Table(path, "csv")


_NOT_TEXT = (b"\xd0\xcf\x11\xe0", b"%PDF", b"\x89PNG", b"\xff\xd8", b"GIF8", b"RIFF", b"\x1f\x8b")


def _looks_like_text(head: bytes) -> bool:
    """A CSV is text in some encoding: no NUL byte and hardly any control character. Pictures
    (JPEG, PNG, HEIC, WebP …), PDFs and office files have them within their first bytes."""
    if head.startswith(_NOT_TEXT) or b"\x00" in head:
        return False
    controls = sum(1 for byte in head if byte < 32 and byte not in b"\t\n\r\f\x1a")
    return controls * 100 <= len(head)


def _check_xlsx(path: Path) -> None:
    """The archive's bounds (before anything is unpacked), then its workbook part."""
    with path.open("rb") as handle:
        limit = filebounds.table_limits().max_unpacked_mb * filebounds.MB
        filebounds.check_zip(handle, max_unpacked=limit)
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise errors.BAD_XLSX(detail=str(exc)[:100]) from None
    if "xl/workbook.xml" not in names:
        raise errors.BAD_XLSX(detail="a zip archive, but not an Excel workbook")


def _csv_rows(path: Path) -> Iterator[list[Cell]]:
    with path.open("rb") as raw:
        reader = csv.reader(_decoded_lines(raw), dialect=_dialect(path))
        try:
            yield from reader
        except csv.Error as exc:
            raise errors.NOT_A_TABLE() from exc


def _decoded_lines(raw: IO[bytes]) -> Iterator[str]:
    """Physical lines decoded one by one, so a bad byte is reported on its own line number; a line
    is read at most MAX_RECORD_BYTES at a time, so a file without line ends never fills memory."""
    number = 0
    while line := raw.readline(filebounds.MAX_RECORD_BYTES + 1):
        number += 1
        if len(line) > filebounds.MAX_RECORD_BYTES:
            raise TABLE_ROW_TOO_LARGE(row=number)
        if b"\x00" in line:  # a database text column cannot hold it, and no text file has it
            raise errors.BINARY_CONTENT(line=number)
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise errors.NOT_UTF8(line=number) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _dialect(path: Path) -> type[csv.Dialect]:
    """Comma by default; semicolon or tab when the first line says so (Excel in some locales)."""
    with path.open("rb") as raw:
        sample = raw.read(64 * 1024)
    first_line = sample.split(b"\n", 1)[0]
    counts = {
        b",": first_line.count(b","),
        b";": first_line.count(b";"),
        b"\t": first_line.count(b"\t"),
    }
    delimiter = max(counts, key=lambda k: counts[k])
    if counts[delimiter] == 0 or delimiter == b",":
        return csv.excel
    return csv.excel_tab if delimiter == b"\t" else _Semicolon


class _Semicolon(csv.excel):
    delimiter = ";"


def _xlsx_rows(
    path: Path, limits: filebounds.TableLimits, budget: filebounds.ReadBudget
) -> Iterator[list[Cell]]:
    handle = path.open("rb")  # a file object: openpyxl refuses a path whose name lacks ".xlsx"
    workbook = None
    try:
        workbook = filebounds.open_workbook(handle, limits, budget)
        sheet = workbook.worksheets[0]
        filebounds.check_declared_size(sheet.max_row, sheet.max_column, limits)
        sheet.reset_dimensions()  # checked: now rows are as long as their own cells, not padded
        for values in sheet.iter_rows(values_only=True):
            yield [_xlsx_cell(v) for v in values]
    except DomainError:
        raise
    except Exception as exc:  # openpyxl, zipfile and expat raise many kinds for a broken workbook
        raise errors.BAD_XLSX(detail=type(exc).__name__) from None
    finally:
        if workbook is not None:
            with suppress(Exception):
                workbook.close()
        handle.close()


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | datetime.date):
        return value
    return str(value)


@contextmanager
def received_file(upload: UploadedFile[bytes]) -> Iterator[Path]:
    """An uploaded file on disk for the time of the `with`, refused first if over the size limit;
    tables opened inside the `with` are read under the web request's time limit."""
    limit = settings.CCCD_MAX_UPLOAD_MB
    if upload.size is not None and upload.size > limit * 1024 * 1024:
        raise errors.FILE_TOO_LARGE(limit=limit)
    with tempfile.TemporaryDirectory() as folder, filebounds.read_in_request():
        path = Path(folder) / "upload"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path
