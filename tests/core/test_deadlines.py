import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.core import deadlines
from cccd.core.deadlines import (
    InvalidDeadlineInput,
    add_working_days,
    return_date,
    working_days_allowed,
)

TET_2021 = {dt.date(2021, 2, d) for d in range(10, 17)}  # 10–16/02/2021, Tết Tân Sửu


def test_the_2023_law_gives_seven_working_days_everywhere() -> None:
    for area in ("city_town", "mountain_island", "other"):
        for kind in ("first_issue", "exchange", "reissue"):
            assert working_days_allowed(law="2023", area=area, kind=kind) == 7


@pytest.mark.parametrize(
    ("area", "kind", "days"),
    [
        ("city_town", "first_issue", 7),
        ("city_town", "exchange", 7),
        ("city_town", "reissue", 15),
        ("mountain_island", "first_issue", 20),
        ("mountain_island", "reissue", 20),
        ("other", "exchange", 15),
    ],
)
def test_the_2014_law_depends_on_area_and_kind(area: str, kind: str, days: int) -> None:
    assert working_days_allowed(law="2014", area=area, kind=kind) == days  # type: ignore[arg-type]


def test_weekends_do_not_count() -> None:
    # Monday 1 March 2021 + 7 working days = Wednesday 10 March 2021
    assert return_date(
        dt.date(2021, 3, 1), law="2014", area="city_town", kind="first_issue"
    ) == dt.date(2021, 3, 10)


def test_holidays_do_not_count() -> None:
    # a file completed on Tuesday 9/2/2021, the day before Tết: the holiday week is skipped
    assert add_working_days(dt.date(2021, 2, 9), 1, TET_2021) == dt.date(2021, 2, 17)
    assert add_working_days(dt.date(2021, 2, 9), 1, ()) == dt.date(2021, 2, 10)


def test_a_file_completed_on_a_saturday_counts_from_monday() -> None:
    assert add_working_days(dt.date(2021, 3, 6), 1, ()) == dt.date(2021, 3, 8)


@given(
    st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.integers(0, 40),
    st.sets(st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2031, 12, 31)), max_size=20),
)
def test_the_result_is_a_working_day_with_exactly_n_working_days_in_between(
    start: dt.date, days: int, holidays: set[dt.date]
) -> None:
    end = add_working_days(start, days, holidays)
    between = [start + dt.timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(deadlines.is_working_day(d, holidays) for d in between) == days
    if days:
        assert deadlines.is_working_day(end, holidays)
    else:
        assert end == start


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: working_days_allowed(law="2019", area="other", kind="reissue"), "UNKNOWN_LAW"),  # type: ignore[arg-type]
        (lambda: working_days_allowed(law="2014", area="village", kind="reissue"), "UNKNOWN_AREA"),  # type: ignore[arg-type]
        (lambda: working_days_allowed(law="2014", area="other", kind="lost"), "UNKNOWN_KIND"),  # type: ignore[arg-type]
        (lambda: add_working_days("2021-03-01", 7, ()), "NOT_A_DATE"),  # type: ignore[arg-type]
        (lambda: add_working_days(dt.datetime(2021, 3, 1), 7, ()), "NOT_A_DATE"),
        (lambda: add_working_days(None, 7, ()), "NOT_A_DATE"),  # type: ignore[arg-type]
        (lambda: add_working_days(dt.date(2021, 3, 1), -1, ()), "BAD_DAYS"),
        (lambda: add_working_days(dt.date(2021, 3, 1), True, ()), "BAD_DAYS"),
        (lambda: add_working_days(dt.date(2021, 3, 1), 7, "2021-03-02"), "BAD_HOLIDAYS"),  # type: ignore[arg-type]
        (lambda: add_working_days(dt.date(2021, 3, 1), 7, {"x"}), "NOT_A_DATE"),
    ],  # type: ignore[arg-type]
)
def test_malformed_input_is_a_clear_value_error(call: object, code: str) -> None:
    with pytest.raises(InvalidDeadlineInput) as refused:
        call()  # type: ignore[operator]
    assert isinstance(refused.value, ValueError)
    assert refused.value.code == code
