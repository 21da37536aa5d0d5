"""The school's session class by class for its liaison: number, time and what to bring, on screen
and as one A4 sheet per class; another school's liaison and strangers get nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.registry.models import Person
from cccd.rosters.bring import what_to_bring
from cccd.rosters.models import Decision, Flag, Outcome, RosterEntry
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.rosters.conftest import HCM
from tests.tickets.conftest import make_roster

pytestmark = pytest.mark.django_db

ROWS = [
    ("Nguyễn Văn An", "12A1", "matched"),
    ("Trần Văn Cường", "12A1", "not_found"),
    ("<b>Lê</b> =1+1", "12A1", "matched"),
    ("Phạm Thị Dung", "12A2", "ambiguous"),
]


def _entry(outcome: str, **fields: object) -> RosterEntry:
    return RosterEntry(full_name="Nguyễn Văn An", outcome=outcome, **fields)


def _vi(entry: RosterEntry, candidate: Person | None = None) -> str:
    with translation.override("vi"):
        return what_to_bring(entry, candidate)


def _candidate(name_folded: str, born: datetime.date) -> Person:
    return Person(
        name_folded=name_folded,
        birth_date=born,
        birth_date_precision="day",
        birth_year=born.year,
    )


# --- the sentences ---------------------------------------------------------------------------


def test_a_matched_student_brings_nothing_and_comes_at_the_time() -> None:
    assert _vi(_entry(Outcome.MATCHED)) == "Không cần mang gì thêm: đến đúng giờ của lớp."
    picked = _entry(Outcome.REVIEW, decision=Decision.PICKED)
    assert _vi(picked) == "Không cần mang gì thêm: đến đúng giờ của lớp."


def test_a_name_that_differs_from_the_register_says_bring_the_birth_certificate() -> None:
    entry = _entry(Outcome.REVIEW, birth_date=datetime.date(2005, 3, 15))
    candidate = _candidate("nguyen van anh", datetime.date(2005, 3, 15))
    assert _vi(entry, candidate) == "Mang giấy khai sinh: họ tên khác sổ hộ khẩu."


def test_a_birth_date_that_differs_says_so() -> None:
    entry = _entry(Outcome.REVIEW, birth_date=datetime.date(2005, 3, 15))
    candidate = _candidate("nguyen van an", datetime.date(2005, 3, 16))
    assert _vi(entry, candidate) == "Mang giấy khai sinh: ngày sinh khác sổ hộ khẩu."


def test_a_doubtful_row_without_its_candidate_names_both() -> None:
    assert _vi(_entry(Outcome.REVIEW)) == (
        "Mang giấy khai sinh: họ tên hoặc ngày sinh khác sổ hộ khẩu."
    )


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            {"outcome": Outcome.NOT_FOUND},
            "Mang giấy khai sinh và sổ hộ khẩu: không tìm thấy trong cơ sở dữ liệu dân cư.",
        ),
        (
            {"outcome": Outcome.REVIEW, "decision": Decision.NOT_IN_REGISTER},
            "Mang giấy khai sinh và sổ hộ khẩu: không tìm thấy trong cơ sở dữ liệu dân cư.",
        ),
        (
            {"outcome": Outcome.AMBIGUOUS},
            "Mang giấy khai sinh: có nhiều người trùng thông tin trong cơ sở dữ liệu dân cư.",
        ),
        (
            {"outcome": Outcome.UNREADABLE},
            "Dòng không đọc được: sửa họ tên hoặc ngày sinh rồi gửi lại danh sách.",
        ),
        ({"outcome": Outcome.PENDING}, "Chưa kiểm tra xong: xem lại sau."),
        (
            {"outcome": Outcome.MATCHED, "flags": [Flag.VALID_CARD]},
            "Đã có thẻ CCCD còn hạn: không cần đến.",
        ),
        (
            {"outcome": Outcome.MATCHED, "flags": [Flag.NOT_ELIGIBLE]},
            "Chưa đủ tuổi vào ngày làm: không cần đến.",
        ),
        (
            {"outcome": Outcome.MATCHED, "flags": [Flag.DUPLICATE_ROW]},
            "Có tên hai lần trong danh sách: chỉ đến một lần, theo số thứ tự đầu tiên.",
        ),
    ],
)
def test_every_other_outcome_has_its_sentence(fields: dict, expected: str) -> None:
    outcome = fields.pop("outcome")
    assert _vi(_entry(outcome, **fields)) == expected


# --- the page and the sheet --------------------------------------------------------------------


@pytest.fixture
def school(session: Session) -> Session:
    roster = make_roster(session, ROWS, list_name="Lớp 12")
    entries = list(roster.entries.order_by("row"))
    at_seven = datetime.datetime(2021, 3, 6, 19, tzinfo=HCM)
    for number, entry in enumerate((entries[0], entries[2]), start=1):
        Ticket.objects.create(
            session=session,
            number=number,
            kind=Ticket.Kind.ADVANCE,
            roster_entry=entry,
            class_name=entry.class_name,
            slot_start=at_seven,
            line_at=at_seven,
        )
    return session


def _liaison(session: Session) -> Client:
    client = client_for(User.objects.get(pk=session.venue.liaison_id))
    client.cookies["django_language"] = "vi"
    return client


def test_the_liaison_sees_each_class_its_time_and_what_to_bring(school: Session) -> None:
    response = _liaison(school).get(f"/queue/sessions/{school.pk}/classes/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="school-class"') == 2
    assert page.index("12A1") < page.index("12A2")
    assert "0001" in page and "19:00" in page and "Nguyễn Văn An" in page
    assert "không tìm thấy trong cơ sở dữ liệu dân cư" in page
    assert "&lt;b&gt;Lê&lt;/b&gt;" in page  # a name is text, never markup
    event = AuditEvent.objects.get(action="session.school_classes")
    assert event.actor_id == school.venue.liaison_id and event.object_id == str(school.pk)


def test_the_roster_page_links_to_the_classes(session: Session) -> None:
    page = _liaison(session).get(f"/rosters/sessions/{session.pk}/").content.decode()
    assert f"/queue/sessions/{session.pk}/classes/" in page


def test_the_class_sheet_is_a_pdf_with_names_numbers_time_and_what_to_bring(
    school: Session,
) -> None:
    response = _liaison(school).get(f"/queue/sessions/{school.pk}/classes/print.pdf?class=12A1")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "LỚP 12A1" in flat and "Trường THPT Đắk Mil" in flat
    assert "Nguyễn Văn An" in flat and "0001" in flat and "19:00" in flat
    assert "<b>Lê</b> =1+1" in flat and "0002" in flat
    assert "Mang giấy khai sinh và sổ hộ khẩu" in flat and "Trần Văn Cường" in flat
    assert "Phạm Thị Dung" not in flat  # another class
    event = AuditEvent.objects.get(action="session.school_class_print")
    assert event.after == {"students": 3}


def test_a_team_leader_of_the_unit_may_print_too(school: Session) -> None:
    leader = User.objects.get(username="totruong.dakmil")
    response = client_for(leader).get(f"/queue/sessions/{school.pk}/classes/print.pdf?class=12A2")
    assert response.status_code == 200
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Phạm Thị Dung" in text
    assert "Mang giấy khai sinh" in text and "Bring" not in text  # Vietnamese for an English page


def test_another_schools_liaison_gets_not_found(school: Session, liaison_dakmil: User) -> None:
    client = client_for(liaison_dakmil)
    assert client.get(f"/queue/sessions/{school.pk}/classes/").status_code == 404
    pdf = client.get(f"/queue/sessions/{school.pk}/classes/print.pdf?class=12A1")
    assert pdf.status_code == 404
    assert not AuditEvent.objects.filter(action__startswith="session.school_class").exists()


def test_anonymous_is_sent_to_log_in(school: Session) -> None:
    response = Client().get(f"/queue/sessions/{school.pk}/classes/")
    assert response.status_code == 302 and "login" in response["Location"]
    pdf = Client().get(f"/queue/sessions/{school.pk}/classes/print.pdf?class=12A1")
    assert pdf.status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/queue/sessions/999999/classes/",
        "/queue/sessions/abc/classes/",
        "/queue/sessions/{pk}/classes/print.pdf",
        "/queue/sessions/{pk}/classes/print.pdf?class=9Z9",
        "/queue/sessions/{pk}/classes/print.pdf?class=" + "x" * 500,
        "/queue/sessions/{pk}/classes/print.pdf?class=%00",
        "/queue/sessions/999999/classes/print.pdf?class=12A1",
    ],
)
def test_malformed_or_unknown_is_not_found(school: Session, path: str) -> None:
    response = _liaison(school).get(path.format(pk=school.pk))
    assert response.status_code == 404


def test_a_session_without_lists_says_so(session: Session) -> None:
    response = _liaison(session).get(f"/queue/sessions/{session.pk}/classes/")
    assert response.status_code == 200
    assert "school-class" not in response.content.decode()
