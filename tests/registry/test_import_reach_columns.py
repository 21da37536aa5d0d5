"""The import's columns for reach (docs/reach.md "What the register holds for it"): the card held,
the date of death, the village, since when the person lives here, moves between imports, previous
and temporary residences — each with its malformed input."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
import time_machine
from openpyxl import Workbook, load_workbook

from cccd.accounts.models import AuditEvent, User
from cccd.registry import importing
from cccd.registry.importing import run_import
from cccd.registry.models import Person, RegisterImport, RejectedRow, ResidenceRecord
from cccd.registry.services import import_file
from cccd.registry.xlsx import write_rejected_rows
from tests.builders import Tree, make_unit

pytestmark = pytest.mark.django_db

D = datetime.date
MAN = "067090012345"  # born 1990, male
WOMAN = "067190012346"  # born 1990, female
DAK_LAO = "24667"
DUC_MINH = "24685"
TOWN = "24664"
ADDRESS = "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"


@pytest.fixture(autouse=True)
def _communes(tree: Tree) -> None:
    make_unit(tree.dakmil, DUC_MINH, "Xã Đức Minh", "commune")
    make_unit(tree.dakmil, TOWN, "Thị trấn Đắk Mil", "commune")
    make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")


def person(**cells: str) -> dict[str, str]:
    base = {
        "personal_id": MAN,
        "full_name": "Nguyễn Văn An",
        "birth_date": "15/03/1990",
        "sex": "Nam",
        "commune_code": DAK_LAO,
        "permanent_address": ADDRESS,
    }
    return {**base, **cells}


def write(tmp_path: Path, rows: list[dict[str, str]], name: str = "reg.csv") -> Path:
    columns = list(dict.fromkeys(c for row in rows for c in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def run(tmp_path: Path, rows: list[dict[str, str]], name: str = "reg.csv") -> RegisterImport:
    return run_import(import_file(write(tmp_path, rows, name), actor=None, unit_path="/ca/"))


def rejected(imp: RegisterImport) -> list[str]:
    return list(RejectedRow.objects.filter(register_import=imp).values_list("code", flat=True))


def the(personal_id: str = MAN) -> Person:
    return Person.objects.get(personal_id=personal_id)


# --- the card held -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "issued", "expected"),
    [
        ("CCCD gắn chip", "10/03/2021", "cccd_chip"),
        ("cccd gan chip", "10/03/2021", "cccd_chip"),
        ("cccd_chip", "10/03/2021", "cccd_chip"),
        ("Chip citizen identity card", "10/03/2021", "cccd_chip"),
        ("CCCD mã vạch", "10/03/2019", "cccd_barcode"),
        ("cccd_barcode", "10/03/2019", "cccd_barcode"),
        ("CCCD", "10/03/2019", "cccd_barcode"),  # barcode or chip: the date tells
        ("CCCD", "10/03/2021", "cccd_chip"),
        ("Thẻ căn cước", "10/08/2024", "card_2024"),
        ("card_2024", "10/08/2024", "card_2024"),
        ("", "10/03/2021", "cccd_chip"),  # no kind: by the date, as the migration did
        ("", "10/03/2018", "cccd_barcode"),
        ("", "10/03/2010", "cmnd"),
        ("", "10/08/2024", "card_2024"),
        ("", "", ""),
        ("Không", "", ""),
        ("none", "", ""),
    ],
)
def test_the_card_kind_is_read_in_any_language_or_from_the_date(
    tmp_path: Path, kind: str, issued: str, expected: str
) -> None:
    imp = run(tmp_path, [person(card_kind=kind, card_issue_date=issued)])
    assert rejected(imp) == []
    assert the().card_kind == expected
    assert the().card_number == (MAN if expected not in ("", "cmnd") else "")


def test_vietnamese_headers_name_the_new_columns(tmp_path: Path) -> None:
    row = {
        "Số định danh": MAN,
        "Họ và tên": "Nguyễn Văn An",
        "Ngày sinh": "15/03/1990",
        "Giới tính": "Nam",
        "Nơi thường trú": ADDRESS,
        "Loại thẻ": "CMND",
        "Số thẻ": "245123456",
        "Ngày cấp": "01/06/2008",
        "Tình trạng": "Đã chết",
        "Ngày mất": "02/02/2020",
        "Ở từ ngày": "01/01/2015",
        "Nơi tạm trú": "Tổ dân phố 3, Xã Đức Minh, Huyện Đắk Mil, Tỉnh Đắk Nông",
        "Tạm trú từ ngày": "01/01/2019",
        "Tạm trú đến ngày": "31/12/2019",
    }
    imp = run(tmp_path, [row])
    assert rejected(imp) == []
    an = the()
    assert (an.card_kind, an.card_number, an.old_id_number) == ("cmnd", "245123456", "245123456")
    assert an.card_expiry == D(2023, 6, 1)  # a CMND lasts 15 years
    assert (an.status, an.died_on, an.residence_since) == ("dead", D(2020, 2, 2), D(2015, 1, 1))
    stay = ResidenceRecord.objects.get(person=an)
    assert (stay.kind, stay.unit.code, stay.village) == ("temporary", DUC_MINH, "Tổ dân phố 3")
    assert (stay.start, stay.end) == (D(2019, 1, 1), D(2019, 12, 31))


def test_a_cmnd_lasts_fifteen_years_and_no_later_than_2024(tmp_path: Path) -> None:
    run(tmp_path, [person(card_kind="CMND", card_issue_date="01/06/2012")])
    assert the().card_expiry == D(2024, 12, 31)


def test_a_card_number_from_an_excel_number_cell_gets_its_zeros_back(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["personal_id", "full_name", "birth_date", "sex", "commune_code", "card_kind",
                  "card_number"])  # fmt: skip
    sheet.append([MAN, "Nguyễn Văn An", "15/03/1990", "Nam", DAK_LAO, "CMND", 12345678])
    path = tmp_path / "reg.xlsx"
    workbook.save(path)
    imp = run_import(import_file(path, actor=None, unit_path="/ca/"))
    assert rejected(imp) == []
    assert the().card_number == "012345678"


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"card_kind": "Hộ chiếu"}, "BAD_CARD_KIND"),
        ({"card_kind": "=cmd|' /C calc'!A0"}, "BAD_CARD_KIND"),
        ({"card_kind": "x" * 300}, "BAD_CARD_KIND"),
        ({"card_kind": "CCCD gắn chip", "card_issue_date": "10/03/2021", "card_number": "12345"},
         "BAD_CARD_NUMBER"),
        ({"card_kind": "CCCD gắn chip", "card_issue_date": "10/03/2021",
          "card_number": "06709001234５"}, "BAD_CARD_NUMBER"),  # a full-width digit
        ({"card_kind": "CCCD gắn chip", "card_issue_date": "10/03/2021",
          "card_number": "067090012399"}, "CARD_NUMBER_MISMATCH"),
        ({"card_kind": "CMND", "card_number": "1234567890"}, "BAD_CARD_NUMBER"),
        ({"card_kind": "CMND", "card_number": "24512345A"}, "BAD_CARD_NUMBER"),
        ({"card_kind": "CCCD gắn chip"}, "CARD_DATE_MISSING"),
        ({"card_kind": "CCCD"}, "CARD_DATE_MISSING"),
        ({"card_kind": "CCCD gắn chip", "card_issue_date": "10/03/2019"}, "CARD_KIND_DATE"),
        ({"card_kind": "CCCD mã vạch", "card_issue_date": "10/03/2012"}, "CARD_KIND_DATE"),
        ({"card_kind": "Thẻ căn cước", "card_issue_date": "10/03/2021"}, "CARD_KIND_DATE"),
        ({"card_kind": "CMND", "card_issue_date": "10/08/2024"}, "CARD_KIND_DATE"),
        ({"card_kind": "CCCD", "card_issue_date": "10/08/2024"}, "CARD_KIND_DATE"),
        ({"card_kind": "Không", "card_number": "245123456"}, "CARD_DETAILS_WITHOUT_CARD"),
        ({"card_kind": "Không", "card_issue_date": "10/03/2021"}, "CARD_DETAILS_WITHOUT_CARD"),
        ({"card_number": "245123456"}, "CARD_NUMBER_WITHOUT_KIND"),
        ({"card_kind": "CMND", "card_issue_date": "01/06/2000"}, "BAD_CARD_DATE"),  # aged 10
        ({"card_kind": "CMND", "card_issue_date": "01/06/1980"}, "BAD_CARD_DATE"),  # unborn
        ({"card_issue_date": "31/02/2021"}, "BAD_DATE"),
        ({"card_issue_date": "01/01/2999"}, "BAD_DATE"),
    ],
)  # fmt: skip
def test_a_bad_card_is_rejected_with_its_reason(
    tmp_path: Path, cells: dict[str, str], code: str
) -> None:
    imp = run(tmp_path, [person(**cells), person(personal_id=WOMAN, full_name="Lê Thị Hoa",
                                                 sex="Nữ")])  # fmt: skip
    assert rejected(imp) == [code]
    assert not Person.objects.filter(personal_id=MAN).exists()
    assert Person.objects.filter(personal_id=WOMAN).exists()  # the rest is imported


# --- death -----------------------------------------------------------------------------------------


def test_a_date_of_death_makes_the_status_dead_when_the_status_is_empty(tmp_path: Path) -> None:
    run(tmp_path, [person(died_on="01/02/2020"), person(personal_id=WOMAN, full_name="Lê Thị Hoa",
                                                         sex="Nữ", status="Đã chết")])  # fmt: skip
    assert (the().status, the().died_on) == ("dead", D(2020, 2, 1))
    assert (the(WOMAN).status, the(WOMAN).died_on) == ("dead", None)  # a death without a date


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"died_on": "01/01/2999"}, "BAD_DEATH_DATE"),
        ({"died_on": "01/01/1980"}, "BAD_DEATH_DATE"),  # before the birth
        ({"died_on": "30/02/2020"}, "BAD_DEATH_DATE"),
        ({"died_on": "hôm qua"}, "BAD_DEATH_DATE"),
        ({"died_on": "01/01/2020", "status": "alive"}, "DEATH_BUT_NOT_DEAD"),
        ({"died_on": "01/01/2020", "status": "Xuất cảnh"}, "DEATH_BUT_NOT_DEAD"),
    ],
)
def test_a_bad_death_is_rejected(tmp_path: Path, cells: dict[str, str], code: str) -> None:
    assert rejected(run(tmp_path, [person(**cells)])) == [code]
    assert not Person.objects.exists()


# --- village and residences ------------------------------------------------------------------------


def test_the_village_is_read_from_the_permanent_address(tmp_path: Path) -> None:
    run(tmp_path, [person(permanent_address="tdp 05, Xã Đắk Lao")])
    assert (the().village, the().residence_since) == ("Tổ dân phố 5", None)


def test_a_move_to_another_commune_keeps_the_old_residence_until_the_day_before(
    tmp_path: Path,
) -> None:
    with time_machine.travel(datetime.datetime(2025, 3, 10, 9, tzinfo=datetime.UTC), tick=False):
        run(tmp_path, [person(residence_since="01/01/2010")], "v1.csv")
    moved = person(
        commune_code=DUC_MINH, permanent_address="Thôn 3, Xã Đức Minh, Huyện Đắk Mil, Tỉnh Đắk Nông"
    )
    # 23:30 in Hà Nội is still the 1st of June there: the import's day is the local one
    with time_machine.travel(
        datetime.datetime(2025, 6, 1, 16, 30, tzinfo=datetime.UTC), tick=False
    ):
        imp = run(tmp_path, [moved], "v2.csv")
        again = run(tmp_path, [moved], "v2-again.csv")
    an = the()
    assert (an.residence_unit.code, an.village, an.residence_since) == (
        DUC_MINH,
        "Thôn 3",
        D(2025, 6, 1),
    )
    past = ResidenceRecord.objects.get(person=an)
    assert (past.kind, past.unit.code, past.village, past.address) == (
        "permanent",
        DAK_LAO,
        "Thôn 5",
        ADDRESS,
    )
    assert (past.start, past.end) == (D(2010, 1, 1), D(2025, 5, 31))
    assert (imp.updated, again.unchanged, again.updated) == (1, 1, 0)
    event = AuditEvent.objects.get(action="person.update")
    assert "past_residence" in event.after


def test_living_here_since_in_the_file_wins_over_the_import_day(tmp_path: Path) -> None:
    run(tmp_path, [person()], "v1.csv")
    run(tmp_path, [person(commune_code=DUC_MINH, residence_since="15/04/2024")], "v2.csv")
    past = ResidenceRecord.objects.get()
    assert (past.start, past.end) == (None, D(2024, 4, 14))
    assert the().residence_since == D(2024, 4, 15)


def test_a_move_between_villages_of_one_commune_is_a_move(tmp_path: Path) -> None:
    run(tmp_path, [person()], "v1.csv")
    run(tmp_path, [person(permanent_address="Thôn 7, Xã Đắk Lao")], "v2.csv")
    past = ResidenceRecord.objects.get()
    assert (past.unit.code, past.village) == (DAK_LAO, "Thôn 5")
    assert the().village == "Thôn 7"


def test_a_village_read_for_the_first_time_is_no_move(tmp_path: Path) -> None:
    run(tmp_path, [person(permanent_address="Xã Đắk Lao, Huyện Đắk Mil")], "v1.csv")
    imp = run(tmp_path, [person()], "v2.csv")
    assert (the().village, the().residence_since, imp.updated) == ("Thôn 5", None, 1)
    assert not ResidenceRecord.objects.exists()


def test_a_since_earlier_than_the_old_one_records_no_impossible_residence(tmp_path: Path) -> None:
    run(tmp_path, [person(residence_since="01/01/2020")], "v1.csv")
    imp = run(tmp_path, [person(commune_code=DUC_MINH, residence_since="01/01/2019")], "v2.csv")
    assert (rejected(imp), the().residence_since) == ([], D(2019, 1, 1))
    assert not ResidenceRecord.objects.exists()


def test_a_previous_residence_in_the_file_is_recorded_once(tmp_path: Path) -> None:
    row = person(
        residence_since="01/07/2023",
        previous_address="Thôn 2, Xã Đức Minh, Huyện Đắk Mil, Tỉnh Đắk Nông",
    )
    run(tmp_path, [row], "v1.csv")
    again = run(tmp_path, [row], "v2.csv")
    past = ResidenceRecord.objects.get()
    assert (past.kind, past.unit.code, past.village) == ("permanent", DUC_MINH, "Thôn 2")
    assert (past.start, past.end) == (None, D(2023, 6, 30))
    assert (again.unchanged, again.updated) == (1, 0)


def test_temporary_residences_are_created_updated_and_ended(tmp_path: Path) -> None:
    first = person(temporary_commune_code=DUC_MINH, temporary_from="01/09/2022")
    run(tmp_path, [first], "v1.csv")
    assert run(tmp_path, [first], "v1-again.csv").unchanged == 1
    run(tmp_path, [{**first, "temporary_until": "31/05/2023"}], "v2.csv")
    stay = ResidenceRecord.objects.get()
    assert (stay.start, stay.end) == (D(2022, 9, 1), D(2023, 5, 31))  # the same record, updated
    run(tmp_path, [{**first, "temporary_until": ""}], "v3.csv")
    newer = person(temporary_commune_code=TOWN, temporary_from="01/02/2024")
    run(tmp_path, [newer], "v4.csv")
    stays = list(
        ResidenceRecord.objects.order_by("start").values_list("unit__code", "start", "end")
    )
    assert stays == [
        (DUC_MINH, D(2022, 9, 1), D(2024, 1, 31)),  # ended by the newer one
        (TOWN, D(2024, 2, 1), None),
    ]


@pytest.mark.parametrize(
    ("cells", "code"),
    [
        ({"residence_since": "01/01/2999"}, "BAD_RESIDENCE_SINCE"),
        ({"residence_since": "01/01/1980"}, "BAD_RESIDENCE_SINCE"),
        ({"residence_since": "2020/13/45"}, "BAD_RESIDENCE_SINCE"),
        ({"previous_commune_code": DUC_MINH}, "PREVIOUS_WITHOUT_SINCE"),
        ({"previous_commune_code": "99999", "residence_since": "01/01/2020"},
         "PREVIOUS_UNIT_UNKNOWN"),
        ({"temporary_from": "01/01/2020"}, "TEMPORARY_WITHOUT_PLACE"),
        ({"temporary_until": "01/01/2020"}, "TEMPORARY_WITHOUT_PLACE"),
        ({"temporary_commune_code": "99999"}, "TEMPORARY_UNIT_UNKNOWN"),
        ({"temporary_address": "Thôn 1, Xã Không Có, Huyện Không Có, Tỉnh Đắk Nông"},
         "TEMPORARY_UNIT_UNKNOWN"),
        ({"temporary_commune_code": DUC_MINH, "temporary_from": "01/01/2999"}, "BAD_DATE"),
        ({"temporary_commune_code": DUC_MINH, "temporary_until": "someday"}, "BAD_DATE"),
        ({"temporary_commune_code": DUC_MINH, "temporary_from": "01/01/2021",
          "temporary_until": "31/12/2020"}, "BAD_TEMPORARY_DATES"),
        ({"temporary_commune_code": DUC_MINH, "temporary_from": "01/01/1980"},
         "BAD_TEMPORARY_DATES"),
        ({"temporary_commune_code": DUC_MINH, "temporary_until": "01/01/1980"},
         "BAD_TEMPORARY_DATES"),
    ],
)  # fmt: skip
def test_bad_residence_cells_are_rejected(
    tree: Tree, tmp_path: Path, cells: dict[str, str], code: str
) -> None:
    assert rejected(run(tmp_path, [person(**cells)])) == [code]
    assert not Person.objects.exists()
    assert not ResidenceRecord.objects.exists()


def test_an_importer_cannot_place_a_residence_outside_their_units(
    tmp_path: Path, tree: Tree
) -> None:
    from tests.builders import make_user

    importer = make_user("quantri.dakmil", "administrator", tree.dakmil_police)
    rows = [  # Phú Phong, Bình Định
        person(temporary_commune_code="21808"),
        person(
            personal_id=WOMAN,
            full_name="Lê Thị Hoa",
            sex="Nữ",
            previous_commune_code="21808",
            residence_since="01/01/2020",
        ),
    ]
    imp = run_import(import_file(write(tmp_path, rows), actor=importer))
    assert rejected(imp) == ["TEMPORARY_UNIT_UNKNOWN", "PREVIOUS_UNIT_UNKNOWN"]
    assert not Person.objects.exists()


def test_residence_records_are_written_batch_by_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    ids = [f"0670900123{n:02d}" for n in range(10, 15)]
    first = [
        person(personal_id=i, full_name=f"Nguyễn Văn {c}")
        for i, c in zip(ids, "ABCDE", strict=True)
    ]
    run(tmp_path, first, "v1.csv")
    moved = [{**row, "commune_code": DUC_MINH, "temporary_commune_code": DAK_LAO} for row in first]
    imp = run(tmp_path, moved, "v2.csv")
    again = run(tmp_path, moved, "v3.csv")
    assert (imp.updated, again.unchanged) == (5, 5)
    assert ResidenceRecord.objects.filter(kind="permanent").count() == 5
    assert ResidenceRecord.objects.filter(kind="temporary").count() == 5


def test_the_rejected_rows_file_carries_the_new_columns(tmp_path: Path) -> None:
    imp = run(tmp_path, [person(card_kind="Hộ chiếu", card_number="=1+1", died_on="01/01/2020")])
    path = tmp_path / "rejected.xlsx"
    assert write_rejected_rows(imp, path) == 1
    header, row = load_workbook(path).active.iter_rows(values_only=True)
    values = dict(zip(header, row, strict=True))
    assert values["Reason code"] == "BAD_CARD_KIND"
    assert values["card_kind"] == "Hộ chiếu"
    assert values["card_number"] == "'=1+1"  # written as text
    assert values["died_on"] == "01/01/2020"


def test_a_walk_in_form_without_the_new_columns_still_parses(administrator: User) -> None:
    from cccd.registry.rows import parse_row

    row = parse_row(
        1,
        [MAN, "Nguyễn Văn An", "15/03/1990", "Nam", "Thôn 2, Xã Đắk Lao"],
        {"personal_id": 0, "full_name": 1, "birth_date": 2, "sex": 3, "permanent_address": 4},
        today=D(2025, 1, 1),
    )
    assert (row.village, row.card_kind, row.died_on, row.temporary) == ("Thôn 2", "", None, None)
