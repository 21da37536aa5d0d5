"""A birth date as a citizen types it on a public page: dd/mm/yyyy (or with '.' or '-', one-digit
day and month allowed), or the year alone for a register date known only by its year.

Shared by the dossier status page and online booking, which turn the refusals into their own
messages: `TypedBirthDateError` for anything not a birth date, its subclass `NoSuchDay` for a day
that does not exist, such as 31/02/2000.
"""

from __future__ import annotations

import datetime
import re

from cccd.core._errors import CoreError

EARLIEST_BIRTH_YEAR = 1900

_DAY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"^\d{4}$")


class TypedBirthDateError(CoreError):
    """The text is not a birth date (see the module for the codes)."""


class NoSuchDay(TypedBirthDateError):
    """A day that does not exist, such as 31/02/2000."""


def parse_typed(text: str, *, today: datetime.date) -> tuple[datetime.date | None, int | None]:
    """(the day, None) or (None, the year); the impossible, the future and years before 1900
    refused. `text` is taken as given: strip or normalise it first."""
    if not text.isascii():
        raise TypedBirthDateError("BIRTH_DATE_NEEDED", "not a birth date")
    if _YEAR.match(text):
        year = int(text)
        if not EARLIEST_BIRTH_YEAR <= year <= today.year:
            raise TypedBirthDateError("BIRTH_DATE_NEEDED", "a year out of range")
        return None, year
    match = _DAY.match(text)
    if match is None:
        raise TypedBirthDateError("BIRTH_DATE_NEEDED", "not a birth date")
    day, month, year = (int(part) for part in match.groups())
    try:
        born = datetime.date(year, month, day)
    except ValueError:
        raise NoSuchDay("NO_SUCH_DATE", "no such day") from None
    if year < EARLIEST_BIRTH_YEAR or born > today:
        raise TypedBirthDateError("BIRTH_DATE_NEEDED", "a day out of range")
    return born, None
