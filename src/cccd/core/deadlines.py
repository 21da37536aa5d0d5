"""When a card must be returned: a number of working days from a complete file.

docs/domain.md#deadlines: under the Law on CCCD 2014 the limit depends on the area and the kind of
application; under the Law on Identification 2023 it is seven working days everywhere. Working days
exclude Saturdays, Sundays and public holidays; holidays are decided year by year (Tết follows the
lunar calendar), so the caller passes them in as data.

Our reading, not stated in a source: the day the file is complete does not count, and the return
date is the last of the N working days that follow it ("within 7 working days" of a file completed
on Monday 1 March 2021 is Wednesday 10 March 2021).
"""

import datetime as dt
from collections.abc import Collection
from enum import StrEnum
from typing import Final, Literal

from cccd.core._errors import CoreError, type_name
from cccd.core.validity import Law

Area = Literal["city_town", "mountain_island", "other"]
"""city_town: thành phố, thị xã; mountain_island: mountain, highland, border and island districts."""
Kind = Literal["first_issue", "exchange", "reissue"]
"""A change from the old CMND to a CCCD is treated as an exchange here ([unverified])."""

WORKING_DAYS_2014: Final[dict[tuple[Area, Kind], int]] = {
    ("city_town", "first_issue"): 7,
    ("city_town", "exchange"): 7,
    ("city_town", "reissue"): 15,
    ("mountain_island", "first_issue"): 20,
    ("mountain_island", "exchange"): 20,
    ("mountain_island", "reissue"): 20,
    ("other", "first_issue"): 15,
    ("other", "exchange"): 15,
    ("other", "reissue"): 15,
}
"""Limits under the 2014 law (docs/domain.md#deadlines)."""

WORKING_DAYS_2023: Final = 7
"""Under the 2023 law: seven working days for everything, everywhere."""

_AREAS: Final = frozenset({"city_town", "mountain_island", "other"})
_KINDS: Final = frozenset({"first_issue", "exchange", "reissue"})


class DeadlineErrorCode(StrEnum):
    """Stable codes of `InvalidDeadlineInput`."""

    NOT_A_DATE = "NOT_A_DATE"
    UNKNOWN_LAW = "UNKNOWN_LAW"
    UNKNOWN_AREA = "UNKNOWN_AREA"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    BAD_HOLIDAYS = "BAD_HOLIDAYS"
    BAD_DAYS = "BAD_DAYS"


class InvalidDeadlineInput(CoreError):
    """An argument of a deadline computation is not what the rules need."""


def working_days_allowed(*, law: Law, area: Area, kind: Kind) -> int:
    """How many working days the law allows for this application."""
    if law not in ("2014", "2023"):
        raise InvalidDeadlineInput(DeadlineErrorCode.UNKNOWN_LAW, f"unknown law edition {law!r}")
    if area not in _AREAS:
        raise InvalidDeadlineInput(DeadlineErrorCode.UNKNOWN_AREA, f"unknown kind of area {area!r}")
    if kind not in _KINDS:
        raise InvalidDeadlineInput(
            DeadlineErrorCode.UNKNOWN_KIND, f"unknown kind of application {kind!r}"
        )
    return WORKING_DAYS_2023 if law == "2023" else WORKING_DAYS_2014[(area, kind)]


def is_working_day(day: dt.date, holidays: Collection[dt.date]) -> bool:
    """Monday to Friday and not a public holiday."""
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: dt.date, days: int, holidays: Collection[dt.date]) -> dt.date:
    """The `days`-th working day after `start` (`start` itself does not count)."""
    _require_date(start)
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidDeadlineInput(
            DeadlineErrorCode.BAD_DAYS, "the number of days must be a whole number ≥ 0"
        )
    _require_holidays(holidays)
    day = start
    while days > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays):
            days -= 1
    return day


def return_date(
    complete: dt.date, *, law: Law, area: Area, kind: Kind, holidays: Collection[dt.date] = ()
) -> dt.date:
    """The date by which the card must be returned for a file completed on `complete`."""
    return add_working_days(complete, working_days_allowed(law=law, area=area, kind=kind), holidays)


def _require_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise InvalidDeadlineInput(
            DeadlineErrorCode.NOT_A_DATE, f"a date is needed, not {type_name(value)}"
        )
    return value


def _require_holidays(holidays: object) -> None:
    if isinstance(holidays, str | bytes) or not isinstance(holidays, Collection):
        raise InvalidDeadlineInput(
            DeadlineErrorCode.BAD_HOLIDAYS, "holidays must be a collection of dates"
        )
    for day in holidays:
        _require_date(day)
