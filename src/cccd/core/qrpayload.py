"""The text in the QR code on the front of the card.

docs/domain.md#qr-payload: UTF-8 text, fields separated by ``|``, empty fields kept:
personal ID | old ID number (may be empty) | full name | birth date ddmmyyyy | Nam or Nữ | residence
address | issue date ddmmyyyy. Cards from 2024 carry four more fields of [unverified] meaning.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from cccd.core import idnumber
from cccd.core._errors import CoreError, describe_char, type_name
from cccd.core.idnumber import Sex

SEPARATOR: Final = "|"
FIELD_COUNT: Final = 7
"""Fields read by position; any after these (four on cards from 2024, [unverified]) are ignored."""

SEX_WORDS: Final[dict[Sex, str]] = {"M": "Nam", "F": "Nữ"}
_DIGITS: Final = "0123456789"
OLD_ID_LENGTHS: Final = (9, 12)
"""The old CMND number has 9 digits, or 12 (docs/domain.md#glossary)."""


class QrErrorCode(StrEnum):
    """Stable codes of `InvalidCardQR`."""

    NOT_A_STRING = "NOT_A_STRING"
    TOO_FEW_FIELDS = "TOO_FEW_FIELDS"
    BAD_FIELD = "BAD_FIELD"
    BAD_DATE = "BAD_DATE"
    BAD_SEX = "BAD_SEX"
    BAD_PERSONAL_ID = "BAD_PERSONAL_ID"


class InvalidCardQR(CoreError):
    """A text is not the QR payload of a card, or a card cannot be written as one."""


def _clean_text(value: object, what: str, *, required: bool) -> str:
    if not isinstance(value, str):
        raise InvalidCardQR(
            QrErrorCode.NOT_A_STRING, f"{what} must be text, not {type_name(value)}"
        )
    text = unicodedata.normalize("NFC", value).strip()
    for char in text:
        if char == SEPARATOR or unicodedata.category(char) in ("Cc", "Cf"):
            raise InvalidCardQR(
                QrErrorCode.BAD_FIELD, f"{what} cannot contain {describe_char(char)}"
            )
    if required and not text:
        raise InvalidCardQR(QrErrorCode.BAD_FIELD, f"{what} is empty")
    return text


def _check_date(value: object, what: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidCardQR(QrErrorCode.BAD_DATE, f"{what} must be a date, not {type_name(value)}")
    return value


def _check_old_number(text: str) -> str:
    if text and (len(text) not in OLD_ID_LENGTHS or any(c not in _DIGITS for c in text)):
        raise InvalidCardQR(
            QrErrorCode.BAD_FIELD, "the old ID number must be empty or 9 or 12 digits"
        )
    return text


@dataclass(frozen=True)
class CardQR:
    """The data in a card's QR code.

    Text fields are stored in NFC without surrounding whitespace (docs/domain.md#names-and-matching:
    store NFC). Construction checks what `decode` checks, so any ``CardQR`` can be encoded.
    """

    personal_id: str
    old_id_number: str
    full_name: str
    birth_date: dt.date
    sex: Sex
    address: str
    issue_date: dt.date

    def __post_init__(self) -> None:
        birth = _check_date(self.birth_date, "the birth date")
        issued = _check_date(self.issue_date, "the issue date")
        if issued < birth:
            raise InvalidCardQR(QrErrorCode.BAD_DATE, "the issue date is before the birth date")
        if self.sex != "M" and self.sex != "F":
            raise InvalidCardQR(QrErrorCode.BAD_SEX, f"sex must be 'M' or 'F', not {self.sex!r}")
        try:
            number = idnumber.check(self.personal_id, birth_year=birth.year, sex=self.sex)
        except idnumber.InvalidPersonalId as error:
            raise InvalidCardQR(QrErrorCode.BAD_PERSONAL_ID, str(error)) from error
        old = _check_old_number(
            _clean_text(self.old_id_number, "the old ID number", required=False)
        )
        object.__setattr__(self, "personal_id", str(number))
        object.__setattr__(self, "old_id_number", old)
        object.__setattr__(
            self, "full_name", _clean_text(self.full_name, "the name", required=True)
        )
        object.__setattr__(
            self, "address", _clean_text(self.address, "the address", required=False)
        )


def _ddmmyyyy(day: dt.date) -> str:
    return f"{day.day:02d}{day.month:02d}{day.year:04d}"


def encode(card: CardQR) -> str:
    """Write the QR payload of a card.

    docs/domain.md#qr-payload: the seven fields joined by ``|``, dates as ddmmyyyy, sex as
    ``Nam``/``Nữ``, an empty old ID number kept as an empty field. The four trailing fields of 2024
    cards are not written: their meaning is [unverified].

    Raises:
        InvalidCardQR: ``card`` is not a `CardQR`. (A field holding ``|`` is refused when the
            ``CardQR`` is built.)
    """
    if not isinstance(card, CardQR):
        raise InvalidCardQR(QrErrorCode.NOT_A_STRING, f"expected a CardQR, not {type_name(card)}")
    fields = (
        card.personal_id,
        card.old_id_number,
        card.full_name,
        _ddmmyyyy(card.birth_date),
        SEX_WORDS[card.sex],
        card.address,
        _ddmmyyyy(card.issue_date),
    )
    return SEPARATOR.join(fields)


def _read_date(text: str, what: str) -> dt.date:
    if len(text) != 8 or any(c not in _DIGITS for c in text):
        raise InvalidCardQR(QrErrorCode.BAD_DATE, f"{what} must be 8 digits ddmmyyyy")
    try:
        return dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    except ValueError:
        raise InvalidCardQR(QrErrorCode.BAD_DATE, f"{what} {text} is not a calendar date") from None


def _read_sex(text: str) -> Sex:
    for sex, word in SEX_WORDS.items():
        if text.casefold() == word.casefold():
            return sex
    raise InvalidCardQR(QrErrorCode.BAD_SEX, f"sex must read 'Nam' or 'Nữ', not {text!r}")


def decode(s: str) -> CardQR:
    """Read the QR payload of a card.

    docs/domain.md#qr-payload: fields by position, trailing extra fields tolerated (cards from 2024
    carry four more), the old ID number possibly empty. The text is taken in NFC with surrounding
    whitespace removed, around the payload and around each field; sex may be in any case. The
    personal ID must be valid and agree with the birth year and sex.

    Raises:
        InvalidCardQR: ``s`` is not text, has fewer than seven fields, or a field is invalid.
    """
    if not isinstance(s, str):
        raise InvalidCardQR(
            QrErrorCode.NOT_A_STRING, f"a QR payload must be text, not {type_name(s)}"
        )
    fields = [field.strip() for field in unicodedata.normalize("NFC", s).strip().split(SEPARATOR)]
    if len(fields) < FIELD_COUNT:
        raise InvalidCardQR(
            QrErrorCode.TOO_FEW_FIELDS,
            f"a card's QR payload has {FIELD_COUNT} fields separated by '|'; found {len(fields)}",
        )
    personal_id, old_number, full_name, birth, sex, address, issued = fields[:FIELD_COUNT]
    return CardQR(
        personal_id=personal_id,
        old_id_number=old_number,
        full_name=full_name,
        birth_date=_read_date(birth, "the birth date"),
        sex=_read_sex(sex),
        address=address,
        issue_date=_read_date(issued, "the issue date"),
    )
