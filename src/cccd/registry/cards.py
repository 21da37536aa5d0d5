"""The card a register row says the person holds: its kind as written, the kinds each day could
issue, and how long a CMND lasts.

Kinds are `Person.CardKind` (`cccd.core.eligibility.CARD_KINDS`). A file may write them as the codes
(cmnd, cccd_barcode, cccd_chip, card_2024), in Vietnamese ("CCCD gắn chip", "Thẻ căn cước") or in
English, with or without diacritics.

**When each kind was issued** (our reading of the two laws and of the campaigns; the dates bound
what a row may claim, and give the kind of a row that has only an issue date — the rule the
migration `registry/0003` applied to the records already held):

- CMND: until the 2023 law took effect (30/06/2024); CMNDs went on being issued in places after
  2016 **[unverified end date; we take the law's]**;
- barcode CCCD: from 01/01/2016 (the 2014 law) to 31/12/2020 when inferred from the date, and
  accepted when written up to 30/06/2024;
- chip CCCD: from 01/01/2021 to 30/06/2024;
- the identity card of the 2023 law: from 01/07/2024.

A CMND is valid 15 years from its issue (Decree 05/1999/NĐ-CP, art. 2), and no later than
31/12/2024 (Law on Identification 2023, art. 46(1)).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Final

from cccd.core import names, validity

UNSAID: Final = "unsaid"  # the row says nothing of the kind
NO_CARD: Final = "none"  # the row says the person holds none
CCCD: Final = "cccd"  # a citizen identity card, barcode or chip: the issue date tells which

CCCD_START: Final = dt.date(2016, 1, 1)
CHIP_START: Final = dt.date(2021, 1, 1)
CARD_2024_START: Final = validity.LAW_2023_IN_FORCE
CMND_YEARS: Final = 15
CMND_LAST_DAY: Final = dt.date(2024, 12, 31)
CMND_MINIMUM_AGE: Final = 14

_KINDS: Final[dict[str, str]] = {
    "": UNSAID,
    # none
    "none": NO_CARD, "no card": NO_CARD, "khong": NO_CARD, "khong co": NO_CARD,
    "khong co the": NO_CARD, "chua co": NO_CARD, "chua co the": NO_CARD, "chua cap": NO_CARD,
    # CMND
    "cmnd": "cmnd", "chung minh nhan dan": "cmnd", "giay chung minh nhan dan": "cmnd",
    "cmnd 9 so": "cmnd", "cmnd 12 so": "cmnd", "identity card cmnd": "cmnd",
    # CCCD, barcode or chip
    "cccd": CCCD, "can cuoc cong dan": CCCD, "the can cuoc cong dan": CCCD,
    "citizen identity card": CCCD,
    "cccd barcode": "cccd_barcode", "cccd ma vach": "cccd_barcode", "cccd co ma vach": "cccd_barcode",
    "can cuoc cong dan ma vach": "cccd_barcode", "the can cuoc cong dan ma vach": "cccd_barcode",
    "the cccd ma vach": "cccd_barcode", "citizen identity card with a barcode": "cccd_barcode",
    "cccd chip": "cccd_chip", "cccd gan chip": "cccd_chip", "cccd co chip": "cccd_chip",
    "can cuoc cong dan gan chip": "cccd_chip", "the can cuoc cong dan gan chip": "cccd_chip",
    "the cccd gan chip": "cccd_chip", "chip citizen identity card": "cccd_chip",
    "chip": "cccd_chip",
    # the card of the 2023 law
    "card 2024": "card_2024", "the can cuoc": "card_2024", "can cuoc": "card_2024",
    "the can cuoc 2024": "card_2024", "can cuoc 2024": "card_2024", "identity card 2024": "card_2024",
    "identity card": "card_2024",
}  # fmt: skip
_NOT_WORD = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=1024)
def parse_kind(text: str) -> str | None:
    """A kind, `UNSAID`, `NO_CARD` or `CCCD` from the text of a cell; None when unknown."""
    key = _NOT_WORD.sub(" ", names.fold(text[:100])).strip() if text else ""
    return _KINDS.get(key)


def kind_by_issue_date(issue: dt.date) -> str:
    """The kind of a card known only by its issue date (module docstring)."""
    if issue >= CARD_2024_START:
        return "card_2024"
    if issue >= CHIP_START:
        return "cccd_chip"
    if issue >= CCCD_START:
        return "cccd_barcode"
    return "cmnd"


def issued_on(kind: str, issue: dt.date) -> bool:
    """Whether a card of ``kind`` could be issued on ``issue``."""
    if kind == "card_2024":
        return issue >= CARD_2024_START
    if kind == "cccd_chip":
        return CHIP_START <= issue < CARD_2024_START
    if kind == "cccd_barcode":
        return CCCD_START <= issue < CARD_2024_START
    return kind == "cmnd" and issue < CARD_2024_START


def expiry(kind: str, birth_date: dt.date, issue: dt.date) -> dt.date | None:
    """The card's last valid day (None: no expiry). Raises ValueError (a `CoreError`) when no
    card of that kind can have been issued to the person that day."""
    if kind != "cmnd":
        return validity.card_expiry(birth_date, issue, law=validity.law_for_date(issue))
    if issue < birth_date or validity.age_on(birth_date, issue) < CMND_MINIMUM_AGE:
        raise validity.InvalidValidityInput(
            validity.ValidityErrorCode.TOO_YOUNG,
            f"a CMND is issued from age {CMND_MINIMUM_AGE}",
        )
    return min(validity.birthday(issue, CMND_YEARS), CMND_LAST_DAY)


def kind_label(kind: str) -> str:
    from cccd.registry.models import Person

    return str(Person.CardKind(kind).label)
