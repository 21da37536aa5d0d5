"""Labelled rosters for the linkage benchmark: people of a generated register, written as schools do.

A register comes from `cccd.demo.generator.generate_people` (provinces 67 and 52, like the
register benchmark), with the default names or as concentrated as Vietnam's (``kind="vietnam"``). A roster samples its living people, adds people who are not in it
(`NOT_IN_REGISTER_RATE`, drawn from the same communes with another seed) and writes each row with
the errors of `ERROR_RATES`, each drawn independently. The truth (the person each row is, the
errors it carries, whether the person has a same-day namesake) is written beside it.

Files are cached in bench/data/linkage/ (git-ignored): the same arguments give the same files.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import random
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cccd.core import names
from cccd.demo.generator import (
    CONCENTRATIONS,
    communes_for_provinces,
    generate_people,
    write_csv,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "linkage"
PROVINCES: Final = ("67", "52")
REFERENCE_DATE: Final = dt.date(2021, 1, 15)

NOT_IN_REGISTER_RATE: Final = 0.05
ERROR_RATES: Final[dict[str, float]] = {
    # names (several can apply to one row)
    "no_diacritics": 0.25,  # "Nguyen Thi Huong"
    "capitals": 0.15,  # "NGUYỄN THỊ HƯƠNG"
    "nfd": 0.10,  # decomposed Unicode, as some Mac and web forms send
    "old_tone_placement": 0.50,  # of names that have one (Hoà ↔ Hòa, Thuý ↔ Thúy)
    "name_typo": 0.04,  # one letter substituted, dropped, added or two swapped
    "dropped_middle_name": 0.04,  # "Nguyễn Hương" for "Nguyễn Thị Thu Hương" (or one word of two)
    # birth date (at most one of these)
    "swapped_day_month": 0.03,  # of dates whose day is 12 or less
    "two_digit_year": 0.05,  # 05/03/07
    "year_only": 0.03,  # 2007
    "excel_serial": 0.03,  # 39146 (a date cell pasted as a number)
    "date_typo": 0.01,  # the day one off
    "year_off_by_one": 0.005,  # a typo in the year's last digit, or the lunar year
    # sex
    "missing_sex": 0.10,
    "wrong_sex": 0.01,
    # personal ID (present on 30 % of rows)
    "missing_personal_id": 0.70,
    "personal_id_typo": 0.01,  # of the IDs present: one of the last six digits changed
    # parents
    "parents_missing": 0.40,
    "parents_abbreviated": 0.10,  # "Nguyễn V. Hùng", or the given name alone
    # address
    "address_missing": 0.20,
    "address_short": 0.30,  # "Thôn 4, Cát Minh, Phù Cát" (no types, no province)
    "address_moved": 0.03,  # where they live now: another commune of the same district
}
"""Rates of each roster error, per row ([unverified]: our estimate of what schools send)."""

ROSTER_HEADER: Final = (
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Lớp", "Quê quán",
    "Địa chỉ thường trú", "Họ tên cha", "Họ tên mẹ", "Dân tộc", "Ghi chú",
)  # fmt: skip
TRUTH_HEADER: Final = ("row", "personal_id", "namesake", "errors")

_TONE_PAIRS: Final = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
_TONE_SWAP: Final = {**_TONE_PAIRS, **{new: old for old, new in _TONE_PAIRS.items()}}
_LETTERS: Final = "abcdeghiklmnopqrstuvxy"
_HAMLET_WORDS: Final = ("Thôn", "Tổ dân phố", "Bon", "Buôn", "Xóm", "Ấp")
_TYPE_WORDS: Final = (
    "Xã ",
    "Phường ",
    "Thị trấn ",
    "Huyện ",
    "Quận ",
    "Thị xã ",
    "Thành phố ",
    "Tỉnh ",
)
_EXCEL_EPOCH: Final = dt.date(1899, 12, 30)
_DATE_ERRORS: Final = (
    "swapped_day_month",
    "two_digit_year",
    "year_only",
    "excel_serial",
    "date_typo",
    "year_off_by_one",
)


@dataclass(frozen=True)
class Person:
    """The register columns a roster copies."""

    personal_id: str
    full_name: str
    birth_date: str
    sex: str
    hometown: str
    permanent_address: str
    father_name: str
    mother_name: str
    ethnicity: str
    status: str


@dataclass(frozen=True)
class Truth:
    row: int
    personal_id: str  # "" for a person not in the register
    namesake: bool  # the person has a namesake born the same day in the register
    errors: tuple[str, ...]


@dataclass(frozen=True)
class LabelledRoster:
    roster: Path
    truth: Path
    register: Path


# --- registers ----------------------------------------------------------------------------------


def register_path(seed: int, people: int, kind: str = "default") -> Path:
    label = f"{people // 1_000_000}m" if people % 1_000_000 == 0 else f"{people // 1000}k"
    suffix = "" if kind == "default" else f"-{kind}"
    return DATA / f"register-s{seed}-{label}{suffix}.csv"


def register_kind(register: Path) -> str:
    """The generator's concentration a cached register was made with (its name says it)."""
    return next((k for k in CONCENTRATIONS if register.stem.endswith(f"-{k}")), "default")


def ensure_register(seed: int, people: int, kind: str = "default") -> Path:
    """The register of ``people`` people from ``seed`` (made once, then read from the cache);
    ``kind`` is the generator's concentration (`cccd.demo.generator.CONCENTRATIONS`)."""
    path = register_path(seed, people, kind)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        communes = communes_for_provinces(PROVINCES)
        rows = generate_people(
            seed=seed,
            communes=communes,
            people=people,
            reference_date=REFERENCE_DATE,
            concentration=kind,
        )
        write_csv(rows, partial)
        partial.rename(path)
    return path


def read_people(path: Path) -> list[Person]:
    wanted = [f.name for f in dataclasses.fields(Person)]
    with path.open(encoding="utf-8", newline="") as file:
        return [Person(**{k: row[k] for k in wanted}) for row in csv.DictReader(file)]


def name_date_key(person: Person) -> tuple[str, str]:
    return names.fold(person.full_name), person.birth_date


# --- rosters ------------------------------------------------------------------------------------


def ensure_roster(
    register: Path, *, rows: int, seed: int, namesakes: int = 0, label: str = ""
) -> LabelledRoster:
    """A roster of ``rows`` people (plus up to ``namesakes`` people who have a same-day namesake)
    with its truth file, made once per arguments."""
    stem = f"roster-{register.stem.removeprefix('register-')}-{rows}-s{seed}-n{namesakes}{label}"
    roster, truth = DATA / f"{stem}.csv", DATA / f"{stem}.truth.csv"
    if not (roster.exists() and truth.exists()):
        make_roster(register, roster, truth, rows=rows, seed=seed, namesakes=namesakes)
    return LabelledRoster(roster, truth, register)


def make_roster(
    register: Path, roster: Path, truth: Path, *, rows: int, seed: int, namesakes: int = 0
) -> None:
    """Write a roster and its truth: see the module's docstring."""
    rng = random.Random(seed)
    people = read_people(register)
    counts = Counter(name_date_key(p) for p in people)
    alive = [p for p in people if p.status == "alive"]
    outsiders_wanted = round(rows * NOT_IN_REGISTER_RATE)
    chosen = rng.sample(alive, rows - outsiders_wanted)
    taken = {p.personal_id for p in chosen}
    twins = [p for p in alive if counts[name_date_key(p)] > 1 and p.personal_id not in taken]
    chosen += rng.sample(twins, min(namesakes, len(twins)))
    outsiders = list(_outsiders(seed, outsiders_wanted * 2, register_kind(register)))
    entries = [(p, True) for p in chosen] + [(p, False) for p in outsiders[:outsiders_wanted]]
    rng.shuffle(entries)
    roster.parent.mkdir(parents=True, exist_ok=True)
    with (
        roster.open("w", encoding="utf-8", newline="") as roster_file,
        truth.open("w", encoding="utf-8", newline="") as truth_file,
    ):
        roster_writer, truth_writer = csv.writer(roster_file), csv.writer(truth_file)
        roster_writer.writerow(ROSTER_HEADER)
        truth_writer.writerow(TRUTH_HEADER)
        for number, (person, registered) in enumerate(entries, start=1):
            values, errors = roster_values(person, rng)
            roster_writer.writerow((number, *values))
            truth_writer.writerow(
                (
                    number,
                    person.personal_id if registered else "",
                    int(registered and counts[name_date_key(person)] > 1),
                    ";".join(errors if registered else ("not_in_register", *errors)),
                )
            )


def _outsiders(seed: int, count: int, kind: str = "default") -> Iterator[Person]:
    """People of the same communes who are not in the register (another generator seed)."""
    communes = communes_for_provinces(PROVINCES)
    for row in generate_people(
        seed=seed + 7919,
        communes=communes,
        people=count,
        reference_date=REFERENCE_DATE,
        concentration=kind,
    ):
        if row.status == "alive":
            yield Person(**{f.name: getattr(row, f.name) for f in dataclasses.fields(Person)})


def read_truth(path: Path) -> list[Truth]:
    with path.open(encoding="utf-8", newline="") as file:
        return [
            Truth(
                int(row["row"]),
                row["personal_id"],
                row["namesake"] == "1",
                tuple(e for e in row["errors"].split(";") if e),
            )
            for row in csv.DictReader(file)
        ]


def roster_values(person: Person, rng: random.Random) -> tuple[tuple[str, ...], list[str]]:
    """One roster line for a person (without its number), and the errors it carries."""
    errors: list[str] = []
    full_name = _name(person.full_name, rng, errors)
    birth = _birth_date(person.birth_date, rng, errors)
    sex = person.sex
    if _roll(rng, "missing_sex"):
        sex, _ = "", errors.append("missing_sex")
    elif _roll(rng, "wrong_sex"):
        sex, _ = ("Nữ" if sex == "Nam" else "Nam"), errors.append("wrong_sex")
    personal_id = person.personal_id
    if _roll(rng, "missing_personal_id"):
        personal_id, _ = "", errors.append("missing_personal_id")
    elif _roll(rng, "personal_id_typo"):
        personal_id, _ = _id_typo(personal_id, rng), errors.append("personal_id_typo")
    father, mother = person.father_name, person.mother_name
    if _roll(rng, "parents_missing"):
        father = mother = ""
        errors.append("parents_missing")
    elif _roll(rng, "parents_abbreviated") and (father or mother):
        father, mother = _abbreviate(father, rng), _abbreviate(mother, rng)
        errors.append("parents_abbreviated")
    address = person.permanent_address
    if _roll(rng, "address_missing"):
        address = ""
        errors.append("address_missing")
    else:
        if _roll(rng, "address_moved"):
            address = _moved(address, rng)
            errors.append("address_moved")
        if _roll(rng, "address_short"):
            address = _short_address(address)
            errors.append("address_short")
    class_name = f"{rng.randint(10, 12)}A{rng.randint(1, 9)}"
    values = (
        full_name,
        birth,
        sex,
        personal_id,
        class_name,
        person.hometown,
        address,
        father,
        mother,
        person.ethnicity,
        "",
    )
    return values, errors


def _roll(rng: random.Random, error: str) -> bool:
    return rng.random() < ERROR_RATES[error]


def _name(name: str, rng: random.Random, errors: list[str]) -> str:
    if any(pair in name.lower() for pair in _TONE_SWAP) and _roll(rng, "old_tone_placement"):
        name = _swap_tone(name)
        errors.append("old_tone_placement")
    if _roll(rng, "dropped_middle_name"):
        words = name.split()
        if len(words) > 2:
            middle = words[1:-1]
            if len(middle) > 1 and rng.random() < 0.5:
                middle.pop(rng.randrange(len(middle)))
            else:
                middle = []
            name = " ".join([words[0], *middle, words[-1]])
            errors.append("dropped_middle_name")
    if _roll(rng, "name_typo"):
        name = _typo(name, rng)
        errors.append("name_typo")
    if _roll(rng, "no_diacritics"):
        name = strip_diacritics(name)
        errors.append("no_diacritics")
    if _roll(rng, "capitals"):
        name = name.upper()
        errors.append("capitals")
    if _roll(rng, "nfd"):
        name = unicodedata.normalize("NFD", name)
        errors.append("nfd")
    return name


def strip_diacritics(text: str) -> str:
    """Vietnamese without its marks, as typed on a keyboard with no Vietnamese input: đ → d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _swap_tone(name: str) -> str:
    out = name
    for old, new in _TONE_SWAP.items():
        if old in out:
            return out.replace(old, new)
        if old.capitalize() in out:
            return out.replace(old.capitalize(), new.capitalize())
    return out


def _typo(name: str, rng: random.Random) -> str:
    """One letter substituted, dropped, added, or two neighbours swapped, in one word."""
    words = name.split()
    for _attempt in range(20):
        index = rng.randrange(len(words))
        word = words[index]
        if len(word) < 2:
            continue
        position = rng.randrange(1, len(word))  # keep the capital: the eye checks it first
        kind = rng.choice(("substitute", "drop", "add", "swap"))
        if kind == "substitute":
            new = word[:position] + rng.choice(_LETTERS) + word[position + 1 :]
        elif kind == "drop" and len(word) > 2:
            new = word[:position] + word[position + 1 :]
        elif kind == "add":
            new = word[:position] + rng.choice(_LETTERS) + word[position:]
        elif kind == "swap" and position < len(word) - 1:
            new = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        else:
            continue
        if names.fold(new) != names.fold(word):
            return " ".join([*words[:index], new, *words[index + 1 :]])
    return name


def _birth_date(text: str, rng: random.Random, errors: list[str]) -> str:
    if len(text) == 4:  # the register holds the year alone: the roster too, or 01/01
        return text if rng.random() < 0.6 else f"01/01/{text}"
    day, month, year = (int(p) for p in text.split("/"))
    born = dt.date(year, month, day)
    roll, total, chosen = rng.random(), 0.0, None
    for error in _DATE_ERRORS:
        total += ERROR_RATES[error]
        if roll < total:
            chosen = error
            break
    if chosen == "swapped_day_month" and day <= 12 and day != month:
        if dt.date(year, day, month) <= REFERENCE_DATE:  # a future date is refused on reading
            errors.append(chosen)
            return f"{month:02d}/{day:02d}/{year}"
    if chosen == "two_digit_year":
        errors.append(chosen)
        return f"{day:02d}/{month:02d}/{year % 100:02d}"
    if chosen == "year_only":
        errors.append(chosen)
        return str(year)
    if chosen == "excel_serial":
        errors.append(chosen)
        return str((born - _EXCEL_EPOCH).days)
    if chosen == "year_off_by_one":
        shifted_year = year + rng.choice((-1, 1))
        if not (month == 2 and day == 29) and dt.date(shifted_year, month, day) <= REFERENCE_DATE:
            errors.append(chosen)
            return f"{day:02d}/{month:02d}/{shifted_year}"
    if chosen == "date_typo":
        shifted = born + dt.timedelta(days=rng.choice((-1, 1)))
        if shifted.year == year and shifted <= REFERENCE_DATE:
            errors.append(chosen)
            return f"{shifted.day:02d}/{shifted.month:02d}/{year}"
    return text


def _id_typo(personal_id: str, rng: random.Random) -> str:
    position = rng.randrange(6, 12)
    digit = rng.choice([d for d in "0123456789" if d != personal_id[position]])
    return personal_id[:position] + digit + personal_id[position + 1 :]


def _abbreviate(name: str, rng: random.Random) -> str:
    words = name.split()
    if len(words) < 3:
        return name
    if rng.random() < 0.5:
        return words[-1]
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:-1]), words[-1]])


@functools.cache
def _communes_by_district() -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    for commune in communes_for_provinces(PROVINCES):
        found.setdefault(commune.district_name, []).append(commune.label)
    return {district: tuple(labels) for district, labels in found.items()}


def _moved(address: str, rng: random.Random) -> str:
    """The same hamlet number in another commune of the same district."""
    parts = [p.strip() for p in address.split(",")]
    if len(parts) < 4:
        return address
    others = [
        c for c in _communes_by_district().get(parts[-2], ()) if not c.startswith(parts[-3] + ",")
    ]
    return f"{parts[0]}, {rng.choice(others)}" if others else address


def _short_address(address: str) -> str:
    parts = [p.strip() for p in address.split(",")]
    if len(parts) >= 4:
        parts = parts[:-1]  # no province
    kept = []
    for part in parts:
        for word in _TYPE_WORDS:
            if part.startswith(word):
                part = part[len(word) :]
                break
        kept.append(part)
    return ", ".join(kept)


def error_counts(truths: Sequence[Truth]) -> Counter[str]:
    return Counter(error for truth in truths for error in truth.errors)
