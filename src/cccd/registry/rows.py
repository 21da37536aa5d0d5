"""Turning one row of a register file into a person's values, or a rejection with its reason."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cccd.core import idnumber, names, validity
from cccd.registry import cards
from cccd.registry.columns import column_label
from cccd.registry.tables import Cell
from cccd.registry.villages import village_of
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
    card_kind: str = ""
    card_number: str = ""
    status: str = "alive"
    died_on: datetime.date | None = None
    birth_province_code: str = field(default="")
    village: str = ""
    residence_since: datetime.date | None = None
    previous: Residence | None = None
    temporary: Residence | None = None


@dataclass
class Residence:
    """A residence a row names besides the current permanent one: where it lived before it moved
    in on `residence_since` (`start` and `end` empty), or its temporary residence."""

    commune_code: str
    address: str
    village: str
    start: datetime.date | None = None
    end: datetime.date | None = None
    unit_id: int | None = None  # set by the import (`ResidenceResolver`)


def raw_values(cells: list[Cell], mapping: dict[str, int]) -> dict[str, str]:
    """The row's mapped cells as short text, for the rejected-rows list."""
    return {column: _text(cells, index)[:MAX_CELL] for column, index in mapping.items()}


def _text(cells: list[Cell], index: int) -> str:
    value = cells[index] if index < len(cells) else None
    if type(value) is str:  # a CSV's every cell: the common case first
        return value.strip()
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
    size = len(cells)
    for column, index in mapping.items():
        value = cells[index] if index < size else None
        text = value.strip() if type(value) is str else _text(cells, index)  # a CSV's cell, inline
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
    row.village = village_of(row.permanent_address)
    _card(
        row, values, numeric=_is_number(cells, mapping.get("card_number", len(cells))), today=today
    )
    _death(row, values, today=today)
    _residences(row, values, today=today)
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


def _card(row: PersonRow, values: dict[str, str], *, numeric: bool, today: datetime.date) -> None:
    """The card the person holds: its kind (or the kind its issue date implies), number, dates."""
    issue = _past_date(values.get("card_issue_date", ""), "card_issue_date", today)
    kind = cards.parse_kind(values.get("card_kind", ""))
    number = values.get("card_number", "")
    if kind is None:
        raise RowRejected(
            "BAD_CARD_KIND",
            _(
                "“%(text)s” is not a card kind: write CMND, CCCD mã vạch, CCCD gắn chip, Thẻ căn cước or Không."
            )
            % {"text": values.get("card_kind", "")[:40]},
        )
    if kind == cards.NO_CARD:
        if issue is not None or number:
            raise RowRejected(
                "CARD_DETAILS_WITHOUT_CARD",
                _("The row says the person holds no card, yet gives a card number or issue date."),
            )
        return
    if kind == cards.UNSAID:
        if issue is None:
            if number:
                raise RowRejected(
                    "CARD_NUMBER_WITHOUT_KIND",
                    _("A card number needs the card's kind or its issue date."),
                )
            return
        kind = cards.kind_by_issue_date(issue)
    elif kind == cards.CCCD:  # barcode or chip: the date tells
        if issue is None:
            raise _date_missing()
        kind = "cccd_chip" if issue >= cards.CHIP_START else "cccd_barcode"
    if issue is not None and not cards.issued_on(kind, issue):
        raise RowRejected(
            "CARD_KIND_DATE",
            _("No %(kind)s was issued on %(date)s.")
            % {"kind": cards.kind_label(kind), "date": issue.strftime("%d/%m/%Y")},
        )
    if issue is None and kind != "cmnd":
        raise _date_missing()
    row.card_kind = kind
    row.card_number = _card_number(row, kind, number, numeric=numeric)
    if kind == "cmnd" and not row.old_id_number:
        row.old_id_number = row.card_number  # the intake reads the old ID from here
    if issue is not None:
        row.card_expiry = _expiry(row, kind, issue)
        row.card_issue_date = issue


def _date_missing() -> RowRejected:
    return RowRejected(
        "CARD_DATE_MISSING",
        _("A citizen identity card needs its issue date: its expiry is counted from it."),
    )


def _card_number(row: PersonRow, kind: str, text: str, *, numeric: bool) -> str:
    if numeric:  # Excel dropped the leading zeros of a numeric cell
        text = text.zfill(9 if len(text) <= 9 else 12)
    if kind == "cmnd":
        if text and not (text.isascii() and text.isdigit() and len(text) in {9, 12}):
            raise RowRejected("BAD_CARD_NUMBER", _("A CMND number has 9 or 12 digits."))
        return text
    if not text:
        return row.personal_id  # a citizen identity card carries the personal ID number
    if not (text.isascii() and text.isdigit() and len(text) == 12):
        raise RowRejected(
            "BAD_CARD_NUMBER", _("The number of a citizen identity card has 12 digits.")
        )
    if text != row.personal_id:
        raise RowRejected(
            "CARD_NUMBER_MISMATCH",
            _("The number of a citizen identity card is the personal ID number; this one differs."),
        )
    return text


def _expiry(row: PersonRow, kind: str, issue: datetime.date) -> datetime.date | None:
    try:
        return cards.expiry(kind, row.birth_date, issue)
    except ValueError as exc:
        raise RowRejected(
            "BAD_CARD_DATE",
            _("No card can have been issued on that date: %(reason)s") % {"reason": explain(exc)},
        ) from None


def _past_date(text: str, column: str, today: datetime.date) -> datetime.date | None:
    """An optional day that has happened: empty → None; not a date, or later than today → rejected."""
    if not text:
        return None
    day = parse_date(text)
    if day is None or day > today or day.year < 1900:
        raise RowRejected(
            "BAD_DATE",
            _("%(column)s “%(text)s” is not a valid past date (dd/mm/yyyy).")
            % {"column": column_label(column), "text": text[:40]},
        )
    return day


def _death(row: PersonRow, values: dict[str, str], *, today: datetime.date) -> None:
    """The date of death goes with the status dead: an empty status becomes dead; alive or
    emigrated with a death date is a contradiction."""
    text = values.get("died_on", "")
    if not text:
        return
    day = parse_date(text)
    if day is None or day > today or day < row.birth_date:
        raise RowRejected(
            "BAD_DEATH_DATE",
            _("Date of death “%(text)s” is not a date between the birth and today.")
            % {"text": text[:40]},
        )
    if values.get("status", ""):
        if row.status != "dead":
            raise RowRejected(
                "DEATH_BUT_NOT_DEAD",
                _("The row gives a date of death but its status is “%(status)s”.")
                % {"status": values["status"][:40]},
            )
    row.status = "dead"
    row.died_on = day


def _residences(row: PersonRow, values: dict[str, str], *, today: datetime.date) -> None:
    since = values.get("residence_since", "")
    if since:
        day = parse_date(since)
        if day is None or day > today or day < row.birth_date:
            raise RowRejected(
                "BAD_RESIDENCE_SINCE",
                _("“Living here since” “%(text)s” is not a date between the birth and today.")
                % {"text": since[:40]},
            )
        row.residence_since = day
    previous_code = values.get("previous_commune_code", "")
    previous_address = values.get("previous_address", "")
    if previous_code or previous_address:
        if row.residence_since is None:
            raise RowRejected(
                "PREVIOUS_WITHOUT_SINCE",
                _(
                    "A previous permanent residence needs the day the person moved here (“Living here since”)."
                ),
            )
        row.previous = Residence(previous_code, previous_address, village_of(previous_address))
    row.temporary = _temporary(row, values, today=today)


def _temporary(row: PersonRow, values: dict[str, str], *, today: datetime.date) -> Residence | None:
    code = values.get("temporary_commune_code", "")
    address = values.get("temporary_address", "")
    start_text = values.get("temporary_from", "")
    end_text = values.get("temporary_until", "")
    if not (code or address):
        if start_text or end_text:
            raise RowRejected(
                "TEMPORARY_WITHOUT_PLACE",
                _("Dates of a temporary residence need its commune code or address."),
            )
        return None
    start = _past_date(start_text, "temporary_from", today)
    end = parse_date(end_text) if end_text else None
    if end_text and end is None:
        raise RowRejected(
            "BAD_DATE",
            _("%(column)s “%(text)s” is not a date (dd/mm/yyyy).")
            % {"column": column_label("temporary_until"), "text": end_text[:40]},
        )
    if (
        (start is not None and start < row.birth_date)
        or (end is not None and end < row.birth_date)
        or (start is not None and end is not None and end < start)
    ):
        raise RowRejected(
            "BAD_TEMPORARY_DATES",
            _("The temporary residence must start after the birth and end on or after its start."),
        )
    return Residence(code, address, village_of(address), start, end)


def _is_number(cells: list[Cell], index: int) -> bool:
    value = cells[index] if index < len(cells) else None
    return isinstance(value, int | float) and not isinstance(value, bool)
