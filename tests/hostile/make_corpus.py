"""Hostile files for every upload point, built on demand so that nothing large is checked in.

Each builder returns the file's bytes; `CORPUS` names them all with the name a user would give the
file. Run as a script to write them to a folder (for probing a running server by hand):

    .venv/bin/python tests/hostile/make_corpus.py /tmp/hostile-files

The files are small (the largest, a CSV of one 3 MB line, is plain text); what they claim
(dimensions, unpacked sizes, pixels, passes) is huge.
"""

from __future__ import annotations

import io
import struct
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

MB = 1024 * 1024
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PART_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
REGISTER_HEADER = "Số định danh,Họ và tên,Ngày sinh,Giới tính,Nơi thường trú\n"
ROSTER_HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Lớp\n"

# --- zip archives, written by hand so that declared sizes can say what a bomb says ------------


def _deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


def zip_entries(entries: list[tuple[str, bytes, int, int]], *, method: int = 8) -> bytes:
    """A zip of (name, payload as stored, CRC-32, declared unpacked size) entries."""
    out, central = bytearray(), bytearray()
    for name, payload, crc, size in entries:
        encoded, offset = name.encode(), len(out)
        out += (
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0,
                method,
                0,
                33,
                crc,
                len(payload),
                size,
                len(encoded),
                0,
            )
            + encoded
            + payload
        )
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0,
                method,
                0,
                33,
                crc,
                len(payload),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0
    )
    return bytes(out + central + end)


def zip_of(members: dict[str, bytes]) -> bytes:
    """An ordinary zip (deflated) of these members."""
    return zip_entries([(n, _deflate(d), zlib.crc32(d), len(d)) for n, d in members.items()])


def workbook_parts(sheet: str, *, strings: str | None = None) -> dict[str, bytes]:
    """The five or six parts of a minimal workbook whose first sheet's XML is `sheet`."""
    overrides = f'<Override PartName="/xl/workbook.xml" ContentType="{PART_TYPE}.sheet.main+xml"/>'
    overrides += (
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{PART_TYPE}.worksheet+xml"/>'
    )
    relations = (
        f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    )
    if strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{PART_TYPE}.sharedStrings+xml"/>'
        relations += (
            f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">{relations}</Relationships>',
        "xl/worksheets/sheet1.xml": sheet,
    }
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    return {name: text.encode() for name, text in parts.items()}


def sheet_xml(rows: str, *, dimension: str | None = None) -> str:
    prolog = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{prolog}<sheetData>{rows}</sheetData></worksheet>'


def text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row() -> str:
    """A header row the register and the roster both recognise."""
    cells = ("Số định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi thường trú", "Lớp")
    return (
        '<row r="1">'
        + "".join(text_cell(f"{'ABCDEF'[i]}1", v) for i, v in enumerate(cells))
        + "</row>"
    )


def minimal_xlsx() -> bytes:
    """A well-made workbook (the control: the guard lets it through)."""
    row = (
        '<row r="2">'
        + text_cell("A2", "067199012345")
        + text_cell("B2", "Đặng Thị Hương")
        + "</row>"
    )
    return zip_of(workbook_parts(sheet_xml(header_row() + row, dimension="A1:F2")))


def huge_dimensions_xlsx() -> bytes:
    """Issue 12's 1.7 KB file: a sheet declaring A1:XFD1048576 with one cell in the last row."""
    rows = '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>"
    return zip_of(workbook_parts(sheet_xml(rows, dimension="A1:XFD1048576")))


def far_cell_xlsx() -> bytes:
    """No dimension at all; one cell in the last column of the last row."""
    rows = header_row() + '<row r="1048576">' + text_cell("XFD1048576", "x") + "</row>"
    return zip_of(workbook_parts(sheet_xml(rows)))


def far_row_xlsx() -> bytes:
    """A row numbered 999,999,999,999: openpyxl would yield every empty row before it."""
    rows = header_row() + '<row r="999999999999">' + text_cell("A999999999999", "x") + "</row>"
    return zip_of(workbook_parts(sheet_xml(rows)))


def wide_row_xlsx() -> bytes:
    """One row of 200,000 cells without references (each a new column)."""
    rows = header_row() + '<row r="2">' + "<c/>" * 200_000 + "</row>"
    return zip_of(workbook_parts(sheet_xml(rows)))


def zip_bomb_xlsx(unpacked_mb: int = 512) -> bytes:
    """A workbook whose sheet part inflates ~1,000 times, to `unpacked_mb` MB of zeros."""
    parts = workbook_parts(sheet_xml(header_row()))
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    flushed = block.compress(bytes(MB)) + block.flush(zlib.Z_FULL_FLUSH)  # self-contained block
    payload = flushed * unpacked_mb + b"\x03\x00"  # then a final empty block
    crc = 0
    zeros = bytes(MB)
    for _ in range(unpacked_mb):
        crc = zlib.crc32(zeros, crc)
    entries = [
        (n, _deflate(d), zlib.crc32(d), len(d))
        for n, d in parts.items()
        if n != "xl/worksheets/sheet1.xml"
    ]
    return zip_entries([*entries, ("xl/worksheets/sheet1.xml", payload, crc, unpacked_mb * MB)])


def many_parts_zip() -> bytes:
    """A zip whose end record claims five million entries in a 300 MB central directory."""
    real = zip_of(workbook_parts(sheet_xml(header_row())))
    end = real.rindex(b"PK\x05\x06")
    return real[:end] + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 300 * MB, 0, 0)


def _words(size: int) -> str:
    """`size` bytes of varied words: compressed a few times, so no zip bomb, only bulk."""
    rng = np.random.default_rng(0)
    words = ["".join(chr(c) for c in rng.integers(97, 123, 6)) for _ in range(1000)]
    return " ".join(words[i] for i in rng.integers(0, 1000, size // 7))


def many_merges_xlsx() -> bytes:
    """300,000 merged cells after the rows: openpyxl would keep each one in memory."""
    merges = "".join(f'<mergeCell ref="A{n}:B{n}"/>' for n in range(1, 300_001))
    sheet = sheet_xml(header_row()).replace(
        "</sheetData>", f'</sheetData><mergeCells count="300000">{merges}</mergeCells>'
    )
    return zip_of(workbook_parts(sheet))


def huge_header_text_xlsx() -> bytes:
    """A page header of 3 MB of text after the rows (no element inside to notice it)."""
    text = _words(3 * MB)
    sheet = sheet_xml(header_row()).replace(
        "</sheetData>", f"</sheetData><headerFooter><oddHeader>{text}</oddHeader></headerFooter>"
    )
    return zip_of(workbook_parts(sheet))


def huge_shared_string_xlsx() -> bytes:
    """One shared string of 3 MB of varied words (compressed a few times: no zip bomb)."""
    strings = f'<sst xmlns="{MAIN}"><si><t>{_words(3 * MB)}</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return zip_of(workbook_parts(sheet_xml(rows), strings=strings))


def nested_shared_string_xlsx() -> bytes:
    """One shared string nested 100,000 elements deep."""
    depth = 100_000
    strings = f'<sst xmlns="{MAIN}"><si>' + "<r>" * depth + "</r>" * depth + "</si></sst>"
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return zip_of(workbook_parts(sheet_xml(rows), strings=strings))


def billion_laughs_xlsx() -> bytes:
    """The shared strings part declares ten nested entities of ten (10^9 "lol"s)."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    )
    strings = f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return zip_of(workbook_parts(sheet_xml(rows), strings=strings))


def truncated_xlsx() -> bytes:
    whole = minimal_xlsx()
    return whole[: len(whole) // 2]


def path_traversal_zip() -> bytes:
    """A workbook with an extra part named to escape any folder it is unpacked into."""
    parts = workbook_parts(sheet_xml(header_row()))
    parts["../../../../etc/cron.d/cccd"] = b"* * * * * root touch /tmp/owned\n"
    return zip_of(parts)


def text_named_xlsx() -> bytes:
    return "Đây là một ghi chú, không phải bảng tính.\nDòng thứ hai.\n".encode()


def csv_with_nul() -> bytes:
    return (REGISTER_HEADER + "067199012345,Đặng\x00Thị,15/03/1999,Nữ,x\n").encode()


def csv_with_late_nul() -> bytes:
    """A NUL byte past the first 8 KB (the sniff), on line 302."""
    row = "067199012345,Đặng Thị Hương,15/03/1999,Nữ,Thôn 5\n"
    return (REGISTER_HEADER + row * 300 + "067199012346,Lê\x00Văn,1990,Nam,x\n").encode()


def csv_without_line_ends() -> bytes:
    """3 MB of one line: a file that is not a list of rows."""
    return (ROSTER_HEADER.strip() + "," * (3 * MB)).encode()


# --- images -------------------------------------------------------------------------------------

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG header for width×height grey pixels followed by a few rows' data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress((b"\x00" + bytes(min(width, 4096))) * 4, 9)
    return (
        PNG_MAGIC
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def png_bomb(width: int = 8000, height: int = 6000) -> bytes:
    """A complete, valid black PNG of width×height (48 MP) in a few tens of kilobytes."""
    packer = zlib.compressobj(9)
    row = b"\x00" + bytes(width)
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        PNG_MAGIC
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", pixels)
        + _png_chunk(b"IEND", b"")
    )


def _jpeg(progressive: bool = False, size: tuple[int, int] = (640, 480)) -> bytes:
    """A smooth gradient: small scans, and enough detail to be a real picture."""
    x = np.linspace(0, 255, size[0], dtype=np.uint8)
    image = Image.fromarray(np.stack([np.tile(x, (size[1], 1))] * 3, axis=-1))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, progressive=progressive)
    return out.getvalue()


def jpeg_claiming(width: int = 65_000, height: int = 65_000) -> bytes:
    """A real JPEG whose frame header (SOF) is rewritten to claim width×height."""
    data = bytearray(_jpeg())
    at = next(i for i in range(2, len(data) - 1) if data[i] == 0xFF and data[i + 1] in (0xC0, 0xC2))
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def jpeg_many_scans(scans: int = 10_000) -> bytes:
    """A grey 25-megapixel progressive JPEG whose last scan (59 bytes) is repeated: each copy is
    one more pass over every pixel, ~50 ms here, so 590 KB of file would hold a request ~8 min."""
    out = io.BytesIO()
    Image.new("L", (5000, 5000), 128).save(out, "JPEG", quality=80, progressive=True)
    data = out.getvalue()
    last = data.rindex(b"\xff\xda")
    scan = data[last:-2]  # the last scan, up to the end-of-image marker
    return data[:-2] + scan * scans + b"\xff\xd9"


def truncated_jpeg() -> bytes:
    data = _jpeg()
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (640, 480), 128).save(out, "PNG")
    return out.getvalue()[:-30]


def pdf_file() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- the corpus ---------------------------------------------------------------------------------

CORPUS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "huge-dimensions": ("danh-sach.xlsx", huge_dimensions_xlsx),
    "far-cell": ("danh-sach.xlsx", far_cell_xlsx),
    "far-row": ("danh-sach.xlsx", far_row_xlsx),
    "wide-row": ("danh-sach.xlsx", wide_row_xlsx),
    "zip-bomb": ("danh-sach.xlsx", zip_bomb_xlsx),
    "many-parts": ("danh-sach.xlsx", many_parts_zip),
    "many-merges": ("danh-sach.xlsx", many_merges_xlsx),
    "huge-header-text": ("danh-sach.xlsx", huge_header_text_xlsx),
    "huge-shared-string": ("danh-sach.xlsx", huge_shared_string_xlsx),
    "nested-shared-string": ("danh-sach.xlsx", nested_shared_string_xlsx),
    "billion-laughs": ("danh-sach.xlsx", billion_laughs_xlsx),
    "truncated-xlsx": ("danh-sach.xlsx", truncated_xlsx),
    "path-traversal": ("danh-sach.xlsx", path_traversal_zip),
    "text-named-xlsx": ("danh-sach.xlsx", text_named_xlsx),
    "csv-nul": ("danh-sach.csv", csv_with_nul),
    "csv-late-nul": ("danh-sach.csv", csv_with_late_nul),
    "csv-one-line": ("danh-sach.csv", csv_without_line_ends),
    "empty": ("danh-sach.csv", lambda: b""),
    "png-claiming": ("anh.png", png_claiming),
    "png-bomb": ("anh.png", png_bomb),
    "jpeg-claiming": ("anh.jpg", jpeg_claiming),
    "jpeg-many-scans": ("anh.jpg", jpeg_many_scans),
    "truncated-jpeg": ("anh.jpg", truncated_jpeg),
    "truncated-png": ("anh.png", truncated_png),
    "pdf-named-jpg": ("anh.jpg", pdf_file),
    "xlsx-named-png": ("anh.png", minimal_xlsx),
}


def build(name: str) -> bytes:
    return CORPUS[name][1]()


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, (filename, make) in CORPUS.items():
        data = make()
        (out / f"{name}--{filename}").write_bytes(data)
        print(f"{name:24} {len(data):>10,} bytes")  # noqa: T201


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile-files")
