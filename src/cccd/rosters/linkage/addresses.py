"""Where an address says a person lives: its commune and district, folded, as people write them.

Registers write "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"; rosters drop the types,
abbreviate them or the province. A person of the register known only by their commune's code is
placed by that code (`place`).
"""

from __future__ import annotations

import functools
import re
from typing import Final

from cccd.core import names

_TYPE_PREFIXES: Final = (
    ("commune", ("xa ", "phuong ", "thi tran ", "x. ", "p. ", "tt. ", "tt ", "x.", "p.", "tt.")),
    ("district", ("huyen ", "quan ", "thi xa ", "h. ", "q. ", "tx. ", "tx ", "h.", "q.", "tx.")),
    ("province", ("tinh ", "t. ")),
    ("either", ("thanh pho ", "tp. ", "tp ", "tp.")),
    ("hamlet", ("thon ", "to dan pho ", "to ", "ap ", "ban ", "buon ", "bon ", "xom ", "khu pho ",
                "khu ", "so ", "kp ", "tdp ")),
)  # fmt: skip
_UNSEPARATED: Final = re.compile(r" (?=(?:xa|phuong|thi tran|huyen|thi xa|thanh pho|tinh) )")
"""In an address typed without commas, a type word starts a new part: "thon 5 xa dak lao huyen
dak mil". Not "quan" (Quận): it is also a word of names ("Tam Quan Bắc")."""


@functools.cache
def _province_names() -> frozenset[str]:
    """Folded names of provinces (both schemes), to drop a trailing province from an address."""
    from cccd.units.divisions import divisions, province_codes

    found: set[str] = set()
    for scheme in ("legacy", "2025"):
        for division in divisions(scheme, province_codes(scheme)):
            if division.level == "province":
                found.add(_strip_type(names.fold(division.name))[1])
            else:
                break
    return frozenset(found)


def _strip_type(segment: str) -> tuple[str, str]:
    for kind, prefixes in _TYPE_PREFIXES:
        for prefix in prefixes:
            if segment.startswith(prefix):
                return kind, segment[len(prefix) :].strip(" .")
    return "", segment


@functools.lru_cache(maxsize=65536)
def address_place(address: str) -> tuple[str | None, str | None]:
    """(commune, district) of an address as people write it, folded, or Nones.

    Registers write "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"; rosters drop the types
    ("Đắk Lao, Đắk Mil"), abbreviate them ("X. Đắk Lao, H. Đắk Mil") or the province. Typed
    segments are trusted; untyped ones are read right to left (province, district, commune) once
    the hamlet and any province name are set aside.
    """
    text = " ".join(names.fold(address).replace(";", ",").split())
    if "," not in text:
        text = _UNSEPARATED.sub(",", text)
    segments = [s.strip() for s in text.split(",")]
    provinces = _province_names()
    commune = district = None
    untyped: list[str] = []
    for kind, name in (_strip_type(s) for s in segments if s):
        if not name:
            continue
        if kind == "commune":
            commune = name
        elif kind == "district" or (kind == "either" and name not in provinces):
            district = district or name
        elif kind == "" and not name[0].isdigit():
            untyped.append(name)
    if untyped and untyped[-1] in provinces and (len(untyped) > 1 or commune is not None):
        untyped.pop()  # "…, Bình Định" is the province; "Phường Bình Định, …" is a commune
    if commune is None and untyped:
        if district is None and len(untyped) >= 2:
            commune, district = untyped[-2], untyped[-1]
        else:
            commune = untyped[-1]
    elif district is None and untyped and untyped[-1] != commune:
        district = untyped[-1]
    return commune, district


def place(text: str) -> tuple[str | None, str | None]:
    """(commune, district) of an address, or of ``code:<commune code>`` for a person of the
    register known only by their commune."""
    if text.startswith("code:"):
        label = _commune_label(text.removeprefix("code:"))
        return address_place(label) if label else (None, None)
    return address_place(text)


@functools.cache
def _commune_labels() -> dict[str, str]:
    """Commune code → "Commune, District" (legacy scheme), for people without an address."""
    from cccd.units.divisions import divisions, province_codes

    district_names: dict[str, str] = {}
    labels: dict[str, str] = {}
    for division in divisions("legacy", province_codes("legacy")):
        if division.level == "district":
            district_names[division.code] = division.name
        elif division.level == "commune":
            labels[division.code] = (
                f"{division.name}, {district_names.get(division.parent_code or '', '')}"
            )
    return labels


def _commune_label(code: str) -> str:
    return _commune_labels().get(code, "") if code else ""
