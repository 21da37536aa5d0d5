"""An ICAO Doc 9303 TD1 checker of the tests' own, written from the standard, not from cccd.core.mrz.

Part 3 (§4.9): a check digit is the sum of the character values times the weights 7, 3, 1
repeating, modulo 10; digits count as themselves, A–Z as 10–35, the filler ``<`` as 0.
Part 5 (§4.2, TD1): three lines of 30 characters from 0–9, A–Z and ``<``.
  line 1: 1–2 document code, 3–5 issuing state, 6–14 document number, 15 its check digit,
          16–30 optional data;
  line 2: 1–6 date of birth YYMMDD, 7 check digit, 8 sex (M, F or <), 9–14 date of expiry
          YYMMDD, 15 check digit, 16–18 nationality, 19–29 optional data, 30 composite check
          digit over line 1 positions 6–30 and line 2 positions 1–7, 9–15 and 19–29;
  line 3: the name: primary identifier, ``<<``, secondary identifier components separated by
          ``<``, padded with ``<``.
"""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass

LINE = 30
ALPHABET = frozenset(string.digits + string.ascii_uppercase + "<")


class MrzError(ValueError):
    """The lines are not a valid TD1 MRZ."""


def char_value(char: str) -> int:
    """Doc 9303 part 3: 0–9 as themselves, A–Z as 10–35, ``<`` as 0."""
    if char in string.digits:
        return ord(char) - ord("0")
    if char in string.ascii_uppercase:
        return ord(char) - ord("A") + 10
    if char == "<":
        return 0
    raise MrzError(f"character {char!r} is not allowed in an MRZ")


def check_digit(field: str) -> str:
    """Doc 9303 part 3: weights 7, 3, 1 repeating; the sum modulo 10."""
    weights = (7, 3, 1)
    return str(sum(char_value(c) * weights[i % 3] for i, c in enumerate(field)) % 10)


@dataclass(frozen=True)
class TD1Fields:
    document_code: str
    issuing_state: str
    document_number: str
    optional_data_1: str
    birth_date: str  # YYMMDD as written
    sex: str
    expiry_date: str  # YYMMDD as written
    nationality: str
    optional_data_2: str
    primary_identifier: str
    secondary_identifier: list[str]


def _verify(field: str, digit: str, what: str) -> None:
    if digit != check_digit(field):
        raise MrzError(f"check digit of {what}: {digit!r}, expected {check_digit(field)!r}")


def _date(field: str, what: str) -> None:
    """YYMMDD must be a calendar date in some century (any leap year works for 29 February)."""
    if not field.isdigit():
        raise MrzError(f"{what} {field!r} is not YYMMDD")
    year = 2000 + int(field[:2])
    try:
        dt.date(year, int(field[2:4]), int(field[4:6]))
    except ValueError:
        if not (field[2:4] == "02" and field[4:6] == "29"):
            raise MrzError(f"{what} {field!r} is not a calendar date") from None


def parse_td1(lines: list[str] | tuple[str, ...]) -> TD1Fields:
    """Check a TD1 MRZ against Doc 9303 parts 3 and 5 and return its fields."""
    if len(lines) != 3:
        raise MrzError(f"TD1 has 3 lines, got {len(lines)}")
    for number, line in enumerate(lines, 1):
        if len(line) != LINE:
            raise MrzError(f"line {number} has {len(line)} characters, TD1 needs {LINE}")
        bad = set(line) - ALPHABET
        if bad:
            raise MrzError(f"line {number} holds characters outside 0-9 A-Z <: {sorted(bad)}")
    l1, l2, l3 = lines
    if l1[0] not in "ACI":
        raise MrzError("a TD1 document code starts with A, C or I")
    if not all(c.isalpha() or c == "<" for c in l1[2:5] + l2[15:18]):
        raise MrzError("issuing state and nationality are letters")
    _verify(l1[5:14], l1[14], "the document number")
    _date(l2[0:6], "birth date")
    _verify(l2[0:6], l2[6], "the birth date")
    if l2[7] not in "MF<":
        raise MrzError(f"sex {l2[7]!r} is not M, F or <")
    _date(l2[8:14], "expiry date")
    _verify(l2[8:14], l2[14], "the expiry date")
    _verify(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29], "the composite")
    primary, separator, secondary = l3.rstrip("<").partition("<<")
    if not primary and not secondary:
        raise MrzError("line 3 holds no name")
    return TD1Fields(
        document_code=l1[0:2],
        issuing_state=l1[2:5],
        document_number=l1[5:14],
        optional_data_1=l1[15:30],
        birth_date=l2[0:6],
        sex=l2[7],
        expiry_date=l2[8:14],
        nationality=l2[15:18],
        optional_data_2=l2[18:29],
        primary_identifier=primary.replace("<", " "),
        secondary_identifier=[w for w in secondary.split("<") if w] if separator else [],
    )
