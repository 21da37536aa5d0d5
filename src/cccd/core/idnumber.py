"""The 12-digit personal ID number (số định danh cá nhân), which is also the card number.

Layout ``PPP G YY RRRRRR`` (docs/domain.md#id-number): province where the birth was registered,
century-and-sex digit, last two digits of the birth year, six random digits. There is no check
digit, so validation is structural only.
"""

import csv
import io
import random
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from types import MappingProxyType
from typing import Final, Literal

from cccd.core._errors import CoreError, describe_char, type_name

Sex = Literal["M", "F"]

ASCII_DIGITS: Final = "0123456789"
LENGTH: Final = 12
FIRST_BIRTH_YEAR: Final = 1900
LAST_BIRTH_YEAR: Final = 2399
PROVINCE_COUNT: Final = 63

ALLOW_FOREIGN_CODE_DEFAULT: Final = False
"""Whether a PPP outside the 63 province codes is taken as a country code. [unverified]

docs/domain.md#id-number: a number registered abroad may carry a country code instead of a
province [unverified]; which codes are used is not known, so with the flag any three digits are
accepted.
"""


class IdErrorCode(StrEnum):
    """Stable codes of `InvalidPersonalId`."""

    NOT_A_STRING = "NOT_A_STRING"
    EMPTY = "EMPTY"
    NOT_DIGITS = "NOT_DIGITS"
    WRONG_LENGTH = "WRONG_LENGTH"
    UNKNOWN_PROVINCE = "UNKNOWN_PROVINCE"
    BIRTH_YEAR_OUT_OF_RANGE = "BIRTH_YEAR_OUT_OF_RANGE"
    BAD_SEX = "BAD_SEX"
    BAD_SERIAL = "BAD_SERIAL"
    BIRTH_YEAR_MISMATCH = "BIRTH_YEAR_MISMATCH"
    SEX_MISMATCH = "SEX_MISMATCH"


class InvalidPersonalId(CoreError):
    """A personal ID number is malformed or contradicts the person it belongs to."""


def _load_province_names() -> Mapping[str, str]:
    text = (
        resources.files("cccd.core")
        .joinpath("data/province_codes_2016.csv")
        .read_text(encoding="utf-8")
    )
    rows = csv.DictReader(io.StringIO(text))
    names = {row["code"]: unicodedata.normalize("NFC", row["name"]) for row in rows}
    if len(names) != PROVINCE_COUNT or not all(_is_three_digits(code) for code in names):
        raise RuntimeError("cccd.core data/province_codes_2016.csv is damaged: expected 63 codes")
    return MappingProxyType(names)


def _is_three_digits(code: str) -> bool:
    return len(code) == 3 and all(char in ASCII_DIGITS for char in code)


PROVINCE_NAMES: Final[Mapping[str, str]] = _load_province_names()
"""The 63 legacy province codes and their names (data/province_codes_2016.csv).

See docs/domain.md#id-number.
"""

PROVINCE_CODES: Final[frozenset[str]] = frozenset(PROVINCE_NAMES)
"""The 63 legacy province codes. They are not contiguous: 003, 005, 007 … are unused."""


def province_name(code: str) -> str:
    """Return the name of a legacy province code, e.g. ``"067"`` → ``"Đắk Nông"``.

    A number never changes when provinces merge, so the PPP of a personal ID is always read in the
    63-province table (docs/domain.md#id-number, docs/domain.md#administrative-units).

    Raises:
        InvalidPersonalId: ``code`` is not a string or not one of the 63 codes.
    """
    if not isinstance(code, str):
        raise InvalidPersonalId(
            IdErrorCode.NOT_A_STRING, f"a province code must be text, not {type_name(code)}"
        )
    try:
        return PROVINCE_NAMES[code]
    except KeyError:
        raise InvalidPersonalId(
            IdErrorCode.UNKNOWN_PROVINCE, f"{code!r} is not one of the 63 province codes"
        ) from None


@dataclass(frozen=True)
class PersonalId:
    """A structurally valid personal ID number, split into its parts.

    The constructor checks the shape of each part; `parse` also checks the province table, so a
    ``PersonalId`` built by hand with a code outside the table counts as registered abroad.
    """

    province_code: str
    sex: Sex
    birth_year: int
    serial: str

    def __post_init__(self) -> None:
        if not isinstance(self.province_code, str) or not _is_three_digits(self.province_code):
            raise InvalidPersonalId(
                IdErrorCode.UNKNOWN_PROVINCE, "the province code must be three ASCII digits"
            )
        _require_sex(self.sex)
        _require_birth_year(self.birth_year)
        serial = self.serial
        if (
            not isinstance(serial, str)
            or len(serial) != 6
            or any(c not in ASCII_DIGITS for c in serial)
        ):
            raise InvalidPersonalId(
                IdErrorCode.BAD_SERIAL, "the serial part must be six ASCII digits"
            )

    @property
    def century_sex_digit(self) -> str:
        """The G digit: even for male, odd for female, +2 per century from 1900.

        See docs/domain.md#id-number.
        """
        century = (self.birth_year - FIRST_BIRTH_YEAR) // 100
        return str(2 * century + (1 if self.sex == "F" else 0))

    @property
    def registered_abroad(self) -> bool:
        """True when PPP is not a province code (a country code [unverified]).

        See docs/domain.md#id-number.
        """
        return self.province_code not in PROVINCE_CODES

    def __str__(self) -> str:
        return (
            f"{self.province_code}{self.century_sex_digit}{self.birth_year % 100:02d}{self.serial}"
        )


def _require_sex(sex: object) -> Sex:
    if sex == "M" or sex == "F":
        return "M" if sex == "M" else "F"
    raise InvalidPersonalId(IdErrorCode.BAD_SEX, f"sex must be 'M' or 'F', not {sex!r}")


def _require_birth_year(year: object) -> int:
    if not isinstance(year, int) or isinstance(year, bool):
        raise InvalidPersonalId(
            IdErrorCode.BIRTH_YEAR_OUT_OF_RANGE,
            f"a birth year must be an integer, not {type_name(year)}",
        )
    if not FIRST_BIRTH_YEAR <= year <= LAST_BIRTH_YEAR:
        raise InvalidPersonalId(
            IdErrorCode.BIRTH_YEAR_OUT_OF_RANGE,
            f"a personal ID number can only encode birth years {FIRST_BIRTH_YEAR}–"
            f"{LAST_BIRTH_YEAR}, not {year}",
        )
    return year


def parse(s: str, *, allow_foreign_code: bool = ALLOW_FOREIGN_CODE_DEFAULT) -> PersonalId:
    """Read a personal ID number typed, scanned or imported from a file.

    Checks the structure given in docs/domain.md#id-number: exactly 12 ASCII digits (Unicode digits
    such as ``'٠'`` or ``'１'`` are refused, though ``str.isdigit`` accepts them), PPP among the 63
    province codes, and G read as century and sex (years 1900–2399). There is no check digit, so a
    typo that keeps this shape cannot be detected here.

    Args:
        s: the number; surrounding whitespace is ignored, nothing inside it is.
        allow_foreign_code: accept a PPP outside the province table as a country code.
            docs/domain.md#id-number marks numbers registered abroad as [unverified], hence off
            by default.

    Returns:
        The number split into its parts.

    Raises:
        InvalidPersonalId: with code NOT_A_STRING, EMPTY, NOT_DIGITS, WRONG_LENGTH or
            UNKNOWN_PROVINCE.
    """
    if not isinstance(s, str):
        raise InvalidPersonalId(
            IdErrorCode.NOT_A_STRING, f"a personal ID number must be text, not {type_name(s)}"
        )
    text = s.strip()
    if not text:
        raise InvalidPersonalId(IdErrorCode.EMPTY, "the personal ID number is empty")
    for position, char in enumerate(text, start=1):
        if char not in ASCII_DIGITS:
            raise InvalidPersonalId(
                IdErrorCode.NOT_DIGITS,
                f"a personal ID number has only the digits 0–9; character {position} is "
                f"{describe_char(char)}",
            )
    if len(text) != LENGTH:
        raise InvalidPersonalId(
            IdErrorCode.WRONG_LENGTH,
            f"a personal ID number has {LENGTH} digits, this one has {len(text)}",
        )
    province_code, g, yy, serial = text[:3], int(text[3]), int(text[4:6]), text[6:]
    if province_code not in PROVINCE_CODES and not allow_foreign_code:
        raise InvalidPersonalId(
            IdErrorCode.UNKNOWN_PROVINCE,
            f"{province_code} is not one of the 63 province codes a personal ID number starts with",
        )
    sex: Sex = "M" if g % 2 == 0 else "F"
    return PersonalId(province_code, sex, FIRST_BIRTH_YEAR + 100 * (g // 2) + yy, serial)


def check(personal_id: str | PersonalId, *, birth_year: int, sex: str) -> PersonalId:
    """Confirm that a personal ID number belongs to a person of this birth year and sex.

    G and YY encode both (docs/domain.md#id-number), so a number that contradicts the register or
    the form is wrong, or belongs to someone else.

    Args:
        personal_id: the number as text (read with `parse`) or already parsed.
        birth_year: the person's year of birth.
        sex: ``"M"`` or ``"F"``.

    Returns:
        The parsed number.

    Raises:
        InvalidPersonalId: malformed number or arguments, or code BIRTH_YEAR_MISMATCH /
            SEX_MISMATCH when the number says otherwise.
    """
    parsed = personal_id if isinstance(personal_id, PersonalId) else parse(personal_id)
    wanted_sex = _require_sex(sex)
    wanted_year = _require_birth_year(birth_year)
    if parsed.birth_year != wanted_year:
        raise InvalidPersonalId(
            IdErrorCode.BIRTH_YEAR_MISMATCH,
            f"the number encodes birth year {parsed.birth_year}, the person was born in "
            f"{wanted_year}",
        )
    if parsed.sex != wanted_sex:
        raise InvalidPersonalId(
            IdErrorCode.SEX_MISMATCH,
            f"the number encodes sex {parsed.sex}, the person's sex is {wanted_sex}",
        )
    return parsed


def generate(province_code: str, sex: str, birth_year: int, rng: random.Random) -> str:
    """Make a valid personal ID number with a random serial, for demo data and tests.

    Follows the layout of docs/domain.md#id-number; the serial is six digits drawn from ``rng`` so a
    seeded generator gives the same numbers every run.

    Raises:
        InvalidPersonalId: unknown province, sex not ``"M"``/``"F"``, year outside 1900–2399.
        ValueError: ``rng`` is not a ``random.Random``.
    """
    province_name(province_code)
    if not isinstance(rng, random.Random):
        raise ValueError(f"rng must be a random.Random, not {type_name(rng)}")
    serial = f"{rng.randrange(1_000_000):06d}"
    return str(
        PersonalId(province_code, _require_sex(sex), _require_birth_year(birth_year), serial)
    )
