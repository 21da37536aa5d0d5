"""Turning one row of a register file into a person's values, or a rejection with its reason."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cccd.core import idnumber, names, validity
from cccd.registry.columns import column_label
from cccd.registry.tables import Cell
from cccd.rule_messages import explain

MAX_CELL = 300
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")
_SEX = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}
_RELATIONS = {"head", "spouse", "child", "parent", "grandchild", "sibling", "other"}
_RELATIONS_VI = {
    "chu ho": "head",
    "vo": "spouse",
    "chong": "spouse",
    "con": "child",
    "cha": "parent",
    "me": "parent",
    "bo": "parent",
    "chau": "grandchild",
    "anh": "sibling",
    "chi": "sibling",
    "em": "sibling",
}
_STATUSES = {
    "alive": "alive",
    "dead": "dead",
    "emigrated": "emigrated",
    "con song": "alive",
    "da chet": "dead",
    "chet": "dead",
    "xuat canh": "emigrated",
    "": "alive",
}


class RowRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


@dataclass
class PersonRow:
    row_number: int
    personal_id: str
    full_name: str
    birth_date: datetime.date
    year_only: bool
    sex: str
    hometown: str = ""
    permanent_address: str = ""
    father_name: str = ""
    mother_name: str = ""
    household_code: str = ""
    commune_code: str = ""
    relation: str = ""
    ethnicity: str = ""
    religion: str = ""
    old_id_number: str = ""
    card_issue_date: datetime.date | None = None
    card_expiry: datetime.date | None = None
    status: str = "alive"
    birth_province_code: str = field(default="")


def raw_values(cells: list[Cell], mapping: dict[str, int]) -> dict[str, str]:
    """The row's mapped cells as short text, for the rejected-rows list."""
    return {column: _text(cells, index)[:MAX_CELL] for column, index in mapping.items()}


def _text(cells: list[Cell], index: int) -> str:
    value = cells[index] if index < len(cells) else None
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_row(
    row_number: int, cells: list[Cell], mapping: dict[str, int], *, today: datetime.date
) -> PersonRow:
    values = {}
    for column, index in mapping.items():
        text = _text(cells, index)
        if len(text) > MAX_CELL:
            raise RowRejected(
                "VALUE_TOO_LONG",
                _("The value in column %(column)s has %(n)s characters; at most %(max)s.")
                % {"column": column_label(column), "n": len(text), "max": MAX_CELL},
            )
        values[column] = text
    if _is_number(
        cells, mapping["personal_id"]
    ):  # Excel dropped the leading zeros of a numeric cell
        values["personal_id"] = values["personal_id"].zfill(12)
    birth_date, year_only = parse_birth_date(
        values.get("birth_date", ""), cells, mapping, today=today
    )
    sex = parse_sex(values.get("sex", ""))
    personal_id = _personal_id(values.get("personal_id", ""), birth_date.year, sex)
    row = PersonRow(
        row_number=row_number,
        personal_id=str(personal_id),
        full_name=_name(values.get("full_name", ""), "full_name"),
        birth_date=birth_date,
        year_only=year_only,
        sex=sex,
        birth_province_code=personal_id.province_code,
        hometown=values.get("hometown", ""),
        permanent_address=values.get("permanent_address", ""),
        father_name=_optional_name(values.get("father_name", "")),
        mother_name=_optional_name(values.get("mother_name", "")),
        household_code=values.get("household_id", ""),
        commune_code=values.get("commune_code", ""),
        relation=_choice(values.get("relation", ""), _RELATIONS, _RELATIONS_VI, "relation"),
        ethnicity=values.get("ethnicity", ""),
        religion=values.get("religion", ""),
        old_id_number=_old_id(values.get("old_id_number", "")),
        status=_choice(values.get("status", ""), set(), _STATUSES, "status") or "alive",
    )
    _card(row, values.get("card_issue_date", ""), today=today)
    return row


def parse_birth_date(
    text: str, cells: list[Cell], mapping: dict[str, int], *, today: datetime.date
) -> tuple[datetime.date, bool]:
    raw = cells[mapping["birth_date"]] if mapping["birth_date"] < len(cells) else None
    if isinstance(raw, datetime.date):
        day = raw.date() if isinstance(raw, datetime.datetime) else raw
        return _not_future(day, today), False
    if match := _YEAR.match(text):
        year = int(match.group(1))
        if not 1900 <= year <= today.year:
            raise RowRejected(
                "BAD_DATE", _("Year of birth %(year)s is out of range.") % {"year": year}
            )
        return validity.assumed_birth_date(year), True
    parsed = parse_date(text)
    if parsed is None:
        raise RowRejected(
            "BAD_DATE",
            _("“%(text)s” is not a date; write dd/mm/yyyy, yyyy-mm-dd or the year alone.")
            % {"text": text[:40]},
        )
    return _not_future(parsed, today), False


def parse_date(text: str) -> datetime.date | None:
    if match := _DMY.match(text):
        d, m, y = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        y, m, d = (int(g) for g in match.groups())
    else:
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _not_future(day: datetime.date, today: datetime.date) -> datetime.date:
    if day > today or day.year < 1900:
        raise RowRejected(
            "BAD_DATE",
            _("Date of birth %(date)s is out of range.") % {"date": day.strftime("%d/%m/%Y")},
        )
    return day


def parse_sex(text: str) -> str:
    sex = _SEX.get(names.fold(text) if text else "")
    if sex is None:
        raise RowRejected(
            "BAD_SEX", _("Sex must be Nam or Nữ (or M/F), not “%(text)s”.") % {"text": text[:20]}
        )
    return sex


def _personal_id(text: str, birth_year: int, sex: str) -> idnumber.PersonalId:
    try:
        parsed = idnumber.parse(text)
    except idnumber.InvalidPersonalId as exc:
        raise RowRejected(
            "BAD_ID", _("Personal ID number: %(reason)s") % {"reason": explain(exc)}
        ) from None
    try:
        return idnumber.check(parsed, birth_year=birth_year, sex=sex)
    except idnumber.InvalidPersonalId as exc:
        raise RowRejected(
            "ID_MISMATCH",
            _("The personal ID number does not match the person: %(reason)s")
            % {"reason": explain(exc)},
        ) from None


def _name(text: str, column: str) -> str:
    try:
        return names.normalize(text)
    except ValueError as exc:
        raise RowRejected(
            "BAD_NAME",
            _("Name in column %(column)s: %(reason)s")
            % {"column": column_label(column), "reason": explain(exc)},
        ) from None


def _optional_name(text: str) -> str:
    if not text:
        return ""
    try:
        return names.normalize(text)
    except ValueError:
        return text  # parents' names are kept as written: they only help matching


def _choice(text: str, codes: set[str], aliases: dict[str, str], column: str) -> str:
    key = names.fold(text) if text else ""
    if not key:
        return aliases.get("", "")
    if key in codes:
        return key
    if key in aliases:
        return aliases[key]
    raise RowRejected(
        "BAD_VALUE",
        _("“%(text)s” is not a known value for %(column)s.")
        % {"text": text[:40], "column": column_label(column)},
    )


def _old_id(text: str) -> str:
    if text and not (text.isascii() and text.isdigit() and len(text) in {9, 12}):
        raise RowRejected("BAD_OLD_ID", _("The old ID number must have 9 or 12 digits."))
    return text


def _card(row: PersonRow, text: str, *, today: datetime.date) -> None:
    if not text:
        return
    issue = parse_date(text)
    if issue is None or issue > today:
        raise RowRejected(
            "BAD_DATE",
            _("Card issue date “%(text)s” is not a valid past date.") % {"text": text[:40]},
        )
    try:
        row.card_expiry = validity.card_expiry(
            row.birth_date, issue, law=validity.law_for_date(issue)
        )
    except ValueError as exc:
        raise RowRejected(
            "BAD_CARD_DATE",
            _("No card can have been issued on that date: %(reason)s") % {"reason": explain(exc)},
        ) from None
    row.card_issue_date = issue


def _is_number(cells: list[Cell], index: int) -> bool:
    value = cells[index] if index < len(cells) else None
    return isinstance(value, int | float) and not isinstance(value, bool)
