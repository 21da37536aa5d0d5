"""What the daily report says: its figures from `cccd.reports.queries.figures` and nothing else
(so every figure is the dashboard's and the API's), worded in Vietnamese as an official paper is,
whatever the user's language. The writers (`xlsx`, `pdf`) only draw it."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.utils import translation

from cccd.campaigns.models import Campaign
from cccd.reports import counters, queries
from cccd.units.models import Unit

MINISTRY_PLACE = "Hà Nội"
_DIVISION_WORDS = (
    "thành phố ",
    "thị trấn ",
    "thị xã ",
    "đặc khu ",
    "tỉnh ",
    "huyện ",
    "quận ",
    "phường ",
    "xã ",
)
MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
TITLE = "BÁO CÁO"
SUBTITLE = "Tiến độ thu nhận hồ sơ cấp Căn cước công dân"
SIGN_LEFT = "NGƯỜI LẬP BÁO CÁO"
SIGN_RIGHT = "THỦ TRƯỞNG ĐƠN VỊ"
CHILD_HEADER = ("Hạng", "Đơn vị", "Chỉ tiêu", "Đã thu nhận", "Tỷ lệ (%)", "Trong ngày")


@dataclass(frozen=True)
class Line:
    """One figure of section I: a label, the number (None: not applicable) and what it counts."""

    label: str
    value: int | float | None
    unit: str = "hồ sơ"


@dataclass(frozen=True)
class ChildLine:
    rank: int
    name: str
    target: int | None
    done: int
    percent: float | None
    today: int


@dataclass
class ReportContent:
    """Everything the report shows, already worded; the renderers only draw it."""

    unit_code: str
    parent_name: str  # "" for the ministry
    unit_name: str
    date_line: str  # "Đắk Mil, ngày 06 tháng 3 năm 2021"
    campaign_name: str
    day: datetime.date
    lines: list[Line]
    progress_note: str  # what the intake figures count (`counters.PROGRESS_NOTE`)
    forecast: str
    children: list[ChildLine]
    by_group: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    remarks: list[str]
    figures: queries.Figures = field(repr=False)

    @property
    def day_line(self) -> str:
        return f"Đợt: {self.campaign_name} — số liệu đến hết ngày {self.day:%d/%m/%Y}"

    @property
    def filename_stem(self) -> str:
        """ASCII-safe and deterministic: `bao-cao-tien-do-663-2021-03-06`."""
        code = "".join(c for c in self.unit_code if c.isascii() and c.isalnum()) or "unit"
        return f"bao-cao-tien-do-{code}-{self.day:%Y-%m-%d}"


def report_content(unit: Unit, campaign: Campaign, day: datetime.date) -> ReportContent:
    """The report of `unit` for `campaign` at the end of `day`, from the dashboard's figures."""
    with translation.override("vi"):
        f = queries.figures(unit, campaign, day)
    parent = unit.parent
    return ReportContent(
        unit_code=unit.code,
        parent_name=_nfc(parent.name) if parent else "",
        unit_name=_nfc(unit.name),
        date_line=date_line(place_of(unit), day),
        campaign_name=_nfc(campaign.name),
        day=day,
        lines=_lines(f),
        progress_note=progress_note(),
        forecast=forecast_sentence(f),
        children=[
            ChildLine(r.rank, _nfc(r.unit.name), r.target, r.done, r.percent, r.today)
            for r in f.children
        ],
        by_group=[(_label(n), c) for n, c in f.by_group],
        by_kind=[(_label(n), c) for n, c in f.by_kind],
        remarks=remarks(f),
        figures=f,
    )


def progress_note() -> str:
    """The sentence under section I saying what its intake figures count, in Vietnamese."""
    with translation.override("vi"):
        return f"Ghi chú: {counters.PROGRESS_NOTE}"


def place_of(unit: Unit) -> str:
    """The place name of the date line: "Đắk Mil" for Công an huyện Đắk Mil."""
    name = _nfc(unit.name)
    if unit.parent is None:
        return MINISTRY_PLACE
    if name.lower().startswith("công an "):
        name = name[len("công an ") :]
    for word in _DIVISION_WORDS:
        if name.lower().startswith(word):
            return name[len(word) :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """Official papers write a day below 10 and the months 1 and 2 with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_number(value: int | float | None) -> str:
    """12.345 and 62,5 as Vietnamese write them; "—" for nothing."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    whole = f"{value:,.1f}"
    return whole.replace(",", " ").replace(".", ",").replace(" ", ".")


def _lines(f: queries.Figures) -> list[Line]:
    return [
        Line("Chỉ tiêu được giao", f.target),
        Line("Thu nhận trong ngày", f.today),
        Line("Thu nhận 7 ngày qua", f.week),
        Line("Thu nhận từ đầu đợt", f.done),
        Line("Tỷ lệ so với chỉ tiêu", f.percent, "%"),
        Line("Đã trả thẻ", f.delivered, "thẻ"),
        Line("Hồ sơ quá hạn trả kết quả", f.overdue),
    ]


def forecast_sentence(f: queries.Figures) -> str:
    """The forecast of the dashboard, as one sentence of the report."""
    forecast, end = f.forecast, f"{f.campaign.end_date:%d/%m/%Y}"
    if forecast.reached:
        return "Đã hoàn thành chỉ tiêu được giao."
    if forecast.remaining is None:
        return "Chưa được giao chỉ tiêu nên chưa có dự báo."
    pace = f"Tốc độ 7 ngày qua: {vn_number(forecast.pace)} hồ sơ/ngày"
    if forecast.reaches_on is None:
        sentence = f"{pace}; với tốc độ này sẽ không hoàn thành chỉ tiêu."
    else:
        late = " (sau thời hạn của đợt)" if forecast.reaches_on > f.campaign.end_date else ""
        sentence = f"{pace}; dự kiến hoàn thành chỉ tiêu ngày {forecast.reaches_on:%d/%m/%Y}{late}."
    if forecast.needed_per_day is not None:
        sentence += (
            f" Để hoàn thành trước ngày {end} cần {vn_number(forecast.needed_per_day)} hồ sơ/ngày."
        )
    return sentence


def time_share(f: queries.Figures) -> float:
    """How much of the campaign has passed at the end of the day, in %: the pace to keep."""
    campaign = f.campaign
    passed = min((f.day - campaign.start_date).days + 1, campaign.days)
    return round(100 * max(passed, 0) / campaign.days, 1)


def remarks(f: queries.Figures) -> list[str]:
    """The sentences of section IV: who is ahead of the campaign's time, who falls behind."""
    share = time_share(f)
    said = [f"Thời gian của đợt đã qua {vn_number(share)} %."]
    ahead = [r for r in f.children if r.percent is not None and r.percent >= share]
    behind = [r for r in f.children if r.percent is not None and r.percent < share]
    if ahead:
        names = ", ".join(f"{_nfc(r.unit.name)} ({vn_number(r.percent)} %)" for r in ahead)
        said.append(f"Đơn vị đạt và vượt tiến độ: {names}.")
    if behind:
        names = ", ".join(f"{_nfc(r.unit.name)} ({vn_number(r.percent)} %)" for r in behind)
        said.append(f"Đơn vị chậm tiến độ, cần tập trung đẩy nhanh: {names}.")
    if f.children and not ahead and not behind:
        said.append("Các đơn vị trực thuộc chưa được giao chỉ tiêu.")
    if f.percent is not None:
        word = "đạt" if f.percent >= share else "chậm so với"
        said.append(f"Toàn đơn vị {word} tiến độ ({vn_number(f.percent)} % chỉ tiêu).")
    if f.overdue:
        said.append(
            f"Có {vn_number(f.overdue)} hồ sơ quá hạn trả kết quả, đề nghị khẩn trương xử lý."
        )
    said += forecast_remark(f)
    return said


def forecast_remark(f: queries.Figures) -> list[str]:
    """What the forecast means for the unit: on time, or the pace it must reach."""
    forecast, end = f.forecast, f"{f.campaign.end_date:%d/%m/%Y}"
    if forecast.reached:
        return ["Đơn vị đã hoàn thành chỉ tiêu được giao."]
    if forecast.remaining is None:
        return []
    if forecast.reaches_on is not None and forecast.reaches_on <= f.campaign.end_date:
        return [f"Với tốc độ hiện nay, đơn vị hoàn thành chỉ tiêu trước thời hạn ({end})."]
    if forecast.needed_per_day is None:
        return [f"Đợt đã kết thúc, còn {vn_number(forecast.remaining)} hồ sơ chưa đạt chỉ tiêu."]
    return [
        f"Với tốc độ hiện nay, đơn vị không hoàn thành chỉ tiêu đúng thời hạn ({end}); cần nâng "
        f"lên {vn_number(forecast.needed_per_day)} hồ sơ/ngày."
    ]


def _label(text: str) -> str:
    """A label of the figures as a line of the report starts: with a capital letter."""
    text = _nfc(text)
    return text[:1].upper() + text[1:]


def _nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())
