from django.utils.translation import gettext_lazy as _

from cccd.errors import ErrorCode

# Whole-file refusals: nothing is imported.
EMPTY_FILE = ErrorCode("EMPTY_FILE", _("The file is empty."), 400)
NOT_A_TABLE = ErrorCode(
    "NOT_A_TABLE",
    _(
        "This is not a CSV or Excel (.xlsx) file. Save the list as “CSV UTF-8” or “Excel Workbook” and upload it again."
    ),
    400,
)
BAD_XLSX = ErrorCode(
    "BAD_XLSX",
    _(
        "The file looks like an Excel workbook but cannot be opened (%(detail)s). Open it in Excel, save it again as .xlsx and retry."
    ),
    400,
)
NOT_UTF8 = ErrorCode(
    "NOT_UTF8",
    _(
        "The file is not UTF-8 text (line %(line)s). In Excel, save it as “CSV UTF-8 (comma delimited)” and upload it again."
    ),
    400,
)
BINARY_CONTENT = ErrorCode(
    "BINARY_CONTENT",
    _(
        "Line %(line)s of the file holds a NUL byte, which no text file contains: the file is damaged or is not a CSV file. Save the list as “CSV UTF-8” or “Excel Workbook” and upload it again."
    ),
    400,
)
NO_HEADER = ErrorCode("NO_HEADER", _("The file has no header row."), 400)
MISSING_COLUMNS = ErrorCode(
    "MISSING_COLUMNS", _("The file has no column for: %(missing)s. Headers found: %(found)s."), 400
)
DUPLICATE_COLUMNS = ErrorCode(
    "DUPLICATE_COLUMNS", _("Two columns both mean “%(column)s”: %(headers)s."), 400
)
NO_ROWS = ErrorCode("NO_ROWS", _("The file has a header but no data rows."), 400)
FILE_TOO_LARGE = ErrorCode("FILE_TOO_LARGE", _("The file is larger than %(limit)s MB."), 413)
IMPORT_RUNNING = ErrorCode("IMPORT_RUNNING", _("This import is already running."), 409)
IMPORT_QUEUED = ErrorCode(
    "IMPORT_QUEUED", _("This import is already queued: the next free worker starts it."), 409
)
IMPORT_FINISHED = ErrorCode(
    "IMPORT_FINISHED",
    _("This import has ended. To import the file again, upload it as a new import."),
    409,
)
PERSON_QUERY_TOO_SHORT = ErrorCode(
    "QUERY_TOO_SHORT",
    _("Type a 12-digit personal ID number, or a name with the year of birth."),
    400,
)
ID_NUMBER_LENGTH = ErrorCode(
    "ID_NUMBER_LENGTH",
    _("A personal ID number has 12 digits; this one has %(count)s. Check it and type it again."),
    400,
)
CARD_QR_UNREADABLE = ErrorCode(
    "CARD_QR_UNREADABLE",
    _(
        "This is not the QR code of a citizen ID card (%(reason)s). Scan it again, or type the ID number."
    ),
    400,
)
