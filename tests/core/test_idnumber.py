"""The 12-digit personal ID number (docs/domain.md#id-number)."""

import pickle
import random
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.core import idnumber
from cccd.core.idnumber import InvalidPersonalId, PersonalId

PROVINCES = sorted(idnumber.PROVINCE_CODES)
provinces = st.sampled_from(PROVINCES)
sexes = st.sampled_from(["M", "F"])
birth_years = st.integers(min_value=1900, max_value=2399)
seeds = st.integers(min_value=0, max_value=2**32)
WRONG_TYPES = [None, 1199012345, 1.0, b"001199012345", ["001199012345"], True]


def code_of(call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidPersonalId) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_it_reads_the_parts_of_a_number() -> None:
    assert idnumber.parse("001199012345") == PersonalId("001", "F", 1999, "012345")


@pytest.mark.parametrize(
    ("g", "sex", "year"),
    [
        ("0", "M", 1999),
        ("1", "F", 1999),
        ("2", "M", 2099),
        ("3", "F", 2099),
        ("4", "M", 2199),
        ("5", "F", 2199),
        ("6", "M", 2299),
        ("7", "F", 2299),
        ("8", "M", 2399),
        ("9", "F", 2399),
    ],
)
def test_it_reads_every_century_and_sex_digit(g: str, sex: str, year: int) -> None:
    parsed = idnumber.parse(f"079{g}99000001")
    assert (parsed.sex, parsed.birth_year) == (sex, year)
    assert parsed.century_sex_digit == g


def test_it_gives_back_the_twelve_digits_as_text() -> None:
    assert str(idnumber.parse("052000000007")) == "052000000007"
    assert str(PersonalId("067", "M", 2005, "000001")) == "067205000001"


def test_it_ignores_surrounding_whitespace_only() -> None:
    assert str(idnumber.parse(" \t001199012345\n")) == "001199012345"
    assert code_of(idnumber.parse, "001 199012345") == "NOT_DIGITS"
    assert code_of(idnumber.parse, "001-199-012-345") == "NOT_DIGITS"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_it_rejects_an_empty_number(text: str) -> None:
    assert code_of(idnumber.parse, text) == "EMPTY"


@pytest.mark.parametrize("text", ["00119901234", "0011990123456", "001", "0" * 100])
def test_it_rejects_a_number_of_the_wrong_length(text: str) -> None:
    with pytest.raises(InvalidPersonalId, match=f"has {len(text)}") as caught:
        idnumber.parse(text)
    assert caught.value.code == "WRONG_LENGTH"


@pytest.mark.parametrize(
    "text",
    [
        "٠٠١١٩٩٠١٢٣٤٥",  # Arabic-Indic digits
        "００１１９９０１２３４５",  # fullwidth digits
        "00119901234５",
        "00119901234²",  # superscript two, isdigit() is True
        "००११९९०१२३४५",  # Devanagari digits
    ],
)
def test_it_rejects_unicode_digits(text: str) -> None:
    assert text.strip().isdigit()
    assert code_of(idnumber.parse, text) == "NOT_DIGITS"


@pytest.mark.parametrize(
    "text", ["00119901234A", "O01199012345", "001199012345\x00", "+01199012345"]
)
def test_it_rejects_letters_and_punctuation(text: str) -> None:
    assert code_of(idnumber.parse, text) == "NOT_DIGITS"


def test_it_rejects_nfd_and_invisible_characters() -> None:
    assert code_of(idnumber.parse, "0011990\u200b12345") == "NOT_DIGITS"
    assert code_of(idnumber.parse, "0011990123450\u0301") == "NOT_DIGITS"


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_it_rejects_values_that_are_not_text(value: object) -> None:
    with pytest.raises(InvalidPersonalId, match="must be text") as caught:
        idnumber.parse(value)  # type: ignore[arg-type]
    assert caught.value.code == "NOT_A_STRING"


@pytest.mark.parametrize("code", ["000", "003", "005", "007", "009", "013", "097", "100", "999"])
def test_it_rejects_codes_outside_the_province_table(code: str) -> None:
    assert code_of(idnumber.parse, f"{code}199012345") == "UNKNOWN_PROVINCE"


def test_it_accepts_a_foreign_code_only_with_the_flag() -> None:
    parsed = idnumber.parse("704199012345", allow_foreign_code=True)
    assert parsed.province_code == "704"
    assert parsed.registered_abroad
    assert not idnumber.parse("001199012345").registered_abroad
    assert code_of(idnumber.parse, "704199012345") == "UNKNOWN_PROVINCE"


def test_the_province_table_has_63_codes_that_are_not_contiguous() -> None:
    assert len(idnumber.PROVINCE_CODES) == 63
    assert {"001", "002", "004", "096"} <= idnumber.PROVINCE_CODES
    assert not {"003", "005", "007"} & idnumber.PROVINCE_CODES


def test_it_names_the_provinces_of_the_domain_examples() -> None:
    assert idnumber.province_name("067") == "Đắk Nông"
    assert idnumber.province_name("052") == "Bình Định"
    assert idnumber.province_name("001") == "Hà Nội"


@pytest.mark.parametrize("code", ["003", "67", "0670", "", None, 67, b"067"])
def test_it_refuses_to_name_an_unknown_province(code: object) -> None:
    with pytest.raises(ValueError, match="province code"):
        idnumber.province_name(code)  # type: ignore[arg-type]


def test_it_confirms_a_number_that_matches_the_person() -> None:
    checked = idnumber.check("001199012345", birth_year=1999, sex="F")
    assert checked == idnumber.parse("001199012345")
    assert idnumber.check(checked, birth_year=1999, sex="F") is checked


def test_it_rejects_a_number_with_another_birth_year() -> None:
    with pytest.raises(InvalidPersonalId, match="1999.*1998") as caught:
        idnumber.check("001199012345", birth_year=1998, sex="F")
    assert caught.value.code == "BIRTH_YEAR_MISMATCH"
    assert code_of(idnumber.check, "001199012345", birth_year=2099, sex="F") == (
        "BIRTH_YEAR_MISMATCH"
    )


def test_it_rejects_a_number_with_another_sex() -> None:
    assert code_of(idnumber.check, "001199012345", birth_year=1999, sex="M") == "SEX_MISMATCH"


@pytest.mark.parametrize("sex", ["m", "Nam", "", None, 1, "MF"])
def test_it_rejects_a_sex_that_is_not_m_or_f(sex: object) -> None:
    assert code_of(idnumber.check, "001199012345", birth_year=1999, sex=sex) == "BAD_SEX"


@pytest.mark.parametrize("year", [None, "1999", 1999.0, True, 1899, 2400])
def test_it_rejects_a_birth_year_that_a_number_cannot_hold(year: object) -> None:
    assert code_of(idnumber.check, "001199012345", birth_year=year, sex="F") == (
        "BIRTH_YEAR_OUT_OF_RANGE"
    )


@pytest.mark.parametrize("value", WRONG_TYPES)
def test_check_rejects_a_number_that_is_not_text(value: object) -> None:
    with pytest.raises(ValueError, match="must be text"):
        idnumber.check(value, birth_year=1999, sex="F")  # type: ignore[arg-type]


def test_it_generates_the_same_numbers_from_the_same_seed() -> None:
    first = idnumber.generate("067", "F", 2005, random.Random(7))
    assert first == idnumber.generate("067", "F", 2005, random.Random(7))
    assert first.startswith("067305")


@pytest.mark.parametrize(
    ("province", "sex", "year", "code"),
    [
        ("003", "M", 2000, "UNKNOWN_PROVINCE"),
        (None, "M", 2000, "NOT_A_STRING"),
        ("001", "X", 2000, "BAD_SEX"),
        ("001", "M", 1899, "BIRTH_YEAR_OUT_OF_RANGE"),
        ("001", "M", "2000", "BIRTH_YEAR_OUT_OF_RANGE"),
    ],
)
def test_it_refuses_to_generate_from_bad_inputs(
    province: object, sex: object, year: object, code: str
) -> None:
    assert code_of(idnumber.generate, province, sex, year, random.Random(1)) == code


@pytest.mark.parametrize("rng", [None, 1, random])
def test_it_needs_a_random_generator(rng: object) -> None:
    with pytest.raises(ValueError, match=r"random\.Random"):
        idnumber.generate("001", "M", 2000, rng)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        ("01", "M", 2000, "000000"),
        ("0A1", "M", 2000, "000000"),
        ("001", "X", 2000, "000000"),
        ("001", "M", 1800, "000000"),
        ("001", "M", 2000, "00000"),
        ("001", "M", 2000, "٠٠٠٠٠٠"),
        ("001", "M", 2000, 0),
    ],
)
def test_a_personal_id_cannot_be_built_from_bad_parts(fields: tuple[object, ...]) -> None:
    with pytest.raises(InvalidPersonalId):
        PersonalId(*fields)  # type: ignore[arg-type]


def test_the_error_survives_pickling_with_its_code() -> None:
    with pytest.raises(InvalidPersonalId) as caught:
        idnumber.parse("")
    copy = pickle.loads(pickle.dumps(caught.value))  # noqa: S301 - our own object
    assert (copy.code, str(copy)) == ("EMPTY", str(caught.value))


@given(provinces, sexes, birth_years, seeds)
def test_a_generated_number_parses_back_to_its_inputs(
    province: str, sex: str, year: int, seed: int
) -> None:
    number = idnumber.generate(province, sex, year, random.Random(seed))
    parsed = idnumber.parse(number)
    assert (parsed.province_code, parsed.sex, parsed.birth_year) == (province, sex, year)
    assert str(parsed) == number
    assert idnumber.check(number, birth_year=year, sex=sex) == parsed
    assert len(number) == 12
    assert number.isascii()
    assert number.isdigit()


@given(provinces, st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_every_twelve_digits_with_a_province_code_parse_and_print_back(
    province: str, rest: str
) -> None:
    number = province + rest
    assert str(idnumber.parse(number)) == number


@given(st.text())
def test_only_a_value_error_can_escape_parse(text: str) -> None:
    try:
        parsed = idnumber.parse(text)
    except InvalidPersonalId:
        return
    assert str(parsed) == text.strip()


@given(st.one_of(st.none(), st.integers(), st.binary(), st.floats(), st.lists(st.text())))
def test_only_a_value_error_comes_from_values_that_are_not_text(value: object) -> None:
    with pytest.raises(ValueError, match="must be text"):
        idnumber.parse(value)  # type: ignore[arg-type]
