import datetime
import io
import zoneinfo
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.rosters import services
from cccd.rosters.models import Roster, RosterEntry
from tests.builders import Tree, make_person, make_unit, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def session(tree: Tree, commander_daknong: User, officer_dakmil: User) -> Session:
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    liaison = make_user("lienlac.thpt", "liaison", tree.dakmil_police)
    campaign = create_campaign(unit_id=tree.daknong_police.pk, name="CCCD", law="2014",
                               start_date=datetime.date(2021, 2, 5), end_date=datetime.date(2021, 6, 30), actor=commander_daknong)  # fmt: skip
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
    venue.liaison = liaison
    venue.save()
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    return plan_session(campaign_id=campaign.pk, venue_id=venue.pk, team_id=team.pk, desks=3, capacity=300,
                        starts_at=datetime.datetime(2021, 3, 6, 19, tzinfo=HCM),
                        ends_at=datetime.datetime(2021, 3, 6, 23, 30, tzinfo=HCM), actor=leader)  # fmt: skip


@pytest.fixture
def register(tree: Tree) -> dict:
    tayson_commune = make_unit(tree.tayson, "21808", "Thị trấn Phú Phong", "commune")
    return {
        "an": make_person(tree.daklao, "Nguyễn Văn An", "15/03/2005", "M"),
        "huong": make_person(tree.daklao, "Đặng Thị Thu Hương", "02/09/2005", "F"),
        "twin1": make_person(tree.daklao, "Trần Minh Khôi", "10/10/2006", "M"),
        "twin2": make_person(tree.daklao, "Trần Minh Khôi", "10/10/2006", "M"),
        "card": make_person(
            tree.daklao,
            "Lê Văn Bình",
            "01/01/2003",
            "M",
            card_issue_date=datetime.date(2020, 5, 1),
            card_expiry=datetime.date(2028, 1, 1),
        ),  # fmt: skip
        "young": make_person(tree.daklao, "Phạm Thị Nga", "20/12/2008", "F"),
        "elsewhere": make_person(tayson_commune, "Võ Văn Tám", "05/05/2005", "M"),
    }


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
    session: Session, actor: User, rows: list[list[object]] = ROWS, name: str = "ds.xlsx"
) -> Roster:
    """A school list uploaded and pre-checked at once (the task run in-process)."""
    return services.upload_roster(
        session.pk, SimpleUploadedFile(name, _school_xlsx(rows)), actor=actor, run_now=True
    )


def _outcomes(roster: Roster) -> dict[str, tuple[str, list[str]]]:
    return {
        e.values.get("full_name", ""): (e.outcome, e.flags) for e in roster.entries.order_by("row")
    }


def test_a_school_list_is_pre_checked_against_the_register(session: Session, register: dict, officer_dakmil: User,
                                                          django_capture_on_commit_callbacks: object) -> None:  # fmt: skip
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
    response = client_for(officer_dakmil).post(f"/rosters/{roster.pk}/review/",
                                               {"entry": entry.pk, "decision": "picked", "person": register["huong"].pk})  # fmt: skip
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
    second = _checked_roster(session, officer_dakmil, corrected, "ds2.xlsx")
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


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [(b"", "ds.xlsx", "empty"), (b"%PDF-1.4", "ds.pdf", "NOT_A_TABLE"),
     ("Tên,Tuổi\nAn,16\n".encode(), "ds.csv", "NO_ROSTER_HEADER")],
)  # fmt: skip
def test_a_malformed_list_is_refused_with_a_message(
    session: Session, officer_dakmil: User, content: bytes, name: str, code: str
) -> None:
    response = _upload(client_for(officer_dakmil), session, content, name)
    assert response.status_code == 400
    assert code in response.content.decode()
    assert not Roster.objects.exists()
    assert not AuditEvent.objects.filter(action="roster.upload").exists()


def test_the_api_uploads_reads_and_decides(session: Session, register: dict, officer_dakmil: User,
                                           django_capture_on_commit_callbacks: object) -> None:  # fmt: skip
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
    decided = client.post(f"/api/v1/rosters/entries/{ambiguous['id']}/decision", {"decision": "not_in_register"},
                          content_type="application/json")  # fmt: skip
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
