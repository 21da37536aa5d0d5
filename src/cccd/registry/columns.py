"""Recognising the columns of a register file by their headers, in Vietnamese or English.

Headers are compared folded (no diacritics, lower case, no punctuation), so "Số định danh",
"SO DINH DANH" and "so_dinh_danh" all name the same column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from cccd.core import names
from cccd.registry import errors

SYNONYMS: dict[str, tuple[str, ...]] = {
    "personal_id": ("personal id", "so dinh danh", "so dinh danh ca nhan", "so cccd", "cccd", "so can cuoc",
                    "so can cuoc cong dan", "ma dinh danh"),
    "full_name": ("full name", "ho va ten", "ho ten", "ho ten day du", "name"),
    "birth_date": ("birth date", "date of birth", "ngay sinh", "ngay thang nam sinh", "ngay thang nam sinh dd mm yyyy"),
    "sex": ("sex", "gender", "gioi tinh", "gioi"),
    "hometown": ("hometown", "que quan", "que"),
    "permanent_address": ("permanent address", "noi thuong tru", "dia chi thuong tru", "thuong tru", "dia chi"),
    "father_name": ("father name", "ho ten cha", "ten cha", "cha", "ho va ten cha"),
    "mother_name": ("mother name", "ho ten me", "ten me", "me", "ho va ten me"),
    "household_id": ("household id", "ma ho", "so ho khau", "ma ho gia dinh", "ma so ho"),
    "commune_code": ("commune code", "ma xa", "ma don vi hanh chinh"),
    "relation": ("relation", "quan he voi chu ho", "quan he"),
    "ethnicity": ("ethnicity", "dan toc"),
    "religion": ("religion", "ton giao"),
    "old_id_number": ("old id number", "so cmnd", "cmnd", "so chung minh nhan dan"),
    "card_issue_date": ("card issue date", "ngay cap", "ngay cap cccd", "ngay cap the"),
    "status": ("status", "trang thai", "tinh trang"),
    # the card held, the death, the residences (docs/reach.md); all optional
    "card_kind": ("card kind", "card type", "card held", "loai the", "loai giay to", "loai the dang giu",
                  "loai giay to tuy than", "the dang giu", "giay to dang giu"),
    "card_number": ("card number", "so the", "so giay to", "so the dang giu", "so giay to tuy than"),
    "died_on": ("date of death", "died on", "death date", "ngay chet", "ngay mat",
                "ngay qua doi", "ngay tu vong"),
    "residence_since": ("living here since", "residence since", "resident since", "o tu ngay",
                        "cu tru tu ngay", "thuong tru tu ngay", "ngay dang ky thuong tru",
                        "ngay chuyen den"),
    "previous_commune_code": ("previous commune code", "ma xa truoc", "ma xa thuong tru truoc"),
    "previous_address": ("previous address", "previous permanent address", "noi thuong tru truoc",
                         "noi thuong tru truoc khi chuyen den", "dia chi thuong tru truoc",
                         "dia chi truoc"),
    "temporary_commune_code": ("temporary commune code", "ma xa tam tru"),
    "temporary_address": ("temporary address", "noi tam tru", "dia chi tam tru", "tam tru"),
    "temporary_from": ("temporary from", "temporary residence from", "tam tru tu ngay",
                       "ngay dang ky tam tru"),
    "temporary_until": ("temporary until", "temporary residence until", "tam tru den ngay",
                        "thoi han tam tru"),
}  # fmt: skip
REQUIRED = ("personal_id", "full_name", "birth_date", "sex")
ADDRESS = ("permanent_address", "commune_code")  # at least one, to find where the person lives
_LOOKUP = {synonym: column for column, synonyms in SYNONYMS.items() for synonym in synonyms}
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def header_key(header: object) -> str:
    text = str(header or "").strip()
    if not text:
        return ""
    try:
        folded = names.fold(text)
    except ValueError:
        folded = text.lower()
    return _NOT_WORD.sub(" ", folded).strip()


def map_headers(headers: Sequence[object]) -> dict[str, int]:
    """Column name → index in the row. Unknown headers are ignored; missing ones refused."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = _LOOKUP.get(header_key(header))
        if column is None:
            continue
        if column in mapping:
            raise errors.DUPLICATE_COLUMNS(
                column=column, headers=f"{headers[mapping[column]]!s}, {header!s}"
            )
        mapping[column] = index
    missing = [c for c in REQUIRED if c not in mapping]
    if not any(c in mapping for c in ADDRESS):
        missing.append("permanent_address")
    if missing:
        found = ", ".join(str(h) for h in headers if str(h or "").strip())[:300] or "—"
        raise errors.MISSING_COLUMNS(missing=", ".join(missing), found=found)
    return mapping


_LABELS = {
    "personal_id": _("Personal ID number"),
    "full_name": _("Full name"),
    "birth_date": _("Date of birth"),
    "sex": _("Sex"),
    "hometown": _("Hometown"),
    "permanent_address": _("Permanent address"),
    "father_name": _("Father's name"),
    "mother_name": _("Mother's name"),
    "household_id": _("Household code"),
    "commune_code": _("Commune code"),
    "relation": _("Relation to head"),
    "ethnicity": _("Ethnicity"),
    "religion": _("Religion"),
    "old_id_number": _("Old ID number"),
    "card_issue_date": _("Card issue date"),
    "status": _("Status"),
    "card_kind": _("Card held"),
    "card_number": _("Card number"),
    "died_on": _("Date of death"),
    "residence_since": _("Living here since"),
    "previous_commune_code": _("Previous commune code"),
    "previous_address": _("Previous permanent address"),
    "temporary_commune_code": _("Temporary residence: commune code"),
    "temporary_address": _("Temporary residence: address"),
    "temporary_from": _("Temporary residence: from"),
    "temporary_until": _("Temporary residence: until"),
    # columns only class lists have (`cccd.rosters.reading`)
    "class_name": _("Class"),
    "note": _("Note"),
    "sex_male": _("Male (Nam)"),
    "sex_female": _("Female (Nữ)"),
    "family_name": _("Family and middle name"),
    "given_name": _("Given name"),
}


def column_label(column: str) -> str:
    """A column's name as an officer knows it, in the user's language: the register's columns and
    those of class lists, here on the floor below both readers and the pages that show them."""
    return str(_LABELS.get(column, column))
