"""The instance file: what parses, and a clear error naming the field for what does not."""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Callable
from typing import Any

import pytest

from cccd.planning.generate import generate_instance
from cccd.planning.instance import (
    MAX_INSTANCE_BYTES,
    InstanceError,
    instance_to_json,
    load_instance,
    parse_instance,
)
from tests.planning.builders import instance_file


def test_it_reads_every_field_of_a_good_file() -> None:
    instance = parse_instance(instance_file())
    assert instance.days[0] == datetime.date(2026, 3, 2)
    assert instance.shifts[0].weekdays == frozenset({0, 1})
    assert instance.shifts[0].night is True
    assert instance.rate == 5.0
    assert instance.teams[0].max_nights_per_week == 1
    assert instance.venues[0].shifts == ("evening", "morning")


def test_a_generated_instance_survives_the_file_form() -> None:
    instance = generate_instance(12, 3, 20, seed=4)
    assert parse_instance(json.loads(json.dumps(instance_to_json(instance)))) == instance


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (_set(["venues", 0, "max_desks"], 0), "venues[0].max_desks", "whole number ≥ 1"),
        (_set(["venues", 0, "max_desks"], 2.5), "venues[0].max_desks", "whole number"),
        (_set(["venues", 0, "max_desks"], True), "venues[0].max_desks", "whole number"),
        (_set(["venues", 0, "people"], -3), "venues[0].people", "whole number ≥ 0"),
        (_set(["venues", 0, "shifts"], ["evening", "night"]), "venues[0].shifts[1]", "no shift"),
        (_set(["venues", 0, "shifts"], ["evening", "evening"]), "venues[0].shifts", "twice"),
        (_set(["venues", 0, "closed"], ["07/03/2026"]), "venues[0].closed[0]", "ISO date"),
        (_set(["venues", 0, "closed"], "2026-03-07"), "venues[0].closed", "must be a list"),
        (_drop(["venues", 0, "people"]), "venues[0].people", "missing"),
        (_set(["venues", 0, "room"], 3), "venues[0].room", "not a field"),
        (_set(["venues", 0], "school"), "venues[0]", "must be an object"),
        (_set(["shifts", 0, "weekdays"], ["monday"]), "shifts[0].weekdays[0]", "mon, tue"),
        (_set(["shifts", 0, "weekdays"], ["mon", "mon"]), "shifts[0].weekdays", "twice"),
        (_set(["shifts", 0, "hours"], 0), "shifts[0].hours", "number > 0"),
        (_set(["shifts", 0, "hours"], "3"), "shifts[0].hours", "number > 0"),
        (_set(["shifts", 0, "night"], "yes"), "shifts[0].night", "true or false"),
        (_set(["shifts", 1, "id"], "evening"), "shifts[1].id", "used twice"),
        (_set(["shifts", 0, "id"], ""), "shifts[0].id", "non-empty"),
        (_set(["teams", 0, "desks"], 0), "teams[0].desks", "whole number ≥ 1"),
        (_set(["teams", 0, "max_nights_per_week"], 8), "teams[0].max_nights_per_week", "≤ 7"),
        (_set(["teams", 0, "max_nights_per_week"], -1), "teams[0].max_nights_per_week", "≥ 0"),
        (_set(["teams", 0, "unavailable"], ["2026-02-30"]), "teams[0].unavailable[0]", "ISO"),
        (_set(["rate"], 0), "rate", "number > 0"),
        (_set(["rate"], None), "rate", "number > 0"),
        (_set(["days"], []), "days", "at least one day"),
        (_set(["days"], ["2026-03-03", "2026-03-02"]), "days[1]", "comes before"),
        (_set(["days"], ["2026-03-02", "2026-03-02"]), "days[1]", "listed twice"),
        (_set(["days"], ["2026-3-2"]), "days[0]", "ISO date"),
        (_drop(["teams"]), "teams", "missing"),
        (_set(["teams"], {}), "teams", "must be a list"),
        (_set(["extra"], 1), "extra", "not a field"),
    ],
)
def test_a_bad_field_is_named(
    change: Callable[[dict[str, Any]], None], field: str, words: str
) -> None:
    data = instance_file()
    change(data)
    with pytest.raises(InstanceError) as caught:
        parse_instance(data)
    assert caught.value.field == field
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{field}: ")


def test_a_duplicate_venue_is_named() -> None:
    data = instance_file()
    data["venues"].append(copy.deepcopy(data["venues"][0]))
    with pytest.raises(InstanceError, match=r"^venues\[1\]\.id: 'school' is used twice"):
        parse_instance(data)


def test_a_document_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InstanceError, match=r"^\$: must be an object"):
        parse_instance([1, 2])


def test_a_file_that_is_not_json_is_refused() -> None:
    with pytest.raises(InstanceError, match=r"^\$: the file is not JSON"):
        load_instance(b'{"days": [')


def test_a_file_that_is_not_utf8_is_refused() -> None:
    with pytest.raises(InstanceError, match=r"^\$: the file is not JSON"):
        load_instance(b'{"days": "\xff"}')


def test_a_file_over_the_size_bound_is_refused_before_reading_it() -> None:
    with pytest.raises(InstanceError, match=r"^\$: the file is larger than"):
        load_instance(b" " * (MAX_INSTANCE_BYTES + 1))


def test_a_good_file_loads() -> None:
    assert load_instance(json.dumps(instance_file()).encode()).venues[0].people == 100
