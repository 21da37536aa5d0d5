from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

NOT_YOUR_VENUE = ErrorCode(
    "NOT_YOUR_VENUE", _("You can only send lists for your own school or commune."), 403
)
NOT_A_CANDIDATE = ErrorCode(
    "NOT_A_CANDIDATE", _("That person is not among this row's candidates."), 400
)
ROSTER_NOT_CURRENT = ErrorCode(
    "ROSTER_NOT_CURRENT",
    _("A newer version replaced this list; open the current version."),
    409,
)
ROSTER_NOT_CHECKED = ErrorCode(
    "ROSTER_NOT_CHECKED", _("The pre-check of this list has not finished yet."), 409
)
BAD_DECISION = ErrorCode("BAD_DECISION", _("Unknown decision."), 400)
LIST_EXISTS = ErrorCode(
    "LIST_EXISTS",
    _(
        "This session already has a list named “%(name)s”. To send a corrected version of it, choose that list under “This file”; to add another list, give it another name."
    ),
    409,
)
NO_SUCH_LIST = ErrorCode(
    "NO_SUCH_LIST", _("This session has no list named “%(name)s” to replace."), 404
)
NOT_AWAITING = ErrorCode(
    "NOT_AWAITING",
    _("This version of the list is not waiting for a confirmation (it was used or set aside)."),
    409,
)
REPLACEMENT_CHANGED = ErrorCode(
    "REPLACEMENT_CHANGED",
    _(
        "The list was changed since you looked at what this version drops. Look at the changes again before confirming."
    ),
    409,
)

# Whole-file refusals of a list (cccd.rosters.reading): nothing is read.
NO_ROSTER_HEADER = ErrorCode(
    "NO_ROSTER_HEADER",
    _(
        "Could not find the header row of the list: none of its first %(rows)s rows has both a “Họ và tên” (full name) and a “Ngày sinh” (date of birth) column. Headers seen: %(found)s. Name those two columns in the file, or choose the columns by hand, then upload again."
    ),
    400,
)
NO_ROSTER_ROWS = ErrorCode(
    "NO_ROSTER_ROWS",
    _(
        "The list has a header row (line %(line)s) but nobody under it. Check that the people are on the first sheet, below the header, and upload again."
    ),
    400,
)
ROSTER_TOO_LONG = ErrorCode(
    "ROSTER_TOO_LONG",
    _(
        "The list has more than %(max)s people, more than one upload can take. Split it into files of at most %(max)s people and upload them one by one."
    ),
    400,
)
FORMULAS_WITHOUT_VALUES = ErrorCode(
    "FORMULAS_WITHOUT_VALUES",
    _(
        "The sheet holds formulas whose results were never saved (for example cell %(cell)s), so their values cannot be read. Open the file in Excel, save it, and upload it again."
    ),
    400,
)
BAD_MAPPING = ErrorCode(
    "BAD_MAPPING",
    _("The chosen columns do not fit this file: %(detail)s. Choose the columns again."),
    400,
)

# Problem codes of a row: not refusals (the row is kept and the officer fixes the value). The API
# gives them in a roster entry's `problems`, as [code, sentence] pairs; ROW_PROBLEMS says what each
# means in the OpenAPI document (`cccd.rosters.schemas.EntryOut`).
MISSING_NAME = "MISSING_NAME"
BAD_NAME = "BAD_NAME"
MISSING_DATE = "MISSING_DATE"
BAD_DATE = "BAD_DATE"
BAD_SEX = "BAD_SEX"
BAD_ID = "BAD_ID"
VALUE_TOO_LONG = "VALUE_TOO_LONG"
ROW_PROBLEMS = {
    MISSING_NAME: "the full name is missing",
    BAD_NAME: "the full name breaks a rule of names (a character, mark or punctuation no name has)",
    MISSING_DATE: "the date of birth is missing",
    BAD_DATE: "the date of birth cannot be read, is out of range or is in the future",
    BAD_SEX: "the sex is neither Nam nor Nữ, or both columns are marked",
    BAD_ID: "the personal ID number breaks a rule of the number (length, province, year, sex)",
    VALUE_TOO_LONG: "a value has over 300 characters and is not read",
}
