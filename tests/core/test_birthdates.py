"""A birth date as typed on a public page: a day, a year, and the refusals with their codes."""

from __future__ import annotations

import datetime

import pytest

from cccd.core.birthdates import NoSuchDay, TypedBirthDateError, parse_typed

TODAY = datetime.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15/03/2006", (datetime.date(2006, 3, 15), None)),
        ("5.3.2006", (datetime.date(2006, 3, 5), None)),
        ("05-03-2006", (datetime.date(2006, 3, 5), None)),
        ("1958", (None, 1958)),
        ("07/12/2026", (TODAY, None)),
    ],
)
def test_a_day_or_a_year(text: str, expected: tuple[object, object]) -> None:
    assert parse_typed(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "BIRTH_DATE_NEEDED"),
        ("15/03/06", "BIRTH_DATE_NEEDED"),
        ("2006-03-15", "BIRTH_DATE_NEEDED"),
        ("１５/０３/２００６", "BIRTH_DATE_NEEDED"),  # full-width: the caller normalises first
        ("1899", "BIRTH_DATE_NEEDED"),
        ("2027", "BIRTH_DATE_NEEDED"),
        ("08/12/2026", "BIRTH_DATE_NEEDED"),
        ("01/01/1899", "BIRTH_DATE_NEEDED"),
        ("31/02/2000", "NO_SUCH_DATE"),
        ("00/01/2000", "NO_SUCH_DATE"),
        ("1" * 500, "BIRTH_DATE_NEEDED"),
    ],
)
def test_what_is_not_a_birth_date(text: str, code: str) -> None:
    with pytest.raises(TypedBirthDateError) as refused:
        parse_typed(text, today=TODAY)
    assert isinstance(refused.value, NoSuchDay) == (code == "NO_SUCH_DATE")
