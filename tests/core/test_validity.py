"""Card validity (docs/domain.md#validity)."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cccd.core import validity
from cccd.core.validity import InvalidValidityInput, card_expiry

D = dt.date
births = st.dates(min_value=D(1900, 1, 1), max_value=D(2300, 12, 31))
laws = st.sampled_from(["2014", "2023"])
days_after = st.integers(min_value=0, max_value=80 * 366)


def issued_at_age(birth: dt.date, age: int, days: int = 0) -> dt.date:
    return validity.birthday(birth, age) + dt.timedelta(days=days)


def test_the_domain_example_of_a_card_issued_at_fourteen() -> None:
    assert card_expiry(D(2006, 3, 15), D(2021, 3, 10), law="2014") == D(2031, 3, 15)


def test_the_domain_example_of_a_card_issued_more_than_two_years_before_25() -> None:
    assert card_expiry(D(1998, 7, 20), D(2021, 6, 1), law="2014") == D(2023, 7, 20)


def test_the_domain_example_of_a_card_issued_within_two_years_before_25() -> None:
    assert card_expiry(D(1998, 7, 20), D(2021, 9, 1), law="2014") == D(2038, 7, 20)


def test_the_two_year_window_starts_on_the_birthday_two_years_before() -> None:
    assert card_expiry(D(1998, 7, 20), D(2021, 7, 19), law="2014") == D(2023, 7, 20)
    assert card_expiry(D(1998, 7, 20), D(2021, 7, 20), law="2014") == D(2038, 7, 20)


@pytest.mark.parametrize(
    ("age", "days", "law", "milestone"),
    [
        (14, 0, "2014", 25),
        (22, 364, "2014", 25),
        (23, 0, "2014", 40),
        (25, 0, "2014", 40),
        (37, 364, "2014", 40),
        (38, 0, "2014", 60),
        (57, 364, "2014", 60),
        (0, 0, "2023", 14),
        (5, 100, "2023", 14),
        (11, 364, "2023", 14),
        (12, 0, "2023", 25),
        (14, 0, "2023", 25),
        (23, 0, "2023", 40),
        (38, 0, "2023", 60),
    ],
)
def test_a_card_runs_to_the_first_milestone_more_than_two_years_away(
    age: int, days: int, law: validity.Law, milestone: int
) -> None:
    born = D(1990, 5, 17)
    expiry = card_expiry(born, issued_at_age(born, age, days), law=law)
    assert expiry == validity.birthday(born, milestone)


@pytest.mark.parametrize(("age", "days"), [(58, 0), (59, 200), (60, 0), (75, 3)])
@pytest.mark.parametrize("law", ["2014", "2023"])
def test_a_card_issued_at_or_after_58_never_expires(age: int, days: int, law: validity.Law) -> None:
    born = D(1950, 11, 2)
    assert card_expiry(born, issued_at_age(born, age, days), law=law) is None


def test_the_2014_law_issues_cards_from_fourteen_only() -> None:
    born = D(2010, 6, 1)
    with pytest.raises(InvalidValidityInput, match="from age 14") as caught:
        card_expiry(born, D(2024, 5, 31), law="2014")
    assert caught.value.code == "TOO_YOUNG"
    assert card_expiry(born, D(2024, 6, 1), law="2014") == D(2035, 6, 1)


def test_the_2023_law_issues_cards_from_birth() -> None:
    assert card_expiry(D(2024, 8, 1), D(2024, 8, 1), law="2023") == D(2038, 8, 1)


def test_a_card_cannot_be_issued_before_birth() -> None:
    with pytest.raises(InvalidValidityInput, match="before the birth date") as caught:
        card_expiry(D(2000, 1, 2), D(2000, 1, 1), law="2023")
    assert caught.value.code == "ISSUED_BEFORE_BIRTH"


def test_a_leap_day_birthday_falls_on_28_february_in_common_years() -> None:
    born = D(2000, 2, 29)
    assert card_expiry(born, D(2020, 1, 1), law="2014") == D(2025, 2, 28)
    assert card_expiry(D(1996, 2, 29), D(2020, 1, 1), law="2014") == D(2036, 2, 29)
    assert validity.age_on(born, D(2023, 2, 28)) == 23
    assert validity.age_on(born, D(2023, 2, 27)) == 22


@pytest.mark.parametrize("law", ["2024", 2014, None, "", "2014 "])
def test_it_rejects_an_unknown_law(law: object) -> None:
    with pytest.raises(InvalidValidityInput, match="law must be") as caught:
        card_expiry(D(2000, 1, 1), D(2020, 1, 1), law=law)  # type: ignore[arg-type]
    assert caught.value.code == "UNKNOWN_LAW"


@pytest.mark.parametrize(
    "value", [None, "2000-01-01", 20000101, b"2000", dt.datetime(2000, 1, 1, tzinfo=dt.UTC)]
)
def test_it_rejects_values_that_are_not_dates(value: object) -> None:
    with pytest.raises(InvalidValidityInput, match="must be a date"):
        card_expiry(value, D(2020, 1, 1), law="2023")  # type: ignore[arg-type]
    with pytest.raises(InvalidValidityInput, match="must be a date"):
        card_expiry(D(2000, 1, 1), value, law="2023")  # type: ignore[arg-type]
    with pytest.raises(InvalidValidityInput, match="must be a date"):
        validity.status(D(2020, 1, 1), value)  # type: ignore[arg-type]
    with pytest.raises(InvalidValidityInput, match="must be a date"):
        validity.law_for_date(value)  # type: ignore[arg-type]


def test_it_rejects_a_birth_date_too_late_for_the_calendar() -> None:
    with pytest.raises(InvalidValidityInput):
        card_expiry(D(9990, 1, 1), D(9995, 1, 1), law="2023")


def test_a_year_only_birth_is_taken_as_1_january() -> None:
    assert validity.YEAR_ONLY_BIRTH_DAY == (1, 1)
    assert validity.assumed_birth_date(1950) == D(1950, 1, 1)


def test_a_year_only_birth_can_move_the_issue_into_the_two_year_window() -> None:
    # Known limit of the 1 January rule: it can give a later milestone than the true birthday.
    true_birth, issued = D(1998, 7, 20), D(2021, 6, 1)
    assumed = validity.assumed_birth_date(1998)
    assert card_expiry(true_birth, issued, law="2014") == D(2023, 7, 20)
    assert card_expiry(assumed, issued, law="2014") == D(2038, 1, 1)


@pytest.mark.parametrize("year", [None, "1950", 1950.0, True, 0, 10000])
def test_it_rejects_a_birth_year_that_is_not_a_year(year: object) -> None:
    with pytest.raises(InvalidValidityInput, match="birth year"):
        validity.assumed_birth_date(year)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("expiry", "today", "expected"),
    [
        (None, D(2030, 1, 1), "valid"),
        (D(2031, 3, 15), D(2020, 1, 1), "valid"),
        (D(2031, 3, 15), D(2030, 9, 15), "valid"),
        (D(2031, 3, 15), D(2030, 9, 16), "expires_soon"),
        (D(2031, 3, 15), D(2031, 3, 15), "expires_soon"),
        (D(2031, 3, 15), D(2031, 3, 16), "expired"),
    ],
)
def test_it_tells_valid_soon_and_expired_cards_apart(
    expiry: dt.date | None, today: dt.date, expected: str
) -> None:
    assert validity.status(expiry, today) == expected


def test_status_refuses_an_expiry_that_is_not_a_date() -> None:
    with pytest.raises(InvalidValidityInput, match="must be a date"):
        validity.status("2031-03-15", D(2031, 3, 15))  # type: ignore[arg-type]


def test_soon_is_a_number_of_days_the_caller_chooses() -> None:
    assert validity.status(D(2031, 3, 15), D(2031, 3, 14), soon_days=0) == "valid"
    assert validity.status(D(2031, 3, 15), D(2031, 3, 15), soon_days=0) == "expires_soon"
    with pytest.raises(InvalidValidityInput, match="soon_days"):
        validity.status(D(2031, 3, 15), D(2031, 3, 15), soon_days=-1)
    with pytest.raises(InvalidValidityInput, match="soon_days"):
        validity.status(D(2031, 3, 15), D(2031, 3, 15), soon_days="30")  # type: ignore[arg-type]


def test_the_2023_law_applies_from_1_july_2024() -> None:
    assert validity.law_for_date(D(2024, 6, 30)) == "2014"
    assert validity.law_for_date(D(2024, 7, 1)) == "2023"
    assert validity.law_for_date(D(2016, 1, 1)) == "2014"


@given(births, days_after, laws)
def test_an_expiry_is_a_birthday_at_a_milestone_or_none(
    born: dt.date, days: int, law: validity.Law
) -> None:
    issued = born + dt.timedelta(days=days)
    age = validity.age_on(born, issued)
    if age < validity.MINIMUM_AGE[law]:
        with pytest.raises(InvalidValidityInput):
            card_expiry(born, issued, law=law)
        return
    expiry = card_expiry(born, issued, law=law)
    if expiry is None:
        assert age >= 58
        return
    assert age < 58
    milestone = expiry.year - born.year
    assert milestone in validity.MILESTONE_AGES[law]
    assert expiry == validity.birthday(born, milestone)
    assert (expiry.month, expiry.day) == (born.month, born.day) or (
        (born.month, born.day) == (2, 29) and (expiry.month, expiry.day) == (2, 28)
    )
    # Never before, nor on, the issue date: always more than two years after it.
    assert (expiry - issued).days > 730


@given(births, days_after, days_after, laws)
def test_a_later_issue_never_gives_an_earlier_expiry(
    born: dt.date, first: int, second: int, law: validity.Law
) -> None:
    early, late = sorted([first, second])
    try:
        before = card_expiry(born, born + dt.timedelta(days=early), law=law)
    except InvalidValidityInput:
        return
    after = card_expiry(born, born + dt.timedelta(days=late), law=law)
    if before is None:
        assert after is None
    elif after is not None:
        assert after >= before


@given(births, st.integers(min_value=14 * 366, max_value=80 * 366))
def test_both_laws_agree_from_age_fourteen(born: dt.date, days: int) -> None:
    issued = born + dt.timedelta(days=days)
    assert card_expiry(born, issued, law="2014") == card_expiry(born, issued, law="2023")


@given(st.dates(), st.dates())
def test_the_age_grows_by_one_on_each_birthday(born: dt.date, on: dt.date) -> None:
    if on < born or born.year + 1 > dt.MAXYEAR:
        return
    age = validity.age_on(born, on)
    assert validity.birthday(born, age) <= on
    if born.year + age + 1 <= dt.MAXYEAR:
        assert on < validity.birthday(born, age + 1)


@given(st.one_of(st.none(), st.dates()), st.dates(), st.integers(min_value=0, max_value=1000))
def test_status_is_one_of_three_words(expiry: dt.date | None, today: dt.date, soon: int) -> None:
    assert validity.status(expiry, today, soon_days=soon) in {"valid", "expires_soon", "expired"}
