"""Kinds of application against the card and the age (docs/domain.md#kinds-of-application,
docs/domain.md#validity, docs/domain.md#fees, docs/domain.md#procedure)."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cccd.core import kinds, validity
from cccd.core.kinds import Applicant, InvalidKindInput, Refusal

D = dt.date


def holder(born: dt.date, issued: dt.date, **extra: object) -> Applicant:
    """Someone holding the card issued on `issued`, its expiry by the rules of that day."""
    expiry = validity.card_expiry(born, issued, law=validity.law_for_date(issued))
    return Applicant(born, issued, expiry, **extra)  # type: ignore[arg-type]


# --- the examples ---------------------------------------------------------------------------------


def test_the_issue_example_is_refused_before_the_window_and_says_when_it_opens() -> None:
    # born 12/02/2004, a card valid to 12/02/2029 (25th birthday), asked on 06/12/2026
    person = Applicant(D(2004, 2, 12), D(2021, 3, 1), D(2029, 2, 12))
    verdict = kinds.check("exchange_age", person, D(2026, 12, 6), law="2023")
    assert verdict.refusal == Refusal.NOT_YET_DUE
    assert (verdict.opens_on, verdict.milestone, verdict.card_expiry) == (
        D(2027, 2, 12),
        25,
        D(2029, 2, 12),
    )
    assert kinds.check("exchange_age", person, D(2027, 2, 11), law="2023").refusal
    assert kinds.check("exchange_age", person, D(2027, 2, 12), law="2023").allowed


def test_the_domain_example_born_2006_may_exchange_from_23() -> None:
    person = holder(D(2006, 3, 15), D(2021, 3, 10))  # valid until 15/03/2031
    assert kinds.check("exchange_age", person, D(2029, 3, 14), law="2023").opens_on == D(
        2029, 3, 15
    )
    assert kinds.check("exchange_age", person, D(2029, 3, 15), law="2023").allowed


def test_the_domain_example_born_1998_exchanges_within_the_window_and_after_expiry() -> None:
    person = holder(D(1998, 7, 20), D(2016, 9, 1))  # issued at 18: valid until 20/07/2023
    assert person.card_expiry == D(2023, 7, 20)
    assert kinds.check("exchange_age", person, D(2021, 7, 19), law="2014").refusal
    assert kinds.check("exchange_age", person, D(2021, 9, 1), law="2014").allowed  # in the window
    assert kinds.check("exchange_age", person, D(2030, 1, 1), law="2023").allowed  # long expired


def test_a_card_issued_within_the_window_runs_to_the_next_milestone_and_waits_for_it() -> None:
    person = holder(D(1998, 7, 20), D(2021, 9, 1))  # valid until 20/07/2038 (40th birthday)
    verdict = kinds.check("exchange_age", person, D(2023, 7, 20), law="2023")
    assert (verdict.refusal, verdict.milestone, verdict.opens_on) == (
        Refusal.NOT_YET_DUE,
        40,
        D(2036, 7, 20),
    )


def test_the_2023_law_adds_the_fourteenth_birthday() -> None:
    child = holder(D(2015, 5, 1), D(2024, 9, 1))  # issued at 9 under the 2023 law
    assert child.card_expiry == D(2029, 5, 1)
    verdict = kinds.check("exchange_age", child, D(2027, 4, 30), law="2023")
    assert (verdict.milestone, verdict.opens_on) == (14, D(2027, 5, 1))
    assert kinds.check("exchange_age", child, D(2027, 5, 1), law="2023").allowed


def test_a_card_without_expiry_is_never_exchanged_for_age() -> None:
    elder = holder(D(1950, 1, 10), D(2021, 3, 1))
    assert elder.card_expiry is None
    verdict = kinds.check("exchange_age", elder, D(2030, 1, 1), law="2023")
    assert verdict.refusal == Refusal.NO_EXPIRY
    assert kinds.check(
        "exchange_change", elder, D(2030, 1, 1), law="2023", reason="Thẻ gãy"
    ).allowed


def test_a_leap_day_birth_opens_on_the_28th_of_february() -> None:
    person = Applicant(D(2004, 2, 29), D(2021, 3, 1), D(2029, 2, 28))
    assert kinds.check("exchange_age", person, D(2027, 1, 1), law="2023").opens_on == D(2027, 2, 28)


# --- the other kinds ------------------------------------------------------------------------------


def test_first_issue_needs_no_card_and_no_old_id() -> None:
    today = D(2021, 3, 6)
    assert kinds.check("first_issue", Applicant(D(2006, 3, 15)), today, law="2014").allowed
    with_card = holder(D(1990, 1, 1), D(2017, 1, 1))
    assert kinds.check("first_issue", with_card, today, law="2014").refusal == Refusal.HOLDS_A_CARD
    with_cmnd = Applicant(D(1990, 1, 1), old_id_number="241234567")
    assert kinds.check("first_issue", with_cmnd, today, law="2014").refusal == Refusal.HAS_OLD_ID


def test_an_expired_card_is_exchanged_not_issued_anew() -> None:
    expired = holder(D(1995, 1, 1), D(2016, 6, 1))  # issued at 21: valid until 01/01/2020
    today = D(2021, 3, 6)
    assert validity.status(expired.card_expiry, today) == "expired"
    assert kinds.check("first_issue", expired, today, law="2014").refusal == Refusal.HOLDS_A_CARD
    assert kinds.suggest(expired, today, law="2014") == "exchange_age"


def test_change_from_the_old_id_needs_its_number_and_no_card() -> None:
    today = D(2021, 3, 6)
    assert kinds.check(
        "from_cmnd", Applicant(D(1980, 5, 5), old_id_number="241234567"), today, law="2014"
    ).allowed
    assert (
        kinds.check(
            "from_cmnd", Applicant(D(1980, 5, 5), old_id_number="  "), today, law="2014"
        ).refusal
        == Refusal.NO_OLD_ID
    )
    carded = holder(D(1980, 5, 5), D(2019, 1, 1), old_id_number="241234567")
    assert kinds.check("from_cmnd", carded, today, law="2014").refusal == Refusal.HOLDS_A_CARD


@pytest.mark.parametrize("kind", ["reissue", "exchange_change"])
def test_reissue_and_exchange_for_damage_need_a_card_and_a_reason(kind: kinds.Kind) -> None:
    today = D(2021, 3, 6)
    carded = holder(D(1990, 1, 1), D(2017, 1, 1))
    assert kinds.check(kind, carded, today, law="2014").refusal == Refusal.REASON_NEEDED
    assert (
        kinds.check(kind, carded, today, law="2014", reason="  \t").refusal == Refusal.REASON_NEEDED
    )
    assert kinds.check(kind, carded, today, law="2014", reason="Mất thẻ").allowed
    verdict = kinds.eligibility(kind, carded, today, law="2014")
    assert verdict.allowed and verdict.needs_reason  # possible once the reason is given
    bare = Applicant(D(1990, 1, 1))
    assert kinds.check(kind, bare, today, law="2014", reason="Mất thẻ").refusal == Refusal.NO_CARD


def test_under_the_2014_law_nothing_before_fourteen_and_it_says_when() -> None:
    child = Applicant(D(2010, 8, 9))
    verdict = kinds.check("first_issue", child, D(2021, 3, 6), law="2014")
    assert (verdict.refusal, verdict.opens_on) == (Refusal.TOO_YOUNG, D(2024, 8, 9))
    assert kinds.suggest(child, D(2021, 3, 6), law="2014") is None
    assert kinds.check("first_issue", child, D(2024, 9, 1), law="2023").allowed  # on request


def test_the_suggestion_follows_the_register() -> None:
    today = D(2021, 3, 6)
    assert kinds.suggest(Applicant(D(2006, 3, 15)), today, law="2014") == "first_issue"
    assert (
        kinds.suggest(Applicant(D(1980, 1, 1), old_id_number="241234567"), today, law="2014")
        == "from_cmnd"
    )
    far = holder(D(1990, 1, 1), D(2017, 1, 1))  # 27 at issue: valid to 40, in 2030
    assert kinds.suggest(far, today, law="2014") == "exchange_change"


def test_a_year_only_birth_marks_its_dates_as_estimates() -> None:
    person = Applicant(
        validity.assumed_birth_date(1960), D(2015, 1, 1), D(2020, 1, 1), birth_year_only=True
    )
    assert kinds.check("exchange_age", person, D(2021, 3, 6), law="2014").estimated


@pytest.mark.parametrize(
    ("kind", "person", "today", "law"),
    [
        ("teleport", Applicant(D(1990, 1, 1)), D(2021, 1, 1), "2014"),
        ("first_issue", Applicant(D(1990, 1, 1)), D(2021, 1, 1), "2019"),
        ("first_issue", Applicant(D(1990, 1, 1)), "2021-01-01", "2014"),
        ("first_issue", Applicant(D(2030, 1, 1)), D(2021, 1, 1), "2014"),
        ("first_issue", Applicant(dt.datetime(1990, 1, 1)), D(2021, 1, 1), "2014"),  # noqa: DTZ001
        ("first_issue", Applicant(D(1990, 1, 1), card_expiry="2030"), D(2021, 1, 1), "2014"),  # type: ignore[arg-type]
    ],
)
def test_malformed_input_is_a_core_error(
    kind: str, person: Applicant, today: object, law: str
) -> None:
    with pytest.raises(InvalidKindInput):
        kinds.check(kind, person, today, law=law)  # type: ignore[arg-type]


def test_a_reason_that_is_not_text_is_refused() -> None:
    with pytest.raises(InvalidKindInput) as exc:
        kinds.check("reissue", Applicant(D(1990, 1, 1)), D(2021, 1, 1), law="2014", reason=None)  # type: ignore[arg-type]
    assert exc.value.code == "NOT_A_STRING"


# --- properties -----------------------------------------------------------------------------------

births = st.dates(min_value=D(1935, 1, 1), max_value=D(2015, 12, 31))
later = st.integers(min_value=0, max_value=50 * 366)


@given(births, st.integers(min_value=14, max_value=57), st.integers(0, 365), later)
def test_an_exchange_is_open_exactly_when_a_new_card_would_outlast_the_old_one(
    born: dt.date, age_at_issue: int, days: int, after_issue: int
) -> None:
    """The window is the validity rule seen from the desk: exchanging earlier than it gives a card
    that ends on the same milestone birthday, inside it the next milestone (or no expiry)."""
    issued = validity.birthday(born, age_at_issue) + dt.timedelta(days=days)
    today = issued + dt.timedelta(days=after_issue)
    person = holder(born, issued)
    assume(person.card_expiry is not None)  # issued at 58 or later: nothing to exchange for age
    verdict = kinds.check("exchange_age", person, today, law="2023")
    new_expiry = validity.card_expiry(born, today, law="2023")
    if verdict.allowed:
        assert new_expiry is None or new_expiry > person.card_expiry  # type: ignore[operator]
    else:
        assert verdict.refusal == Refusal.NOT_YET_DUE and verdict.opens_on > today  # type: ignore[operator]
        assert new_expiry == person.card_expiry
        assert verdict.milestone in kinds.ALL_MILESTONES


applicants = st.builds(
    Applicant,
    birth_date=births,
    card_issue_date=st.none() | st.dates(min_value=D(2016, 1, 1), max_value=D(2030, 12, 31)),
    card_expiry=st.none() | st.dates(min_value=D(2016, 1, 1), max_value=D(2080, 12, 31)),
    old_id_number=st.sampled_from(["", "241234567", " "]),
)


@given(
    applicants,
    st.dates(min_value=D(2016, 1, 1), max_value=D(2040, 12, 31)),
    st.sampled_from(["2014", "2023"]),
)
def test_the_suggestion_is_always_allowed_and_card_and_no_card_kinds_never_mix(
    person: Applicant, today: dt.date, law: validity.Law
) -> None:
    assume(today >= person.birth_date)
    allowed = {v.kind for v in kinds.verdicts(person, today, law=law) if v.allowed}
    suggestion = kinds.suggest(person, today, law=law)
    assert (suggestion is None) == (not allowed)
    assert suggestion is None or suggestion in allowed
    assert not (
        {"first_issue", "from_cmnd"} & allowed
        and {"exchange_age", "exchange_change", "reissue"} & allowed
    )
    assert len({"first_issue", "from_cmnd"} & allowed) <= 1
    for verdict in kinds.verdicts(person, today, law=law):
        if verdict.opens_on is not None:
            assert verdict.opens_on > today
