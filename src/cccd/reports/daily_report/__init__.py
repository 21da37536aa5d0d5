"""The daily progress report (báo cáo tiến độ cấp CCCD) a police unit sends upward, as xlsx and PDF.

`report_content(unit, campaign, day)` lays the report out from `cccd.reports.queries.figures` and
nothing else, so every figure in it is the dashboard's and the API's. The report is an official
paper in the shape Vietnamese police units use (the unit and the national motto side by side, the
place and date line, a title, numbered sections, two signatures), so its wording is Vietnamese
whatever the user's language, like the appointment slip; labels that come from the figures (kinds,
groups) are taken in Vietnamese too.

`render_xlsx` and `render_pdf` draw the same content: real number cells in the workbook (a sheet
people go on to add up), A4 portrait in both. The PDF uses the vendored DejaVu fonts of `cccd.pdf`, like the slip.

The package's modules, one job each: `content` (the figures, worded), `xlsx` and `pdf` (the two
writers), `storage` (the stored files: names, writing both, listing) and `atomic` (replacing a
file whole). Callers import from `cccd.reports.daily_report`.
"""

from cccd.reports.daily_report.atomic import replace_file
from cccd.reports.daily_report.content import (
    CHILD_HEADER,
    MOTTO_1,
    MOTTO_2,
    SIGN_LEFT,
    SIGN_RIGHT,
    SUBTITLE,
    TITLE,
    ChildLine,
    Line,
    ReportContent,
    date_line,
    forecast_remark,
    forecast_sentence,
    place_of,
    progress_note,
    remarks,
    report_content,
    time_share,
    vn_number,
)
from cccd.reports.daily_report.pdf import render_pdf
from cccd.reports.daily_report.storage import (
    FORMATS,
    STORE_ROOT,
    StoredReport,
    render,
    store_report,
    stored_name,
    stored_reports,
    unit_folder,
)
from cccd.reports.daily_report.xlsx import render_xlsx

__all__ = [
    "CHILD_HEADER",
    "FORMATS",
    "MOTTO_1",
    "MOTTO_2",
    "SIGN_LEFT",
    "SIGN_RIGHT",
    "STORE_ROOT",
    "SUBTITLE",
    "TITLE",
    "ChildLine",
    "Line",
    "ReportContent",
    "StoredReport",
    "date_line",
    "forecast_remark",
    "forecast_sentence",
    "place_of",
    "progress_note",
    "remarks",
    "render",
    "render_pdf",
    "render_xlsx",
    "replace_file",
    "report_content",
    "store_report",
    "stored_name",
    "stored_reports",
    "time_share",
    "unit_folder",
    "vn_number",
]
