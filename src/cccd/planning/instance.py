"""The planner's instance: the horizon, the shifts, the service rate, the teams and the venues.

The file contract is issue 17's (docs/planner.md): `days`, `shifts`, `rate`, `teams`, `venues`.
`parse_instance` checks every field and names the first bad one as a JSON path
(`venues[3].max_desks`), so an operator or a form can point at it; nothing else in the planner
re-checks the shape of an instance.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_INSTANCE_BYTES = 20_000_000  # a province of 5,000 venues over a year is ~2 MB
MAX_DAYS = 400
MAX_ITEMS = 20_000  # shifts, teams or venues
MAX_PEOPLE = 10_000_000
MAX_DESKS = 100
MAX_RATE = 1_000.0  # intakes per desk-hour; a real desk does ~5–10

T = TypeVar("T")


class InstanceError(ValueError):
    """An instance (or plan) file that breaks the schema; `field` is the JSON path of the culprit."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Shift:
    """A kind of session: its length, the weekdays it may run (0 = Monday), and whether it is a
    night (evening) shift, which counts against a team's nights per week."""

    id: str
    hours: float
    weekdays: frozenset[int]
    night: bool


@dataclass(frozen=True)
class Team:
    """A mobile team: the desks it brings, the days it cannot work, its night shifts per ISO week."""

    id: str
    desks: int
    unavailable: frozenset[datetime.date]
    max_nights_per_week: int


@dataclass(frozen=True)
class Venue:
    """A school, culture house or commune office: the people still to reach there, the desks the
    room holds, the days it is closed and the shifts it allows."""

    id: str
    people: int
    max_desks: int
    closed: frozenset[datetime.date]
    shifts: tuple[str, ...]


@dataclass(frozen=True)
class Instance:
    """What the planner is asked: sessions over `days` with these teams at these venues."""

    days: tuple[datetime.date, ...]
    shifts: tuple[Shift, ...]
    rate: float
    teams: tuple[Team, ...]
    venues: tuple[Venue, ...]

    def shift(self, shift_id: str) -> Shift:
        return next(s for s in self.shifts if s.id == shift_id)


def load_instance(raw: bytes | str) -> Instance:
    """An instance from a file's bytes: bounded in size, JSON, then `parse_instance`."""
    if len(raw) > MAX_INSTANCE_BYTES:
        raise InstanceError("$", f"the file is larger than {MAX_INSTANCE_BYTES:,} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise InstanceError("$", f"the file is not JSON ({error})") from None
    return parse_instance(data)


def parse_instance(data: object) -> Instance:
    """The instance in `data` (decoded JSON), or an `InstanceError` naming the first bad field."""
    root = _object(data, "$", {"days", "shifts", "rate", "teams", "venues"})
    days = _days(_field(root, "days", "$"))
    shifts = _list(_field(root, "shifts", "$"), "shifts", _shift)
    _unique_ids([x.id for x in shifts], "shifts")
    rate = _number(_field(root, "rate", "$"), "rate", low=0.0, high=MAX_RATE, open_low=True)
    teams = _list(_field(root, "teams", "$"), "teams", _team)
    _unique_ids([x.id for x in teams], "teams")
    known = {s.id for s in shifts}
    venues = _list(_field(root, "venues", "$"), "venues", lambda v, p: _venue(v, p, known))
    _unique_ids([x.id for x in venues], "venues")
    return Instance(days=days, shifts=shifts, rate=rate, teams=teams, venues=venues)


def instance_to_json(instance: Instance) -> dict[str, Any]:
    """The file form of an instance; `parse_instance(instance_to_json(i)) == i`."""
    return {
        "days": [d.isoformat() for d in instance.days],
        "shifts": [
            {
                "id": s.id,
                "hours": s.hours,
                "weekdays": [WEEKDAYS[w] for w in sorted(s.weekdays)],
                "night": s.night,
            }
            for s in instance.shifts
        ],
        "rate": instance.rate,
        "teams": [
            {
                "id": t.id,
                "desks": t.desks,
                "unavailable": [d.isoformat() for d in sorted(t.unavailable)],
                "max_nights_per_week": t.max_nights_per_week,
            }
            for t in instance.teams
        ],
        "venues": [
            {
                "id": v.id,
                "people": v.people,
                "max_desks": v.max_desks,
                "closed": [d.isoformat() for d in sorted(v.closed)],
                "shifts": list(v.shifts),
            }
            for v in instance.venues
        ],
    }


# --- the parts ----------------------------------------------------------------------------------


def _shift(value: object, path: str) -> Shift:
    item = _object(value, path, {"id", "hours", "weekdays", "night"})
    weekdays_path = f"{path}.weekdays"
    names = _list(_field(item, "weekdays", path), weekdays_path, _weekday)
    if len(set(names)) != len(names):
        raise InstanceError(weekdays_path, "a weekday is listed twice")
    night = _field(item, "night", path)
    if not isinstance(night, bool):
        raise InstanceError(f"{path}.night", "must be true or false")
    return Shift(
        id=_id(_field(item, "id", path), f"{path}.id"),
        hours=_number(_field(item, "hours", path), f"{path}.hours", 0.0, 24.0, open_low=True),
        weekdays=frozenset(names),
        night=night,
    )


def _team(value: object, path: str) -> Team:
    item = _object(value, path, {"id", "desks", "unavailable", "max_nights_per_week"})
    return Team(
        id=_id(_field(item, "id", path), f"{path}.id"),
        desks=_whole(_field(item, "desks", path), f"{path}.desks", 1, MAX_DESKS),
        unavailable=frozenset(
            _list(_field(item, "unavailable", path), f"{path}.unavailable", _date)
        ),
        max_nights_per_week=_whole(
            _field(item, "max_nights_per_week", path), f"{path}.max_nights_per_week", 0, 7
        ),
    )


def _venue(value: object, path: str, known_shifts: set[str]) -> Venue:
    item = _object(value, path, {"id", "people", "max_desks", "closed", "shifts"})
    shifts = _list(_field(item, "shifts", path), f"{path}.shifts", _id)
    for i, shift_id in enumerate(shifts):
        if shift_id not in known_shifts:
            raise InstanceError(f"{path}.shifts[{i}]", f"there is no shift {shift_id!r}")
    if len(set(shifts)) != len(shifts):
        raise InstanceError(f"{path}.shifts", "a shift is listed twice")
    return Venue(
        id=_id(_field(item, "id", path), f"{path}.id"),
        people=_whole(_field(item, "people", path), f"{path}.people", 0, MAX_PEOPLE),
        max_desks=_whole(_field(item, "max_desks", path), f"{path}.max_desks", 1, MAX_DESKS),
        closed=frozenset(_list(_field(item, "closed", path), f"{path}.closed", _date)),
        shifts=tuple(shifts),
    )


def _days(value: object) -> tuple[datetime.date, ...]:
    days = _list(value, "days", _date)
    if not days:
        raise InstanceError("days", "must list at least one day")
    if len(days) > MAX_DAYS:
        raise InstanceError("days", f"must list at most {MAX_DAYS} days")
    for i in range(1, len(days)):
        if days[i] == days[i - 1]:
            raise InstanceError(f"days[{i}]", f"{days[i]} is listed twice")
        if days[i] < days[i - 1]:
            raise InstanceError(f"days[{i}]", f"{days[i]} comes before {days[i - 1]}")
    return tuple(days)


# --- the scalars --------------------------------------------------------------------------------


def _object(value: object, path: str, keys: set[str]) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InstanceError(path, "must be an object")
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        where = f"{path}.{unknown[0]}" if path != "$" else unknown[0]
        raise InstanceError(where, "is not a field of the planner's files")
    return value


def _field(item: Mapping[str, object], key: str, path: str) -> object:
    where = key if path == "$" else f"{path}.{key}"
    if key not in item:
        raise InstanceError(where, "is missing")
    return item[key]


def _list(value: object, path: str, parse: Callable[[object, str], T]) -> tuple[T, ...]:
    if not isinstance(value, list):
        raise InstanceError(path, "must be a list")
    if len(value) > MAX_ITEMS:
        raise InstanceError(path, f"must have at most {MAX_ITEMS:,} items")
    return tuple(parse(item, f"{path}[{i}]") for i, item in enumerate(value))


def _unique_ids(ids: list[str], path: str) -> None:
    seen: set[str] = set()
    for i, item_id in enumerate(ids):
        if item_id in seen:
            raise InstanceError(f"{path}[{i}].id", f"{item_id!r} is used twice")
        seen.add(item_id)


def _id(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 100:
        raise InstanceError(path, "must be a non-empty text of at most 100 characters")
    return value


def _whole(value: object, path: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InstanceError(path, f"must be a whole number ≥ {low} and ≤ {high:,}")
    return value


def _number(value: object, path: str, low: float, high: float, *, open_low: bool = False) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not (low < number <= high if open_low else low <= number <= high):
        relation = ">" if open_low else "≥"
        raise InstanceError(path, f"must be a number {relation} {low:g} and ≤ {high:g}")
    return number


def _date(value: object, path: str) -> datetime.date:
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise InstanceError(path, "must be an ISO date like 2026-03-15")


def _weekday(value: object, path: str) -> int:
    if not isinstance(value, str) or value not in WEEKDAYS:
        raise InstanceError(path, "must be one of mon, tue, wed, thu, fri, sat, sun")
    return WEEKDAYS.index(value)
