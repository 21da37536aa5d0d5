import datetime
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from openpyxl import Workbook, load_workbook

from cccd.accounts.models import AuditEvent, User
from cccd.registry import importing
from cccd.registry.importing import run_import
from cccd.registry.models import Household, Person, RegisterImport, RejectedRow
from cccd.registry.services import import_file
from tests.builders import Tree, make_unit
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

VI_HEADER = (
    "Số định danh,Họ và tên,Ngày sinh,Giới tính,Quê quán,Nơi thường trú,Họ tên cha,Họ tên mẹ,Mã hộ"
)
ADDRESS = '"Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"'
GOOD_ROWS = [
    f"067199012345,Đặng Thị Thu Hương,15/03/1999,Nữ,Thái Bình,{ADDRESS},Đặng Văn Nam,Lê Thị Hoa,HK1",
    f"067050012346,NGUYỄN VĂN AN,1950,Nam,,{ADDRESS},,,HK1",
    f"067205012347,Đặng Minh Khôi,2005-06-01,M,,{ADDRESS},,,HK1",
]


@pytest.fixture(autouse=True)
def _register_setup(tree: Tree) -> None:
    """Every test here imports into the slice of the unit trees."""


def _csv(
    tmp_path: Path,
    rows: list[str],
    *,
    header: str = VI_HEADER,
    bom: bool = True,
    name: str = "reg.csv",
) -> Path:
    path = tmp_path / name
    path.write_bytes(
        ("\ufeff" if bom else "").encode() + "\n".join([header, *rows]).encode() + b"\n"
    )
    return path


def _run(path: Path, actor: User | None = None) -> RegisterImport:
    return run_import(import_file(path, actor=actor, unit_path=None if actor else "/ca/"))


def test_a_vietnamese_csv_with_bom_is_imported(tmp_path: Path) -> None:
    imp = _run(_csv(tmp_path, GOOD_ROWS))
    assert (imp.state, imp.created, imp.rejected) == ("done", 3, 0)
    huong = Person.objects.get(personal_id="067199012345")
    assert huong.full_name == "Đặng Thị Thu Hương"
    assert huong.residence_unit.name == "Xã Đắk Lao"
    assert huong.mother_name == "Lê Thị Hoa"
    an = Person.objects.get(personal_id="067050012346")
    assert an.full_name == "Nguyễn Văn An"  # capitals normalised, spelling kept
    assert (an.birth_date, an.birth_date_precision) == (datetime.date(1950, 1, 1), "year")
    assert Household.objects.get(code="HK1").members.count() == 3


def test_an_xlsx_with_english_headers_and_date_cells_is_imported(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["personal_id", "full_name", "birth_date", "sex", "permanent_address", "card_issue_date"]
    )
    sheet.append(
        [
            "067199012345",
            "Đặng Thị Thu Hương",
            datetime.datetime(1999, 3, 15),
            "F",
            "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông",
            "10/03/2021",
        ]
    )
    path = tmp_path / "reg.xlsx"
    workbook.save(path)
    imp = _run(path)
    assert (imp.created, imp.rejected) == (1, 0)
    person = Person.objects.get()
    assert person.birth_date == datetime.date(1999, 3, 15)
    assert person.card_expiry == datetime.date(
        2024, 3, 15
    )  # issued at 21: valid to the 25th birthday


def test_importing_the_same_file_again_changes_nothing(tmp_path: Path) -> None:
    path = _csv(tmp_path, GOOD_ROWS)
    _run(path)
    again = _run(path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert Person.objects.count() == 3
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_a_changed_value_updates_the_person_and_is_audited_before_and_after(tmp_path: Path) -> None:
    _run(_csv(tmp_path, GOOD_ROWS))
    changed = [GOOD_ROWS[0].replace("Lê Thị Hoa", "Lê Thị Hoà"), *GOOD_ROWS[1:]]
    imp = _run(_csv(tmp_path, changed, name="v2.csv"))
    assert (imp.updated, imp.unchanged) == (1, 2)
    event = AuditEvent.objects.get(action="person.update")
    assert (event.before, event.after) == (
        {"mother_name": "Lê Thị Hoa"},
        {"mother_name": "Lê Thị Hoà"},
    )


def test_a_file_of_new_and_known_people_writes_each_once(tmp_path: Path) -> None:
    """New people go in by the fresh path (COPY on PostgreSQL), known ones by the upsert."""
    _run(_csv(tmp_path, GOOD_ROWS[:1]))
    new = f"067090012360,Trần Văn Bình,01/01/1990,Nam,,{ADDRESS},,,HK1"
    imp = _run(
        _csv(tmp_path, [GOOD_ROWS[0].replace("Lê Thị Hoa", "Lê Thị Hoà"), new], name="v2.csv")
    )
    assert (imp.created, imp.updated, imp.rejected) == (1, 1, 0)
    assert Person.objects.count() == 2
    assert Person.objects.get(personal_id="067199012345").mother_name == "Lê Thị Hoà"
    binh = Person.objects.get(personal_id="067090012360")
    assert (binh.given_folded, binh.household.code) == ("binh", "HK1")


def test_someone_added_since_the_batch_was_read_is_upserted_not_an_error(tmp_path: Path) -> None:
    """Another import may add a person between the batch's read and its write: the fresh path's
    unique violation is rolled back to its savepoint and the rows take the upsert."""
    _run(_csv(tmp_path, GOOD_ROWS[:2]))
    values = list(Person.objects.order_by("personal_id").values(*importing.UPSERT_COLUMNS))
    values[0]["full_name"] = "Nguyễn Văn Ân"
    with transaction.atomic():
        importing._insert_people(values)
        assert Person.objects.count() == 2  # the transaction is still usable
    assert Person.objects.get(personal_id=values[0]["personal_id"]).full_name == "Nguyễn Văn Ân"


BAD_ROWS = {
    "BAD_ID": f"12345,A B,01/01/1990,Nam,,{ADDRESS},,,",
    "ID_MISMATCH": f"067199012348,Year Wrong,01/01/1990,Nữ,,{ADDRESS},,,",
    "BAD_DATE": f"067090012349,Date Bad,31/02/1990,Nam,,{ADDRESS},,,",
    "BAD_SEX": f"067090012350,Sex Bad,01/01/1990,X,,{ADDRESS},,,",
    "BAD_NAME": f"067090012351,Name 123,01/01/1990,Nam,,{ADDRESS},,,",
    "UNKNOWN_UNIT": '067090012352,Unit Unknown,01/01/1990,Nam,,"Thôn 1, Xã Không Có, Huyện Không Có, Tỉnh Đắk Nông",,,',
    "VALUE_TOO_LONG": f"067090012353,Long Cell,01/01/1990,Nam,{'x' * 1_000_000},{ADDRESS},,,",
}


def test_every_kind_of_bad_row_is_rejected_with_its_reason_and_the_rest_committed(
    tmp_path: Path,
) -> None:
    sex_mismatch = f"067190012354,Sex Wrong,01/01/1990,Nam,,{ADDRESS},,,"
    duplicate = GOOD_ROWS[0].replace("Đặng Thị Thu Hương", "Someone Else")
    imp = _run(_csv(tmp_path, [*GOOD_ROWS, *BAD_ROWS.values(), sex_mismatch, duplicate]))
    codes = dict(RejectedRow.objects.filter(register_import=imp).values_list("row_number", "code"))
    assert sorted(codes.values()) == sorted([*BAD_ROWS, "ID_MISMATCH", "DUPLICATE_IN_FILE"])
    assert codes[5 + len(BAD_ROWS) + 1] == "DUPLICATE_IN_FILE"
    assert (imp.created, imp.rejected) == (3, len(BAD_ROWS) + 2)
    assert (
        Person.objects.get(personal_id="067199012345").full_name == "Đặng Thị Thu Hương"
    )  # first row wins


def test_a_duplicate_across_batches_is_caught_in_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 2)
    imp = _run(_csv(tmp_path, [*GOOD_ROWS, GOOD_ROWS[0]]))
    assert list(
        RejectedRow.objects.filter(register_import=imp).values_list("row_number", "code")
    ) == [(5, "DUPLICATE_IN_FILE")]


def test_the_rejected_rows_download_as_xlsx(
    tmp_path: Path, administrator: User, django_capture_on_commit_callbacks: object
) -> None:
    path = _csv(tmp_path, [GOOD_ROWS[0], BAD_ROWS["BAD_ID"]])
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True), path.open("rb") as handle:  # type: ignore[operator]
        response = client.post("/registry/imports/", {"file": handle})
    imp = RegisterImport.objects.get()
    assert response.status_code == 302
    assert imp.state == "done"
    download = client.get(f"/registry/imports/{imp.pk}/rejected.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Row", "Reason code", "Reason")
    assert rows[1][:2] == (3, "BAD_ID")
    assert rows[1][3] == "12345"


def test_an_interrupted_import_resumes_and_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "BATCH", 1)
    original = importing._write_batch
    calls = {"n": 0}

    def crash_on_second(*args: object, **kwargs: object) -> RegisterImport:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_write_batch", crash_on_second)
    imp = import_file(_csv(tmp_path, GOOD_ROWS), actor=None, unit_path="/ca/")
    with pytest.raises(KeyboardInterrupt):
        run_import(imp)
    imp.refresh_from_db()
    assert (imp.rows_done, Person.objects.count()) == (1, 1)  # the batch in flight left nothing
    finished = run_import(imp)
    assert (finished.state, finished.rows_done, finished.created, finished.rejected) == (
        "done",
        3,
        3,
        0,
    )


def _upload(client: object, content: bytes, name: str = "reg.csv") -> object:
    return client.post("/registry/imports/", {"file": SimpleUploadedFile(name, content)})  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (b"ho ten,ngay sinh\nA,1990\n", "MISSING_COLUMNS"),
        ("\ufeffHọ và tên;Số định danh;Ngày sinh\n".encode(), "MISSING_COLUMNS"),
        (
            "Số định danh,Họ và tên,Ngày sinh,Giới tính,Nơi thường trú\n".encode("utf-16"),
            "NOT_UTF8",
        ),
        ("Số định danh,Họ và tên,Ngày sinh\n".encode("cp1258", errors="replace"), "NOT_UTF8"),
        (b"%PDF-1.4 not a table", "NOT_A_TABLE"),
        (b"\n\n\n", "NO_HEADER"),
    ],
)
def test_a_malformed_file_is_refused_at_upload_with_a_message(
    administrator: User, content: bytes, code: str
) -> None:
    response = _upload(client_for(administrator), content)
    assert response.status_code in {400, 413}
    assert code in response.content.decode()
    assert not RegisterImport.objects.exists()
    assert not Person.objects.exists()


def test_an_xlsx_that_is_a_zip_of_something_else_is_refused(administrator: User) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    response = _upload(client_for(administrator), buffer.getvalue(), "reg.xlsx")
    assert response.status_code == 400
    assert "BAD_XLSX" in response.content.decode()
    assert not RegisterImport.objects.exists()


def test_ten_megabytes_of_random_bytes_are_refused(administrator: User) -> None:
    response = _upload(client_for(administrator), os.urandom(10 * 1024 * 1024), "reg.csv")
    assert response.status_code == 400
    assert any(code in response.content.decode() for code in ("NOT_UTF8", "NOT_A_TABLE"))
    assert not RegisterImport.objects.exists()


def test_bad_bytes_deep_in_a_file_fail_the_import_before_anything_is_written(
    tmp_path: Path,
) -> None:
    path = tmp_path / "reg.csv"
    good = (
        "\n".join([VI_HEADER, *(GOOD_ROWS * 1000)]) + "\n"
    ).encode()  # past the first decoded chunk
    path.write_bytes(good + "067090012399,Tôi,1990,Nam,,x,,,\n".encode("cp1258", errors="replace"))
    imp = _run(path)
    assert imp.state == "failed"
    assert imp.error_code == "NOT_UTF8"
    assert "line 3002" in imp.error_message

    assert not Person.objects.exists()


def test_a_header_without_rows_fails_with_a_message(tmp_path: Path) -> None:
    imp = _run(_csv(tmp_path, []))
    assert (imp.state, imp.error_code) == ("failed", "NO_ROWS")


def test_a_file_over_the_size_limit_is_refused(administrator: User, settings: object) -> None:
    settings.CCCD_MAX_UPLOAD_MB = 1  # type: ignore[attr-defined]
    response = _upload(client_for(administrator), b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "FILE_TOO_LARGE" in response.content.decode()


def test_an_importer_cannot_add_or_change_people_of_another_district(
    tree: Tree, tmp_path: Path
) -> None:
    from tests.builders import make_person, make_user

    admin_dakmil = make_user("quantri.dakmil", "administrator", tree.dakmil_police)
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    make_person(tayson_commune, "Võ Văn Tám", "01/01/1980", "M", personal_id="067080012360")
    rows = [
        '052090012361,Trần Văn Tây,01/01/1990,Nam,,"Thôn 1, Thị trấn Phú Phong, Huyện Tây Sơn, Tỉnh Bình Định",,,',
        f"067080012360,Võ Văn Tám,01/01/1980,Nam,,{ADDRESS},,,",
    ]
    imp = _run(_csv(tmp_path, rows), actor=admin_dakmil)
    assert list(RejectedRow.objects.filter(register_import=imp).values_list("code", flat=True)) == [
        "UNKNOWN_UNIT",
        "OTHER_UNIT",
    ]
    assert Person.objects.get(personal_id="067080012360").residence_unit == tayson_commune


def test_an_officer_may_not_import(officer_dakmil: User) -> None:
    assert _upload(client_for(officer_dakmil), b"x").status_code == 403


def test_the_command_imports_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = io.StringIO()
    call_command("import_register", str(_csv(tmp_path, GOOD_ROWS)), "--quiet", stdout=out)
    assert "3 rows — 3 added, 0 updated, 0 unchanged, 0 rejected" in out.getvalue()
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_register", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no column for"):
        call_command(
            "import_register", str(_csv(tmp_path, GOOD_ROWS, header="a,b,c", name="x.csv"))
        )


def test_the_api_starts_an_import_and_reports_progress(
    tmp_path: Path, administrator: User, django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(administrator)
    content = _csv(tmp_path, GOOD_ROWS).read_bytes()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            "/api/v1/registry/imports", {"file": SimpleUploadedFile("r.csv", content)}
        )
    assert response.status_code == 202
    body = client.get(f"/api/v1/registry/imports/{response.json()['id']}").json()
    assert (body["state"], body["created"]) == ("done", 3)
    bad = client.post("/api/v1/registry/imports", {"file": SimpleUploadedFile("r.csv", b"")})
    assert (bad.status_code, bad.json()["code"]) == (400, "EMPTY_FILE")


def test_an_id_that_excel_stored_as_a_number_gets_its_leading_zeros_back(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Số định danh", "Họ và tên", "Ngày sinh", "Giới tính", "Nơi thường trú"])
    sheet.append(
        [
            67199012345,
            "Đặng Thị Thu Hương",
            "15/03/1999",
            "Nữ",
            "Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông",
        ]
    )
    path = tmp_path / "reg.xlsx"
    workbook.save(path)
    imp = _run(path)
    assert (imp.created, imp.rejected) == (1, 0)
    assert Person.objects.get().personal_id == "067199012345"


def test_a_large_import_refreshes_the_planner_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    monkeypatch.setattr(importing, "ANALYZE_AFTER", 2)
    monkeypatch.setattr(importing, "refresh_statistics", lambda: calls.append("analyze"))
    _run(_csv(tmp_path, GOOD_ROWS))
    assert calls == ["analyze"]
    _run(_csv(tmp_path, GOOD_ROWS, name="again.csv"))  # nothing new: no need
    assert calls == ["analyze"]


def test_refreshing_statistics_really_analyzes_the_table(db: None) -> None:
    from django.db import connection

    importing.refresh_statistics()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'registry_person'")
            assert cursor.fetchone()[0] >= 0  # -1 until the table is first analyzed
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone()[0] == 1


@pytest.mark.django_db(transaction=True)
def test_batches_commit_without_waiting_for_the_disk_and_only_they(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: each batch's transaction sets synchronous_commit off for itself alone; the
    import's finish (and everything after it on the connection) waits for the disk again."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    seen: list[str] = []
    insert = importing._insert_people

    def insert_and_look(rows: list[dict[str, object]]) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            seen.append(cursor.fetchone()[0])
        insert(rows)

    monkeypatch.setattr(importing, "_insert_people", insert_and_look)
    imp = _run(_csv(tmp_path, GOOD_ROWS))
    assert (imp.state, imp.created) == ("done", 3)
    assert seen == ["off"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
