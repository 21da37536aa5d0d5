"""The discrepancy list a school downloads to correct its data before the day (Vietnamese).

Rows are named by their line in the school's own file — the row number Excel shows in their sheet,
header and blank lines counted — so the teacher finds each one at once. Everything the school or
the register wrote goes through `cccd.spreadsheets.safe_text`: the file goes back to the school,
and a value such as `=HYPERLINK(…)` must arrive as text, not as a formula.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from cccd.registry.models import Person
from cccd.rosters.models import Decision, Flag, Outcome, Roster, RosterEntry
from cccd.rosters.queries import with_open_applications
from cccd.spreadsheets import first_sheet, safe_text

_COLUMNS = ("full_name", "birth_date", "sex", "class_name", "personal_id")
_HEADER_ROW = 3


def write_discrepancies(roster: Roster, path: Path, *, language: str = "vi") -> int:
    """Rows the school must look at, with what to correct. Never shows another person's data:
    differences are listed only against the person the row was matched to."""
    with translation.override(language):
        workbook = Workbook()
        sheet = first_sheet(workbook)
        sheet.title = _("Discrepancies")[:31]
        _append(
            sheet,
            [
                _("Discrepancy list: %(list)s — file %(file)s (version %(v)s)")
                % {"list": roster.display_name, "file": roster.original_name, "v": roster.version}
            ],
        )
        _append(sheet, [_("Session: %(s)s") % {"s": roster.session}])
        header = [
            _("Line in your file"),
            _("Full name"),
            _("Date of birth"),
            _("Sex"),
            _("Class"),
            _("Personal ID number"),
            _("What to check"),
            _("In the register"),
        ]
        sheet.append(header)
        for cell in sheet[_HEADER_ROW]:
            cell.font = Font(bold=True)
        count = 0
        entries = with_open_applications(roster.entries.order_by("row"), roster.session)
        people = Person.objects.in_bulk([e.person_id for e in entries if e.person_id])
        for entry in entries:
            issues = _issues(entry)
            person = people.get(entry.person_id) if entry.person_id else None
            differences = _differences(entry, person) if person is not None else []
            if not issues and not differences:
                continue
            values = entry.values or {}
            _append(
                sheet,
                [
                    entry.line,
                    *(values.get(c, "") for c in _COLUMNS),
                    "; ".join(issues + differences),
                    _register_summary(person),
                ],
            )
            count += 1
        for column, width in zip("ABCDEFGH", (9, 28, 13, 7, 8, 15, 60, 40), strict=True):
            sheet.column_dimensions[column].width = width
        for row in sheet.iter_rows(min_row=_HEADER_ROW + 1):
            row[6].alignment = Alignment(wrap_text=True)
        workbook.save(path)
    return count


def _append(sheet: Any, values: list[Any]) -> None:
    """A row of cells, text made safe; a cell holding text is stored as text, never a formula."""
    sheet.append([safe_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def _issues(entry: RosterEntry) -> list[str]:
    issues = [sentence for _code, sentence in entry.problems]
    if entry.decision == Decision.NOT_IN_REGISTER or (
        entry.outcome == Outcome.NOT_FOUND and not entry.decision
    ):
        issues.append(
            _("Not found in the population register: check the full name and the date of birth.")
        )
    elif entry.outcome in {Outcome.REVIEW, Outcome.AMBIGUOUS} and not entry.decision:
        issues.append(
            _(
                "Not certain: the police will check this row; add the personal ID number if you have it."
            )
        )
    elif entry.decision == Decision.REJECTED:
        issues.append(_("The police could not confirm this person: check the row."))
    labels = {
        Flag.VALID_CARD: _("Already holds a valid card."),
        Flag.DUPLICATE_ROW: _("Listed twice."),
        Flag.NOT_ELIGIBLE: _("Not eligible on the session date (age)."),
        Flag.OPEN_APPLICATION: _("Already has an application in progress."),
    }
    issues += [str(labels[Flag(f)]) for f in entry.flags if f in Flag.values]
    return issues


def _differences(entry: RosterEntry, person: Person) -> list[str]:
    found = []
    if entry.full_name and entry.full_name != person.full_name:
        found.append(_("the register writes the name “%(name)s”") % {"name": person.full_name})
    if (
        entry.birth_date
        and person.birth_date_precision == "day"
        and entry.birth_date != person.birth_date
    ):
        found.append(
            _("the register has the date of birth %(date)s")
            % {"date": f"{person.birth_date:%d/%m/%Y}"}
        )
    if entry.sex and entry.sex != person.sex:
        found.append(_("the register has the sex %(sex)s") % {"sex": person.get_sex_display()})
    if entry.personal_id and entry.personal_id != person.personal_id:
        found.append(_("the personal ID number differs from the register"))
    return found


def _register_summary(person: Person | None) -> str:
    if person is None:
        return ""
    return (
        f"{person.full_name} — {person.birth_date:%d/%m/%Y}"
        if person.birth_date_precision == "day"
        else (f"{person.full_name} — {person.birth_year}")
    )
