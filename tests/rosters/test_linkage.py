"""The linkage engine on a small labelled roster: one Splink run over every case, then one test
per case, and the decision rules on hand-made evidence."""

from __future__ import annotations

import dataclasses
import datetime
import json
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cccd.demo.generator import RegisterRow, communes_for_districts, generate_people
from cccd.rosters import linkage
from cccd.rosters.linkage import Candidate, Evidence, IdMatch, LinkResult, Policy, Scored
from cccd.rosters.reading import RosterRow

pytestmark = [
    pytest.mark.xdist_group("linkage"),  # one worker builds the module fixtures once
    pytest.mark.no_database,  # files in, files out: the PostgreSQL pass of CI leaves it out
]

REFERENCE = datetime.date(2021, 1, 15)


def _date(text: str) -> tuple[datetime.date | None, int]:
    if len(text) == 4:
        return None, int(text)
    day, month, year = (int(p) for p in text.split("/"))
    return datetime.date(year, month, day), year


def _person(row: RegisterRow) -> dict[str, Any]:
    """A register row as `Person.objects.values(...)` gives it to the engine."""
    day, year = _date(row.birth_date)
    return {
        "personal_id": row.personal_id,
        "full_name": row.full_name,
        "birth_date": day or datetime.date(year, 1, 1),
        "birth_date_precision": "day" if day else "year",
        "birth_year": year,
        "sex": "M" if row.sex == "Nam" else "F",
        "father_name": row.father_name,
        "mother_name": row.mother_name,
        "permanent_address": row.permanent_address,
        "residence_unit__code": row.commune_code,
    }


def _roster_row(number: int, person: dict[str, Any], **changes: Any) -> RosterRow:
    """The person as a school lists them (address and parents included), with ``changes``."""
    values: dict[str, Any] = {
        "row": number,
        "line": number + 1,
        "full_name": person["full_name"],
        "birth_date": person["birth_date"] if person["birth_date_precision"] == "day" else None,
        "birth_year": person["birth_year"],
        "birth_date_swappable": False,
        "sex": person["sex"],
        "personal_id": "",
        "class_name": "12A1",
        "hometown": "",
        "permanent_address": person["permanent_address"],
        "father_name": person["father_name"],
        "mother_name": person["mother_name"],
        "ethnicity": "",
        "note": "",
        "problems": (),
        "values": {},
    }
    values.update(changes)
    return RosterRow(**values)


@dataclasses.dataclass
class Case:
    register: list[dict[str, Any]]
    rows: list[RosterRow]
    truth: dict[str, str | None]  # case name → personal ID of the person (None: not in register)
    row_of: dict[str, int]
    results: dict[int, LinkResult]


@pytest.fixture(scope="module")
def case() -> Case:
    """A 3,000-person register of Đắk Mil, a namesake pair injected, and a roster of each case."""
    communes = communes_for_districts(["663"])
    people = [
        _person(r)
        for r in generate_people(seed=5, communes=communes, people=3000, reference_date=REFERENCE)
    ]
    keys = Counter((linkage.split_folded(p["full_name"])[0], p["birth_date"]) for p in people)
    plain = [
        p
        for p in people
        if keys[(linkage.split_folded(p["full_name"])[0], p["birth_date"])] == 1
        and p["birth_date_precision"] == "day"
        and len(p["full_name"].split()) == 4
        and p["father_name"]
        and p["birth_date"].day <= 12
        and p["birth_date"].day != p["birth_date"].month
    ]
    twin = dict(plain[9])
    twin.update(personal_id="067999999999", father_name="Lý Văn Tư", mother_name="Hà Thị Mơ")
    twin["permanent_address"] = "Thôn 9, Xã Đắk Gằn, Huyện Đắk Mil, Tỉnh Đắk Nông"
    register = [*people, twin]

    picks = dict(
        zip(
            ("id", "wrong_id", "typo", "folded", "swapped", "dropped", "year_only", "other"),
            plain,
            strict=False,
        )
    )
    picks["namesake"] = plain[9]
    given = picks["typo"]["full_name"].split()
    given[-1] = given[-1][:-1] + ("x" if given[-1][-1] != "x" else "y")
    family, *middle, last = picks["dropped"]["full_name"].split()
    swapped = picks["swapped"]["birth_date"]
    rows = {
        "id": _roster_row(
            1,
            picks["id"],
            personal_id=picks["id"]["personal_id"],
            full_name=picks["id"]["full_name"].upper(),
        ),
        "wrong_id": _roster_row(2, picks["wrong_id"], personal_id=picks["other"]["personal_id"]),
        "typo": _roster_row(3, picks["typo"], full_name=" ".join(given)),
        "folded": _roster_row(
            4,
            picks["folded"],
            full_name=unicodedata.normalize("NFD", picks["folded"]["full_name"].upper())
            .replace("Đ", "D")
            .replace("\u0302", ""),
        ),
        "swapped": _roster_row(
            5, picks["swapped"], birth_date=swapped.replace(day=swapped.month, month=swapped.day)
        ),
        "dropped": _roster_row(6, picks["dropped"], full_name=f"{family} {last}"),
        "year_only": _roster_row(7, picks["year_only"], birth_date=None),
        "namesake": _roster_row(
            8, picks["namesake"], permanent_address="", father_name="", mother_name=""
        ),
        "absent": _roster_row(
            9,
            picks["other"],
            full_name="Âu Dương Kỳ Lân",
            father_name="",
            mother_name="",
            birth_date=datetime.date(1990, 4, 2),
            birth_year=1990,
        ),
        "unreadable": _roster_row(
            10,
            picks["other"],
            full_name="",
            birth_date=None,
            birth_year=None,
            problems=(("MISSING_DATE", "…"),),
        ),
    }
    truth = {name: picks[name]["personal_id"] if name in picks else None for name in rows}
    truth["owner_of_wrong_id"] = picks["other"]["personal_id"]
    ordered = sorted(rows.values(), key=lambda r: r.row)
    frame = linkage.register_frame_from_people(register, population=len(register))
    results = linkage.link(frame, ordered)
    return Case(
        register, ordered, truth, {n: r.row for n, r in rows.items()}, {r.row: r for r in results}
    )


def result(case: Case, name: str) -> LinkResult:
    return case.results[case.row_of[name]]


def test_one_result_per_row_in_row_order(case: Case) -> None:
    assert list(case.results) == [r.row for r in case.rows]


def test_an_id_that_is_a_register_id_matches_directly(case: Case) -> None:
    found = result(case, "id")
    assert (found.outcome, found.personal_id, found.score) == ("matched", case.truth["id"], 1.0)


def test_an_id_of_someone_else_is_sent_to_review_with_that_person_first(case: Case) -> None:
    found = result(case, "wrong_id")
    assert found.outcome == "review"
    assert found.personal_id is None
    assert found.candidates[0].personal_id == case.truth["owner_of_wrong_id"]
    assert case.truth["wrong_id"] in {c.personal_id for c in found.candidates[1:]}


@pytest.mark.parametrize("name", ["typo", "folded", "swapped", "dropped"])
def test_roster_errors_still_match_the_right_person(case: Case, name: str) -> None:
    found = result(case, name)
    assert (found.outcome, found.personal_id) == ("matched", case.truth[name])
    assert found.candidates[0] == Candidate(case.truth[name], found.score)


def test_a_year_alone_finds_the_person_matched_or_first_candidate(case: Case) -> None:
    found = result(case, "year_only")
    assert found.outcome in ("matched", "review")
    assert found.candidates[0].personal_id == case.truth["year_only"]


def test_namesakes_born_the_same_day_are_ambiguous_never_matched(case: Case) -> None:
    found = result(case, "namesake")
    assert found.outcome == "ambiguous"
    assert found.personal_id is None
    assert {case.truth["namesake"], "067999999999"} <= {c.personal_id for c in found.candidates}


def test_a_person_not_in_the_register_is_not_found(case: Case) -> None:
    found = result(case, "absent")
    assert (found.outcome, found.personal_id, found.candidates) == ("not_found", None, ())


def test_a_row_without_name_or_date_is_not_found(case: Case) -> None:
    assert result(case, "unreadable").outcome == "not_found"


def test_an_empty_roster_gives_no_results() -> None:
    assert linkage.link(linkage.register_frame_from_people([]), []) == []


# --- decisions on hand-made evidence ------------------------------------------------------------


def evidence(*scored: tuple[str, float, float], **fields: Any) -> Evidence:
    values: dict[str, Any] = {
        "row": 1,
        "by_id": None,
        "scored": tuple(Scored(*s) for s in scored),
        "roster_id": None,
        "namesakes": (),
    }
    values.update(fields)
    return Evidence(**values)


def test_a_confident_lone_candidate_is_matched() -> None:
    decided = linkage.decide(evidence(("A", 0.99999, 20.0), ("B", 0.002, 2.0)))
    assert (decided.outcome, decided.personal_id) == ("matched", "A")
    assert [c.personal_id for c in decided.candidates] == ["A", "B"]


def test_a_same_day_namesake_is_ambiguous_however_high_the_score() -> None:
    decided = linkage.decide(
        evidence(("A", 0.999999, 25.0), namesakes=(("A", ("A", "B")),)), Policy(match_threshold=0.5)
    )
    assert decided.outcome == "ambiguous"
    assert [c.personal_id for c in decided.candidates] == ["A", "B"]


def test_a_second_candidate_within_the_margin_makes_the_row_ambiguous() -> None:
    decided = linkage.decide(evidence(("A", 0.9999, 14.0), ("B", 0.999, 12.0)))
    assert decided.outcome == "ambiguous"
    assert decided.personal_id is None


def test_below_the_match_threshold_is_review_and_below_review_is_not_found() -> None:
    assert linkage.decide(evidence(("A", 0.9, 5.0))).outcome == "review"
    assert linkage.decide(evidence(("A", 0.005, -2.0))).outcome == "not_found"
    assert linkage.decide(evidence()).outcome == "not_found"


def test_an_id_not_in_the_register_blocks_the_auto_match_unless_it_is_a_slip() -> None:
    elsewhere = linkage.decide(evidence(("052190000001", 0.99999, 20.0), roster_id="067305001234"))
    slip = linkage.decide(evidence(("052190000001", 0.99999, 20.0), roster_id="052190000002"))
    assert (elsewhere.outcome, slip.outcome) == ("review", "matched")


def test_an_agreeing_id_wins_over_any_model_score() -> None:
    decided = linkage.decide(
        evidence(
            ("B", 0.99999, 20.0), by_id=IdMatch("A", agrees=True), namesakes=(("A", ("A", "C")),)
        )
    )
    assert (decided.outcome, decided.personal_id, decided.score) == ("matched", "A", 1.0)


# --- the pieces ---------------------------------------------------------------------------------


def test_names_fold_with_d_and_split_into_family_middle_given() -> None:
    assert linkage.split_folded("ĐẶNG  Thị Thu Hương") == (
        "dang thi thu huong",
        "dang",
        "thi thu",
        "huong",
    )
    assert linkage.split_folded(unicodedata.normalize("NFD", "Lê Hoà")) == (
        "le hoa",
        "le",
        None,
        "hoa",
    )
    assert linkage.split_folded("Nguyễn V. Hùng")[0] == "nguyen v hung"
    assert linkage.split_folded("  ") == (None, None, None, None)


@pytest.mark.parametrize(
    ("address", "place"),
    [
        ("Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông", ("dak lao", "dak mil")),
        ("Thon 5, Dak Lao, Dak Mil", ("dak lao", "dak mil")),
        ("x. Đắk Lao, h. Đắk Mil", ("dak lao", "dak mil")),
        ("Thôn 5 xã Đắk Lao huyện Đắk Mil", ("dak lao", "dak mil")),
        (
            "Tổ dân phố 7, Phường Bình Định, Thị xã An Nhơn, Tỉnh Bình Định",
            ("binh dinh", "an nhon"),
        ),
        ("Tổ dân phố 6, Phường Tam Quan Bắc, Thị xã Hoài Nhơn", ("tam quan bac", "hoai nhon")),
    ],
)
def test_the_commune_and_district_of_an_address(address: str, place: tuple[str, str]) -> None:
    assert linkage.address_place(address) == place


def test_the_register_slice_is_the_rosters_birth_years_plus_one_either_way_and_its_ids() -> None:
    person = {
        "full_name": "Lê Na",
        "birth_date": datetime.date(2006, 3, 5),
        "birth_year": 2006,
        "birth_date_precision": "day",
        "sex": "F",
        "permanent_address": "",
        "father_name": "",
        "mother_name": "",
    }
    rows = [
        _roster_row(1, person, personal_id="067306001234"),
        _roster_row(2, person, birth_date=None, birth_year=2009),
        _roster_row(3, person, birth_date=None, birth_year=None),
    ]
    wanted = linkage.register_slice_filter(rows)
    assert wanted.years == {2005, 2006, 2007, 2008, 2009, 2010}
    assert (wanted.min_year, wanted.max_year) == (2005, 2010)
    assert wanted.personal_ids == {"067306001234"}


def test_a_year_only_birth_in_the_register_is_not_taken_for_the_first_of_january() -> None:
    frame = linkage.register_frame_from_people(
        [
            {
                "personal_id": "067050000001",
                "full_name": "Lò Văn Páo",
                "birth_date": datetime.date(1950, 1, 1),
                "birth_date_precision": "year",
                "birth_year": 1950,
                "sex": "M",
                "father_name": "",
                "mother_name": "",
                "permanent_address": "",
                "residence_unit__code": "24667",
            }
        ]
    )
    [row] = frame.to_pylist()
    assert (row["birth_date"], row["birth_year"]) == (None, 1950)
    assert (row["commune"], row["district"]) == ("dak lao", "dak mil")  # from the commune code


def test_the_prior_is_one_in_the_areas_people_not_in_the_slice() -> None:
    frame = linkage.register_frame_from_people([], population=250_000)
    assert linkage.population_of(frame) == 250_000
    assert linkage.prior(250_000) == pytest.approx(4e-6)


# --- the shipped model --------------------------------------------------------------------------


def test_the_shipped_model_is_trained_and_every_blocking_rule_has_the_birth_date_or_year() -> None:
    model = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8"))
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert 0 < level["m_probability"] <= 1, level
                assert 0 < level["u_probability"] <= 1, level
    rules = [r["blocking_rule"] for r in model["blocking_rules_to_generate_predictions"]]
    assert all("birth_date" in rule or "birth_year" in rule for rule in rules)
    built = linkage.settings().get_settings("duckdb")
    assert rules == [r.blocking_rule_sql for r in built._blocking_rules_to_generate_predictions]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abnghi ", max_size=7),
    st.text(alphabet="abnghi ", max_size=7),
)
def test_the_one_edit_level_takes_exactly_the_pairs_damerau_levenshtein_does(
    left: str, right: str
) -> None:
    from cccd.rosters.linkage.frames import connect
    from cccd.rosters.linkage.model import _one_edit_apart_sql

    connection = connect()
    try:
        sql = (
            f"SELECT {_one_edit_apart_sql('given_folded')}, "  # noqa: S608 (constants)
            'damerau_levenshtein("given_folded_l", "given_folded_r") <= 1 '
            "FROM (SELECT ? AS given_folded_l, ? AS given_folded_r)"
        )
        [(ours, duckdb_own)] = connection.execute(sql, [left, right]).fetchall()
    finally:
        connection.close()
    assert ours == duckdb_own


def test_linking_never_trains(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    from splink.internals.linker_components.training import LinkerTraining

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("linking must reuse the shipped model")

    monkeypatch.setattr(LinkerTraining, "estimate_u_using_random_sampling", refuse)
    monkeypatch.setattr(
        LinkerTraining, "estimate_parameters_using_expectation_maximisation", refuse
    )
    frame = linkage.register_frame_from_people(case.register, population=len(case.register))
    [found] = linkage.link(frame, [case.rows[0]])
    assert found.outcome == "matched"


def test_a_missing_model_file_says_how_to_make_one(case: Case, tmp_path: Path) -> None:
    frame = linkage.register_frame_from_people(case.register[:50])
    with pytest.raises(FileNotFoundError, match="bench linkage --train"):
        linkage.link(frame, [case.rows[2]], model_path=tmp_path / "none.json")
