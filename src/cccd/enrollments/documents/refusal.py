"""The refusal notice (thông báo từ chối) for a rejected dossier: a one-page A5 PDF handed or
posted to the citizen, always in Vietnamese, laid out like the appointment slip
(`cccd.enrollments.documents.slip`), with the fonts of every paper (`cccd.pdf`).

**The form is named, not numbered.** docs/domain.md#forms lists the refusal notice as CC03 in the
2024 set of forms but marks form codes **[unverified]**, so the notice prints its name only.

**The legal basis is a placeholder.** docs/domain.md#forms names the two laws (59/2014/QH13 and
26/2023/QH15) but not the article that allows a refusal, so the line cites the dossier's law and
says "[unverified]" until someone checks the article: `LEGAL_BASIS` is the one place to fix it.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from cccd.enrollments.documents.slip import LOCAL_TIME, MARGIN_MM, PAGE_SIZE_MM
from cccd.pdf import FONT_FAMILY, centred_rule, fit_text, font_paths, pdf_with_fonts

FORM_NAME = "Thông báo về việc từ chối cấp thẻ Căn cước"
LEGAL_BASIS = {
    "2014": "Luật Căn cước công dân số 59/2014/QH13 [unverified: điều khoản]",
    "2023": "Luật Căn cước số 26/2023/QH15 [unverified: điều khoản]",
}


@dataclass(frozen=True)
class RefusalData:
    unit_name: str  # "Công an huyện Đắk Mil"
    parent_unit_name: str  # "Công an tỉnh Đắk Nông" ("" at the top of the tree)
    dossier_code: str
    full_name: str
    personal_id: str
    birth_date: str  # formatted: "15/03/2006" or "2006"
    received_at: datetime.datetime | None  # aware
    refused_at: datetime.datetime  # aware; the notice's date
    reason: str
    law: str  # "2014" or "2023"
    signer: str  # who rejected it ("" to leave the line for a hand-written name)


def render_refusal(data: RefusalData) -> bytes:
    """The notice as a one-page A5 PDF (a long reason breaks onto a second page, never clipped)."""
    texts = {
        k: " ".join(unicodedata.normalize("NFC", v).split())
        for k, v in vars(data).items()
        if isinstance(v, str)
    }
    data = RefusalData(**{**vars(data), **texts})
    paths = font_paths(
        [*texts.values(), *(t.upper() for t in texts.values()), FORM_NAME, *LEGAL_BASIS.values()]
    )
    pdf = pdf_with_fonts(paths, PAGE_SIZE_MM)
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=MARGIN_MM)
    pdf.c_margin = 0
    pdf.set_title(f"{FORM_NAME} {data.dossier_code}")
    pdf.set_author(data.unit_name)
    pdf.set_lang("vi")
    pdf.set_creator("cccd")
    pdf.set_creation_date(data.refused_at)
    pdf.add_page()
    _header(pdf, data)
    _body(pdf, data)
    return bytes(pdf.output())


def _line_height(pdf: FPDF, size: float, bold: bool = False) -> float:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    return size * 0.3528 * 1.4


def _header(pdf: FPDF, data: RefusalData) -> None:
    """The issuing unit on the left, the national motto on the right, as on every official paper."""
    width = PAGE_SIZE_MM[0] - 2 * MARGIN_MM
    left, top = MARGIN_MM, pdf.get_y()
    col_l, col_r = width * 0.46, width * 0.54
    h = _line_height(pdf, 8.5)
    pdf.set_xy(left, top)
    if data.parent_unit_name:
        pdf.multi_cell(col_l, h, data.parent_unit_name.upper(), align="C")
    h = _line_height(pdf, 8.5, bold=True)
    pdf.set_x(left)
    pdf.multi_cell(col_l, h, data.unit_name.upper(), align="C")
    centred_rule(pdf, left + col_l / 2, pdf.get_y() + 0.6, 18)
    left_bottom = pdf.get_y() + 0.6
    size = fit_text(pdf, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 8.5, col_r, bold=True)
    pdf.set_xy(left + col_l, top)
    pdf.cell(col_r, size * 0.3528 * 1.4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    h = _line_height(pdf, 8.5, bold=True)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.set_xy(left + col_l, top + size * 0.3528 * 1.4)
    pdf.cell(col_r, h, motto, align="C")
    centred_rule(pdf, left + col_l + col_r / 2, pdf.get_y() + h + 0.6, pdf.get_string_width(motto))
    day = data.refused_at.astimezone(LOCAL_TIME)
    pdf.set_xy(left + col_l, pdf.get_y() + h + 2.5)
    h = _line_height(pdf, 8.5)
    pdf.cell(col_r, h, f"ngày {day:%d} tháng {day:%m} năm {day:%Y}", align="C")
    pdf.set_y(max(left_bottom, pdf.get_y() + h) + 8)


def _body(pdf: FPDF, data: RefusalData) -> None:
    width = PAGE_SIZE_MM[0] - 2 * MARGIN_MM
    h = _line_height(pdf, 14, bold=True)
    pdf.cell(width, h, "THÔNG BÁO", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    h = _line_height(pdf, 10, bold=True)
    pdf.multi_cell(
        width, h, "Về việc từ chối cấp thẻ Căn cước", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    pdf.ln(5)
    h = _line_height(pdf, 10.5)
    received = data.received_at.astimezone(LOCAL_TIME) if data.received_at else None
    rows = [
        ("Kính gửi:", data.full_name, True),
        ("Số định danh cá nhân:", data.personal_id, False),
        ("Ngày sinh:", data.birth_date, False),
        ("Mã hồ sơ:", data.dossier_code, True),
        ("Ngày tiếp nhận:", f"{received:%d/%m/%Y}" if received else "—", False),
    ]
    label_w = max(pdf.get_string_width(label) for label, _v, _b in rows) + 2.5
    for label, value, bold in rows:
        y = pdf.get_y()
        pdf.set_font(FONT_FAMILY, "", 10.5)
        pdf.cell(label_w, h, label)
        pdf.set_font(FONT_FAMILY, "B" if bold else "", 10.5)
        pdf.set_xy(MARGIN_MM + label_w, y)
        pdf.multi_cell(width - label_w, h, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
    pdf.ln(3)
    _paragraph(
        pdf,
        f"{data.unit_name} thông báo hồ sơ đề nghị cấp thẻ Căn cước nêu trên "
        "không được giải quyết.",
        width,
    )
    _paragraph(pdf, f"Lý do: {data.reason}", width, bold=True)
    _paragraph(pdf, f"Căn cứ pháp lý: {LEGAL_BASIS.get(data.law, LEGAL_BASIS['2023'])}", width)
    _paragraph(pdf, "Công dân có quyền khiếu nại theo quy định của pháp luật.", width)
    pdf.ln(6)
    half = width / 2
    pdf.set_x(MARGIN_MM + half)
    h = _line_height(pdf, 9.5, bold=True)
    pdf.multi_cell(half, h, "THỦ TRƯỞNG ĐƠN VỊ", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT)
    h = _line_height(pdf, 8)
    pdf.multi_cell(
        half, h, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x=XPos.LEFT, new_y=YPos.NEXT
    )
    pdf.set_y(pdf.get_y() + 16)
    pdf.set_x(MARGIN_MM + half)
    h = _line_height(pdf, 10, bold=True)
    pdf.multi_cell(half, h, data.signer, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _paragraph(pdf: FPDF, text: str, width: float, *, bold: bool = False) -> None:
    h = _line_height(pdf, 10.5, bold=bold)
    pdf.multi_cell(width, h, text, align="J", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
