"""The appointment slip: a one-page A5 PDF in Vietnamese whose text, QR code and fonts survive a
round trip through a PDF reader (pypdf) and a QR decoder (OpenCV). No database."""

from __future__ import annotations

import dataclasses
import datetime
import unicodedata
from io import BytesIO
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from cccd.enrollments.documents.slip import (
    RETURN_AT_OFFICE,
    RETURN_BY_POST,
    SlipData,
    format_fee,
    render_slip,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MM = 72 / 25.4
URL = "https://cccd.example.vn/ho-so/Xk3v9QpL2mN8rT5wYz1aBc"
ADDRESS = "Thôn Đức Lập, xã Đắk Lao, huyện Đắk Mil, tỉnh Đắk Nông"


def slip(**changes: object) -> SlipData:
    data = SlipData(
        dossier_code="663-210305-000123",
        unit_name="Công an huyện Đắk Mil",
        parent_unit_name="Công an tỉnh Đắk Nông",
        place="Trường THPT Đắk Mil",
        full_name="Đặng Thị Thu Hương",
        personal_id="067306001234",
        birth_date="15/03/2006",
        kind="Cấp mới",
        fee=0,
        exemption="",
        received_at=datetime.datetime(2021, 3, 5, 14, 30, tzinfo=HCM),
        return_date=datetime.date(2021, 3, 19),
        return_method=RETURN_AT_OFFICE,
        post_address="",
        return_office="Công an huyện Đắk Mil",
        status_url=URL,
        officer_name="Nguyễn Văn Đức",
        ticket_number="0123",
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in read(pdf).pages)


def squeezed(text: str) -> str:
    """Text without whitespace: wrapping a long value inserts line breaks where spaces were."""
    return "".join(text.split())


def text_lines(pdf: bytes) -> list[tuple[str, float]]:
    """Each piece of text with its baseline height above the bottom of the page, in points."""
    lines: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if text.strip():
            lines.append((text.strip(), tm[5] * cm[3] + cm[5]))

    read(pdf).pages[0].extract_text(visitor_text=visit)
    return lines


def test_the_slip_is_one_a5_portrait_page() -> None:
    pdf = render_slip(slip())
    assert pdf.startswith(b"%PDF-")
    reader = read(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(148 * MM, abs=0.5)
    assert float(box.height) == pytest.approx(210 * MM, abs=0.5)


def test_the_text_comes_back_with_its_vietnamese_letters() -> None:
    text = text_of(render_slip(slip()))
    for expected in (
        "CÔNG AN TỈNH ĐẮK NÔNG",
        "CÔNG AN HUYỆN ĐẮK MIL",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY HẸN TRẢ KẾT QUẢ",
        "Giấy hẹn trả thẻ Căn cước",
        "Mã hồ sơ: 663-210305-000123",
        "Họ và tên: Đặng Thị Thu Hương",
        "Số định danh cá nhân: 067306001234",
        "Ngày sinh: 15/03/2006",
        "Loại thủ tục: Cấp mới",
        "Ngày tiếp nhận: 05/03/2021 14:30",
        "Nơi tiếp nhận: Trường THPT Đắk Mil",
        "Ngày hẹn trả kết quả: 19/03/2021",
        "Mang theo giấy hẹn này khi nhận thẻ.",
        "Cán bộ tiếp nhận",
        "Nguyễn Văn Đức",
        "Số thứ tự: 0123",
    ):
        assert expected in text
    assert unicodedata.is_normalized("NFC", text)


def test_the_parent_unit_is_printed_above_the_unit() -> None:
    heights = dict(text_lines(render_slip(slip())))
    assert heights["CÔNG AN TỈNH ĐẮK NÔNG"] > heights["CÔNG AN HUYỆN ĐẮK MIL"]
    assert heights["GIẤY HẸN TRẢ KẾT QUẢ"] < heights["CÔNG AN HUYỆN ĐẮK MIL"]


def test_a_form_name_passed_in_replaces_the_default() -> None:
    text = text_of(render_slip(slip(form_name="Giấy hẹn trả thẻ Căn cước công dân")))
    assert "Giấy hẹn trả thẻ Căn cước công dân" in text


@pytest.mark.parametrize(
    ("fee", "exemption", "printed"),
    [
        (0, "", "Lệ phí: Miễn phí"),
        (15000, "", "Lệ phí: 15.000 đồng"),
        (1500000, "", "Lệ phí: 1.500.000 đồng"),
        (0, "Hộ nghèo", "Lệ phí: Miễn phí (Hộ nghèo)"),
    ],
)
def test_the_fee_is_printed_in_dong(fee: int, exemption: str, printed: str) -> None:
    assert printed in text_of(render_slip(slip(fee=fee, exemption=exemption)))


def test_an_exemption_wins_over_an_amount() -> None:
    text = text_of(render_slip(slip(fee=15000, exemption="Thân nhân liệt sĩ")))
    assert "Miễn phí (Thân nhân liệt sĩ)" in text
    assert "15.000" not in text


def test_format_fee() -> None:
    assert format_fee(0) == "Miễn phí"
    assert format_fee(30000) == "30.000 đồng"
    assert format_fee(500) == "500 đồng"
    assert format_fee(None) == "Chưa xác định"


def test_by_post_the_postal_address_is_printed() -> None:
    text = text_of(render_slip(slip(return_method=RETURN_BY_POST, post_address=ADDRESS)))
    assert f"Hình thức nhận kết quả: {RETURN_BY_POST}" in text
    assert squeezed(f"Địa chỉ nhận: {ADDRESS}") in squeezed(text)  # it wraps onto two lines
    assert "Nơi nhận kết quả" not in text


def test_at_the_office_the_office_is_printed_and_no_postal_address() -> None:
    text = text_of(render_slip(slip(post_address=ADDRESS)))  # a stale address is ignored
    assert f"Hình thức nhận kết quả: {RETURN_AT_OFFICE}" in text
    assert "Nơi nhận kết quả: Công an huyện Đắk Mil" in text
    assert "Thôn Đức Lập" not in text
    assert "Địa chỉ nhận" not in text


def test_the_status_url_is_printed_and_is_the_qr_code() -> None:
    pdf = render_slip(slip())
    assert f"Tra cứu tình trạng hồ sơ: {URL}" in text_of(pdf)
    images = read(pdf).pages[0].images
    assert len(images) == 1
    pixels = cv2.imdecode(np.frombuffer(images[0].data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert pixels is not None
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(pixels)
    assert decoded == URL


def test_a_long_name_and_address_wrap_and_stay_on_one_page() -> None:
    name = "Nguyễn Thị Hồng Nhung Phương Thảo Ngọc Bích Thanh Tâm Huyền Trang " * 3
    address = ("Số 12, ngõ 34, đường Nguyễn Tất Thành, tổ dân phố Đức Lập, " * 5) + ADDRESS
    pdf = render_slip(
        slip(full_name=name, return_method=RETURN_BY_POST, post_address=address[:300])
    )
    assert len(read(pdf).pages) == 1
    text = squeezed(text_of(pdf))
    assert squeezed(name) in text
    assert squeezed(address[:300]) in text
    assert squeezed(f"Tra cứu tình trạng hồ sơ: {URL}") in text
    bottom_margin = 10 * MM
    lowest = min(height for _, height in text_lines(pdf))
    assert lowest >= bottom_margin - 1  # nothing drawn into the margin or off the page
    page_height = 210 * MM
    assert max(height for _, height in text_lines(pdf)) <= page_height - bottom_margin


def test_a_name_in_nfd_is_printed_in_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Văn Đức")
    assert nfd != "Nguyễn Văn Đức"
    text = text_of(render_slip(slip(full_name=nfd)))
    assert "Họ và tên: Nguyễn Văn Đức" in text
    assert not any(unicodedata.combining(c) for c in text)


def test_the_time_of_receipt_is_vietnam_time() -> None:
    utc = datetime.datetime(2021, 3, 5, 7, 30, tzinfo=datetime.UTC)
    assert "Ngày tiếp nhận: 05/03/2021 14:30" in text_of(render_slip(slip(received_at=utc)))


def test_a_naive_time_of_receipt_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_slip(slip(received_at=datetime.datetime(2021, 3, 5, 14, 30)))  # noqa: DTZ001


def test_a_year_only_birth_date_no_place_and_no_queue_number() -> None:
    text = text_of(render_slip(slip(birth_date="2006", place="", ticket_number="")))
    assert "Ngày sinh: 2006" in text
    assert "Nơi tiếp nhận" not in text
    assert "Số thứ tự" not in text


def test_a_letter_outside_the_fast_fonts_still_prints() -> None:
    """Greek is not in the cut-down fonts; the slip falls back to the full DejaVu Sans."""
    text = text_of(render_slip(slip(return_method=RETURN_BY_POST, post_address="Ωmega Ж")))
    assert "Ωmega Ж" in text


def test_the_fonts_are_embedded_as_small_subsets() -> None:
    pdf = render_slip(slip())
    fonts = read(pdf).pages[0]["/Resources"]["/Font"]
    assert len(fonts) == 2  # regular and bold
    for ref in fonts.values():
        font = ref.get_object()
        assert "DejaVuSans" in font["/BaseFont"]
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        data = descriptor["/FontFile2"].get_object().get_data()
        glyphs = TTFont(BytesIO(data)).getGlyphOrder()
        assert len(glyphs) < 150  # the letters used, not DejaVu's ~6,000
    assert len(pdf) < 40_000


def test_the_same_slip_renders_to_the_same_bytes() -> None:
    """A reprint is identical (the PDF's date is the time of receipt, not of printing)."""
    assert render_slip(slip()) == render_slip(slip())
