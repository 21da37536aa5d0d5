"""`cccd link`: a roster file against a register file, and clear refusals of bad files."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cccd.demo.generator import CSV_COLUMNS, communes_for_districts, generate_people, write_csv

pytestmark = [
    pytest.mark.xdist_group("link_command"),  # one worker builds the module fixtures once
    pytest.mark.no_database,  # files in, files out: the PostgreSQL pass of CI leaves it out
]

REFERENCE = datetime.date(2021, 1, 15)
ROSTER_HEADER = [
    "STT",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số định danh",
    "Lớp",
    "Địa chỉ thường trú",
]


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    """An interchange CSV of 2,000 people of Đắk Mil, and a namesake of its 10th person."""
    people = list(
        generate_people(
            seed=3, communes=communes_for_districts(["663"]), people=2000, reference_date=REFERENCE
        )
    )
    path = tmp_path_factory.mktemp("link") / "register.csv"
    write_csv(people, path)
    with path.open("a", encoding="utf-8", newline="") as file:
        twin = people[9]
        csv.writer(file).writerow(
            [
                "067999999999",
                twin.full_name,
                twin.birth_date,
                twin.sex,
                "",
                "",
                "Lý Văn Tư",
                "Hà Thị Mơ",
                "HK1",
                twin.commune_code,
                "head",
                "Kinh",
                "Không",
                "",
                "",
                "alive",
                *[""] * (len(CSV_COLUMNS) - 16),  # the card held, the residences: none
            ]
        )
    rows = [
        # (name, birth date, sex, ID, address)
        [
            people[0].full_name.upper(),
            people[0].birth_date,
            people[0].sex,
            "",
            people[0].permanent_address,
        ],
        [people[1].full_name, people[1].birth_date, people[1].sex, people[1].personal_id, ""],
        [people[9].full_name, people[9].birth_date, people[9].sex, "", ""],
        ["Âu Dương Kỳ Lân", "02/04/1990", "Nam", "", ""],
    ]
    return path, rows


def write_roster_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["DANH SÁCH HỌC SINH LỚP 12A1"])
        writer.writerow(ROSTER_HEADER)
        for number, (name, born, sex, pid, address) in enumerate(rows, start=1):
            writer.writerow([number, name, born, sex, pid, "12A1", address])
    return path


def read_result(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_a_roster_csv_gives_one_result_row_per_roster_row(
    register: tuple[Path, list[list[str]]], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register_csv, rows = register
    roster = write_roster_csv(tmp_path / "12a1.csv", rows)
    out = tmp_path / "result.csv"
    call_command(
        "link", "--register", str(register_csv), "--roster", str(roster), "--out", str(out)
    )
    result = read_result(out)
    assert list(result[0]) == ["row", "outcome", "personal_id", "candidates", "score"]
    assert [r["row"] for r in result] == ["1", "2", "3", "4"]
    assert [r["outcome"] for r in result] == ["matched", "matched", "ambiguous", "not_found"]
    assert result[1]["personal_id"] == rows[1][3] and result[1]["score"] == "1.000000"
    assert result[0]["candidates"] == ""  # candidates only for review and ambiguous
    assert set(result[2]["candidates"].split(";")) >= {"067999999999"}
    assert result[2]["personal_id"] == "" and result[3]["personal_id"] == ""
    assert "4 rows: 2 matched, 0 review, 1 ambiguous, 1 not_found" in capsys.readouterr().out


def test_a_roster_xlsx_is_read_like_the_web_pre_check(
    register: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    register_csv, rows = register
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["TRƯỜNG THPT ĐẮK MIL"])
    sheet.append(ROSTER_HEADER)
    for number, (name, born, sex, pid, address) in enumerate(rows[:2], start=1):
        day, month, year = (int(p) for p in born.split("/"))
        sheet.append([number, name, datetime.datetime(year, month, day), sex, pid, "12A1", address])
    workbook.save(tmp_path / "12a1.xlsx")
    out = tmp_path / "result.csv"
    call_command(
        "link",
        "--register",
        str(register_csv),
        "--roster",
        str(tmp_path / "12a1.xlsx"),
        "--out",
        str(out),
    )
    assert [r["outcome"] for r in read_result(out)] == ["matched", "matched"]


def call(register_csv: Path, roster: Path, out: Path) -> None:
    call_command(
        "link", "--register", str(register_csv), "--roster", str(roster), "--out", str(out)
    )


def test_a_missing_file_is_named(register: tuple[Path, list[list[str]]], tmp_path: Path) -> None:
    register_csv, rows = register
    roster = write_roster_csv(tmp_path / "r.csv", rows)
    with pytest.raises(CommandError, match=r"The register file .*nowhere\.csv does not exist"):
        call(tmp_path / "nowhere.csv", roster, tmp_path / "out.csv")
    with pytest.raises(CommandError, match=r"The roster file .*nowhere\.xlsx does not exist"):
        call(register_csv, tmp_path / "nowhere.xlsx", tmp_path / "out.csv")
    with pytest.raises(CommandError, match=r"the folder .*no-such-folder does not exist"):
        call(register_csv, roster, tmp_path / "no-such-folder" / "out.csv")
    with pytest.raises(CommandError, match=r"The model file .*none\.json does not exist"):
        call_command(
            "link",
            "--register",
            str(register_csv),
            "--roster",
            str(roster),
            "--out",
            str(tmp_path / "out.csv"),
            "--model",
            str(tmp_path / "none.json"),
        )


def test_a_roster_without_a_header_row_is_refused_with_the_readers_message(
    register: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    roster = tmp_path / "noheader.csv"
    roster.write_text(
        "1,Nguyễn Văn An,15/03/2005,Nam\n2,Lê Thị Na,01/02/2005,Nữ\n", encoding="utf-8"
    )
    with pytest.raises(
        CommandError, match=r"Cannot read the roster .*Could not find the header row"
    ):
        call(register[0], roster, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_register_without_the_required_columns_is_refused(
    register: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    roster = write_roster_csv(tmp_path / "r.csv", register[1])
    bad = tmp_path / "register.csv"
    bad.write_text(
        "personal_id,full_name,address\n067205001234,Nguyễn Văn An,Đắk Mil\n", encoding="utf-8"
    )
    with pytest.raises(
        CommandError,
        match=r"no column for birth_date, sex \(headers found: personal_id, full_name, address\)",
    ):
        call(bad, roster, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


def test_a_register_that_is_not_utf8_or_not_a_table_is_refused(
    register: tuple[Path, list[list[str]]], tmp_path: Path
) -> None:
    roster = write_roster_csv(tmp_path / "r.csv", register[1])
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "personal_id,full_name,birth_date,sex\n1,Nguyên Na,2005,Nam\n".encode("latin-1")
    )
    with pytest.raises(CommandError, match="not UTF-8"):
        call(latin, roster, tmp_path / "out.csv")
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(b"%PDF-1.4 not a table")
    with pytest.raises(CommandError, match="not a CSV or Excel"):
        call(pdf, roster, tmp_path / "out.csv")


def test_duckdb_out_of_its_memory_is_said_with_what_to_do(
    register: tuple[Path, list[list[str]]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: object,
) -> None:
    """DuckDB's out-of-memory error reaches `cccd link` wrapped in Splink's own (as it did at
    100,000 rows against 10,000,000 people): the officer reads the limit and the two ways out,
    not a traceback, and no result file is left half-written."""
    import duckdb
    from splink.internals.exceptions import SplinkException

    from cccd.rosters import linkage

    def out_of_memory(*_args: object, **_kwargs: object) -> None:
        try:
            raise duckdb.OutOfMemoryException("could not allocate block of size 256.0 KiB")
        except duckdb.OutOfMemoryException as exc:
            raise SplinkException("Error executing the following sql …") from exc

    monkeypatch.setattr(linkage, "link", out_of_memory)
    settings.CCCD_DUCKDB_MEMORY_LIMIT = "2GB"  # type: ignore[attr-defined]
    register_csv, rows = register
    roster = write_roster_csv(tmp_path / "12a1.csv", rows)
    out = tmp_path / "result.csv"
    with pytest.raises(CommandError, match=r"DuckDB ran out of the memory it may use \(2GB\)"):
        call_command(
            "link", "--register", str(register_csv), "--roster", str(roster), "--out", str(out)
        )
    assert not out.exists()


def test_other_failures_of_the_engine_are_not_taken_for_memory(
    register: tuple[Path, list[list[str]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cccd.rosters import linkage

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("something else")

    monkeypatch.setattr(linkage, "link", broken)
    register_csv, rows = register
    roster = write_roster_csv(tmp_path / "12a1.csv", rows)
    with pytest.raises(RuntimeError, match="something else"):
        call_command(
            "link",
            "--register",
            str(register_csv),
            "--roster",
            str(roster),
            "--out",
            str(tmp_path / "result.csv"),
        )
