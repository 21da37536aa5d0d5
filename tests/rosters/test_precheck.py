import io
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.rosters import queries, services
from cccd.rosters.models import Roster, RosterEntry
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _school_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["TRƯỜNG THPT ĐẮK MIL"])
    sheet.merge_cells("A1:F1")
    sheet.append(["DANH SÁCH HỌC SINH ĐĂNG KÝ CẤP CCCD"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Lớp", "Số định danh"])
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


ROWS = [
    ["NGUYEN VAN AN", "15/03/2005", "Nam", "12A1", ""],
    ["Đặng Thị Thu Hương", "02/09/2005", "Nữ", "12A1", ""],
    ["Trần Minh Khôi", "10/10/2006", "Nam", "11A2", ""],
    ["Lê Văn Bình", "01/01/2003", "Nam", "12A3", ""],
    ["Phạm Thị Nga", "20/12/2008", "Nữ", "10A1", ""],
    ["Hoàng Văn Không Có", "01/01/2005", "Nam", "12A1", ""],
    ["Võ Văn Tám", "05/05/2005", "Nam", "12A2", ""],
    ["", "", "", "12A9", ""],
]


def _upload(client: object, session: Session, content: bytes, name: str = "ds.xlsx") -> object:
    return client.post(
        f"/rosters/sessions/{session.pk}/", {"file": SimpleUploadedFile(name, content)}
    )  # type: ignore[attr-defined]


def _checked_roster(
    session: Session,
    actor: User,
    rows: list[list[object]] = ROWS,
    name: str = "ds.xlsx",
    *,
    list_name: str = "",
    replaces: str | None = None,
) -> Roster:
    """A school list uploaded and pre-checked at once (the task run in-process)."""
    chosen = {"name": list_name} if list_name else {}
    if replaces:
        chosen["replaces"] = replaces
    return services.upload_roster(
        session.pk,
        SimpleUploadedFile(name, _school_xlsx(rows)),
        actor=actor,
        run_now=True,
        **chosen,
    )


def _outcomes(roster: Roster) -> dict[str, tuple[str, list[str]]]:
    return {
        e.values.get("full_name", ""): (e.outcome, e.flags) for e in roster.entries.order_by("row")
    }


def test_a_school_list_is_pre_checked_against_the_register(
    session: Session,
    register: dict,
    officer_dakmil: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = _upload(client_for(officer_dakmil), session, _school_xlsx(ROWS))
    assert response.status_code == 302
    roster = Roster.objects.get()
    assert roster.state == "checked"
    outcomes = _outcomes(roster)
    assert outcomes["NGUYEN VAN AN"][0] == "matched"
    assert outcomes["Đặng Thị Thu Hương"][0] == "matched"
    assert (
        outcomes["Trần Minh Khôi"][0] == "ambiguous"
    )  # namesakes born the same day: never auto-matched
    assert outcomes["Lê Văn Bình"] == ("matched", ["valid_card"])
    assert outcomes["Phạm Thị Nga"] == (
        "matched",
        ["not_eligible"],
    )  # 12 on the session date, law 2014
    assert outcomes["Hoàng Văn Không Có"][0] == "not_found"
    assert (
        outcomes["Võ Văn Tám"][0] == "not_found"
    )  # registered in another district: not visible here
    assert outcomes[""][0] == "unreadable"
    assert RosterEntry.objects.get(row=1).person == register["an"]
    assert_audited("roster.precheck", roster, actor=officer_dakmil)


def test_an_officer_resolves_an_ambiguous_row_by_picking_a_candidate(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _checked_roster(session, officer_dakmil)
    entry = roster.entries.get(outcome="ambiguous")
    client = client_for(officer_dakmil)
    page = client.get(f"/rosters/{roster.pk}/review/")
    assert page.context["entry"] == entry
    assert {p.pk for _c, p, _d in page.context["candidates"]} == {
        register["twin1"].pk,
        register["twin2"].pk,
    }
    assert [d for _c, _p, d in page.context["candidates"]] == [
        set(),
        set(),
    ]  # nothing tells them apart
    client.post(
        f"/rosters/{roster.pk}/review/",
        {"entry": entry.pk, "decision": "picked", "person": register["twin2"].pk},
    )
    entry.refresh_from_db()
    assert (entry.decision, entry.person) == ("picked", register["twin2"])
    assert_audited("roster_entry.decide", entry, actor=officer_dakmil)


def test_picking_someone_who_is_not_a_candidate_is_refused(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _checked_roster(session, officer_dakmil)
    entry = roster.entries.get(outcome="ambiguous")
    response = client_for(officer_dakmil).post(
        f"/rosters/{roster.pk}/review/",
        {"entry": entry.pk, "decision": "picked", "person": register["huong"].pk},
    )
    assert response.status_code == 400
    assert "NOT_A_CANDIDATE" in response.content.decode()
    entry.refresh_from_db()
    assert entry.decision == ""


def test_a_corrected_list_replaces_the_roster_and_keeps_decisions_on_unchanged_rows(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _checked_roster(session, officer_dakmil)
    entry = roster.entries.get(outcome="ambiguous")
    services.decide_entry(entry.pk, "picked", person_id=register["twin1"].pk, actor=officer_dakmil)
    corrected = [
        ["Hoàng Văn Mới", "01/01/2005", "Nam", "12A1", ""],
        *ROWS[:-1],
    ]  # a row added on top, last removed
    second = _checked_roster(session, officer_dakmil, corrected, "ds2.xlsx", replaces="ds")
    roster.refresh_from_db()
    assert (roster.is_current, second.is_current, second.version) == (False, True, 2)
    kept = second.entries.get(values__full_name="Trần Minh Khôi")
    assert (kept.decision, kept.person) == ("picked", register["twin1"])


def test_the_discrepancy_list_tells_the_school_what_to_correct(
    session: Session, register: dict, officer_dakmil: User, tmp_path: Path
) -> None:
    roster = _checked_roster(session, officer_dakmil)
    response = client_for(officer_dakmil).get(f"/rosters/{roster.pk}/discrepancies.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    by_name = {r[1]: r for r in rows}
    assert "Không tìm thấy" in by_name["Hoàng Văn Không Có"][6]
    assert "thẻ" in by_name["Lê Văn Bình"][6].lower()
    assert "Đặng Thị Thu Hương" not in by_name  # nothing to correct
    assert by_name["NGUYEN VAN AN"][7].startswith(
        "Nguyễn Văn An"
    )  # the register's spelling, for the same person


def test_a_liaison_uploads_only_for_their_own_venue(
    session: Session, register: dict, tree: Tree
) -> None:
    other_liaison = make_user("lienlac.khac", "liaison", tree.dakmil_police)
    response = _upload(client_for(other_liaison), session, _school_xlsx(ROWS))
    assert response.status_code == 403
    assert "NOT_YOUR_VENUE" in response.content.decode()
    assert not Roster.objects.exists()


def test_another_district_cannot_open_the_roster(
    session: Session, register: dict, officer_dakmil: User, officer_tayson: User
) -> None:
    roster = _checked_roster(session, officer_dakmil)
    client = client_for(officer_tayson)
    assert client.get(f"/rosters/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/rosters/{roster.pk}/review/").status_code == 404
    assert client.get(f"/rosters/{roster.pk}/discrepancies.xlsx").status_code == 404
    entry = roster.entries.first()
    assert (
        client.post(
            f"/rosters/{roster.pk}/review/", {"entry": entry.pk, "decision": "rejected"}
        ).status_code
        == 404
    )


def _webp() -> bytes:
    return b"RIFF" + (1234).to_bytes(4, "little") + b"WEBPVP8 " + bytes(range(256)) * 4


def _heic() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(range(256)) * 4


def _gif() -> bytes:
    return b"GIF89a\x40\x01\xf0\x00\xf7\x00" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"", "ds.xlsx", "empty"),
        (b"%PDF-1.4", "ds.pdf", "NOT_A_TABLE"),
        (
            (Path(__file__).parent.parent / "fixtures" / "faces" / "portrait.jpg").read_bytes(),
            "lop12a1.jpg",
            "NOT_A_TABLE",
        ),
        (_webp(), "lop12a1.jpg", "NOT_A_TABLE"),
        (_heic(), "lop12a1.heic", "NOT_A_TABLE"),
        (_gif(), "lop12a1.gif", "NOT_A_TABLE"),
        (b"\x00" * 600 + b"ho va ten", "ds.csv", "NOT_A_TABLE"),
    ],
)
def test_a_malformed_list_is_refused_with_a_message(
    session: Session, officer_dakmil: User, content: bytes, name: str, code: str
) -> None:
    response = _upload(client_for(officer_dakmil), session, content, name)
    assert response.status_code == 400
    assert code in response.content.decode()
    assert not Roster.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.upload").exists()


def test_a_picture_sent_as_a_list_is_not_a_spreadsheet_in_vietnamese_words(
    session: Session, officer_dakmil: User, settings: object
) -> None:
    """A photo of the class list (a phone's WebP or HEIC saved as .jpg) is "not a spreadsheet",
    said beside the file field, not "not UTF-8"."""
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    response = _upload(client_for(officer_dakmil), session, _webp(), "lop12a1.jpg")
    assert response.status_code == 400
    page = response.content.decode()
    assert "không phải là tệp CSV hoặc Excel" in page
    assert "UTF-8 (dòng" not in page and "NOT_UTF8" not in page
    assert response.context["form"].errors["file"]


def test_a_list_too_big_for_a_class_is_refused_before_it_is_kept(
    session: Session, officer_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "MAX_ROSTER_MB", 1)
    big = "Họ và tên,Ngày sinh\n" + "Nguyễn Văn An,01/01/2005\n" * 50_000
    response = _upload(client_for(officer_dakmil), session, big.encode(), "ds.csv")
    assert response.status_code == 413
    assert "FILE_TOO_LARGE" in response.content.decode()
    assert not Roster.objects.exists()


def test_the_request_keeps_the_file_and_reads_no_row_of_it(
    session: Session, officer_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing happens in the worker, never in the request: the request checks the size and the
    kind of file by its first bytes, keeps it and queues the task (not run here: the test's
    transaction never commits)."""
    from cccd.registry.tables import Table

    def no_rows_in_the_request(self: object) -> None:
        raise AssertionError("a row was read in the request")

    monkeypatch.setattr(Table, "rows", no_rows_in_the_request)
    response = _upload(client_for(officer_dakmil), session, _school_xlsx(ROWS))
    assert response.status_code == 302
    roster = Roster.objects.get()
    assert (roster.state, roster.entries.count()) == ("uploaded", 0)


def test_a_list_without_its_header_row_is_marked_failed_by_the_worker(
    session: Session, officer_dakmil: User
) -> None:
    roster = services.upload_roster(
        session.pk,
        SimpleUploadedFile("ds.csv", "Tên,Tuổi\nAn,16\n".encode()),
        actor=officer_dakmil,
        run_now=True,
    )
    assert roster.state == "failed"
    assert "Họ và tên" in roster.error_message
    assert not roster.is_current
    assert_audited("roster.fail", roster, actor=officer_dakmil)
    page = client_for(officer_dakmil).get(f"/rosters/{roster.pk}/")
    assert roster.error_message in page.content.decode().replace("&#x27;", "'").replace(
        "&quot;", '"'
    )


def test_the_api_uploads_reads_and_decides(
    session: Session,
    register: dict,
    officer_dakmil: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    client = client_for(officer_dakmil)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(
            f"/api/v1/rosters/sessions/{session.pk}",
            {"file": SimpleUploadedFile("ds.xlsx", _school_xlsx(ROWS))},
        )
    assert response.status_code == 201
    body = client.get(f"/api/v1/rosters/{response.json()['id']}").json()
    assert body["summary"]["matched"] >= 4
    ambiguous = next(e for e in body["entries"] if e["outcome"] == "ambiguous")
    decided = client.post(
        f"/api/v1/rosters/entries/{ambiguous['id']}/decision",
        {"decision": "not_in_register"},
        content_type="application/json",
    )
    assert decided.json()["decision"] == "not_in_register"
    bad = client.post(
        f"/api/v1/rosters/entries/{ambiguous['id']}/decision",
        {"decision": "maybe"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "BAD_DECISION")


def test_a_list_that_fails_deep_inside_is_marked_failed_and_the_current_one_stays(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil)
    too_long = "Họ và tên,Ngày sinh\n" + "An,01/01/2005\n" * 100_001
    failed = services.upload_roster(
        session.pk,
        SimpleUploadedFile("big.csv", too_long.encode()),
        actor=officer_dakmil,
        run_now=True,
    )
    assert failed.state == "failed"
    assert "100" in failed.error_message
    first.refresh_from_db()
    assert first.is_current
    page = client_for(officer_dakmil).get(f"/rosters/sessions/{session.pk}/").content.decode()
    assert failed.error_message in page.replace("&#x27;", "'")


def _open_dossier(person: object, unit: object, *, session: Session | None = None) -> object:
    """A dossier received (at an earlier session of another venue by default), not delivered."""
    from cccd.enrollments.models import Enrollment

    return Enrollment.objects.create(
        unit=unit, person=person, kind="first_issue", law="2014", state="captured", session=session
    )


def test_an_application_opened_after_the_pre_check_is_flagged_when_the_rows_are_read(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    """The list comes days before the session; the flag must not be a snapshot of the upload."""
    roster = _checked_roster(session, officer_dakmil)
    _open_dossier(register["huong"], session.unit)
    client = client_for(officer_dakmil)
    api = client.get(f"/api/v1/rosters/{roster.pk}").json()
    huong = next(e for e in api["entries"] if e["full_name"] == "Đặng Thị Thu Hương")
    assert huong["flags"] == ["open_application"]
    session_page = client.get(f"/rosters/sessions/{session.pk}/")
    assert "Already has an open application" in session_page.content.decode()
    page = client.get(f"/rosters/{roster.pk}/")
    shown = next(e for e in page.context["entries"] if e.pk == huong["id"])
    assert shown.flags == ["open_application"]


def test_a_person_picked_by_the_reviewer_is_flagged_like_one_matched_at_once(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    _open_dossier(register["twin2"], session.unit)
    roster = _checked_roster(session, officer_dakmil)
    entry = roster.entries.get(outcome="ambiguous")
    client = client_for(officer_dakmil)
    client.post(
        f"/api/v1/rosters/entries/{entry.pk}/decision",
        {"decision": "picked", "person_id": register["twin2"].pk},
        content_type="application/json",
    )
    api = client.get(f"/api/v1/rosters/{roster.pk}").json()
    assert next(e for e in api["entries"] if e["id"] == entry.pk)["flags"] == ["open_application"]


def test_the_flag_goes_when_the_application_is_closed_and_ignores_the_sessions_own(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    dossier = _open_dossier(register["an"], session.unit)
    roster = _checked_roster(session, officer_dakmil)
    an = roster.entries.get(row=1)
    assert queries.with_open_applications([an], session)[0].flags == ["open_application"]
    dossier.state = "delivered"
    dossier.save()
    assert queries.with_open_applications([an], session)[0].flags == []
    _open_dossier(register["an"], session.unit, session=session)  # tonight, from this list
    assert queries.with_open_applications([an], session)[0].flags == []
