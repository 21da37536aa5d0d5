"""The machine-readable zone on the back of the card: ICAO 9303 TD1, three lines of 30.

docs/domain.md#mrz gives the Vietnamese layout; its check digits were verified on public samples,
and the tests reproduce its synthetic example.
"""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cccd.core import idnumber, names
from cccd.core._errors import CoreError, describe_char, type_name
from cccd.core.idnumber import Sex

LINE_LENGTH: Final = 30
FILLER: Final = "<"
DOCUMENT_CODE: Final = "ID"
STATE: Final = "VNM"
NO_EXPIRY: Final = "991231"
"""Written as the expiry of a card without expiry ("Không thời hạn")."""

_WEIGHTS: Final = (7, 3, 1)
_DIGITS: Final = "0123456789"
_LETTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_NAME_FIELD: Final = re.compile(r"([A-Z]+(?:<[A-Z]+)*)(?:<<([A-Z]+(?:<[A-Z]+)*))?<*")


class MrzErrorCode(StrEnum):
    """Stable codes of `InvalidMrz`."""

    NOT_A_STRING = "NOT_A_STRING"
    BAD_CHARACTER = "BAD_CHARACTER"
    WRONG_SHAPE = "WRONG_SHAPE"
    BAD_FIELD = "BAD_FIELD"
    CHECK_DIGIT = "CHECK_DIGIT"
    INCONSISTENT = "INCONSISTENT"


class InvalidMrz(CoreError):
    """An MRZ cannot be written from these data, or the lines read are not a valid card MRZ."""


@dataclass(frozen=True)
class TD1:
    """What the MRZ of a card says. Names are as written there: upper case, no diacritics."""

    personal_id: str
    document_number: str
    birth_date: dt.date
    sex: Sex
    expiry: dt.date | None
    family_name: str
    middle_name: str
    given_name: str
    name_may_be_truncated: bool

    @property
    def full_name(self) -> str:
        """Family, middle and given names joined by spaces, as in the MRZ."""
        return " ".join(
            part for part in (self.family_name, self.middle_name, self.given_name) if part
        )


def _char_value(char: str) -> int:
    if char in _DIGITS:
        return _DIGITS.index(char)
    if char in _LETTERS:
        return 10 + _LETTERS.index(char)
    if char == FILLER:
        return 0
    raise InvalidMrz(
        MrzErrorCode.BAD_CHARACTER,
        f"an MRZ has only 0–9, A–Z and '<'; found {describe_char(char)}",
    )


def check_digit(s: str) -> int:
    """Return the ICAO 9303 check digit of an MRZ field.

    docs/domain.md#mrz: weights 7, 3, 1 repeating; digits count as themselves, A–Z as 10–35, ``<``
    as 0; the sum modulo 10.

    Raises:
        InvalidMrz: ``s`` is not a string or holds another character.
    """
    if not isinstance(s, str):
        raise InvalidMrz(
            MrzErrorCode.NOT_A_STRING, f"an MRZ field must be text, not {type_name(s)}"
        )
    return sum(_char_value(char) * _WEIGHTS[i % 3] for i, char in enumerate(s)) % 10


def _yymmdd(day: dt.date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def _composite_field(line1: str, line2: str) -> str:
    # Standard TD1: line 1 positions 6–30, line 2 positions 1–7, 9–15 and 19–29 (1-based).
    return line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29]


def _mrz_words(part: str) -> list[str]:
    # ICAO 9303 omits apostrophes and writes a hyphen as a filler.
    folded = names.fold(part).upper().replace(names.APOSTROPHE, "").replace(names.HYPHEN, " ")
    return folded.split()


def _name_line(full_name: str) -> str:
    family, middle, given = names.split(full_name)
    secondary = FILLER.join(_mrz_words(middle) + _mrz_words(given))
    field = f"{FILLER.join(_mrz_words(family))}{FILLER * 2}{secondary}" if family else secondary
    return field[:LINE_LENGTH].ljust(LINE_LENGTH, FILLER)


def _require_date(value: object, what: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidMrz(MrzErrorCode.BAD_FIELD, f"{what} must be a date, not {type_name(value)}")
    return value


def _expiry_field(expiry: dt.date | None, birth_date: dt.date) -> str:
    if expiry is None:
        return NO_EXPIRY
    day = _require_date(expiry, "the expiry date")
    if not birth_date <= day or day.year >= birth_date.year + 100:
        raise InvalidMrz(
            MrzErrorCode.INCONSISTENT,
            "the expiry date must fall on or after the birth date and within 100 years of it",
        )
    if _yymmdd(day) == NO_EXPIRY:
        raise InvalidMrz(
            MrzErrorCode.INCONSISTENT,
            f"an expiry on {day.isoformat()} would read as {NO_EXPIRY}, which means no expiry",
        )
    return _yymmdd(day)


def td1(
    personal_id: str, full_name: str, birth_date: dt.date, sex: str, expiry: dt.date | None
) -> tuple[str, str, str]:
    """Write the three MRZ lines of a card.

    Layout from docs/domain.md#mrz. Line 1: ``ID`` ``VNM``, the last 9 digits of the personal ID and
    their check digit, the full 12-digit number, ``<<``, the check digit of the 12 digits. Line 2:
    birth date YYMMDD and check, sex, expiry YYMMDD and check (``991231`` for no expiry), ``VNM``,
    11 fillers, the composite check over line 1 positions 6–30 and line 2 positions 1–7, 9–15 and
    19–29. Line 3: ``FAMILY<<MIDDLE<GIVEN`` folded with `names.fold`, in capitals, padded with ``<``
    or cut at 30. Apostrophes are dropped and hyphens become ``<`` (ICAO 9303); a one-word name is
    written alone, without ``<<``.

    Raises:
        InvalidPersonalId: the number is malformed or contradicts ``birth_date``/``sex``.
        InvalidName: the name is not a name.
        InvalidMrz: bad dates, or an expiry before birth or written ``991231``.
    """
    born = _require_date(birth_date, "the birth date")
    number = str(idnumber.check(personal_id, birth_year=born.year, sex=sex))
    document = number[3:]
    line1 = (
        f"{DOCUMENT_CODE}{STATE}{document}{check_digit(document)}{number}<<{check_digit(number)}"
    )
    birth = _yymmdd(born)
    until = _expiry_field(expiry, born)
    line2 = f"{birth}{check_digit(birth)}{sex}{until}{check_digit(until)}{STATE}{FILLER * 11}"
    line2 += str(check_digit(_composite_field(line1, line2)))
    return (line1, line2, _name_line(full_name))


def _require_lines(lines: object) -> tuple[str, str, str]:
    if isinstance(lines, str | bytes) or not isinstance(lines, Sequence):
        raise InvalidMrz(
            MrzErrorCode.NOT_A_STRING,
            f"pass the MRZ as a sequence of three lines, not {type_name(lines)}"
            " (use str.splitlines() on a block of text)",
        )
    if len(lines) != 3:
        raise InvalidMrz(MrzErrorCode.WRONG_SHAPE, f"a TD1 MRZ has 3 lines, not {len(lines)}")
    stripped: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, str):
            raise InvalidMrz(
                MrzErrorCode.NOT_A_STRING, f"line {number} is {type_name(line)}, not text"
            )
        text = line.strip()
        if len(text) != LINE_LENGTH:
            raise InvalidMrz(
                MrzErrorCode.WRONG_SHAPE,
                f"line {number} has {len(text)} characters, a TD1 line has {LINE_LENGTH}",
            )
        for char in text:
            _char_value(char)
        stripped.append(text)
    return (stripped[0], stripped[1], stripped[2])


def _verify(field: str, digit: str, what: str) -> None:
    if digit not in _DIGITS or check_digit(field) != int(digit):
        raise InvalidMrz(MrzErrorCode.CHECK_DIGIT, f"the check digit of {what} is wrong")


def _expect(actual: str, expected: str, what: str) -> None:
    # Only fixed text is quoted: messages may be logged, and other fields hold personal data.
    if actual != expected:
        raise InvalidMrz(MrzErrorCode.BAD_FIELD, f"{what} should read {expected!r}")


def _read_date(field: str, century_start: int, what: str) -> dt.date:
    if any(char not in _DIGITS for char in field):
        raise InvalidMrz(MrzErrorCode.BAD_FIELD, f"{what} must be six digits YYMMDD")
    year = century_start + (int(field[:2]) - century_start) % 100
    try:
        return dt.date(year, int(field[2:4]), int(field[4:6]))
    except ValueError:
        raise InvalidMrz(MrzErrorCode.BAD_FIELD, f"{what} {field} is not a calendar date") from None


def _read_name(line3: str) -> tuple[str, str, str, bool]:
    match = _NAME_FIELD.fullmatch(line3)
    if match is None:
        raise InvalidMrz(
            MrzErrorCode.BAD_FIELD, "line 3 is not a name written FAMILY<<MIDDLE<GIVEN"
        )
    # The primary identifier is one word (names.split), so a filler inside it was a hyphen.
    primary, secondary = match.group(1).replace(FILLER, names.HYPHEN), match.group(2)
    truncated = not line3.endswith(FILLER)
    if secondary is None:
        return ("", "", primary, truncated)
    words = secondary.split(FILLER)
    return (primary, " ".join(words[:-1]), words[-1], truncated)


def parse_td1(lines: Sequence[str]) -> TD1:
    """Read and verify the three MRZ lines of a card.

    Checks everything `td1` writes (docs/domain.md#mrz): 30 characters of 0–9, A–Z and ``<`` per
    line (surrounding whitespace ignored), the fixed fields, every check digit including the
    composite, that the document number is the last 9 digits of the personal ID, and that birth year
    and sex agree with the ID's G and YY digits. The century of the birth date comes from the G
    digit; the expiry is taken in the 100 years from the birth year.

    Line 3 is read as `td1` writes it: before ``<<`` the family name, one word, in which a ``<``
    stands for a hyphen; after it, words separated by ``<``, the last the given name. Without
    ``<<`` the name is a one-word given name. A hyphen after ``<<`` cannot be told from a space
    and reads back as one. A line 3 that does not end in ``<`` may hold a name cut at 30.

    Raises:
        InvalidMrz: for any line that is not a valid card MRZ (wrong type, shape, character,
            field, check digit or consistency).
    """
    line1, line2, line3 = _require_lines(lines)
    _expect(line1[0:5], DOCUMENT_CODE + STATE, "line 1, positions 1–5")
    document, number = line1[5:14], line1[15:27]
    _verify(document, line1[14], "the document number")
    _expect(line1[27:29], FILLER * 2, "line 1, positions 28–29")
    _verify(number, line1[29], "the personal ID number")
    try:
        personal = idnumber.parse(number)
    except idnumber.InvalidPersonalId as error:
        raise InvalidMrz(MrzErrorCode.BAD_FIELD, f"line 1: {error}") from error
    if document != number[3:]:
        raise InvalidMrz(
            MrzErrorCode.INCONSISTENT,
            "the document number is not the last 9 digits of the personal ID number",
        )
    _verify(line2[0:6], line2[6], "the birth date")
    _verify(line2[8:14], line2[14], "the expiry date")
    _expect(line2[15:29], STATE + FILLER * 11, "line 2, positions 16–29")
    _verify(_composite_field(line1, line2), line2[29], "lines 1–2 (composite)")
    birth = _read_date(
        line2[0:6], personal.birth_year - personal.birth_year % 100, "the birth date"
    )
    if birth.year != personal.birth_year:
        raise InvalidMrz(MrzErrorCode.INCONSISTENT, "the birth year disagrees with the personal ID")
    if line2[7] != personal.sex:
        raise InvalidMrz(MrzErrorCode.INCONSISTENT, "the sex disagrees with the personal ID")
    expiry = None if line2[8:14] == NO_EXPIRY else _read_date(line2[8:14], birth.year, "the expiry")
    if expiry is not None and expiry < birth:
        raise InvalidMrz(MrzErrorCode.INCONSISTENT, "the expiry date is before the birth date")
    family, middle, given, truncated = _read_name(line3)
    return TD1(number, document, birth, personal.sex, expiry, family, middle, given, truncated)
