"""Which kinds of application a person may make today, from their card, their old ID and their age.

The kinds (docs/domain.md#kinds-of-application): cấp mới (first issue), cấp đổi (exchange: at a
milestone age, for a damaged card or changed data, or from the old CMND) and cấp lại (re-issue). The
kind decides the fee (docs/domain.md#fees: an exchange at a milestone age, and within two years
before it, is free) and the return deadline, so the desk checks the kind the officer picks against
the register, here:

- **exchange at a milestone age** (docs/domain.md#validity): the card ends on the birthday at a
  milestone age (14 under the 2023 law, 25, 40, 60). The exchange opens two years before that
  birthday (a card issued then runs to the next milestone) and stays open after it, the card having
  expired there. A card without expiry (issued at 58 or later) is never exchanged for age.
- **exchange for a damaged card or changed data**, **re-issue**: the person holds a card, and the
  officer records why (the card is damaged, the data changed, the card was lost).
- **change from the old ID** (CMND → CCCD): an old ID number is on record and no card yet.
- **first issue**: no card and no old ID on record.
- every kind: under the 2014 law a card is issued from 14 (`cccd.core.validity.MINIMUM_AGE`).

Our readings, not stated in a source [unverified]: a person with an old ID on record changes it
(the 2019 fee table lists "CMND → CCCD" apart from a first card, so a first issue would skip its
fee); a person who holds a card, even an expired one, exchanges it rather than being issued a first
one; a re-issue and an exchange for damage or changed data need the reason in words, since the
register cannot know it. Fee amounts are reference data, not here.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from cccd.core import validity
from cccd.core._errors import CoreError, type_name

Kind = Literal["first_issue", "from_cmnd", "exchange_age", "exchange_change", "reissue"]

KINDS: Final[tuple[Kind, ...]] = (
    "first_issue",
    "from_cmnd",
    "exchange_age",
    "exchange_change",
    "reissue",
)
"""Every kind, in the order the desk suggests them: the first one allowed is the suggestion."""

REASON_KINDS: Final[frozenset[Kind]] = frozenset({"exchange_change", "reissue"})
"""Kinds that need the reason in words: the register does not know a card was lost or damaged."""

ALL_MILESTONES: Final[tuple[int, ...]] = tuple(
    sorted({age for ages in validity.MILESTONE_AGES.values() for age in ages})
)
"""Ages at which a card ends under either law (docs/domain.md#validity): 14, 25, 40, 60."""


class Refusal(StrEnum):
    """Why a kind is not possible now; the desk turns each into a sentence."""

    TOO_YOUNG = "TOO_YOUNG"
    """Under the 2014 law a card is issued from 14; `opens_on` is the 14th birthday."""
    HOLDS_A_CARD = "HOLDS_A_CARD"
    """First issue or CMND → CCCD for someone who already holds a card."""
    HAS_OLD_ID = "HAS_OLD_ID"
    """First issue for someone with an old ID on record: it is a change from the old ID."""
    NO_OLD_ID = "NO_OLD_ID"
    """CMND → CCCD without an old ID number on record."""
    NO_CARD = "NO_CARD"
    """An exchange or a re-issue for someone who holds no card."""
    NO_EXPIRY = "NO_EXPIRY"
    """An exchange at a milestone age of a card without expiry."""
    NOT_YET_DUE = "NOT_YET_DUE"
    """An exchange at a milestone age before its window; `opens_on` is when it opens."""
    REASON_NEEDED = "REASON_NEEDED"
    """A re-issue or an exchange for damage or changed data without its reason."""


class KindErrorCode(StrEnum):
    """Stable codes of `InvalidKindInput`."""

    NOT_A_DATE = "NOT_A_DATE"
    NOT_A_STRING = "NOT_A_STRING"
    UNKNOWN_KIND = "UNKNOWN_KIND"
    UNKNOWN_LAW = "UNKNOWN_LAW"
    ISSUED_BEFORE_BIRTH = "ISSUED_BEFORE_BIRTH"


class InvalidKindInput(CoreError):
    """The facts given cannot describe a person asking for a card."""


@dataclass(frozen=True)
class Applicant:
    """What the register says about a person that decides the kind of their application.

    Attributes:
        birth_date: the birth date; for a year-only birth, `validity.assumed_birth_date`.
        card_issue_date: the day their current card was issued, or None without a card.
        card_expiry: its last valid day; None with an issue date is a card without expiry.
        old_id_number: the old CMND number, "" when none is on record.
        birth_year_only: the register holds the birth year only, so dates derived from the
            birth date are estimates (`Verdict.estimated`).
    """

    birth_date: dt.date
    card_issue_date: dt.date | None = None
    card_expiry: dt.date | None = None
    old_id_number: str = ""
    birth_year_only: bool = False

    @property
    def has_card(self) -> bool:
        return self.card_issue_date is not None

    @property
    def has_old_id(self) -> bool:
        return bool(self.old_id_number.strip())


@dataclass(frozen=True)
class Verdict:
    """Whether one kind is possible for an applicant on a day, and if not, why and from when.

    Attributes:
        kind: the kind judged.
        refusal: why it is not possible, or None when it is.
        opens_on: the first day it will be possible, when that day is known (too young, or an
            exchange at a milestone age before its window).
        milestone: the milestone age the card ends at (exchange at a milestone age).
        card_expiry: the card's last valid day, for the sentence that explains a refusal.
        needs_reason: the kind needs the reason in words (`REASON_KINDS`).
        estimated: dates rest on a year-only birth date (`validity.assumed_birth_date`).
    """

    kind: Kind
    refusal: Refusal | None = None
    opens_on: dt.date | None = None
    milestone: int | None = None
    card_expiry: dt.date | None = None
    needs_reason: bool = False
    estimated: bool = False

    @property
    def allowed(self) -> bool:
        return self.refusal is None


def _require_date(value: object, what: str) -> dt.date:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise InvalidKindInput(
            KindErrorCode.NOT_A_DATE, f"{what} must be a date, not {type_name(value)}"
        )
    return value


def _require_kind(kind: object) -> Kind:
    for known in KINDS:
        if kind == known:
            return known
    raise InvalidKindInput(KindErrorCode.UNKNOWN_KIND, f"there is no kind {kind!r}")


def _require_law(law: object) -> validity.Law:
    if law == "2014":
        return "2014"
    if law == "2023":
        return "2023"
    raise InvalidKindInput(KindErrorCode.UNKNOWN_LAW, f"law must be '2014' or '2023', not {law!r}")


def _require_applicant(applicant: Applicant, today: dt.date) -> None:
    born = _require_date(applicant.birth_date, "the birth date")
    if today < born:
        raise InvalidKindInput(KindErrorCode.ISSUED_BEFORE_BIRTH, "today is before the birth date")
    if applicant.card_issue_date is not None:
        _require_date(applicant.card_issue_date, "the card's issue date")
    if applicant.card_expiry is not None:
        _require_date(applicant.card_expiry, "the card's expiry")


def milestone_of(birth_date: dt.date, expiry: dt.date) -> int | None:
    """Return the milestone age whose birthday is ``expiry``, or None if it is no such birthday.

    A card ends on the birthday at a milestone age (docs/domain.md#validity); an expiry that is
    not one (a register's typing error, a year-only birth) has no milestone.
    """
    born = _require_date(birth_date, "the birth date")
    last = _require_date(expiry, "the expiry")
    if last < born:
        return None
    age = validity.age_on(born, last)
    if age in ALL_MILESTONES and validity.birthday(born, age) == last:
        return age
    return None


def _years_before(day: dt.date, years: int) -> dt.date:
    if day.year - years < dt.MINYEAR:
        return dt.date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February → 28 February, as `validity.birthday` does
        month, mday = validity.LEAP_DAY_BIRTHDAY_IN_COMMON_YEARS
        return dt.date(day.year - years, month, mday)


def exchange_opens(birth_date: dt.date, expiry: dt.date) -> dt.date:
    """Return the first day a card ending on ``expiry`` may be exchanged at its milestone age.

    docs/domain.md#validity: a card issued within two years before a milestone runs to the
    next one, so the exchange is due from the birthday two years before the milestone: born
    12/02/2004, a card valid until 12/02/2029 (25th birthday) may be exchanged from 12/02/2027.
    An expiry that is no milestone birthday opens two years before it all the same.
    """
    milestone = milestone_of(birth_date, expiry)
    if milestone is not None:
        return validity.birthday(birth_date, milestone - validity.RENEWAL_WINDOW_YEARS)
    return _years_before(expiry, validity.RENEWAL_WINDOW_YEARS)


def _exchange_at_age(applicant: Applicant, today: dt.date, verdict: Verdict) -> Verdict:
    expiry = applicant.card_expiry
    if expiry is None:
        return _with(verdict, Refusal.NO_EXPIRY)
    milestone = milestone_of(applicant.birth_date, expiry)
    opens = exchange_opens(applicant.birth_date, expiry)
    verdict = Verdict(
        verdict.kind, milestone=milestone, card_expiry=expiry, estimated=verdict.estimated
    )
    if today < opens:
        return _with(verdict, Refusal.NOT_YET_DUE, opens_on=opens)
    return verdict


def _with(verdict: Verdict, refusal: Refusal, *, opens_on: dt.date | None = None) -> Verdict:
    return Verdict(
        verdict.kind,
        refusal,
        opens_on,
        verdict.milestone,
        verdict.card_expiry,
        verdict.needs_reason,
        verdict.estimated,
    )


def eligibility(kind: Kind, applicant: Applicant, today: dt.date, *, law: validity.Law) -> Verdict:
    """Say whether ``kind`` fits the applicant's card, old ID and age on ``today``.

    The reason a re-issue or an exchange for damage needs is not looked at here (`check` does):
    the desk lists what is possible before the officer types it. Rules: the module's docstring.

    Args:
        kind: one of `KINDS`.
        applicant: what the register holds about the person.
        today: the day of the application.
        law: the law the campaign works under (`validity.Law`); it sets the minimum age.

    Raises:
        InvalidKindInput: an unknown kind or law, a value that is not a date, or a birth after
            ``today``.
    """
    which = _require_kind(kind)
    code = _require_law(law)
    on = _require_date(today, "today")
    _require_applicant(applicant, on)
    card_expiry = applicant.card_expiry if applicant.has_card else None
    verdict = Verdict(
        which,
        card_expiry=card_expiry,
        needs_reason=which in REASON_KINDS,
        estimated=applicant.birth_year_only,
    )
    minimum = validity.MINIMUM_AGE[code]
    if validity.age_on(applicant.birth_date, on) < minimum:
        return _with(
            verdict, Refusal.TOO_YOUNG, opens_on=validity.birthday(applicant.birth_date, minimum)
        )
    if which == "first_issue":
        if applicant.has_card:
            return _with(verdict, Refusal.HOLDS_A_CARD)
        if applicant.has_old_id:
            return _with(verdict, Refusal.HAS_OLD_ID)
        return verdict
    if which == "from_cmnd":
        if applicant.has_card:
            return _with(verdict, Refusal.HOLDS_A_CARD)
        if not applicant.has_old_id:
            return _with(verdict, Refusal.NO_OLD_ID)
        return verdict
    if not applicant.has_card:
        return _with(verdict, Refusal.NO_CARD)
    if which == "exchange_age":
        return _exchange_at_age(applicant, on, verdict)
    return verdict


def check(
    kind: Kind, applicant: Applicant, today: dt.date, *, law: validity.Law, reason: str = ""
) -> Verdict:
    """Say whether the application may be taken as ``kind``: `eligibility`, and the reason in
    words for a re-issue or an exchange for damage or changed data (`REASON_KINDS`).

    Raises:
        InvalidKindInput: as `eligibility`, or a reason that is not a string.
    """
    if not isinstance(reason, str):
        raise InvalidKindInput(
            KindErrorCode.NOT_A_STRING, f"the reason must be a string, not {type_name(reason)}"
        )
    verdict = eligibility(kind, applicant, today, law=law)
    if verdict.allowed and verdict.needs_reason and not reason.strip():
        return _with(verdict, Refusal.REASON_NEEDED)
    return verdict


def verdicts(applicant: Applicant, today: dt.date, *, law: validity.Law) -> list[Verdict]:
    """`eligibility` of every kind, in the order of `KINDS`: what the desk offers and refuses."""
    return [eligibility(kind, applicant, today, law=law) for kind in KINDS]


def suggest(applicant: Applicant, today: dt.date, *, law: validity.Law) -> Kind | None:
    """The first kind of `KINDS` the applicant may make, or None when none is possible (too
    young under the 2014 law): the officer confirms or changes it."""
    return next((v.kind for v in verdicts(applicant, today, law=law) if v.allowed), None)
