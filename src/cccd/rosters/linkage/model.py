"""The Splink model: its comparisons and blocking rules, and the trained model shipped beside it
(`linkage_model.json`, estimated by `cccd.demo.linkage_training`, never retrained per list)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from cccd.rosters.linkage.frames import connect

if TYPE_CHECKING:
    from splink import SettingsCreator


MODEL_PATH: Final = Path(__file__).with_name("linkage_model.json")


def settings() -> SettingsCreator:
    """Our comparisons and blocking rules, untrained (`cccd.demo.linkage_training` estimates them).

    Blocking: every rule includes the birth date or year (docs/design.md#record-linkage: name-only
    blocking exhausted 19 GB on Nguyễn); the place is the register slice. The rules are chosen so
    one error of each kind still leaves a rule that pairs the row with its person (bench/RESULTS.md,
    blocking recall). The broad rules (a birth year and a name; a date a year off) keep only the
    pairs whose dates the model can still take for one person's (`_DATE_CAN_AGREE`, a name part
    for the year-off ones): on a register as concentrated as Vietnam's, "same year, same given
    name" alone made most of the pairs, of which nearly none could reach a candidate's score.
    """
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    return SettingsCreator(
        link_type="link_only",
        comparisons=_comparisons(),
        blocking_rules_to_generate_predictions=[
            block_on("birth_date"),
            CustomRule("l.birth_date = r.birth_date_swapped"),
            # the same year, and a date one side lacks or the model's "a day or a digit apart"
            CustomRule(
                f"l.birth_year = r.birth_year AND l.given_folded = r.given_folded AND {_DATE_CAN_AGREE}"
            ),
            CustomRule(
                "l.birth_year = r.birth_year AND l.family_folded = r.family_folded "
                "AND coalesce(l.middle_folded, '') = coalesce(r.middle_folded, '') "
                f"AND substr(l.given_folded, 1, 1) = substr(r.given_folded, 1, 1) AND {_DATE_CAN_AGREE}"
            ),
            # a year apart: the same day and month (a typo in the year), and the given name, or
            # the family and middle names …
            CustomRule(f"l.birth_date = r.birth_date + INTERVAL 1 YEAR AND {_A_NAME_AGREES}"),
            CustomRule(f"l.birth_date + INTERVAL 1 YEAR = r.birth_date AND {_A_NAME_AGREES}"),
            # … or the same full name (the lunar year of someone born before Tết, year only)
            CustomRule("l.birth_year = r.birth_year + 1 AND l.name_folded = r.name_folded"),
            CustomRule("l.birth_year + 1 = r.birth_year AND l.name_folded = r.name_folded"),
        ],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=30,
    )


def _one_digit_apart(left_date: str, right_date: str, left_year: str, right_year: str) -> str:
    return f"""
abs({left_date} - {right_date}) = 1 OR {left_year} = {right_year} AND (
    (month({left_date}) = month({right_date}) AND (
        day({left_date}) % 10 = day({right_date}) % 10
        OR day({left_date}) // 10 = day({right_date}) // 10
        OR day({left_date}) = day({right_date}) % 10 * 10 + day({right_date}) // 10))
    OR (day({left_date}) = day({right_date}) AND (
        month({left_date}) % 10 = month({right_date}) % 10
        OR month({left_date}) // 10 = month({right_date}) // 10)))
"""


_ONE_DIGIT_APART: Final = _one_digit_apart(
    '"birth_date_l"', '"birth_date_r"', '"birth_year_l"', '"birth_year_r"'
)
"""A day apart, or day or month mistyped by one digit (12 → 13, 05 → 15) or its two digits
swapped (12 → 21).

Arithmetic on the date parts: a string distance on formatted dates cost 5 s per 3 M pairs."""

_DATE_CAN_AGREE: Final = (
    "(l.birth_date IS NULL OR r.birth_date IS NULL OR ("
    + " ".join(
        _one_digit_apart("l.birth_date", "r.birth_date", "l.birth_year", "r.birth_year").split()
    )
    + "))"
)
"""Blocking: a pair of the same year whose dates are not both known, or are `_ONE_DIGIT_APART`
(the same date, or the day and month swapped, are blocked on by rules of their own)."""

_A_NAME_AGREES: Final = (
    "(l.given_folded = r.given_folded OR l.family_folded = r.family_folded "
    "AND coalesce(l.middle_folded, '') = coalesce(r.middle_folded, ''))"
)
"""Blocking: the given name, or the family and middle names, the same (folded)."""


def _one_edit_apart_sql(column: str) -> str:
    left, right = f'"{column}_l"', f'"{column}_r"'
    return (
        f"(least(length({left}), length({right})) <= 2 OR left({left}, 1) = left({right}, 1) "
        f"OR right({left}, 1) = right({right}, 1)) AND abs(length({left}) - length({right})) <= 1 "
        f"AND damerau_levenshtein({left}, {right}) <= 1"
    )


def _one_edit_apart(column: str) -> Any:
    """Splink's "Damerau-Levenshtein distance <= 1" level, with cheap tests first.

    One edit (a letter changed, added or dropped, two neighbours swapped) changes the length by one
    at most and leaves the first or the last letter as it was (unless a string has two letters or
    fewer), so pairs that fail either test cannot be one edit apart; DuckDB then computes the
    distance for the few that pass. The same pairs reach the level: DuckDB's `damerau_levenshtein`
    was half the scoring time at 1,000,000 people (bench/RESULTS.md, roster linkage).
    """
    import splink.comparison_level_library as cll

    return cll.CustomLevel(
        _one_edit_apart_sql(column), f"Damerau-Levenshtein distance of {column} <= 1"
    )


def _comparisons() -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def parent(column: str, label: str) -> Any:
        return cl.CustomComparison(
            output_column_name=column,
            comparison_description=label,
            comparison_levels=[
                cll.NullLevel(f"{column}_folded"),
                cll.ExactMatchLevel(f"{column}_folded"),
                cll.CustomLevel(f'"{column}_given_l" = "{column}_given_r"', "same given name"),
                cll.JaroWinklerLevel(f"{column}_folded", 0.9),
                cll.ElseLevel(),
            ],
        )

    return [
        cl.CustomComparison(
            output_column_name="family",
            comparison_description="family name, folded",
            comparison_levels=[
                cll.NullLevel("family_folded"),
                cll.ExactMatchLevel("family_folded", term_frequency_adjustments=True),
                _one_edit_apart("family_folded"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="middle",
            comparison_description="middle names, folded; often dropped on rosters",
            comparison_levels=[
                cll.NullLevel("name_folded"),
                cll.ExactMatchLevel("middle_folded", term_frequency_adjustments=True),
                cll.CustomLevel(
                    '"middle_folded_l" IS NULL AND "middle_folded_r" IS NULL', "no middle name"
                ),
                cll.CustomLevel(
                    '"middle_folded_l" IS NULL OR "middle_folded_r" IS NULL',
                    "middle name on one side only (dropped)",
                ),
                cll.CustomLevel(
                    "contains(' ' || \"middle_folded_l\" || ' ', ' ' || \"middle_folded_r\" || ' ') "
                    "OR contains(' ' || \"middle_folded_r\" || ' ', ' ' || \"middle_folded_l\" || ' ')",
                    "one middle name is part of the other",
                ),
                _one_edit_apart("middle_folded"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="given",
            comparison_description="given name, folded, weighted by its frequency",
            comparison_levels=[
                cll.NullLevel("given_folded"),
                cll.ExactMatchLevel("given_folded", term_frequency_adjustments=True),
                _one_edit_apart("given_folded"),
                cll.ElseLevel(),
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth",
            comparison_description="birth date, or year when only the year is known",
            comparison_levels=[
                cll.NullLevel("birth_year"),
                cll.CustomLevel('"birth_date_l" = "birth_date_r"', "same date"),
                cll.CustomLevel('"birth_date_l" = "birth_date_swapped_r"', "day and month swapped"),
                cll.CustomLevel(
                    '("birth_date_l" IS NULL OR "birth_date_r" IS NULL) '
                    'AND "birth_year_l" = "birth_year_r"',
                    "same year, the day known on one side only",
                ),
                cll.CustomLevel(_ONE_DIGIT_APART, "a day, or one digit of the day or month, apart"),
                cll.CustomLevel(
                    'month("birth_date_l") = month("birth_date_r") '
                    'AND day("birth_date_l") = day("birth_date_r") '
                    'AND abs("birth_year_l" - "birth_year_r") = 1',
                    "same day and month, a year apart",
                ),
                cll.CustomLevel('"birth_year_l" = "birth_year_r"', "same year"),
                cll.CustomLevel('abs("birth_year_l" - "birth_year_r") = 1', "a year apart"),
                cll.ElseLevel(),
            ],
        ),
        cl.ExactMatch("sex"),
        parent("father", "father's name, folded; often missing or abbreviated on rosters"),
        parent("mother", "mother's name, folded; often missing or abbreviated on rosters"),
        cl.CustomComparison(
            output_column_name="place",
            comparison_description="commune and district of the permanent address",
            comparison_levels=[
                cll.NullLevel("commune"),
                cll.CustomLevel(
                    '"commune_l" = "commune_r" AND ("district_l" = "district_r" '
                    'OR "district_l" IS NULL OR "district_r" IS NULL)',
                    "same commune",
                ),
                cll.CustomLevel('"district_l" = "district_r"', "same district"),
                cll.ElseLevel(),
            ],
        ),
    ]


def splink_api() -> Any:
    """Splink's DuckDB back end over a connection of our own (`frames.connect`: memory bounded)."""
    from splink import DuckDBAPI

    return DuckDBAPI(connect())


def quiet_splink() -> None:
    """Splink logs each step at INFO; a roster check should print nothing of it."""
    logging.getLogger("splink").setLevel(logging.WARNING)


def load_model(model_path: Path | None, population: int) -> dict[str, Any]:
    """The trained model with the prior (`prior`) set for the area's population."""
    path = model_path or MODEL_PATH
    try:
        model: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no linkage model at {path}; run `python -m bench linkage --train`"
        ) from None
    model["probability_two_random_records_match"] = prior(population)
    model.pop("linker_uid", None)
    return model


def prior(population: int) -> float:
    """The probability that a roster row and a random person of the area are the same person.

    The model's u-probabilities come from random pairs over all birth years, so the prior is one
    in the area's whole population, not in the (year-filtered) slice: a narrow slice must not
    make a same-day namesake look likelier to be the person.
    """
    return 1.0 / max(population, 2)
