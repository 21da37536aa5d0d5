import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cccd.core import idnumber


def _generate(path: Path, *extra: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_register",
        "--out",
        str(path),
        "--people",
        "300",
        "--districts",
        "663",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_it_writes_the_interchange_csv_with_consistent_ids(tmp_path: Path) -> None:
    printed = _generate(tmp_path / "r.csv")
    assert "300 people in 10 communes" in printed
    with (tmp_path / "r.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 300
    assert list(rows[0])[:9] == [
        "personal_id",
        "full_name",
        "birth_date",
        "sex",
        "hometown",
        "permanent_address",
        "father_name",
        "mother_name",
        "household_id",
    ]
    for row in rows:
        year = int(row["birth_date"][-4:])
        idnumber.check(row["personal_id"], birth_year=year, sex="M" if row["sex"] == "Nam" else "F")
    assert {row["permanent_address"].split(", ")[-2] for row in rows} == {"Huyện Đắk Mil"}


def test_the_same_seed_gives_the_same_file(tmp_path: Path) -> None:
    _generate(tmp_path / "a.csv", "--seed", "7")
    _generate(tmp_path / "b.csv", "--seed", "7")
    _generate(tmp_path / "c.csv", "--seed", "8")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert (tmp_path / "a.csv").read_bytes() != (tmp_path / "c.csv").read_bytes()


def test_the_vietnam_concentration_names_four_in_ten_nguyen(tmp_path: Path) -> None:
    _generate(tmp_path / "d.csv", "--seed", "7")
    _generate(tmp_path / "v.csv", "--seed", "7", "--concentration", "vietnam")

    def nguyen_share(path: Path) -> float:
        with path.open(encoding="utf-8") as handle:
            names = [row["full_name"] for row in csv.DictReader(handle)]
        return sum(name.split()[0] == "Nguyễn" for name in names) / len(names)

    assert 0.30 <= nguyen_share(tmp_path / "v.csv") <= 0.46  # 38 % drawn over 300 people
    assert (tmp_path / "d.csv").read_bytes() != (tmp_path / "v.csv").read_bytes()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--districts", "999"], "not a legacy district code"),
        (["--districts"], "Name at least one"),
        (["--people", "0"], "at least 1"),
        (["--concentration", "hanoi"], "invalid choice"),
    ],
)
def test_it_refuses_bad_arguments(tmp_path: Path, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command(
            "generate_register", "--out", str(tmp_path / "x.csv"), *args, stdout=io.StringIO()
        )


def test_it_plants_duplicates_and_writes_their_truth(tmp_path: Path) -> None:
    printed = _generate(
        tmp_path / "r.csv", "--plant-duplicates", "20", "--truth", str(tmp_path / "t.csv")
    )
    assert "320 people" in printed and "20 planted second records" in printed
    with (tmp_path / "t.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    with (tmp_path / "r.csv").open(encoding="utf-8") as handle:
        ids = {row["personal_id"] for row in csv.DictReader(handle)}
    assert len(truth) == 20 and list(truth[0]) == ["personal_id", "duplicate_id", "changes"]
    assert all(row["personal_id"] in ids and row["duplicate_id"] in ids for row in truth)
    _generate(tmp_path / "plain.csv")
    with (tmp_path / "plain.csv").open(encoding="utf-8") as plain:
        assert (tmp_path / "r.csv").read_text(encoding="utf-8").startswith(plain.read())


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--plant-duplicates", "5"), "needs --truth"),
        (("--plant-duplicates", "-1", "--truth", "t.csv"), "between 0 and --people"),
        (("--plant-duplicates", "301", "--truth", "t.csv"), "between 0 and --people"),
        (("--truth", "t.csv"), "needs --plant-duplicates"),
        (("--plant-duplicates", "5", "--truth", "/nonexistent/t.csv"), "folder does not exist"),
    ],
)
def test_bad_planting_options_are_clear_errors(
    tmp_path: Path, extra: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _generate(tmp_path / "r.csv", *extra)
