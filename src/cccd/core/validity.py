"""How long a card is valid: milestone ages, the two-year window, and which law applies.

docs/domain.md#validity: the Law on CCCD 2014 (59/2014/QH13) and the Law on Identification 2023
(26/2023/QH15) both end a card's validity on the birthday at a milestone age, except that a card
issued within two years before a milestone runs to the next one, and a card issued at or after 58
never expires.
"""

import datetime as dt
from enum import StrEnum
from typing import Final, Literal

from cccd.core._errors import CoreError, type_name

Law = Literal["2014", "2023"]
Status = Literal["valid", "expires_soon", "expired"]

MILESTONE_AGES: Final[dict[Law, tuple[int, ...]]] = {
    "2014": (25, 40, 60),
    "2023": (14, 25, 40, 60),
}
"""Ages at which a card must be exchanged, per law (docs/domain.md#validity)."""

MINIMUM_AGE: Final[dict[Law, int]] = {"2014": 14, "2023": 0}
"""Under the 2014 law a card is issued from 14; under the 2023 law at any age, under 14 on request."""

RENEWAL_WINDOW_YEARS: Final = 2
"""A card issued this many years or less before a milestone runs to the next milestone."""

LAW_2023_IN_FORCE: Final = dt.date(2024, 7, 1)
"""The Law on Identification 2023 applies from 1 July 2024 (docs/domain.md#validity)."""

YEAR_ONLY_BIRTH_DAY: Final = (1, 1)
"""(month, day) assumed for a birth known only by its year: 1 January (our rule, [unverified])."""

LEAP_DAY_BIRTHDAY_IN_COMMON_YEARS: Final = (2, 28)
"""(month, day) of the birthday of someone born on 29 February in a non-leap year (our rule)."""


class ValidityErrorCode(StrEnum):
    """Stable codes of `InvalidValidityInput`."""

    NOT_A_DATE = "NOT_A_DATE"
    UNKNOWN_LAW = "UNKNOWN_LAW"
    ISSUED_BEFORE_BIRTH = "ISSUED_BEFORE_BIRTH"
    TOO_YOUNG = "TOO_YOUNG"
    OUT_OF_RANGE = "OUT_OF_RANGE"


class InvalidValidityInput(CoreError):
    """The dates or the law given cannot describe a card."""


def _require_date(value: object, what: str) -> dt.date:
    # datetime is a subclass of date; a datetime here would compare wrongly with dates.
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidValidityInput(
            ValidityErrorCode.NOT_A_DATE, f"{what} must be a date, not {type_name(value)}"
        )
    return value


def _require_law(law: object) -> Law:
    if law == "2014" or law == "2023":
        return "2014" if law == "2014" else "2023"
    raise InvalidValidityInput(
        ValidityErrorCode.UNKNOWN_LAW, f"law must be '2014' or '2023', not {law!r}"
    )


def birthday(birth_date: dt.date, age: int) -> dt.date:
    """Return the day a person born on ``birth_date`` reaches ``age``.

    Card validity ends on a birthday (docs/domain.md#validity). The sources do not say which day
    that is for someone born on 29 February in a non-leap year; our own rule takes 28 February
    (`LEAP_DAY_BIRTHDAY_IN_COMMON_YEARS`), the earlier day, so a card never outlives the law.

    Raises:
        InvalidValidityInput: not a date, negative age, or a year beyond 9999.
    """
    born = _require_date(birth_date, "the birth date")
    if not isinstance(age, int) or isinstance(age, bool) or age < 0:
        raise InvalidValidityInput(
            ValidityErrorCode.OUT_OF_RANGE, f"age must be a whole number ≥ 0, not {age!r}"
        )
    year = born.year + age
    if year > dt.MAXYEAR:
        raise InvalidValidityInput(
            ValidityErrorCode.OUT_OF_RANGE, f"the birthday at {age} falls after year {dt.MAXYEAR}"
        )
    try:
        return born.replace(year=year)
    except ValueError:  # 29 February in a common year
        month, day = LEAP_DAY_BIRTHDAY_IN_COMMON_YEARS
        return dt.date(year, month, day)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Return the age in completed years on ``day``, with birthdays as in `birthday`.

    The two-year window and the "issued at or after 58" rule of docs/domain.md#validity are
    read on this age.

    Raises:
        InvalidValidityInput: not dates, or ``day`` before ``birth_date``.
    """
    born = _require_date(birth_date, "the birth date")
    on = _require_date(day, "the day")
    if on < born:
        raise InvalidValidityInput(
            ValidityErrorCode.ISSUED_BEFORE_BIRTH, "the day is before the birth date"
        )
    age = on.year - born.year
    return age if birthday(born, age) <= on else age - 1


def card_expiry(birth_date: dt.date, issue_date: dt.date, *, law: Law) -> dt.date | None:
    """Return the last day a card is valid, or ``None`` for a card without expiry.

    docs/domain.md#validity: the card is valid until the birthday at the first milestone age
    (2014 law: 25, 40, 60; 2023 law: 14, 25, 40, 60) that is more than two years after the issue
    date; issued within two years before a milestone (age at issue ≥ milestone − 2, counted in
    completed years), it runs to the next one; issued at or after 58, it has no expiry ("Không thời
    hạn"). Born 20/07/1998, issued 01/06/2021 → 20/07/2023; issued 01/09/2021 → 20/07/2038.

    Args:
        birth_date: the holder's birth date; for a year-only birth see `assumed_birth_date`.
        issue_date: the day the card was issued, exchanged or re-issued.
        law: the law in force on ``issue_date`` (`law_for_date`).

    Raises:
        InvalidValidityInput: not dates, unknown law, issue before birth, or under 14 under the
            2014 law (cards were issued from 14).
    """
    born = _require_date(birth_date, "the birth date")
    issued = _require_date(issue_date, "the issue date")
    which = _require_law(law)
    if issued < born:
        raise InvalidValidityInput(
            ValidityErrorCode.ISSUED_BEFORE_BIRTH,
            "the issue date is before the birth date",
        )
    if born.year + max(MILESTONE_AGES[which]) > dt.MAXYEAR:
        raise InvalidValidityInput(ValidityErrorCode.OUT_OF_RANGE, "the birth date is too late")
    age = age_on(born, issued)
    if age < MINIMUM_AGE[which]:
        raise InvalidValidityInput(
            ValidityErrorCode.TOO_YOUNG,
            f"under the {which} law a card is issued from age {MINIMUM_AGE[which]}; "
            f"the holder was {age}",
        )
    for milestone in MILESTONE_AGES[which]:
        if age < milestone - RENEWAL_WINDOW_YEARS:
            return birthday(born, milestone)
    return None


def assumed_birth_date(year: int) -> dt.date:
    """Return the birth date assumed for someone whose birth is registered by year only.

    docs/domain.md#validity asks for a documented rule, as registers hold year-only dates for
    older people. Ours is 1 January (`YEAR_ONLY_BIRTH_DAY`), said to be common practice
    [unverified]. It gives the earliest birthday in the year, so the expiry it yields is never later
    than the true one *when the same milestone applies*; but it also makes the person as old as
    possible at issue, which can put the issue date inside the two-year window and so move the
    expiry to the next milestone. Callers should mark such expiries as uncertain.

    Raises:
        InvalidValidityInput: ``year`` is not an integer between 1 and 9999.
    """
    if not isinstance(year, int) or isinstance(year, bool) or not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise InvalidValidityInput(
            ValidityErrorCode.OUT_OF_RANGE,
            f"a birth year must be a whole number between {dt.MINYEAR} and {dt.MAXYEAR}, "
            f"not {year!r}",
        )
    month, day = YEAR_ONLY_BIRTH_DAY
    return dt.date(year, month, day)


def status(expiry: dt.date | None, today: dt.date, *, soon_days: int = 180) -> Status:
    """Say whether a card is valid, expires within ``soon_days``, or has expired.

    A card is valid through its expiry day ("valid until 15/03/2031", docs/domain.md#validity);
    ``None`` means no expiry. Pages use this to invite exchanges before the deadline.

    Raises:
        InvalidValidityInput: not dates, or ``soon_days`` not a whole number ≥ 0.
    """
    on = _require_date(today, "today")
    if not isinstance(soon_days, int) or isinstance(soon_days, bool) or soon_days < 0:
        raise InvalidValidityInput(
            ValidityErrorCode.OUT_OF_RANGE,
            f"soon_days must be a whole number ≥ 0, not {soon_days!r}",
        )
    if expiry is None:
        return "valid"
    last_day = _require_date(expiry, "the expiry date")
    if on > last_day:
        return "expired"
    return "expires_soon" if (last_day - on).days <= soon_days else "valid"


def law_for_date(day: dt.date) -> Law:
    """Return the law that governs a card issued on ``day``.

    docs/domain.md#validity: the 2014 law from 2016 to 30 June 2024, the 2023 law from 1 July
    2024 (`LAW_2023_IN_FORCE`). Days before 2016 also give ``"2014"``: no CCCD was issued then.

    Raises:
        InvalidValidityInput: ``day`` is not a date.
    """
    return "2023" if _require_date(day, "the day") >= LAW_2023_IN_FORCE else "2014"
