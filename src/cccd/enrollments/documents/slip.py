"""The appointment slip (giấy hẹn trả kết quả) the intake desk prints when an intake is finished.

`render_slip(SlipData(...))` returns a one-page PDF. The slip is a legal paper handed to the
citizen, so it is always in Vietnamese whatever the user's language, and every text goes in as NFC
(a name typed or imported in NFD would otherwise print its marks as separate, misplaced glyphs).

**Page size: A5 portrait** (148 × 210 mm). The slip holds about fifteen lines; half an A4 sheet is
enough to be read at arm's length, folds once into a pocket or a school bag, and prints on the A4
laser printers the desks carry (two to a sheet, or on A5 stock). `PAGE_SIZE_MM` is the one place to
change it.

**The form is named, not numbered.** docs/domain.md#forms: form codes changed meaning in July 2024
(CC01 was the declaration before, the intake sheet after; the slip is CC02 in the 2024 set) and that
mapping is **[unverified]**, so the slip prints the form's name ("Giấy hẹn trả thẻ Căn cước", or
whatever the caller passes as `form_name`) and no code.

**Speed**: ~34 ms and ~20 kB a slip, most of it fonts; `cccd.pdf` says how (fonts cut down once
per process, no bounding-box recalculation) and what is left (~9 ms of it is the QR code: segno
evaluates all eight masks; a fixed mask would save ~4 ms but may scan worse).
"""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, fields
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cccd.pdf import FONT_FAMILY, centred_rule, fit_text, font_paths, pdf_with_fonts

PAGE_SIZE_MM = (148.0, 210.0)  # A5 portrait (see the module docstring)
MARGIN_MM = 10.0
FORM_NAME = "Giấy hẹn trả thẻ Căn cước"
RETURN_AT_OFFICE = "Nhận tại cơ quan Công an"
RETURN_BY_POST = "Gửi qua bưu chính"
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")

# Font sizes (pt) at scale 1; a slip whose long name or address would not fit is set smaller.
_SCALES = (1.0, 0.92, 0.84, 0.76, 0.68, 0.6)
_QR_SIZE_MM = 34.0


@dataclass(frozen=True)
class SlipData:
    dossier_code: str  # e.g. "663-210305-000123"
    unit_name: str  # the police unit issuing it, e.g. "Công an huyện Đắk Mil"
    parent_unit_name: str  # e.g. "Công an tỉnh Đắk Nông" (printed above, as on official papers)
    place: str  # where the intake happened, e.g. "Trường THPT Đắk Mil" (may be "")
    full_name: str
    personal_id: str  # 12 digits
    birth_date: str  # already formatted: "15/03/2006" or "2006" for a year-only date
    kind: str  # the kind of application in Vietnamese, e.g. "Cấp mới", "Cấp đổi"
    fee: int | None  # đồng; 0 = free; None = not determined
    exemption: str  # "" or the reason the fee is waived
    received_at: datetime.datetime  # aware; printed in Vietnam's time (Asia/Ho_Chi_Minh)
    return_date: datetime.date
    return_method: str  # RETURN_AT_OFFICE or RETURN_BY_POST
    post_address: str  # "" unless by post
    return_office: str  # where to collect, e.g. "Công an huyện Đắk Mil" (used when at office)
    status_url: str  # public status page; goes into the QR code and printed beneath it
    officer_name: str
    ticket_number: str  # "0123" or ""
    form_name: str = FORM_NAME  # the form's name under the title (never only its code)


def render_slip(data: SlipData) -> bytes:
    """The slip as a one-page A5 PDF (Vietnamese, DejaVu Sans embedded as a subset)."""
    data = _nfc(data)
    if data.received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    paths = font_paths(_texts(data))
    for scale in _SCALES:
        pdf = _layout(data, paths, scale)
        if pdf.get_y() <= PAGE_SIZE_MM[1] - MARGIN_MM + 0.01:
            break
    else:  # absurdly long texts: smallest scale, and let fpdf2 break the page rather than clip
        pdf = _layout(data, paths, _SCALES[-1], allow_break=True)
    return bytes(pdf.output())


def format_fee(fee: int | None, exemption: str = "") -> str:
    """'Miễn phí', '15.000 đồng', 'Miễn phí (reason)' for an exemption (it wins over an amount)."""
    if exemption:
        return f"Miễn phí ({exemption})"
    if fee is None:
        return "Chưa xác định"
    if fee == 0:
        return "Miễn phí"
    return f"{fee:,}".replace(",", ".") + " đồng"


# --- layout -------------------------------------------------------------------------------------


def _layout(
    data: SlipData, paths: dict[str, Path], scale: float, *, allow_break: bool = False
) -> FPDF:
    page_w, page_h = PAGE_SIZE_MM
    pdf = pdf_with_fonts(paths, PAGE_SIZE_MM)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(allow_break, margin=MARGIN_MM)
    pdf.c_margin = 0
    pdf.set_title(f"Giấy hẹn trả kết quả {data.dossier_code}")
    pdf.set_author(data.unit_name)
    pdf.set_lang("vi")
    pdf.set_creator("cccd")
    pdf.set_creation_date(data.received_at)
    pdf.add_page()

    width = page_w - 2 * MARGIN_MM
    left = MARGIN_MM

    def font(size: float, bold: bool = False) -> float:
        """Set the font; return its line height in mm."""
        pdf.set_font(FONT_FAMILY, "B" if bold else "", size * scale)
        return size * scale * 0.3528 * 1.4

    # Header: the issuing unit on the left, the national motto on the right.
    top = pdf.get_y()
    col_l, col_r = width * 0.46, width * 0.54
    h = font(8.5)
    pdf.set_xy(left, top)
    pdf.multi_cell(col_l, h, data.parent_unit_name.upper(), align="C")
    h = font(8.5, bold=True)
    pdf.set_x(left)
    pdf.multi_cell(col_l, h, data.unit_name.upper(), align="C")
    centred_rule(pdf, left + col_l / 2, pdf.get_y() + 0.6, 18)
    left_bottom = pdf.get_y() + 0.6

    size = fit_text(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 8.5 * scale, col_r, bold=True)
    pdf.set_xy(left + col_l, top)
    pdf.cell(col_r, size * 0.3528 * 1.4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    h = font(8.5, bold=True)
    pdf.set_xy(left + col_l, top + size * 0.3528 * 1.4)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.cell(col_r, h, motto, align="C")
    centred_rule(pdf, left + col_l + col_r / 2, pdf.get_y() + h + 0.6, pdf.get_string_width(motto))
    right_bottom = pdf.get_y() + h + 0.6

    # Title, form name, dossier code.
    pdf.set_y(max(left_bottom, right_bottom) + 9 * scale)
    h = font(16, bold=True)
    pdf.cell(width, h, "GIẤY HẸN TRẢ KẾT QUẢ", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = font(9)
    pdf.multi_cell(width, h, data.form_name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4 * scale)
    h = font(13, bold=True)
    code = f"Mã hồ sơ: {data.dossier_code}"
    box_w = min(width, pdf.get_string_width(code) + 10)
    pdf.set_x(left + (width - box_w) / 2)
    pdf.cell(box_w, h + 3 * scale, code, border=1, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6 * scale)

    # The person and the application.
    rows: list[tuple[str, str, bool]] = [
        ("Họ và tên:", data.full_name, True),
        ("Số định danh cá nhân:", data.personal_id, True),
        ("Ngày sinh:", data.birth_date, False),
        ("Loại thủ tục:", data.kind, False),
        ("Lệ phí:", format_fee(data.fee, data.exemption), False),
        ("Ngày tiếp nhận:", _local(data.received_at).strftime("%d/%m/%Y %H:%M"), False),
    ]
    if data.place:
        rows.append(("Nơi tiếp nhận:", data.place, False))
    rows.append(("Hình thức nhận kết quả:", data.return_method, False))
    if data.return_method == RETURN_BY_POST:
        rows.append(("Địa chỉ nhận:", data.post_address, False))
    else:
        rows.append(("Nơi nhận kết quả:", data.return_office, False))

    size = 10.5
    font(size)
    label_w = max(pdf.get_string_width(label) for label, _, _ in rows) + 2.5
    for label, value, bold in rows:
        _row(pdf, left, width, label_w, label, value, font(size), bold, scale)

    # The return date, framed.
    pdf.ln(5 * scale)
    h = font(14, bold=True)
    pdf.cell(
        width,
        h + 5 * scale,
        f"Ngày hẹn trả kết quả: {data.return_date:%d/%m/%Y}",
        border=1,
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3 * scale)
    h = font(10, bold=True)
    pdf.cell(
        width,
        h,
        "Mang theo giấy hẹn này khi nhận thẻ.",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(6 * scale)

    # The QR code on the left; the officer (and the queue number) on the right.
    band_top = pdf.get_y()
    qr_size = _QR_SIZE_MM * scale if data.status_url else 0.0
    if data.status_url:
        pdf.image(_qr_png(data.status_url), x=left, y=band_top, w=qr_size, h=qr_size)
    sign_x = left + qr_size + 4
    sign_w = width - qr_size - 4
    pdf.set_xy(sign_x, band_top + 1)
    h = font(9.5, bold=True)
    pdf.multi_cell(sign_w, h, "Cán bộ tiếp nhận", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    h = font(8)
    pdf.multi_cell(sign_w, h, "(Ký, ghi rõ họ tên)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_y(pdf.get_y() + 14 * scale)
    pdf.set_x(sign_x)
    h = font(10, bold=True)
    pdf.multi_cell(sign_w, h, data.officer_name, align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    if data.ticket_number:
        h = font(9)
        pdf.multi_cell(
            sign_w,
            h,
            f"Số thứ tự: {data.ticket_number}",
            align="C",
            new_x=XPos.LEFT,
            new_y=YPos.NEXT,
        )
    pdf.set_xy(left, max(pdf.get_y(), band_top + qr_size) + 2 * scale)

    if data.status_url:
        h = font(8)
        pdf.multi_cell(
            width,
            h,
            f"Tra cứu tình trạng hồ sơ: {data.status_url}",
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return pdf


def _row(
    pdf: FPDF,
    left: float,
    width: float,
    label_w: float,
    label: str,
    value: str,
    h: float,
    bold: bool,
    scale: float,
) -> None:
    y = pdf.get_y()
    pdf.set_xy(left, y)
    pdf.cell(label_w, h, label)
    pdf.set_font(style="B" if bold else "")
    pdf.set_xy(left + label_w, y)
    pdf.multi_cell(width - label_w, h, value or "—", align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(style="")
    pdf.set_y(max(pdf.get_y(), y + h) + 1.2 * scale)


def _qr_png(url: str) -> BytesIO:
    buffer = BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="png", scale=10, border=4)
    buffer.seek(0)
    return buffer


def _local(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(LOCAL_TIME)


def _nfc(data: SlipData) -> SlipData:
    """Every text in NFC, on one line (a newline or tab pasted into an address becomes a space)."""
    changes: dict[str, Any] = {  # field names known only at run time
        f.name: " ".join(unicodedata.normalize("NFC", value).split())
        for f in fields(data)
        if isinstance(value := getattr(data, f.name), str)
    }
    return dataclasses.replace(data, **changes)


def _texts(data: SlipData) -> Iterable[str]:
    for f in fields(data):
        value = getattr(data, f.name)
        if isinstance(value, str):
            yield value
            yield value.upper()
