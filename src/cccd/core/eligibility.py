"""Who a campaign must reach: the age and card parts of the rule of docs/reach.md.

A person is *eligible* for a campaign on a day when they live in its unit that day (the register's
side, `cccd.reach.eligible`), are alive that day, and by this module:

- **old enough**: 14 or over on the day, the 14th birthday counting on the birthday itself
  (`validity.birthday`; a year-only birth date is 1 January, `validity.assumed_birth_date`);
- and **without a card of the kind the campaign issues** that still holds: under the 2014 law the
  campaign issues the chip CCCD, and a chip CCCD still valid on the day (through its expiry day)
  counts; under the 2023 law a chip CCCD or the 2024 identity card counts only if it stays valid
  past the campaign's last day, because a card that falls due at a milestone age during the
  campaign is one the campaign must exchange. Under the 2023 law a child under 14 whose card falls
  due within the campaign (the 14th birthday is a milestone) is eligible too.

Which kinds count (`COUNTED_KINDS`) is our reading of the campaigns of 2021 (chip cards for all,
barcode cards left to expire) and of the 2023 law (a chip CCCD stays valid until its expiry)
**[unverified as a rule of any ministry order]**: it is kept here, in one place.

No Django: the register's SQL and the tests' direct computation both read these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

from cccd.core import validity

CardKind = Literal["", "cmnd", "cccd_barcode", "cccd_chip", "card_2024"]
CARD_KINDS: Final[tuple[CardKind, ...]] = ("", "cmnd", "cccd_barcode", "cccd_chip", "card_2024")
"""No card, the 9- or 12-digit CMND, the barcode CCCD (2016–2020), the chip CCCD (from 2021), the
identity card of the 2023 law (from 1 July 2024)."""

ELIGIBLE_AGE: Final = 14
COUNTED_KINDS: Final[dict[validity.Law, frozenset[str]]] = {
    "2014": frozenset({"cccd_chip"}),
    "2023": frozenset({"cccd_chip", "card_2024"}),
}


def latest_birth_date_at_age(day: dt.date, age: int) -> dt.date:
    """The latest birth date of someone who is `age` or older on `day`.

    `validity.birthday` never decreases as the birth date moves later, so "at least `age` on `day`"
    is exactly "born on or before this date": the SQL side filters on it and stays exact, leap days
    included (born 29/02/2008 is 14 on 28/02/2022).
    """
    year = day.year - age
    try:
        guess = day.replace(year=year)
    except ValueError:  # 29 February of a common year
        guess = dt.date(year, 2, 28)
    # Step forward while the next day is still old enough, back while this one is not.
    while validity.birthday(guess + dt.timedelta(days=1), age) <= day:
        guess += dt.timedelta(days=1)
    while validity.birthday(guess, age) > day:
        guess -= dt.timedelta(days=1)
    return guess


def holds_campaign_card(
    card_kind: str,
    card_expiry: dt.date | None,
    *,
    law: validity.Law,
    day: dt.date,
    campaign_end: dt.date,
) -> bool:
    """Whether the person's card is one the campaign need not issue again (module docstring).

    `card_expiry` None with a counted kind is a card without expiry ("Không thời hạn")."""
    if card_kind not in COUNTED_KINDS[law]:
        return False
    if card_expiry is None:
        return True
    return card_expiry > campaign_end if law == "2023" else card_expiry >= day


def falls_due_in_campaign(
    card_kind: str,
    card_expiry: dt.date | None,
    *,
    law: validity.Law,
    day: dt.date,
    campaign_end: dt.date,
) -> bool:
    """Under the 2023 law, a counted card still valid on `day` that expires by the campaign's end."""
    return (
        law == "2023"
        and card_kind in COUNTED_KINDS[law]
        and card_expiry is not None
        and day <= card_expiry <= campaign_end
    )


def alive_on(status: str, died_on: dt.date | None, day: dt.date) -> bool:
    """Alive on `day`: not emigrated, and not dead — or dead only after `day`.

    A death recorded without a date counts from always (the register says dead and no more), so
    it never inflates a past figure with someone the team cannot reach."""
    if status == "emigrated":
        return False
    if status == "dead":
        return died_on is not None and died_on > day
    return died_on is None or died_on > day


def is_eligible(
    *,
    birth_date: dt.date,
    card_kind: str,
    card_expiry: dt.date | None,
    law: validity.Law,
    day: dt.date,
    campaign_end: dt.date,
) -> bool:
    """Old enough (or due under the 2023 law) and without a card that holds (module docstring).

    Residence and being alive are the caller's: they depend on the register's records."""
    if holds_campaign_card(card_kind, card_expiry, law=law, day=day, campaign_end=campaign_end):
        return False
    if birth_date <= latest_birth_date_at_age(day, ELIGIBLE_AGE):
        return True
    return falls_due_in_campaign(
        card_kind, card_expiry, law=law, day=day, campaign_end=campaign_end
    )
