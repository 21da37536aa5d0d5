"""A synthetic population register: plausible Vietnamese households, for demos, tests and benchmarks.

No Django here (the benchmarks run it without a database) and no stored list: `generate_people`
streams rows household by household, and the only state that grows is bounded by the number of
distinct keys (ID prefixes, communes, name/birth-year pairs), not by the number of people.

The figures below are our approximations of docs/domain.md#names-and-matching,
docs/domain.md#id-number, docs/domain.md#validity and of public census summaries; the ones not in
docs/domain.md are marked [unverified]. They aim at data that looks and behaves like a commune
register — frequent namesakes, twins, year-only birth dates, migrants from the north in the Central
Highlands — not at statistics anyone should quote.
"""

from __future__ import annotations

import bisect
import calendar
import csv
import dataclasses
import datetime as dt
import functools
import operator
import os
import random
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Final, Generic, TextIO, TypeVar

from cccd.core import idnumber, validity
from cccd.core.idnumber import Sex
from cccd.registry.cards import kind_by_issue_date
from cccd.units.divisions import divisions, province_codes

T = TypeVar("T")

# --- public shapes ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """One person as a line of the register interchange file: every value is text as written."""

    personal_id: str
    full_name: str
    birth_date: str  # dd/mm/yyyy, or yyyy when only the year is known
    sex: str  # "Nam" | "Nữ"
    hometown: str
    permanent_address: str
    father_name: str
    mother_name: str
    household_id: str
    commune_code: str
    relation: str  # head, spouse, child, parent, grandchild, sibling, other
    ethnicity: str
    religion: str
    old_id_number: str  # 9-digit CMND or ""
    card_issue_date: str  # dd/mm/yyyy or ""
    status: str  # alive | dead | emigrated
    # the card held, the death and the residences over time (docs/reach.md)
    card_kind: str  # "" | cmnd | cccd_barcode | cccd_chip | card_2024
    card_number: str  # the personal ID for a CCCD or 2024 card, the CMND's number, or ""
    died_on: str  # dd/mm/yyyy or "" (dead without a known date, or not dead)
    residence_since: str  # dd/mm/yyyy, or "" when the person has always lived here
    previous_commune_code: str  # where a household that moved lived before, or ""
    previous_address: str
    temporary_commune_code: str  # a temporary residence elsewhere, or ""
    temporary_address: str
    temporary_from: str
    temporary_until: str  # "" while it is in force


CSV_COLUMNS: Final[tuple[str, ...]] = tuple(f.name for f in fields(RegisterRow))
"""Header of the file: the interchange columns (personal_id … household_id), then the extras."""

RELATIONS: Final = ("head", "spouse", "child", "parent", "grandchild", "sibling", "other")
STATUSES: Final = ("alive", "dead", "emigrated")


@dataclass(frozen=True, slots=True)
class Commune:
    """A legacy-scheme commune people can live in; names carry their type ("Xã …", "Huyện …")."""

    code: str
    name: str
    district_name: str
    province_name: str
    province_code_2digit: str

    @property
    def id_province_code(self) -> str:
        """The PPP of personal IDs registered here: the legacy code zero-padded to three digits."""
        return self.province_code_2digit.zfill(3)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.district_name}, {self.province_name}"


# --- rates and rules (one place each) -----------------------------------------------------------

TWIN_RATE: Final = 0.01
"""Share of births that are twins (docs/domain.md#names-and-matching says twins exist; the rate is
[unverified])."""

NAMESAKE_COPY_RATE: Final = 0.001
"""Share of people who take the full name and birth date of someone of the same sex, birth year,
ethnic group and residence province in another household (of the same family line, for children).
Each copy makes a pair, so about 0.2 % of people have a same-day namesake
(docs/domain.md#names-and-matching: namesakes born the same day in the same province exist); chance
namesakes come on top."""

YEAR_ONLY_RATE: Final = 0.15
YEAR_ONLY_BEFORE: Final = 1960
"""Share of people born before 1960 whose register entry holds the year alone [unverified]."""

NEW_TONE_PLACEMENT_RATE: Final = 0.3
"""Share of names written with the tone on the second vowel (Hoà, Thuỷ) rather than Hòa, Thủy."""

UNKNOWN_PARENTS_RATE: Final = 0.1
UNKNOWN_PARENTS_BEFORE: Final = 1950
"""Share of people born before 1950 whose parents' names the register leaves blank [unverified]."""

DEATH_RATE_ELDERLY: Final = 0.18  # aged 70+, never the head of the household
DEATH_RATE_OTHERS: Final = 0.005
EMIGRATION_RATE: Final = 0.018  # aged 18–45, never the head
"""Together about 1 % dead and 0.5 % emigrated, kept in the register with their status."""

CARD_LAW_START: Final = dt.date(2016, 1, 1)
CARD_MINIMUM_AGE: Final = 14
"""Cards (CCCD) from 2016 at age 14 or more (docs/domain.md#validity, law 2014)."""
_CARD_START_ORDINAL: Final = CARD_LAW_START.toordinal()

MOVER_RATE: Final = 0.02
"""Share of households that moved to their address within `MOVE_YEARS` of the reference date, from
another commune of the register's area (or another village of their own), each member born before
the move carrying the previous residence [unverified share]."""
MOVE_YEARS: Final = 6
TEMPORARY_RATE: Final = 0.045
TEMPORARY_AGES: Final = (15, 60)
"""Share of living people of these ages with a temporary residence in another commune of the area —
about 3 % of everyone (students, workers) [unverified]; 40 % of them still in force."""
DEATH_DATE_KNOWN: Final = 0.9
"""Share of the dead whose date of death the register holds; the others count as dead always."""

CMND_RATE_BEFORE_CCCD: Final = 0.85  # had turned 14 before cards existed
CMND_RATE_AFTER: Final = 0.25  # CMND went on being issued in places until 2021 [unverified]
CARD_RATE_WITH_CMND: Final = 0.65
CARD_RATE_WITHOUT_CMND: Final = 0.85

MAX_AGE: Final = 96
HIGHLANDS: Final = frozenset({"62", "64", "66", "67", "68"})
"""Central Highlands provinces (Kon Tum, Gia Lai, Đắk Lắk, Đắk Nông, Lâm Đồng): settled by migrants
from the north and centre from 1976 on, so older adults were often registered at birth elsewhere."""

# --- weighted tables ----------------------------------------------------------------------------


class _Table(Generic[T]):
    """Values with relative weights, drawn with one `random()` and a bisect (fast for big runs)."""

    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        values: list[T] = []
        cum: list[float] = []
        total = 0.0
        for value, weight in weighted:
            if weight > 0:
                total += weight
                values.append(value)
                cum.append(total)
        if not values:
            raise ValueError("a weighted table needs at least one positive weight")
        self._values, self._cum, self._total = tuple(values), cum, total

    def pick(self, rng: random.Random) -> T:
        return self._values[bisect.bisect_right(self._cum, rng.random() * self._total)]

    def items(self) -> list[tuple[T, float]]:
        """(value, weight) pairs, as given (weights of zero left out)."""
        weights = [b - a for a, b in zip([0.0, *self._cum], self._cum, strict=False)]
        return list(zip(self._values, weights, strict=True))


def _eras(rows: Iterable[tuple[str, float, float]]) -> tuple[_Table[str], _Table[str], _Table[str]]:
    """Three tables from (value, weight for people born before 1975, weight from 1995)."""
    rows = list(rows)
    return (
        _Table((v, old) for v, old, _new in rows),
        _Table((v, (old + new) / 2) for v, old, new in rows),
        _Table((v, new) for v, _old, new in rows),
    )


def _era(birth_year: int) -> int:
    return 0 if birth_year < 1975 else 1 if birth_year < 1995 else 2


# --- names --------------------------------------------------------------------------------------

_KINH_FAMILIES: Final = _Table(
    [
        # docs/domain.md#names-and-matching: Nguyễn ≈ 38 %, Trần ≈ 11 %, Lê ≈ 9.5 %, Phạm ≈ 7 %; the
        # rest [unverified].
        ("Nguyễn", 38.0), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 3.1),
        ("Huỳnh", 1.9), ("Phan", 4.4), ("Vũ", 2.1), ("Võ", 1.8), ("Đặng", 2.1), ("Bùi", 2.0),
        ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5), ("Đinh", 0.9),
        ("Trương", 0.9), ("Mai", 0.6), ("Trịnh", 0.7), ("Đoàn", 0.7), ("Lâm", 0.5),
        ("Lương", 0.6), ("Cao", 0.6), ("Hà", 0.6), ("Tạ", 0.3), ("Chu", 0.3), ("Tô", 0.3),
        ("La", 0.2), ("Kiều", 0.2), ("Quách", 0.2), ("Thái", 0.2), ("Lại", 0.3), ("Lưu", 0.4),
        ("Phùng", 0.4), ("Vương", 0.3), ("Châu", 0.3), ("Tăng", 0.2), ("Triệu", 0.2),
        ("Đàm", 0.2), ("Giang", 0.2), ("Nghiêm", 0.1), ("Khúc", 0.1), ("Doãn", 0.1),
        ("Mạc", 0.1), ("Âu", 0.1),
    ]
)  # fmt: skip

_MIDDLE_M: Final = _eras(
    [
        ("Văn", 58, 18), ("Đức", 6, 8), ("Minh", 4, 11), ("Hữu", 5, 4), ("Quốc", 3, 6),
        ("Thanh", 4, 3), ("Xuân", 3, 2), ("Công", 4, 3), ("Ngọc", 3, 2), ("Bảo", 0.3, 4),
        ("Gia", 0.2, 6), ("Hoàng", 1, 5), ("Trọng", 2, 3), ("Anh", 1, 4), ("Đình", 4, 2),
        ("Duy", 1, 3), ("Tiến", 1, 2), ("Quang", 2, 3), ("Thành", 2, 2), ("Tuấn", 1, 3),
        ("Nhật", 0.2, 4), ("Khánh", 0.2, 2), ("Đăng", 0.3, 2), ("Hoàng Gia", 0, 0.8),
        ("Đức Minh", 0.1, 1), ("Văn Minh", 0.5, 0.2), ("", 1, 2),
    ]
)  # fmt: skip

_MIDDLE_F: Final = _eras(
    [
        ("Thị", 72, 22), ("Thị Thu", 3, 1), ("Thị Ngọc", 2, 1), ("Thị Thanh", 2, 1),
        ("Thị Kim", 2, 0.5), ("Thị Hồng", 2, 0.5), ("Thị Mỹ", 1, 1), ("Thị Thùy", 1, 1),
        ("Ngọc", 3, 8), ("Thu", 3, 5), ("Thanh", 3, 5), ("Kim", 2, 3), ("Xuân", 2, 2),
        ("Hồng", 2, 3), ("Bảo", 0.2, 5), ("Gia", 0.1, 3), ("Khánh", 0.5, 4), ("Phương", 1, 4),
        ("Minh", 0.5, 4), ("Mỹ", 1, 3), ("Thùy", 1, 4), ("Hoài", 1, 2), ("Diệu", 0.5, 2),
        ("Ngọc Bảo", 0, 0.8), ("", 1, 2),
    ]
)  # fmt: skip

_GIVEN_M: Final = _eras(
    [
        ("Hùng", 5, 2), ("Dũng", 5, 2), ("Tuấn", 5, 4), ("Nam", 4, 4), ("Sơn", 5, 2), ("Hải", 5, 3),
        ("Thắng", 4, 2), ("Cường", 4, 2), ("Minh", 4, 5), ("Đức", 4, 4), ("Anh", 3, 7),
        ("Huy", 2, 6), ("Long", 3, 4), ("Quang", 3, 3), ("Hoàng", 2, 4), ("Trung", 4, 3),
        ("Phong", 2, 3), ("Bình", 5, 2), ("Hiếu", 2, 4), ("Khánh", 2, 4), ("Tùng", 3, 3),
        ("Thành", 5, 3), ("Tài", 3, 2), ("Lâm", 2, 3), ("Phúc", 1, 4), ("Bảo", 1, 5),
        ("Khoa", 1, 4), ("Kiên", 2, 3), ("Hưng", 4, 3), ("Việt", 2, 3), ("Toàn", 3, 2),
        ("Thịnh", 2, 3), ("Quân", 1, 5), ("Duy", 1, 4), ("Hòa", 3, 1), ("Tâm", 3, 2), ("Tú", 2, 3),
        ("Vinh", 3, 2), ("Lộc", 2, 3), ("Nhân", 2, 3), ("Đạt", 1, 5), ("Khang", 0.2, 4),
        ("Đăng", 0.5, 3), ("Khôi", 0.3, 4), ("Phát", 1, 3), ("Nghĩa", 3, 2), ("Thuận", 3, 1),
        ("Tiến", 3, 2), ("Hậu", 2, 2), ("Thọ", 3, 0.5), ("Xuân", 3, 1), ("Chiến", 3, 1),
        ("Thanh", 4, 1), ("Hiệp", 2, 1), ("Vũ", 1, 3), ("Kiệt", 0.3, 3), ("Nguyên", 1, 3),
        ("Lợi", 3, 1), ("Quý", 2, 2),
    ]
)  # fmt: skip

_GIVEN_F: Final = _eras(
    [
        ("Hương", 6, 3), ("Lan", 6, 1.5), ("Hoa", 6, 1), ("Mai", 5, 2), ("Linh", 2, 6),
        ("Anh", 2, 6), ("Thảo", 3, 5), ("Trang", 3, 6), ("Hà", 5, 4), ("Phương", 3, 4),
        ("Ngọc", 2, 3), ("Tâm", 2, 2), ("Thủy", 6, 2), ("Thúy", 4, 2), ("Vy", 0.2, 5),
        ("Vi", 0.2, 2), ("Hằng", 5, 3), ("Huyền", 4, 4), ("Nga", 6, 2), ("Nhung", 5, 2),
        ("Oanh", 4, 1), ("Yến", 4, 2), ("Loan", 4, 1), ("Hạnh", 5, 2), ("Hiền", 4, 3),
        ("Dung", 5, 2), ("Hồng", 5, 1), ("Liên", 4, 1), ("Nhi", 0.5, 5), ("Ngân", 1, 4),
        ("Quỳnh", 2, 4), ("Trâm", 1, 3), ("Uyên", 0.5, 4), ("Hòa", 3, 0.5), ("Thư", 0.5, 4),
        ("My", 0.3, 4), ("Giang", 2, 4), ("Thu", 4, 1), ("Chi", 1, 4), ("Xuân", 4, 1),
        ("Lý", 3, 0.5), ("Tuyết", 4, 1), ("Duyên", 2, 3), ("Châu", 1, 3), ("Lệ", 3, 0.5),
        ("Nhàn", 3, 0.5), ("Thơm", 3, 0.2), ("Mến", 3, 0.2), ("Diệp", 1, 2), ("An", 1, 4),
        ("Như", 1, 3), ("Hân", 0.2, 4), ("Ánh", 2, 2), ("Nguyệt", 3, 1), ("Tuyền", 2, 2),
        ("Thùy", 1, 1),
    ]
)  # fmt: skip

TONE_VARIANTS: Final = {"Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý", "Thùy": "Thuỳ"}
"""Names whose tone sits on the first vowel (old placement) → the same name, second vowel (new).
docs/domain.md#names-and-matching: both are the same name; registers hold both, so the generator
writes both."""

# Names of ethnic groups whose naming differs from the Kinh pattern. Plausible, not exhaustive.
_HMONG_FAMILIES: Final = _Table(
    [("Giàng", 5), ("Sùng", 4), ("Vàng", 4), ("Hầu", 2), ("Thào", 3), ("Lý", 3), ("Mùa", 2),
     ("Lầu", 2), ("Vừ", 2), ("Hờ", 1)]
)  # fmt: skip
_HMONG_MIDDLE_M: Final = _Table([("A", 6), ("Seo", 2), ("Văn", 2)])
_HMONG_MIDDLE_F: Final = _Table([("Thị", 8), ("Mỷ", 1), ("", 1)])
_HMONG_GIVEN_M: Final = _Table(
    [(n, 1) for n in ("Páo", "Sính", "Chứ", "Dế", "Lử", "Tủa", "Pó", "Sếnh", "Chá", "Dình")]
)
_HMONG_GIVEN_F: Final = _Table(
    [(n, 1) for n in ("Mỷ", "Dợ", "Máy", "Sua", "Pà", "Dính", "Mai", "Súa", "Chở", "Xía")]
)
_EDE_CLANS: Final = _Table(
    [("Niê", 5), ("Mlô", 3), ("Êban", 3), ("Ayŭn", 2), ("Byă", 2), ("Ksơr", 2), ("Adrơng", 1),
     ("Hwing", 1), ("Kbuôr", 1), ("Buôn Yă", 1)]
)  # fmt: skip
_EDE_GIVEN_M: Final = _Table(
    [(n, 1) for n in ("Bih", "Ngông", "Thông", "Khăm", "Blô", "Jôn", "Đhin", "Kuăn", "Sơn", "Phi")]
)
_EDE_GIVEN_F: Final = _Table(
    [(n, 1) for n in ("Hen", "Bia", "Nga", "Nhi", "Liên", "Duen", "Ruôn", "Rin", "Xíu", "Lan")]
)
_MNONG_GIVEN_M: Final = _Table(
    [(n, 1) for n in ("Kré", "Đăm", "Brơi", "K'Lưm", "Xiêm", "Khơn", "Đroi", "Brệt", "Sơn", "Bình",
                      "Nam", "Dũng", "Ngọc", "Điệp")]
)  # fmt: skip
_MNONG_GIVEN_F: Final = _Table(
    [(n, 1) for n in ("Dung", "Blai", "Hưng", "Mai", "Nguyệt", "Lan", "Srai", "Thanh", "Hoa",
                      "Ngân", "Hiền", "Bơ")]
)  # fmt: skip

# --- concentration ------------------------------------------------------------------------------

CONCENTRATIONS: Final = ("default", "vietnam")
"""Profiles of `generate_people`. ``default``: the ethnic mix of each province, the full pools of
given names. ``vietnam``: a register as concentrated as the country's, for the linkage benchmark
(where candidate pairs explode): everyone named in the Kinh way, Nguyễn 38 % in every district,
each district dominated by two more family names of its own (`LOCAL_FAMILY_SHARES`), and given
names from the `CONCENTRATED_GIVEN_NAMES` most common of each sex and era."""

NGUYEN_SHARE: Final = 38.0
LOCAL_FAMILY_SHARES: Final = (18.0, 10.0)
"""``vietnam``: percent of a district's people bearing its first and second local family name
(drawn per district among the twelve commonest after Nguyễn), on top of Nguyễn's 38 %; the other
34 % share the rest of the national table. Villages of one lineage are common [unverified shares]."""
CONCENTRATED_GIVEN_NAMES: Final = 30
"""``vietnam``: given names per sex and era (the commonest of the default pools, same weights)."""


def _top(tables: tuple[_Table[str], ...], keep: int) -> tuple[_Table[str], ...]:
    return tuple(
        _Table(sorted(table.items(), key=lambda item: -item[1])[:keep]) for table in tables
    )


_CONCENTRATED_GIVEN_M: Final = _top(_GIVEN_M, CONCENTRATED_GIVEN_NAMES)
_CONCENTRATED_GIVEN_F: Final = _top(_GIVEN_F, CONCENTRATED_GIVEN_NAMES)


def _district_families(district: str) -> _Table[str]:
    """``vietnam``: the family names of one district, Nguyễn and two local ones dominant.

    The local names depend on the district's name alone (not the seed), so every register of the
    profile has the same geography of names.
    """
    others = [(name, w) for name, w in _KINH_FAMILIES.items() if name != "Nguyễn"]
    local = random.Random(f"families {district}")  # noqa: S311 (synthetic data)
    dominant = local.sample([name for name, _w in others[:12]], len(LOCAL_FAMILY_SHARES))
    rest = [(name, w) for name, w in others if name not in dominant]
    scale = (100.0 - NGUYEN_SHARE - sum(LOCAL_FAMILY_SHARES)) / sum(w for _n, w in rest)
    return _Table(
        [
            ("Nguyễn", NGUYEN_SHARE),
            *zip(dominant, LOCAL_FAMILY_SHARES, strict=True),
            *((name, w * scale) for name, w in rest),
        ]
    )


# --- ethnic groups ------------------------------------------------------------------------------

_RELIGIONS_KINH: Final = _Table(
    [("Không", 80), ("Phật giáo", 10), ("Công giáo", 7), ("Tin lành", 1), ("Cao Đài", 1.5)]
)
_RELIGIONS_HIGHLANDS: Final = _Table([("Không", 50), ("Tin lành", 35), ("Công giáo", 15)])
_RELIGIONS_NORTHERN: Final = _Table(
    [("Không", 88), ("Tin lành", 6), ("Công giáo", 3), ("Phật giáo", 3)]
)
_RELIGIONS_HMONG: Final = _Table([("Không", 55), ("Tin lành", 45)])

_KINH_SOURCES: Final = _Table(
    [("034", 18), ("036", 10), ("042", 8), ("040", 10), ("038", 10), ("051", 10), ("049", 8),
     ("030", 5), ("033", 4), ("052", 6), ("035", 4), ("037", 3), ("001", 2), ("044", 3),
     ("045", 2), ("066", 4), ("079", 2)]
)  # fmt: skip
"""Birth provinces of Kinh settlers of the Central Highlands: Thái Bình, Nam Định, Hà Tĩnh, Nghệ
An, Thanh Hóa, Quảng Ngãi, Quảng Nam, … (the provinces the settlement history names; weights [unverified])."""


@dataclass(frozen=True)
class _Ethnicity:
    name: str
    # "viet": family, middle, given | "hmong": the same with Mông names (Giàng A Páo)
    # "ede": Y/H' given clan (Y Bih Mlô, H'Hen Niê) | "mnong": no family name (Điểu Kré, Thị Dung)
    style: str
    families: _Table[str] | None
    religions: _Table[str]
    sources: _Table[str] | None = None  # birth provinces of those who settled in the Highlands
    highland_native: bool = False


def _viet(
    name: str, families: _Table[str], religions: _Table[str], sources: _Table[str]
) -> _Ethnicity:
    return _Ethnicity(name, "viet", families, religions, sources)


ETHNICITIES: Final = {
    e.name: e
    for e in (
        _Ethnicity("Kinh", "viet", _KINH_FAMILIES, _RELIGIONS_KINH, _KINH_SOURCES),
        _Ethnicity("M'Nông", "mnong", None, _RELIGIONS_HIGHLANDS, highland_native=True),
        _Ethnicity("Ê Đê", "ede", _EDE_CLANS, _RELIGIONS_HIGHLANDS, highland_native=True),
        _Ethnicity(
            "Ba Na", "viet", _Table([("Đinh", 8), ("Hồ", 1), ("Nguyễn", 1)]),
            _RELIGIONS_HIGHLANDS, highland_native=True,
        ),
        _viet(
            "Tày",
            _Table([("Nông", 4), ("Hoàng", 4), ("Hà", 2), ("Lục", 1), ("Ma", 1), ("Lăng", 1),
                    ("Đàm", 1), ("Bế", 1), ("Lý", 1), ("Triệu", 1), ("Nguyễn", 2)]),
            _RELIGIONS_NORTHERN,
            _Table([("004", 40), ("020", 35), ("006", 15), ("008", 10)]),
        ),
        _viet(
            "Nùng",
            _Table([("Nông", 3), ("Hoàng", 4), ("Lương", 2), ("Lý", 2), ("Vi", 1), ("Mã", 1),
                    ("Chu", 1), ("Lăng", 1), ("Hứa", 1), ("Lục", 1)]),
            _RELIGIONS_NORTHERN,
            _Table([("004", 40), ("020", 50), ("024", 10)]),
        ),
        _Ethnicity(
            "Mông", "hmong", _HMONG_FAMILIES, _RELIGIONS_HMONG,
            _Table([("002", 40), ("004", 30), ("010", 20), ("011", 10)]),
        ),
        _viet(
            "Dao",
            _Table([("Triệu", 4), ("Bàn", 3), ("Lý", 2), ("Đặng", 2), ("Chảo", 1)]),
            _RELIGIONS_NORTHERN,
            _Table([("004", 40), ("002", 20), ("008", 20), ("020", 20)]),
        ),
        _viet(
            "Thái",
            _Table([("Lò", 3), ("Lường", 2), ("Quàng", 2), ("Cầm", 2), ("Vi", 2), ("Hà", 2),
                    ("Lê", 1), ("Lừ", 1)]),
            _RELIGIONS_NORTHERN,
            _Table([("014", 40), ("040", 30), ("038", 20), ("011", 10)]),
        ),
        _viet(
            "Mường",
            _Table([("Bùi", 5), ("Đinh", 3), ("Quách", 2), ("Hà", 2), ("Xa", 1), ("Trương", 1)]),
            _RELIGIONS_NORTHERN,
            _Table([("017", 60), ("038", 30), ("025", 10)]),
        ),
    )
}  # fmt: skip

ETHNIC_MIX: Final[dict[str, _Table[str]]] = {
    # Đắk Nông: Kinh about two thirds, M'Nông the largest native group, Tày, Nùng, Mông, Dao who
    # came from the northern mountains [unverified shares].
    "67": _Table(
        [("Kinh", 70), ("M'Nông", 9), ("Tày", 5), ("Nùng", 5), ("Mông", 4), ("Dao", 2.5),
         ("Ê Đê", 1.5), ("Thái", 1.5), ("Mường", 1.5)]
    ),
    "66": _Table(
        [("Kinh", 66), ("Ê Đê", 17), ("M'Nông", 2), ("Tày", 4), ("Nùng", 4), ("Mông", 2),
         ("Thái", 2), ("Mường", 2), ("Dao", 1)]
    ),
    "52": _Table([("Kinh", 98.5), ("Ba Na", 1.5)]),
    "04": _Table([("Tày", 40), ("Nùng", 30), ("Mông", 10), ("Dao", 10), ("Kinh", 10)]),
}  # fmt: skip
"""Ethnic groups by residence province (legacy code); provinces not listed are all Kinh here."""
_ALL_KINH: Final = _Table([("Kinh", 1.0)])

MIGRANT_SHARE_KINH_HIGHLANDS: Final = 0.6
MIGRANT_SHARE_NORTHERN_HIGHLANDS: Final = 0.85
MIGRANT_SHARE_ELSEWHERE: Final = 0.05
MIGRANTS_BORN_BEFORE: Final = 1990
"""The synthetic migration rule: in the Highlands most adults born before ~1990 (Kinh) were
registered at birth in the north or centre; northern minorities (Tày, Nùng, Mông …) nearly all.
Elsewhere a few adults come from any other province. Shares [unverified]."""

# --- households ---------------------------------------------------------------------------------

_KINDS: Final = _Table(
    [("nuclear", 55), ("single_parent", 6), ("three_up", 9), ("three_down", 9),
     ("couple_young", 3), ("couple_old", 8), ("single_old", 5), ("single_adult", 5)]
)  # fmt: skip
"""Household kinds [unverified shares], tuned so the ages come out like Vietnam's 2019 census
pyramid (about 23 % under 15, 9 % aged 65+; 2019: 24 % and 8 %) with about 3.3 people a
household (2019: 3.5)."""

_MOTHER_AGE: Final = _Table(
    [
        (a, 0.4 if a < 24 else 1.0 if a <= 34 else 1.15 if a <= 48 else 0.7 if a <= 54 else 0.4)
        for a in range(20, 59)
    ]
)
_SPOUSE_GAP: Final = _Table([(-3, 1), (-2, 2), (-1, 4), (0, 8), (1, 9), (2, 9), (3, 8), (4, 6),
                             (5, 5), (6, 3), (7, 2), (8, 1), (10, 1)])  # fmt: skip
"""Husband's age minus wife's."""
_FIRST_BIRTH_AGE: Final = _Table(
    [(19, 3), (20, 5), (21, 7), (22, 9), (23, 10), (24, 10), (25, 9), (26, 8), (27, 7), (28, 5),
     (29, 4), (30, 3), (31, 2), (32, 2), (33, 1)]
)  # fmt: skip
"""The mother's age at her first child."""
_BIRTH_GAP: Final = _Table([(2, 4), (3, 5), (4, 4), (5, 3), (6, 2), (7, 1), (9, 1)])
_CHILDREN_BY_COHORT: Final = (
    (1970, _Table([(0, 2), (1, 15), (2, 38), (3, 27), (4, 18)])),
    (1985, _Table([(0, 3), (1, 20), (2, 47), (3, 21), (4, 9)])),
    (9999, _Table([(0, 2), (1, 20), (2, 50), (3, 21), (4, 7)])),
)
"""Children ever born, by the mother's birth year (fewer for younger cohorts) [unverified]."""
_OLD_AGE: Final = _Table(
    [
        (a, 1.0 if a < 70 else 0.5 if a < 75 else 0.25 if a < 85 else 0.06)
        for a in range(55, MAX_AGE + 1)
    ]
)
"""Age of the wife in an older couple whose children have left."""
_ALONE_AGE: Final = _Table(
    [(a, 1.0 if a < 75 else 0.5 if a < 85 else 0.15) for a in range(60, MAX_AGE + 1)]
)
_ADULT_AGE: Final = _Table([(a, 1.0) for a in range(19, 60)])
_GRANDMOTHER_AGE: Final = _Table(
    [(a, 1.0 if a < 72 else 0.5 if a < 80 else 0.2) for a in range(50, 87)]
)
"""Age of the wife of the head in a household of three generations with grandchildren."""


def _stays_home(age: int, rng: random.Random) -> bool:
    """Whether a grown child still lives in the parents' household (most leave by 30)."""
    if age < 18:
        return True
    share = 0.7 if age <= 22 else 0.4 if age <= 27 else 0.25 if age <= 32 else 0.1
    return rng.random() < share


# --- the administrative tree --------------------------------------------------------------------


@dataclass(frozen=True)
class _Tree:
    by_district: dict[str, tuple[Commune, ...]]
    by_province: dict[str, tuple[Commune, ...]]
    labels_by_province: dict[str, tuple[str, ...]]


@functools.cache
def _tree() -> _Tree:
    """The legacy tree of all 63 provinces, read once (0.1 s, a few MB) for hometowns anywhere."""
    provinces: dict[str, str] = {}
    districts: dict[str, tuple[str, str]] = {}
    by_district: dict[str, list[Commune]] = {}
    by_province: dict[str, list[Commune]] = {}
    for division in divisions("legacy", province_codes("legacy")):
        if division.level == "province":
            provinces[division.code] = division.name
            by_province[division.code] = []
        elif division.level == "district":
            districts[division.code] = (division.name, division.parent_code or "")
            by_district[division.code] = []
        else:
            district_code = division.parent_code or ""
            district_name, province = districts[district_code]
            commune = Commune(
                division.code, division.name, district_name, provinces[province], province
            )
            by_district[district_code].append(commune)
            by_province[province].append(commune)
    return _Tree(
        {code: tuple(items) for code, items in by_district.items()},
        {code: tuple(items) for code, items in by_province.items()},
        {code: tuple(c.label for c in items) for code, items in by_province.items()},
    )


def communes_for_districts(district_codes: Iterable[str]) -> list[Commune]:
    """The communes of legacy districts (3-digit codes, e.g. "663" for Đắk Mil), in code order.

    Raises:
        ValueError: a code is not a legacy district.
    """
    tree = _tree()
    result: list[Commune] = []
    for code in district_codes:
        if code not in tree.by_district:
            raise ValueError(f"{code!r} is not a legacy district code")
        result.extend(tree.by_district[code])
    return result


def communes_for_provinces(province_codes: Iterable[str]) -> list[Commune]:
    """The communes of legacy provinces, by 2-digit code ("67") or the ID's 3-digit one ("067").

    Raises:
        ValueError: a code is not one of the 63 legacy provinces.
    """
    tree = _tree()
    result: list[Commune] = []
    for code in province_codes:
        short = code[1:] if len(code) == 3 and code.startswith("0") else code
        if short not in tree.by_province:
            raise ValueError(f"{code!r} is not a legacy province code")
        result.extend(tree.by_province[short])
    return result


# --- unique numbers in flat memory --------------------------------------------------------------


def _mix(value: int, key: int) -> int:
    value = ((value ^ key) * 0x9E3779B1) & 0xFFFFFFFF
    value ^= value >> 15
    value = (value * 0x85EBCA6B) & 0xFFFFFFFF
    return value ^ (value >> 13)


class _Serials:
    """Distinct, random-looking serials of ``digits`` digits per prefix, in memory O(prefixes).

    The n-th serial of a prefix is a keyed Feistel permutation of (offset(prefix) + n) mod 10^digits:
    a bijection, so serials of one prefix never repeat until all 10^digits are used, and no set of
    the numbers handed out is kept.
    """

    def __init__(self, rng: random.Random, digits: int) -> None:
        self._digits = digits
        self._size = 10**digits
        self._a, self._b = 10 ** (digits // 2), 10 ** (digits - digits // 2)
        self._keys = tuple(rng.getrandbits(32) for _ in range(4))
        self._offset_key = rng.getrandbits(32)
        self._state: dict[str, list[int]] = {}  # prefix → [serials handed out, offset]

    def take(self, prefix: str) -> str:
        state = self._state.get(prefix)
        if state is None:
            state = self._state[prefix] = [0, zlib.crc32(prefix.encode(), self._offset_key)]
        n = state[0]
        if n >= self._size:
            raise OverflowError(f"all {self._size} serials after {prefix!r} are used")
        state[0] = n + 1
        x = (state[1] + n) % self._size
        a, b = self._a, self._b
        for key in self._keys:  # each round maps [0, a·b) onto itself one to one
            left, right = divmod(x, b)
            x = right * a + (left + _mix(right, key)) % a
            a, b = b, a
        return f"{x:0{self._digits}d}"


# --- the generator ------------------------------------------------------------------------------


class _Person:
    """A member of a household being built; becomes a `RegisterRow` once the household is done."""

    __slots__ = (
        "birth_province",
        "born",
        "eth",
        "father_name",
        "hometown",
        "lineage",
        "mother_name",
        "name",
        "relation",
        "sex",
        "twin",
        "year_only",
    )

    def __init__(
        self, name: str, lineage: str, sex: Sex, born: dt.date, relation: str, eth: str
    ) -> None:
        self.name, self.lineage, self.sex, self.born = name, lineage, sex, born
        self.relation, self.eth = relation, eth
        self.year_only = self.twin = False
        self.birth_province = self.hometown = self.father_name = self.mother_name = ""


@dataclass
class _Home:
    """What one household shares: where it lives, its ethnic group, and where it came from."""

    commune: Commune
    eth: _Ethnicity
    number: int
    moved_in: int = 0  # the year a migrant head's family arrived; 0 for natives
    origin: str = ""  # their birth province (3-digit ID code)
    origin_label: str = ""  # their hometown there
    families: _Table[str] | None = None  # the district's family names (``vietnam`` profile)


class _Generator:
    """The state of one `generate_people` run: the seeded RNG and the bounded bookkeeping."""

    def __init__(
        self,
        seed: int,
        communes: Sequence[Commune],
        reference_date: dt.date,
        concentration: str = "default",
    ) -> None:
        self.concentrated = concentration == "vietnam"
        self.district_families: dict[str, _Table[str]] = {}
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible by design)
        # A second stream for what reach added (docs/reach.md): the rows the first stream made
        # before stay the same for the same seed, so the benches' and the model's data do too.
        self.reach = random.Random(f"reach {seed}")  # noqa: S311
        self.commune_list = tuple(communes)
        self.year = reference_date.year
        self.reference_ordinal = reference_date.toordinal()
        self.labels = _tree().labels_by_province
        self.communes = _Table(
            (c, (0.5 + self.rng.random()) * (1.0 if c.name.startswith("Xã") else 1.5))
            for c in communes
        )
        self.ids = _Serials(self.rng, 6)
        self.old_ids = _Serials(self.rng, 9)
        self.household_serials = _Serials(self.rng, 6)
        # (province, ethnicity, sex, birth year, line or None) → the latest such person:
        # (name, birth date, year only, household number, line)
        self.namesakes: dict[
            tuple[str, str, Sex, int, str | None], tuple[str, dt.date, bool, int, str]
        ] = {}
        self.household_count = 0
        self.prefixes: dict[tuple[str, Sex, int], str] = {}

    # --- people

    def birth_date(self, year: int) -> dt.date:
        first = dt.date(year, 1, 1).toordinal()
        last = min(first + (365 if calendar.isleap(year) else 364), self.reference_ordinal)
        return dt.date.fromordinal(first + self.rng.randrange(last - first + 1))

    def name(
        self,
        eth: _Ethnicity,
        sex: Sex,
        year: int,
        lineage: str | None,
        families: _Table[str] | None = None,
    ) -> tuple[str, str]:
        """A full name, and the part children inherit (the family name, or an Ê Đê clan).

        ``families``: the district's family names (the ``vietnam`` profile), else the group's.
        """
        rng = self.rng
        if eth.style == "mnong":  # no family name: "Điểu Kré", "Thị Dung"
            if sex == "M":
                return f"{'Điểu' if rng.random() < 0.75 else 'Y'} {_MNONG_GIVEN_M.pick(rng)}", ""
            prefix = "Thị" if rng.random() < 0.85 else "Điểu Thị"
            return f"{prefix} {_MNONG_GIVEN_F.pick(rng)}", ""
        family = lineage or (families or eth.families or _KINH_FAMILIES).pick(rng)
        if eth.style == "ede":  # the clan comes last and passes from the mother: "H'Hen Niê"
            if sex == "M":
                return f"Y {_EDE_GIVEN_M.pick(rng)} {family}", family
            return f"H'{_EDE_GIVEN_F.pick(rng)} {family}", family
        if eth.style == "hmong":
            middle = (_HMONG_MIDDLE_M if sex == "M" else _HMONG_MIDDLE_F).pick(rng)
            given = (_HMONG_GIVEN_M if sex == "M" else _HMONG_GIVEN_F).pick(rng)
        else:
            era = _era(year)
            middle = (_MIDDLE_M if sex == "M" else _MIDDLE_F)[era].pick(rng)
            if self.concentrated:
                givens = (_CONCENTRATED_GIVEN_M if sex == "M" else _CONCENTRATED_GIVEN_F)[era]
            else:
                givens = (_GIVEN_M if sex == "M" else _GIVEN_F)[era]
            given = givens.pick(rng)
            while middle.endswith(given):  # no "Minh Minh"
                given = givens.pick(rng)
            if given in TONE_VARIANTS and rng.random() < NEW_TONE_PLACEMENT_RATE:
                given = TONE_VARIANTS[given]
        return (f"{family} {middle} {given}" if middle else f"{family} {given}"), family

    def person(
        self, home: _Home, sex: Sex, year: int, relation: str, lineage: str | None = None
    ) -> _Person:
        """Someone born in ``year``; born before the family moved in, born where it came from.

        Now and then (`NAMESAKE_COPY_RATE`) the person is a namesake born the same day as someone
        of another household: with the same family line when the line is given (a child), else
        with any (the copied name brings its own line).
        """
        rng = self.rng
        eth = home.eth
        free = lineage is None
        name, lineage = self.name(eth, sex, year, lineage, home.families)
        born = self.birth_date(year)
        year_only = year < YEAR_ONLY_BEFORE and rng.random() < YEAR_ONLY_RATE
        province = home.commune.province_code_2digit
        key = (province, eth.name, sex, year, lineage)
        any_line = (province, eth.name, sex, year, None)
        if rng.random() < NAMESAKE_COPY_RATE:
            earlier = self.namesakes.get(any_line if free else key)
            if earlier is not None and earlier[3] != home.number:
                name, born, year_only, _, lineage = earlier
                key = (province, eth.name, sex, year, lineage)
        self.namesakes[key] = self.namesakes[any_line] = (
            name,
            born,
            year_only,
            home.number,
            lineage,
        )
        person = _Person(name, lineage, sex, born, relation, eth.name)
        person.year_only = year_only
        if home.moved_in and year < home.moved_in:
            person.birth_province, person.hometown = home.origin, home.origin_label
        else:
            person.birth_province = home.commune.id_province_code
            person.hometown = self.native_hometown(home.commune)
        return person

    def native_hometown(self, commune: Commune) -> str:
        """Half the natives come from the commune they live in, the rest from elsewhere in the province."""
        if self.rng.random() < 0.5:
            return commune.label
        labels = self.labels[commune.province_code_2digit]
        return labels[self.rng.randrange(len(labels))]

    def parent_names(self, home: _Home, year: int, lineage: str) -> tuple[str, str]:
        """Invented names of parents who are not in the household, in the person's family line."""
        rng = self.rng
        if year < UNKNOWN_PARENTS_BEFORE and rng.random() < UNKNOWN_PARENTS_RATE:
            return "", ""
        eth = home.eth
        matrilineal = eth.style == "ede"
        father = self.name(
            eth, "M", year - rng.randint(20, 40), None if matrilineal else lineage, home.families
        )
        mother = self.name(
            eth, "F", year - rng.randint(18, 35), lineage if matrilineal else None, home.families
        )
        return father[0], mother[0]

    def invent_parents(self, home: _Home, person: _Person) -> None:
        person.father_name, person.mother_name = self.parent_names(
            home, person.born.year, person.lineage
        )

    def marry_in(self, home: _Home, spouse: _Person) -> None:
        """A migrant's spouse was mostly born in the same province, else in another or here."""
        if not home.moved_in or spouse.born.year >= home.moved_in:
            return
        roll = self.rng.random()
        if roll < 0.65:
            return
        if roll < 0.9 and home.eth.sources is not None:
            origin = home.eth.sources.pick(self.rng)
            labels = self.labels[origin[1:]]
            spouse.birth_province, spouse.hometown = origin, labels[self.rng.randrange(len(labels))]
        else:
            spouse.birth_province = home.commune.id_province_code
            spouse.hometown = self.native_hometown(home.commune)

    def couple(self, home: _Home, head_sex: Sex, wife_age: int) -> tuple[_Person, _Person]:
        """Head and spouse; the husband is usually a few years older."""
        husband_age = max(20, min(MAX_AGE, wife_age + _SPOUSE_GAP.pick(self.rng)))
        husband = self.person(
            home, "M", self.year - husband_age, "head" if head_sex == "M" else "spouse"
        )
        wife = self.person(home, "F", self.year - wife_age, "head" if head_sex == "F" else "spouse")
        head, spouse = (husband, wife) if head_sex == "M" else (wife, husband)
        self.marry_in(home, spouse)
        return head, spouse

    def children(
        self, home: _Home, father: _Person, mother: _Person, relation: str
    ) -> list[_Person]:
        """The children still at home, eldest first, born when both parents were 18 or older.

        They take the father's family name and hometown (the mother's clan for the Ê Đê), and
        about 1 birth in 100 is twins: same day, same parents, different given names.
        """
        rng = self.rng
        mother_year = mother.born.year
        count = next(t for limit, t in _CHILDREN_BY_COHORT if mother_year < limit).pick(rng)
        lineage = (mother if home.eth.style == "ede" else father).lineage or None
        kids: list[_Person] = []
        taken: set[str] = set()
        year = max(
            max(father.born.year, mother_year) + 18, mother_year + _FIRST_BIRTH_AGE.pick(rng)
        )
        born = 0
        while born < count and year <= self.year:
            sex: Sex = "M" if rng.random() < 0.51 else "F"
            twins = 2 if rng.random() < TWIN_RATE else 1
            stays = _stays_home(self.year - year, rng)
            first: _Person | None = None
            for _ in range(twins):
                if first is not None and rng.random() >= 0.66:
                    sex = "F" if sex == "M" else "M"
                kid = self.person(home, sex, year, relation, lineage)
                if first is not None:
                    kid.born, kid.year_only = first.born, first.year_only
                    kid.twin = first.twin = True
                self.name_apart(home, kid, lineage, taken, father, mother)
                taken.add(kid.name)
                kid.father_name, kid.mother_name = father.name, mother.name
                kid.hometown = father.hometown
                if stays:
                    kids.append(kid)
                first = kid
            born += twins
            year += _BIRTH_GAP.pick(rng)
        return kids

    def name_apart(
        self, home: _Home, kid: _Person, lineage: str | None, taken: set[str], *parents: _Person
    ) -> None:
        """Rename a child who would share a sibling's full name or a parent's given name.

        Naming a child after a parent is avoided in Vietnam (our reading of the custom of kiêng
        tên); for Ê Đê names, whose last word is the clan, only the full name is compared.
        """
        ede = home.eth.style == "ede"
        avoid = {p.name if ede else p.name.rsplit(" ", 1)[-1] for p in parents}
        for _attempt in range(10):
            if (
                kid.name not in taken
                and (kid.name if ede else kid.name.rsplit(" ", 1)[-1]) not in avoid
            ):
                return
            kid.name = self.name(home.eth, kid.sex, kid.born.year, lineage, home.families)[0]

    def parents_of(self, home: _Home, head: _Person) -> list[_Person]:
        """One or both parents of the head living with them (relation "parent")."""
        rng = self.rng
        roll = rng.random()
        wanted: tuple[Sex, ...] = ("M", "F") if roll < 0.4 else ("F",) if roll < 0.85 else ("M",)
        matrilineal = home.eth.style == "ede"
        invented = self.parent_names(home, head.born.year, head.lineage)
        head.father_name, head.mother_name = invented
        parents: list[_Person] = []
        for sex in wanted:
            year = head.born.year - (rng.randint(22, 38) if sex == "M" else rng.randint(19, 35))
            if self.year - year > MAX_AGE:
                continue
            inherits = (sex == "M") != matrilineal
            parent = self.person(home, sex, year, "parent", head.lineage if inherits else None)
            if sex == "M":
                parent.hometown = head.hometown
                head.father_name = parent.name
            else:
                head.mother_name = parent.name
            self.invent_parents(home, parent)
            parents.append(parent)
        return parents

    # --- households

    def home(self, head_year: int) -> _Home:
        """Where the household lives, its ethnic group, and whether the head's family migrated."""
        rng = self.rng
        commune = self.communes.pick(rng)
        province = commune.province_code_2digit
        mix = _ALL_KINH if self.concentrated else ETHNIC_MIX.get(province, _ALL_KINH)
        eth = ETHNICITIES[mix.pick(rng)]
        self.household_count += 1
        home = _Home(commune, eth, self.household_count)
        if self.concentrated:
            district = f"{commune.district_name}, {commune.province_name}"
            families = self.district_families.get(district)
            if families is None:
                families = self.district_families[district] = _district_families(district)
            home.families = families
        if eth.highland_native or head_year >= MIGRANTS_BORN_BEFORE:
            return home
        if province in HIGHLANDS and eth.sources is not None:
            kinh = eth.name == "Kinh"
            share = MIGRANT_SHARE_KINH_HIGHLANDS if kinh else MIGRANT_SHARE_NORTHERN_HIGHLANDS
            sources = eth.sources
        elif eth.name == "Kinh":
            share, sources = MIGRANT_SHARE_ELSEWHERE, _ANY_PROVINCE
        else:
            return home
        if rng.random() >= share:
            return home
        origin = sources.pick(rng)
        if origin == commune.id_province_code:
            return home
        first = max(1976, head_year + 1)
        home.moved_in = rng.randint(first, max(first, min(2010, self.year)))
        home.origin = origin
        labels = self.labels[origin[1:]]
        home.origin_label = labels[rng.randrange(len(labels))]
        return home

    def household(self) -> tuple[_Home, list[_Person]]:
        """One household: head first, then spouse, parents, children, grandchildren, others."""
        kind = _KINDS.pick(self.rng)
        if kind == "three_down":
            home, members = self.three_generations_down()
        elif kind == "couple_old":
            home, members = self.old_couple()
        elif kind in ("single_old", "single_adult"):
            home, members = self.alone(kind)
        else:
            home, members = self.family(kind)
        self.add_relatives(home, members)
        return home, members

    def family(self, kind: str) -> tuple[_Home, list[_Person]]:
        """A couple with or without children, a single parent, or those with the head's parents."""
        rng = self.rng
        wife_age = rng.randint(20, 34) if kind == "couple_young" else _MOTHER_AGE.pick(rng)
        home = self.home(self.year - wife_age)
        female_head = 0.8 if kind == "single_parent" else 0.2
        head_sex: Sex = "F" if rng.random() < female_head else "M"
        head, spouse = self.couple(home, head_sex, wife_age)
        husband, wife = (head, spouse) if head_sex == "M" else (spouse, head)
        members = [head]
        if kind != "single_parent":  # else divorced, widowed or working away: named, not listed
            members.append(spouse)
            self.invent_parents(home, spouse)
        if kind == "three_up":
            members += self.parents_of(home, head)
        else:
            self.invent_parents(home, head)
        if kind != "couple_young":
            members += self.children(home, husband, wife, "child")
        return home, members

    def old_couple(self) -> tuple[_Home, list[_Person]]:
        rng = self.rng
        wife_age = _OLD_AGE.pick(rng)
        home = self.home(self.year - wife_age)
        head, spouse = self.couple(home, "M" if rng.random() < 0.8 else "F", wife_age)
        self.invent_parents(home, head)
        self.invent_parents(home, spouse)
        return home, [head, spouse]

    def alone(self, kind: str) -> tuple[_Home, list[_Person]]:
        """Elderly people living alone (mostly widows), or a younger single adult."""
        rng = self.rng
        old = kind == "single_old"
        age = _ALONE_AGE.pick(rng) if old else _ADULT_AGE.pick(rng)
        home = self.home(self.year - age)
        head = self.person(
            home, "F" if rng.random() < (0.7 if old else 0.4) else "M", self.year - age, "head"
        )
        self.invent_parents(home, head)
        return home, [head]

    def three_generations_down(self) -> tuple[_Home, list[_Person]]:
        """An older couple (or widowed parent), a married child with their spouse, grandchildren."""
        rng = self.rng
        wife_age = _GRANDMOTHER_AGE.pick(rng)
        home = self.home(self.year - wife_age)
        head, spouse = self.couple(home, "M" if rng.random() < 0.75 else "F", wife_age)
        husband, wife = (head, spouse) if head.sex == "M" else (spouse, head)
        self.invent_parents(home, head)
        members = [head]
        if rng.random() < 0.75:
            members.append(spouse)
            self.invent_parents(home, spouse)
        younger = max(husband.born.year, wife.born.year)
        adult_year = min(self.year - 22, younger + rng.randint(20, 35))
        son = rng.random() < 0.75
        lineage = (wife if home.eth.style == "ede" else husband).lineage or None
        adult = self.person(home, "M" if son else "F", adult_year, "child", lineage)
        self.name_apart(home, adult, lineage, set(), husband, wife)
        adult.father_name, adult.mother_name = husband.name, wife.name
        adult.hometown = husband.hometown
        in_law_year = adult_year + (rng.randint(0, 5) if son else -rng.randint(0, 5))
        in_law = self.person(home, "F" if son else "M", min(self.year - 18, in_law_year), "other")
        self.marry_in(home, in_law)
        self.invent_parents(home, in_law)
        members += [adult, in_law]
        father, mother = (adult, in_law) if son else (in_law, adult)
        members += self.children(home, father, mother, "grandchild")
        return home, members

    def add_relatives(self, home: _Home, members: list[_Person]) -> None:
        """Now and then a sibling of the head, or someone unrelated, lives in the household too."""
        rng = self.rng
        head = members[0]
        roll = rng.random()
        sex: Sex = "M" if rng.random() < 0.5 else "F"
        if roll < 0.03:
            year = head.born.year + rng.randint(-8, 8)
            year = min(self.year - 15, max(self.year - MAX_AGE, year))
            lineage = (
                head.lineage if home.eth.style == "viet" or home.eth.style == "hmong" else None
            )
            sibling = self.person(home, sex, year, "sibling", lineage)
            sibling.father_name, sibling.mother_name = head.father_name, head.mother_name
            sibling.hometown = head.hometown
            if sibling.name != head.name:
                members.append(sibling)
        elif roll < 0.04:
            other = self.person(home, sex, self.year - rng.randint(15, 40), "other")
            self.invent_parents(home, other)
            members.append(other)

    # --- rows

    def rows(self, home: _Home, members: list[_Person], limit: int) -> Iterator[RegisterRow]:
        """The household's people as rows: IDs, old numbers, cards, status, written as text."""
        rng = self.rng
        commune = home.commune
        household_id = f"HK{commune.code}{self.household_serials.take(commune.code)}"
        hamlet = self.hamlet(home)
        address = f"{hamlet}, {commune.label}"
        religion = home.eth.religions.pick(rng)
        move = self.move(home, hamlet)
        for person in members[:limit]:
            year = person.born.year
            age = self.year - year
            prefix = self.id_prefix(person.birth_province, person.sex, year)
            old_id = card = ""
            if age >= CARD_MINIMUM_AGE:
                before_cards = year <= CARD_LAW_START.year - CARD_MINIMUM_AGE
                had_cmnd = rng.random() < (
                    CMND_RATE_BEFORE_CCCD if before_cards else CMND_RATE_AFTER
                )
                if had_cmnd:
                    old_id = self.old_ids.take("")
                if rng.random() < (CARD_RATE_WITH_CMND if had_cmnd else CARD_RATE_WITHOUT_CMND):
                    card = self.card_issue_date(person)
            status = "alive"
            if person.relation != "head":
                if rng.random() < (DEATH_RATE_ELDERLY if age >= 70 else DEATH_RATE_OTHERS):
                    status = "dead"
                elif 18 <= age <= 45 and rng.random() < EMIGRATION_RATE:
                    status = "emigrated"
            born = person.born
            personal_id = prefix + self.ids.take(prefix)
            kind, number = self.card_held(card, old_id, personal_id)
            since, previous = self.since(home, move, person)
            stay = self.temporary(commune, person, status, age)
            yield RegisterRow(
                personal_id=personal_id,
                full_name=person.name,
                birth_date=str(year) if person.year_only else _dmy(born),
                sex="Nam" if person.sex == "M" else "Nữ",
                hometown=person.hometown,
                permanent_address=address,
                father_name=person.father_name,
                mother_name=person.mother_name,
                household_id=household_id,
                commune_code=commune.code,
                relation=person.relation,
                ethnicity=person.eth,
                religion=religion if rng.random() < 0.95 else "Không",
                old_id_number=old_id,
                card_issue_date=card,
                status=status,
                card_kind=kind,
                card_number=number,
                died_on=self.died_on(person) if status == "dead" else "",
                residence_since=since,
                previous_commune_code=previous[0] if previous else "",
                previous_address=previous[1] if previous else "",
                temporary_commune_code=stay[0],
                temporary_address=stay[1],
                temporary_from=stay[2],
                temporary_until=stay[3],
            )

    # --- what reach reads (docs/reach.md), drawn from the second stream

    @staticmethod
    def card_held(card: str, old_id: str, personal_id: str) -> tuple[str, str]:
        """The card a person holds: a CCCD (its kind by its issue date, as the import infers it;
        its number is the personal ID) if issued, else the CMND if they had one."""
        if card:
            day, month, year = card.split("/")
            return kind_by_issue_date(dt.date(int(year), int(month), int(day))), personal_id
        if old_id:
            return "cmnd", old_id
        return "", ""

    def died_on(self, person: _Person) -> str:
        """A day of death within ten years before the reference date, after the birth; or none."""
        reach = self.reach
        if reach.random() >= DEATH_DATE_KNOWN:
            return ""
        first = max(person.born.toordinal() + 1, self.reference_ordinal - 3652)
        return _dmy(
            dt.date.fromordinal(
                reach.randint(min(first, self.reference_ordinal), self.reference_ordinal)
            )
        )

    def move(self, home: _Home, hamlet: str) -> tuple[int, str, str] | None:
        """(day of the move, previous commune code, previous address) for a household that moved
        recently; None for the others."""
        reach = self.reach
        if reach.random() >= MOVER_RATE:
            return None
        day = self.reference_ordinal - reach.randint(30, 365 * MOVE_YEARS)
        here = home.commune
        other = self.commune_list[reach.randrange(len(self.commune_list))]
        if other.code == here.code or reach.random() < 0.3:
            other = here  # another village of the same commune
        before = hamlet
        while before == hamlet:
            before = self.hamlet_of(other, home.eth.name, reach)
            if other.code != here.code:
                break
        return day, other.code, f"{before}, {other.label}"

    def since(
        self, home: _Home, move: tuple[int, str, str] | None, person: _Person
    ) -> tuple[str, tuple[str, str] | None]:
        """When the person came to live here, and the previous residence if they moved lately;
        born here after the move (or native, never moved): always here."""
        born = person.born.toordinal()
        if move is not None:
            if born < move[0]:
                return _dmy(dt.date.fromordinal(move[0])), (move[1], move[2])
            return "", None
        if home.moved_in and person.born.year < home.moved_in:
            first = max(born, dt.date(home.moved_in, 1, 1).toordinal())
            last = min(dt.date(home.moved_in, 12, 31).toordinal(), self.reference_ordinal)
            return _dmy(dt.date.fromordinal(self.reach.randint(first, max(first, last)))), None
        return "", None

    def temporary(
        self, commune: Commune, person: _Person, status: str, age: int
    ) -> tuple[str, str, str, str]:
        """(commune code, address, from, until) of a temporary residence elsewhere, or blanks."""
        reach = self.reach
        low, high = TEMPORARY_AGES
        if status != "alive" or not low <= age <= high or reach.random() >= TEMPORARY_RATE:
            return "", "", "", ""
        other = self.commune_list[reach.randrange(len(self.commune_list))]
        if other.code == commune.code:
            return "", "", "", ""
        first = max(person.born.toordinal() + 365 * low, self.reference_ordinal - 3 * 365)
        start = reach.randint(min(first, self.reference_ordinal), self.reference_ordinal)
        until = (
            ""
            if reach.random() < 0.4
            else _dmy(dt.date.fromordinal(start + reach.randint(180, 730)))
        )
        address = f"{self.hamlet_of(other, person.eth, reach)}, {other.label}"
        return other.code, address, _dmy(dt.date.fromordinal(start)), until

    def id_prefix(self, province: str, sex: Sex, year: int) -> str:
        """PPP G YY of a personal ID, laid out by `cccd.core.idnumber` (cached: few distinct)."""
        key = (province, sex, year)
        prefix = self.prefixes.get(key)
        if prefix is None:
            prefix = str(idnumber.PersonalId(province, sex, year, "000000"))[:6]
            self.prefixes[key] = prefix
        return prefix

    def card_issue_date(self, person: _Person) -> str:
        """A day from 2016 (or the 14th birthday) to the reference date, or "" if there is none."""
        born = validity.assumed_birth_date(person.born.year) if person.year_only else person.born
        first = max(_CARD_START_ORDINAL, validity.birthday(born, CARD_MINIMUM_AGE).toordinal())
        if first > self.reference_ordinal:
            return ""
        span = self.reference_ordinal - first
        # Later days are likelier: issuance grew year on year up to the 2021 campaign.
        offset = max(self.rng.randint(0, span), self.rng.randint(0, span))
        return _dmy(dt.date.fromordinal(first + offset))

    def second_record(self, row: RegisterRow, rng: random.Random) -> tuple[RegisterRow, list[str]]:
        """The same person registered again: another personal ID, household and residence."""
        changes: list[str] = []
        name = row.full_name
        if rng.random() < DUPLICATE_NAME_TYPO:
            typed = _typo(name, rng)
            if typed != name:
                name = typed
                changes.append("name_typo")
        if rng.random() < DUPLICATE_NO_DIACRITICS:
            name = _no_diacritics(name)
            changes.append("no_diacritics")
        birth = row.birth_date
        if len(birth) == 10 and rng.random() < DUPLICATE_SWAPPED_DATE:
            day, month, year = birth.split("/")
            if int(day) <= 12 and day != month:
                birth = f"{month}/{day}/{year}"
                changes.append("swapped_day_month")
        father, mother = row.father_name, row.mother_name
        if rng.random() < DUPLICATE_PARENTS_MISSING:
            father = mother = ""
            changes.append("parents_missing")
        communes = self.commune_list
        commune = communes[rng.randrange(len(communes))]
        if commune.code == row.commune_code and len(communes) > 1:
            commune = next(c for c in communes if c.code != row.commune_code)
        # the ID's birth province and sex and year stay (idnumber's layout); a new serial
        prefix = row.personal_id[:6]
        address = f"{self.hamlet_of(commune, row.ethnicity, rng)}, {commune.label}"
        second = dataclasses.replace(
            row,
            personal_id=prefix + self.ids.take(prefix),
            full_name=name,
            birth_date=birth,
            permanent_address=address,
            father_name=father,
            mother_name=mother,
            household_id=f"HK{commune.code}{self.household_serials.take(commune.code)}",
            commune_code=commune.code,
            relation="head",
            old_id_number="",
            card_issue_date="",
            status="alive",
            card_kind="",
            card_number="",
            died_on="",
            residence_since="",
            previous_commune_code="",
            previous_address="",
            temporary_commune_code="",
            temporary_address="",
            temporary_from="",
            temporary_until="",
        )
        return second, changes

    def hamlet(self, home: _Home) -> str:
        """The household's village: the words `cccd.registry.villages.village_of` reads."""
        return self.hamlet_of(home.commune, home.eth.name, self.rng)

    @staticmethod
    def hamlet_of(commune: Commune, ethnicity: str, rng: random.Random) -> str:
        if not commune.name.startswith("Xã"):
            return f"Tổ dân phố {rng.randint(1, 15)}"
        if ethnicity == "M'Nông":
            return f"Bon {_BONS[rng.randrange(len(_BONS))]}"
        if ethnicity == "Ê Đê":
            return f"Buôn {_BUONS[rng.randrange(len(_BUONS))]}"
        return f"Thôn {rng.randint(1, 12)}"


def _dmy(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


_BONS: Final = (
    "Sa Pa",
    "Bu Sir",
    "Jun Juh",
    "Bu Đách",
    "Phi Mur",
    "N'Jriêng",
    "Ja Ráh",
    "Bu Prăng",
)
_BUONS: Final = ("Ea Pô", "Buôr", "Trum", "Ja", "Ea Mar", "Kmăng")
_ANY_PROVINCE: Final = _Table((code, 1.0) for code in sorted(idnumber.PROVINCE_CODES))


def generate_people(
    *,
    seed: int,
    communes: Sequence[Commune],
    people: int,
    reference_date: dt.date = dt.date(2021, 1, 15),
    concentration: str = "default",
    plant_duplicates: int = 0,
    truth: Callable[[str, str, str], object] | None = None,
) -> Iterator[RegisterRow]:
    """Stream ``people`` register rows, household by household, the same for the same arguments.

    Memory stays flat whatever ``people`` is: personal IDs are made unique by a keyed permutation
    per ID prefix (`_Serials`), and the namesake pool keeps one entry per (province, ethnicity,
    sex, birth year, family name). IDs are unique within one call; two calls with different seeds
    can collide.

    Args:
        seed: any integer; equal seeds give equal rows.
        communes: where the households live (`communes_for_districts`, `communes_for_provinces`).
        people: the number of rows; the last household is cut short to hit it exactly.
        reference_date: "today" for ages, the latest birth date and the latest card issue date.
        concentration: `CONCENTRATIONS`: ``default``, or ``vietnam`` (names as concentrated as
            the country's, for the linkage benchmark).
        plant_duplicates: after the ``people`` rows, a second record (another personal ID and
            residence; sometimes a typo, no diacritics, day and month swapped, no parents) for
            this many of them, as people registered twice (`cccd dedupe_register`'s data).
        truth: called with (first ID, second ID, changes) for each planted second record.

    Raises:
        ValueError: no communes, a negative count, a reference date that is not a date, an
            unknown concentration, or more duplicates to plant than people.
    """
    if not communes:
        raise ValueError("at least one commune is needed")
    if concentration not in CONCENTRATIONS:
        raise ValueError(f"concentration must be one of {', '.join(CONCENTRATIONS)}")
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise ValueError(f"people must be a whole number ≥ 0, not {people!r}")
    if not isinstance(reference_date, dt.date) or isinstance(reference_date, dt.datetime):
        raise ValueError("reference_date must be a date")
    if reference_date.year - MAX_AGE < idnumber.FIRST_BIRTH_YEAR:
        raise ValueError("reference_date is too early for personal ID numbers")
    for commune in communes:
        if commune.id_province_code not in idnumber.PROVINCE_CODES:
            raise ValueError(
                f"commune {commune.code} has an unknown province {commune.province_code_2digit!r}"
            )
    if isinstance(plant_duplicates, bool) or not isinstance(plant_duplicates, int):
        raise ValueError(f"plant_duplicates must be a whole number, not {plant_duplicates!r}")
    if not 0 <= plant_duplicates <= people:
        raise ValueError(f"plant_duplicates must be between 0 and people ({people})")
    generator = _Generator(seed, communes, reference_date, concentration)
    if not plant_duplicates:
        return _stream(generator, people)
    return _planted(generator, people, plant_duplicates, seed, truth)


def _stream(generator: _Generator, people: int) -> Iterator[RegisterRow]:
    remaining = people
    while remaining > 0:
        home, members = generator.household()
        for row in generator.rows(home, members, remaining):
            yield row
            remaining -= 1


# --- planted duplicates (cccd dedupe_register's test and bench data) ---------------------------

DUPLICATE_NAME_TYPO: Final = 0.2
"""Share of planted second records whose name has a one-letter typo ([unverified], as the
duplicate records an officer would type again by hand)."""
DUPLICATE_NO_DIACRITICS: Final = 0.2
"""Share typed without diacritics (an old form, a system without Vietnamese input)."""
DUPLICATE_SWAPPED_DATE: Final = 0.15
"""Share whose birth date has day and month swapped (when the day is 12 or less)."""
DUPLICATE_PARENTS_MISSING: Final = 0.2
"""Share whose second record has no parents' names (registered as an adult elsewhere)."""
DUPLICATE_TRUTH_COLUMNS: Final = ("personal_id", "duplicate_id", "changes")
"""The truth file `--truth` writes: the first record's ID, the planted one's, what differs."""

_TYPO_LETTERS: Final = "abcdeghiklmnopqrstuvxy"


def _planted(
    generator: _Generator,
    people: int,
    count: int,
    seed: int,
    truth: Callable[[str, str, str], object] | None,
) -> Iterator[RegisterRow]:
    """The rows of `_stream`, unchanged, then a second record for ``count`` of them.

    The second records come after every first record and from RNG streams of their own, so the
    first ``people`` rows (and their IDs) are byte for byte those of a run without planting; the
    new IDs and household numbers are drawn from the same counters, so they never collide.
    """
    rng = random.Random(f"duplicates {seed}")  # noqa: S311 (synthetic data, reproducible)
    chosen = set(rng.sample(range(people), count))
    kept: list[RegisterRow] = []
    for index, row in enumerate(_stream(generator, people)):
        if index in chosen:
            kept.append(row)
        yield row
    for row in kept:
        second, changes = generator.second_record(row, rng)
        if truth is not None:
            truth(row.personal_id, second.personal_id, ";".join(changes))
        yield second


def _typo(name: str, rng: random.Random) -> str:
    """One letter of one word of the name substituted, dropped, added, or two swapped."""
    words = name.split(" ")
    at = rng.randrange(len(words))
    word = words[at]
    if len(word) < 3:
        return name
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letter = _TYPO_LETTERS[rng.randrange(len(_TYPO_LETTERS))]
    if kind == 0:
        word = word[:i] + letter + word[i + 1 :]
    elif kind == 1:
        word = word[:i] + word[i + 1 :]
    elif kind == 2:
        word = word[:i] + letter + word[i:]
    elif i + 1 < len(word):  # two neighbours swapped, the capital left in place
        word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    words[at] = word
    return " ".join(words)


def _no_diacritics(name: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_ROW_VALUES: Final[Callable[[RegisterRow], tuple[str, ...]]] = operator.attrgetter(*CSV_COLUMNS)


def write_csv(
    rows: Iterable[RegisterRow], path_or_file: str | os.PathLike[str] | TextIO, *, bom: bool = False
) -> int:
    """Write rows as UTF-8 CSV with the `CSV_COLUMNS` header; return the number of rows.

    ``bom=True`` starts the file with a byte-order mark, which Excel needs to read UTF-8. A file
    object must be opened in text mode with ``newline=""``.
    """
    if isinstance(path_or_file, str | os.PathLike):
        with open(path_or_file, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as file:
            return _write(rows, file)
    if bom:
        path_or_file.write("\ufeff")
    return _write(rows, path_or_file)


def _write(rows: Iterable[RegisterRow], file: TextIO) -> int:
    writer = csv.writer(file)
    writer.writerow(CSV_COLUMNS)
    count = 0
    values = _ROW_VALUES
    for row in rows:
        writer.writerow(values(row))
        count += 1
    return count
