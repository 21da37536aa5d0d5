"""Sentences in the user's language for the error codes of `cccd.core`.

`cccd.core` is pure and speaks English in its exceptions (they may end up in a developer's
traceback); what an officer reads comes from here, chosen by the exception's stable `code`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.core._errors import CoreError

_MESSAGES = {
    "NOT_A_STRING": gettext_lazy("the value is missing"),
    "EMPTY": gettext_lazy("the value is empty"),
    "NOT_DIGITS": gettext_lazy("a personal ID number has only digits 0-9"),
    "WRONG_LENGTH": gettext_lazy("a personal ID number has exactly 12 digits"),
    "UNKNOWN_PROVINCE": gettext_lazy("its first three digits are not a province code"),
    "BIRTH_YEAR_OUT_OF_RANGE": gettext_lazy("the year of birth is out of range"),
    "BAD_SEX": gettext_lazy("the sex is not Nam or Nữ"),
    "BAD_SERIAL": gettext_lazy("its last six digits are not valid"),
    "BIRTH_YEAR_MISMATCH": gettext_lazy("its digits 4 to 6 give another year of birth"),
    "SEX_MISMATCH": gettext_lazy("its fourth digit gives the other sex"),
    "BAD_CHARACTER": gettext_lazy("a name has only letters, spaces, apostrophes and hyphens"),
    "BAD_PUNCTUATION": gettext_lazy("an apostrophe or hyphen must stand between two letters"),
    "TOO_MANY_MARKS": gettext_lazy("a letter carries too many diacritics"),
    "ISSUED_BEFORE_BIRTH": gettext_lazy("the issue date is before the date of birth"),
    "TOO_YOUNG": gettext_lazy("the person was too young for a card on that date"),
    "OUT_OF_RANGE": gettext_lazy("the date is out of range"),
    "NOT_A_DATE": gettext_lazy("the value is not a date"),
    "TOO_FEW_FIELDS": gettext_lazy("it has fewer than the seven fields of a card's QR code"),
    "BAD_FIELD": gettext_lazy("a field holds a character no card prints"),
    "BAD_DATE": gettext_lazy("a date in it is not a date written ddmmyyyy"),
    "BAD_PERSONAL_ID": gettext_lazy("its personal ID number is not valid"),
}


def explain(error: ValueError) -> str:
    """The sentence for a core error, or a generic one for a code not listed here."""
    code = getattr(error, "code", "") if isinstance(error, CoreError) else ""
    message = _MESSAGES.get(str(code))
    return str(message) if message is not None else _("the value is not valid")
