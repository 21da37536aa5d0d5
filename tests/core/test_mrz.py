"""The MRZ on the card (docs/domain.md#mrz)."""

import contextlib
import datetime as dt
import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cccd.core import idnumber, mrz
from cccd.core.idnumber import InvalidPersonalId
from cccd.core.mrz import InvalidMrz, check_digit, parse_td1, td1
from cccd.core.names import InvalidName

D = dt.date
SAMPLE = (
    "IDVNM1990123456001199012345<<7",
    "9903159F3903157VNM<<<<<<<<<<<8",
    "DANG<<THI<THU<HUONG<<<<<<<<<<<",
)
SAMPLE_ARGS = ("001199012345", "ĐẶNG THỊ THU HƯƠNG", D(1999, 3, 15), "F", D(2039, 3, 15))
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<"
CHECK_POSITIONS = [(0, 14), (0, 29), (1, 6), (1, 14), (1, 29)]

WORDS = ["Nguyễn", "Trần", "Lê", "Phạm", "Đặng", "Thị", "Văn", "Thu", "Hương", "Ánh", "H'Hen"]
WORDS += ["Niê", "Ngọc", "Đức", "Quỳnh", "Nguyễn-Phúc", "Tôn", "Nữ", "Bảo", "Khoẻ"]


@st.composite
def cards(draw: st.DrawFn) -> tuple[str, str, dt.date, str, dt.date | None]:
    born = draw(st.dates(min_value=D(1900, 1, 1), max_value=D(2399, 12, 31)))
    sex = draw(st.sampled_from(["M", "F"]))
    province = draw(st.sampled_from(sorted(idnumber.PROVINCE_CODES)))
    number = idnumber.generate(province, sex, born.year, random.Random(draw(st.integers(0, 99))))
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7))
    name = unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), " ".join(words))
    days = draw(st.integers(min_value=0, max_value=99 * 365))
    expiry = draw(st.sampled_from([None, born + dt.timedelta(days=days)]))
    if expiry is not None and (
        expiry.year >= born.year + 100 or f"{expiry:%y%m%d}" == mrz.NO_EXPIRY
    ):
        expiry = None
    return (number, name, born, sex, expiry)


def reseal(line1: str, line2: str) -> tuple[str, str]:
    """Recompute every check digit, so that a test reaches the checks that come after them."""
    doc, number, birth, expiry = line1[5:14], line1[15:27], line2[0:6], line2[8:14]
    line1 = f"{line1[:14]}{check_digit(doc)}{line1[15:29]}{check_digit(number)}"
    line2 = f"{birth}{check_digit(birth)}{line2[7:14]}{check_digit(expiry)}{line2[15:29]}"
    composite = check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return line1, f"{line2}{composite}"


def test_it_writes_the_domain_sample_exactly() -> None:
    assert td1(*SAMPLE_ARGS) == SAMPLE


def test_it_reads_the_domain_sample() -> None:
    read = parse_td1(SAMPLE)
    assert read == mrz.TD1(
        personal_id="001199012345",
        document_number="199012345",
        birth_date=D(1999, 3, 15),
        sex="F",
        expiry=D(2039, 3, 15),
        family_name="DANG",
        middle_name="THI THU",
        given_name="HUONG",
        name_may_be_truncated=False,
    )
    assert read.full_name == "DANG THI THU HUONG"


@pytest.mark.parametrize(
    ("field", "digit"),
    [
        ("199012345", 6),
        ("001199012345", 7),
        ("990315", 9),
        ("390315", 7),
        ("L898902C3", 6),  # ICAO 9303 specimen
        ("740812", 2),
        ("120415", 9),
        ("", 0),
        ("<<<", 0),
    ],
)
def test_it_computes_check_digits(field: str, digit: int) -> None:
    assert check_digit(field) == digit


@pytest.mark.parametrize("field", ["abc", "A B", "É", "１", "0-1", "\n"])
def test_a_check_digit_needs_mrz_characters(field: str) -> None:
    with pytest.raises(InvalidMrz, match="only 0–9, A–Z and '<'") as caught:
        check_digit(field)
    assert caught.value.code == "BAD_CHARACTER"


@pytest.mark.parametrize("value", [None, 123, b"123", ["1"]])
def test_a_check_digit_needs_text(value: object) -> None:
    with pytest.raises(InvalidMrz, match="must be text"):
        check_digit(value)  # type: ignore[arg-type]


def test_it_writes_991231_for_a_card_without_expiry() -> None:
    line1, line2, _ = td1("001199012345", "Đặng Thu", D(1999, 3, 15), "F", None)
    assert line2[8:15] == "9912315"
    assert parse_td1((line1, line2, "DANG<<THU" + "<" * 21)).expiry is None


@pytest.mark.parametrize(
    ("name", "line3"),
    [
        ("Lê Na", "LE<<NA"),
        ("Ánh", "ANH"),
        ("Ksor H'Bia", "KSOR<<HBIA"),
        ("Nguyễn-Phúc Bảo Đức", "NGUYEN<PHUC<<BAO<DUC"),
        (unicodedata.normalize("NFD", "nguyễn thị thuý"), "NGUYEN<<THI<THUY"),
    ],
)
def test_it_writes_the_name_in_mrz_letters(name: str, line3: str) -> None:
    lines = td1("001199012345", name, D(1999, 3, 15), "F", D(2039, 3, 15))
    assert lines[2] == line3.ljust(30, "<")


def test_it_cuts_a_long_name_at_thirty_characters() -> None:
    name = "Tôn Nữ Thị Ngọc Quỳnh Phương Anh Khuê"
    lines = td1("001199012345", name, D(1999, 3, 15), "F", None)
    assert lines[2] == "TON<<NU<THI<NGOC<QUYNH<PHUONG<"
    read = parse_td1(lines)
    assert read.given_name == "PHUONG"
    assert read.name_may_be_truncated is False  # cut right before a filler: undetectable
    cut = td1("001199012345", "Tôn Nữ Thị Ngọc Quỳnh Phươngxy Anh", D(1999, 3, 15), "F", None)
    assert parse_td1(cut).name_may_be_truncated


def test_a_one_word_name_reads_back_as_a_given_name() -> None:
    read = parse_td1(td1("001199012345", "Ánh", D(1999, 3, 15), "F", None))
    assert (read.family_name, read.middle_name, read.given_name) == ("", "", "ANH")


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Nguyễn-Phúc Bảo Đức", ("NGUYEN-PHUC", "BAO", "DUC")),
        ("Nguyễn-Phúc", ("", "", "NGUYEN-PHUC")),
        ("Lê Hoà-Bình", ("LE", "HOA", "BINH")),
    ],
)
def test_a_hyphen_reads_back_in_the_family_name_only(name: str, parts: tuple[str, ...]) -> None:
    read = parse_td1(td1("001199012345", name, D(1999, 3, 15), "F", None))
    assert (read.family_name, read.middle_name, read.given_name) == parts


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (("001199012345", "Lê Na", D(1998, 3, 15), "F", None), "BIRTH_YEAR_MISMATCH"),
        (("001199012345", "Lê Na", D(1999, 3, 15), "M", None), "SEX_MISMATCH"),
        (("001199012345", "Lê Na", D(1999, 3, 15), "f", None), "BAD_SEX"),
        (("003199012345", "Lê Na", D(1999, 3, 15), "F", None), "UNKNOWN_PROVINCE"),
        (("00119901234", "Lê Na", D(1999, 3, 15), "F", None), "WRONG_LENGTH"),
        ((None, "Lê Na", D(1999, 3, 15), "F", None), "NOT_A_STRING"),
        (("001199012345", "Lê 9", D(1999, 3, 15), "F", None), "BAD_CHARACTER"),
        (("001199012345", "", D(1999, 3, 15), "F", None), "EMPTY"),
        (("001199012345", None, D(1999, 3, 15), "F", None), "NOT_A_STRING"),
        (("001199012345", "Lê Na", "1999-03-15", "F", None), "BAD_FIELD"),
        (
            ("001199012345", "Lê Na", dt.datetime(1999, 3, 15, tzinfo=dt.UTC), "F", None),
            "BAD_FIELD",
        ),
        (("001199012345", "Lê Na", D(1999, 3, 15), "F", "2039-03-15"), "BAD_FIELD"),
        (("001199012345", "Lê Na", D(1999, 3, 15), "F", D(1999, 3, 14)), "INCONSISTENT"),
        (("001199012345", "Lê Na", D(1999, 3, 15), "F", D(2099, 3, 15)), "INCONSISTENT"),
        (("001199012345", "Lê Na", D(1999, 3, 15), "F", D(2099, 12, 31)), "INCONSISTENT"),
    ],
)
def test_it_refuses_to_write_an_mrz_from_bad_data(args: tuple[object, ...], error: str) -> None:
    with pytest.raises((InvalidPersonalId, InvalidName, InvalidMrz)) as caught:
        td1(*args)  # type: ignore[arg-type]
    assert getattr(caught.value, "code", None) == error


def test_it_reads_lines_with_surrounding_whitespace() -> None:
    assert parse_td1([f"  {line}\r\n" for line in SAMPLE]) == parse_td1(SAMPLE)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("\n".join(SAMPLE), "sequence of three lines"),
        (b"IDVNM", "sequence of three lines"),
        (None, "sequence of three lines"),
        (42, "sequence of three lines"),
        (SAMPLE[:2], "3 lines, not 2"),
        ([*SAMPLE, SAMPLE[2]], "3 lines, not 4"),
        ((), "3 lines, not 0"),
        ((SAMPLE[0], None, SAMPLE[2]), "line 2 is None"),
        ((SAMPLE[0], SAMPLE[1].encode(), SAMPLE[2]), "line 2 is bytes"),
        ((SAMPLE[0][:-1], SAMPLE[1], SAMPLE[2]), "line 1 has 29 characters"),
        ((SAMPLE[0], SAMPLE[1] + "<", SAMPLE[2]), "line 2 has 31 characters"),
        ((SAMPLE[0], SAMPLE[1], ""), "line 3 has 0 characters"),
        ((SAMPLE[0].lower(), SAMPLE[1], SAMPLE[2]), "only 0–9"),
        ((SAMPLE[0], SAMPLE[1], "ĐANG" + SAMPLE[2][4:]), "only 0–9"),
        ((SAMPLE[0], SAMPLE[1], "DANG THI" + SAMPLE[2][8:]), "only 0–9"),
        ((SAMPLE[0], SAMPLE[1], "<" * 30), "line 3 is not a name"),
        ((SAMPLE[0], SAMPLE[1], "DANG<<<THI" + "<" * 20), "line 3 is not a name"),
        ((SAMPLE[0], SAMPLE[1], "DANG<<THI1" + "<" * 20), "line 3 is not a name"),
        ((SAMPLE[0], SAMPLE[1], "<DANG" + "<" * 25), "line 3 is not a name"),
    ],
)
def test_it_rejects_lines_that_are_not_an_mrz(lines: object, message: str) -> None:
    with pytest.raises(InvalidMrz, match=message):
        parse_td1(lines)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("line1", "line2", "message"),
    [
        ("P<VNM" + SAMPLE[0][5:], SAMPLE[1], "positions 1–5"),
        ("IDUTO" + SAMPLE[0][5:], SAMPLE[1], "positions 1–5"),
        (SAMPLE[0][:27] + "A<" + SAMPLE[0][29], SAMPLE[1], "positions 28–29"),
        (SAMPLE[0][:5] + "199012346" + SAMPLE[0][14:], SAMPLE[1], "last 9 digits"),
        (SAMPLE[0][:15] + "003199012345" + SAMPLE[0][27:], SAMPLE[1], "province codes"),
        (SAMPLE[0][:15] + "00119901234A" + SAMPLE[0][27:], SAMPLE[1], "only the digits"),
        (SAMPLE[0], SAMPLE[1][:15] + "UTO" + SAMPLE[1][18:], "positions 16–29"),
        (SAMPLE[0], SAMPLE[1][:20] + "A" + SAMPLE[1][21:], "positions 16–29"),
        (SAMPLE[0], "991315" + SAMPLE[1][6:], "not a calendar date"),
        (SAMPLE[0], "99031A" + SAMPLE[1][6:], "six digits"),
        (SAMPLE[0], SAMPLE[1][:8] + "390230" + SAMPLE[1][14:], "not a calendar date"),
        (SAMPLE[0], SAMPLE[1][:7] + "M" + SAMPLE[1][8:], "sex disagrees"),
        (SAMPLE[0], SAMPLE[1][:7] + "<" + SAMPLE[1][8:], "sex disagrees"),
        (SAMPLE[0], "980315" + SAMPLE[1][6:], "birth year disagrees"),
        (SAMPLE[0], SAMPLE[1][:8] + "990314" + SAMPLE[1][14:], "expiry date is before"),
    ],
)
def test_it_rejects_fields_that_break_the_layout_even_with_good_check_digits(
    line1: str, line2: str, message: str
) -> None:
    line1, line2 = reseal(line1, line2)
    with pytest.raises(InvalidMrz, match=message):
        parse_td1((line1, line2, SAMPLE[2]))


@pytest.mark.parametrize(("line", "position"), CHECK_POSITIONS)
def test_it_detects_every_wrong_check_digit(line: int, position: int) -> None:
    for char in ALPHABET:
        lines = list(SAMPLE)
        if lines[line][position] == char:
            continue
        lines[line] = lines[line][:position] + char + lines[line][position + 1 :]
        with pytest.raises(InvalidMrz):
            parse_td1(lines)


@settings(max_examples=60)
@given(cards())
def test_a_written_mrz_reads_back(card: tuple[str, str, dt.date, str, dt.date | None]) -> None:
    number, name, born, sex, expiry = card
    lines = td1(number, name, born, sex, expiry)
    assert all(len(line) == 30 for line in lines)
    read = parse_td1(lines)
    assert (read.personal_id, read.birth_date, read.sex, read.expiry) == (number, born, sex, expiry)
    assert read.document_number == number[3:]
    assert td1(read.personal_id, read.full_name, read.birth_date, read.sex, read.expiry) == lines


@settings(max_examples=8, deadline=None)
@given(cards())
def test_every_single_character_change_in_lines_one_and_two_is_detected(
    card: tuple[str, str, dt.date, str, dt.date | None],
) -> None:
    lines = td1(*card)
    for line in (0, 1):
        for position in range(30):
            for char in ALPHABET:
                if lines[line][position] == char:
                    continue
                changed = list(lines)
                changed[line] = lines[line][:position] + char + lines[line][position + 1 :]
                with pytest.raises(InvalidMrz):
                    parse_td1(changed)


@given(st.lists(st.text(max_size=40), max_size=4))
def test_only_a_value_error_can_escape_parse_td1(lines: list[str]) -> None:
    with contextlib.suppress(InvalidMrz):
        parse_td1(lines)


@given(st.lists(st.text(alphabet=ALPHABET, min_size=30, max_size=30), min_size=3, max_size=3))
def test_only_a_value_error_can_escape_parse_td1_on_mrz_shaped_text(lines: list[str]) -> None:
    with contextlib.suppress(InvalidMrz):
        parse_td1(lines)
