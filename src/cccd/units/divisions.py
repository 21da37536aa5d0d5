"""Reading the administrative divisions from the `vietnamadminunits` package.

Why this package (docs/architecture.md): it is the one on PyPI (MIT) that carries both schemes on
Python 3.11 — the 63 provinces with their districts and 10,040 communes as they were until
30/06/2025, and the 34 provinces with 3,321 communes from 01/07/2025 — with official codes and an
offline address parser and converter that the register will reuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from vietnamadminunits.database import query

_TABLES = {"legacy": "admin_units_legacy", "2025": "admin_units"}


@dataclass(frozen=True)
class Division:
    level: str  # "province" | "district" | "commune"
    code: str
    name: str
    division_type: str
    parent_code: str | None


def province_codes(scheme: str) -> list[str]:
    rows = query(f"SELECT DISTINCT provinceCode FROM [{_TABLES[scheme]}] ORDER BY provinceCode")  # noqa: S608 (fixed table names)
    return [row["provinceCode"] for row in rows]


def divisions(scheme: str, provinces: Iterable[str]) -> Iterator[Division]:
    """Every division of the given provinces, parents before children."""
    wanted = sorted(set(provinces))
    rows = [r for r in _rows(scheme) if r["provinceCode"] in wanted]
    seen: set[tuple[str, str]] = set()
    for level in ("province", "district", "commune"):
        for row in rows:
            division = _division(scheme, level, row)
            if division is not None and (level, division.code) not in seen:
                seen.add((level, division.code))
                yield division


def _rows(scheme: str) -> list[dict[str, str]]:
    if scheme == "legacy":
        sql = (
            "SELECT provinceCode, province, districtCode, district, districtType, wardCode, ward, wardType "
            "FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode"
        )
    else:
        sql = "SELECT provinceCode, province, wardCode, ward, wardType FROM admin_units ORDER BY provinceCode, wardCode"
    rows: list[dict[str, str]] = query(sql)
    return rows


def _division(scheme: str, level: str, row: dict[str, str]) -> Division | None:
    if level == "province":
        name = row["province"]
        kind = "Tỉnh" if name.startswith("Tỉnh") else "Thành phố"
        return Division("province", row["provinceCode"], name, kind, None)
    if level == "district":
        if scheme != "legacy":
            return None
        return Division(
            "district",
            row["districtCode"],
            row["district"],
            row["districtType"],
            row["provinceCode"],
        )
    if not row.get("wardCode"):
        return None  # island districts without communes
    parent = row["districtCode"] if scheme == "legacy" else row["provinceCode"]
    return Division("commune", row["wardCode"], row["ward"], row["wardType"], parent)


def police_name(division_name: str) -> str:
    """ "Huyện Đắk Mil" → "Công an huyện Đắk Mil": the police unit named after the place it serves."""
    return "Công an " + division_name[:1].lower() + division_name[1:]
