"""A session's lists: a school sends them class by class; each is replaced only by itself, and a
replacement that drops people shows who and waits for a confirmation."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.rosters import precheck, services, versions
from cccd.rosters.models import Roster
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited
from tests.rosters.test_precheck import _checked_roster, _school_xlsx

pytestmark = pytest.mark.django_db

CLASS_12A1 = [
    ["NGUYEN VAN AN", "15/03/2005", "Nam", "12A1", ""],
    ["Đặng Thị Thu Hương", "02/09/2005", "Nữ", "12A1", ""],
    ["Hoàng Văn Không Có", "01/01/2005", "Nam", "12A1", ""],
]
CLASS_11A2 = [
    ["Trần Minh Khôi", "10/10/2006", "Nam", "11A2", ""],
    ["Lê Văn Bình", "01/01/2003", "Nam", "11A2", ""],
]


def _names(roster: Roster) -> list[str]:
    return [e.full_name for e in roster.entries.order_by("row")]


def _post(client: object, session: Session, rows: list[list[object]], **data: str) -> object:
    return client.post(
        f"/rosters/sessions/{session.pk}/",  # type: ignore[attr-defined]
        {"file": SimpleUploadedFile("lop.xlsx", _school_xlsx(rows)), **data},
    )


def test_a_second_class_list_is_added_beside_the_first(
    session: Session,
    register: dict,
    officer_dakmil: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    client = client_for(officer_dakmil)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert _post(client, session, CLASS_12A1, name="Lớp 12A1").status_code == 302
        assert _post(client, session, CLASS_11A2, name="Lớp 11A2").status_code == 302
    assert Roster.objects.filter(is_current=True).count() == 2
    assert [r.list_name for r in services.current_rosters(session)] == ["Lớp 12A1", "Lớp 11A2"]
    page = client.get(f"/rosters/sessions/{session.pk}/")
    assert [o.name for o in page.context["lists"]] == ["Lớp 12A1", "Lớp 11A2"]
    assert {e.values["full_name"] for e in page.context["entries"]} == {
        r[0] for r in CLASS_12A1 + CLASS_11A2
    }
    assert page.context["totals"]["rows"] == 5


def test_a_list_is_named_after_its_file_when_no_name_is_given(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    roster = _checked_roster(session, officer_dakmil, CLASS_12A1, "DS lop 12A1.xlsx")
    assert roster.list_name == "DS lop 12A1"


def test_a_name_the_session_already_uses_is_refused_unless_replacing(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    response = _post(client_for(officer_dakmil), session, CLASS_11A2, name="lớp 12a1")
    assert response.status_code == 409
    assert "LIST_EXISTS" in response.content.decode()
    assert response.context["form"].errors["file"]
    assert Roster.objects.count() == 1
    with pytest.raises(DomainError) as refused:
        _checked_roster(session, officer_dakmil, CLASS_11A2, replaces="Lớp 10A9")
    assert refused.value.code == "NO_SUCH_LIST"


def test_a_replacement_that_drops_nobody_needs_no_confirmation_and_keeps_decisions(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_11A2, list_name="Lớp 11A2")
    other = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    entry = first.entries.get(outcome="ambiguous")
    services.decide_entry(entry.pk, "picked", person_id=register["twin1"].pk, actor=officer_dakmil)
    grown = [*CLASS_11A2, CLASS_11A2[0], ["Phạm Thị Nga", "20/12/2008", "Nữ", "11A2", ""]]
    second = _checked_roster(session, officer_dakmil, grown, replaces="lớp 11a2")
    first.refresh_from_db()
    other.refresh_from_db()
    assert (second.list_name, second.version, second.state) == ("Lớp 11A2", 2, "checked")
    assert (first.is_current, second.is_current, other.is_current) == (False, True, True)
    kept = second.entries.filter(full_name="Trần Minh Khôi")
    assert {(e.decision, e.person) for e in kept} == {("picked", register["twin1"])}
    assert_audited("roster.install", second, actor=officer_dakmil)
    assert (
        AuditEvent.objects.get(action="roster.install", object_id=str(second.pk)).after["added"]
        == 1
    )  # Khôi listed twice is one person, not one added


def test_a_replacement_that_drops_someone_waits_and_shows_who_by_the_school_file_lines(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    corrected = [CLASS_12A1[0], ["Vũ Thị Mới", "03/03/2005", "Nữ", "12A1", ""]]
    second = _checked_roster(session, officer_dakmil, corrected, replaces="Lớp 12A1")
    first.refresh_from_db()
    assert (second.state, second.is_current, first.is_current) == ("awaiting", False, True)
    page = client_for(officer_dakmil).get(f"/rosters/{second.pk}/")
    change = page.context["change"]
    assert [(e.line, e.full_name) for e in change.dropped] == [
        (6, "Đặng Thị Thu Hương"),
        (7, "Hoàng Văn Không Có"),
    ]  # lines of the school's file: title, subtitle, a blank line, the header, then the rows
    assert [(e.line, e.full_name) for e in change.added] == [(6, "Vũ Thị Mới")]
    body = page.content.decode()
    assert "Hoàng Văn Không Có" in body and 'name="against"' in body
    listing = client_for(officer_dakmil).get(f"/rosters/sessions/{session.pk}/")
    (overview,) = listing.context["lists"]
    assert (overview.current, overview.pending) == (first, second)
    assert {e.values["full_name"] for e in listing.context["entries"]} == {r[0] for r in CLASS_12A1}


def test_confirming_the_replacement_makes_it_current_and_pre_checks_it(
    session: Session,
    register: dict,
    officer_dakmil: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    second = _checked_roster(session, officer_dakmil, CLASS_12A1[:1], replaces="Lớp 12A1")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client_for(officer_dakmil).post(
            f"/rosters/{second.pk}/confirm/", {"against": first.pk}
        )
    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.is_current, second.state, first.is_current) == (True, "checked", False)
    assert second.entries.get().outcome == "matched"
    event = AuditEvent.objects.get(action="roster.install", object_id=str(second.pk))
    assert (event.actor, event.after["dropped"], event.after["dropped_lines"]) == (
        officer_dakmil,
        2,
        [6, 7],
    )


def test_the_service_refuses_to_drop_people_without_a_confirmation_against_the_current_version(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    waiting = _checked_roster(session, officer_dakmil, CLASS_12A1[:1], replaces="Lớp 12A1")
    for against in (-1, waiting.pk):
        with pytest.raises(DomainError) as refused:
            services.confirm_replacement(
                waiting.pk, against=against, actor=officer_dakmil, run_now=True
            )
        assert refused.value.code == "REPLACEMENT_CHANGED"
    # the list changed meanwhile: a newer version (dropping nobody) became current
    newer = _checked_roster(session, officer_dakmil, CLASS_12A1, "v3.xlsx", replaces="Lớp 12A1")
    assert newer.is_current
    waiting.refresh_from_db()
    assert waiting.state == "discarded"  # an older waiting version is no longer offered
    with pytest.raises(DomainError) as refused:
        services.confirm_replacement(waiting.pk, against=first.pk, actor=officer_dakmil)
    assert refused.value.code == "NOT_AWAITING"
    assert list(Roster.objects.filter(is_current=True)) == [newer]


def test_a_confirmation_made_against_a_version_replaced_since_is_refused(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    waiting = _checked_roster(session, officer_dakmil, CLASS_12A1[:2], replaces="Lớp 12A1")
    # someone else sends a version that drops another person, and confirms it
    other = _checked_roster(session, officer_dakmil, CLASS_12A1[1:], replaces="Lớp 12A1")
    services.confirm_replacement(other.pk, against=first.pk, actor=officer_dakmil, run_now=True)
    waiting.refresh_from_db()
    assert waiting.state == "discarded"
    response = client_for(officer_dakmil).post(
        f"/rosters/{waiting.pk}/confirm/", {"against": first.pk}
    )
    assert response.status_code == 409
    assert "NOT_AWAITING" in response.content.decode()


def test_setting_a_waiting_version_aside_keeps_the_list_as_it_was(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    waiting = _checked_roster(session, officer_dakmil, CLASS_12A1[:1], replaces="Lớp 12A1")
    response = client_for(officer_dakmil).post(f"/rosters/{waiting.pk}/discard/")
    assert response.status_code == 302
    waiting.refresh_from_db()
    first.refresh_from_db()
    assert (waiting.state, first.is_current) == ("discarded", True)
    assert_audited("roster.discard", waiting, actor=officer_dakmil)
    page = client_for(officer_dakmil).get(f"/rosters/sessions/{session.pk}/")
    assert page.context["lists"][0].pending is None


def test_a_row_corrected_after_the_discrepancy_list_is_the_same_person(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    """The school fixed the capitals and the missing diacritics the pre-check told it about: the
    row answers to the register's spelling of the person it was matched to, and is not dropped."""
    _checked_roster(session, officer_dakmil, CLASS_12A1[:2], list_name="Lớp 12A1")
    corrected = [["Nguyễn Văn An", "15/03/2005", "Nam", "12A1", ""], CLASS_12A1[1]]
    second = _checked_roster(session, officer_dakmil, corrected, replaces="Lớp 12A1")
    assert second.is_current
    assert versions.replacement(second).dropped == []


def test_a_row_typed_with_its_personal_id_is_the_same_person_whatever_its_name(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    _checked_roster(session, officer_dakmil, CLASS_12A1[:1], list_name="Lớp 12A1")
    pid = register["an"].personal_id
    second = _checked_roster(
        session, officer_dakmil, [["Nguyễn V. An", "", "Nam", "12A1", pid]], replaces="Lớp 12A1"
    )
    assert second.is_current


def test_numbers_handed_out_stay_with_the_same_person_after_a_replacement(
    session: Session, register: dict, officer_dakmil: User, tree: Tree
) -> None:
    from cccd.tickets import services as tickets
    from cccd.tickets.models import Ticket

    leader = make_user("totruong.lists", "team_leader", tree.dakmil_police)
    _checked_roster(session, officer_dakmil, CLASS_12A1[:2], list_name="Lớp 12A1")
    handed = tickets.hand_out_numbers(session.pk, actor=leader)
    assert len(handed) == 2
    corrected = [["Nguyễn Văn An", "15/03/2005", "Nam", "12A1", ""], *CLASS_12A1[1:]]
    second = _checked_roster(session, officer_dakmil, corrected, replaces="Lớp 12A1")
    assert second.is_current
    an = Ticket.objects.get(person=register["an"])
    assert an.roster_entry.roster == second  # the intake screen reads the corrected row
    again = tickets.hand_out_numbers(session.pk, include_unmatched=True, actor=leader)
    assert [t.roster_entry.full_name for t in again] == ["Hoàng Văn Không Có"]


def test_a_list_named_after_a_class_gives_its_class_to_rows_without_one(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    rows = [[*r[:3], "", ""] for r in CLASS_12A1[:2]]
    roster = _checked_roster(session, officer_dakmil, rows, list_name="Lớp 12a1")
    assert set(roster.entries.values_list("class_name", flat=True)) == {"12A1"}
    assert precheck.class_of_list("Khối 12") == ""
    assert precheck.class_of_list("10 Toán") == "10 TOÁN"


def test_a_person_on_two_lists_is_flagged_as_listed_twice(
    session: Session, register: dict, officer_dakmil: User
) -> None:
    _checked_roster(session, officer_dakmil, CLASS_12A1[:1], list_name="Lớp 12A1")
    late = _checked_roster(session, officer_dakmil, CLASS_12A1[:1], list_name="Bổ sung")
    assert late.entries.get().flags == ["duplicate_row"]


def test_another_unit_and_another_liaison_can_neither_confirm_nor_set_aside(
    session: Session, register: dict, officer_dakmil: User, officer_tayson: User, tree: Tree
) -> None:
    first = _checked_roster(session, officer_dakmil, CLASS_12A1, list_name="Lớp 12A1")
    waiting = _checked_roster(session, officer_dakmil, CLASS_12A1[:1], replaces="Lớp 12A1")
    other_liaison = make_user("lienlac.khac", "liaison", tree.dakmil_police)
    for user, status in ((officer_tayson, 404), (other_liaison, 403)):
        client = client_for(user)
        assert client.get(f"/rosters/{waiting.pk}/").status_code == status
        assert (
            client.post(f"/rosters/{waiting.pk}/confirm/", {"against": first.pk}).status_code
            == status
        )
        assert client.post(f"/rosters/{waiting.pk}/discard/").status_code == status
    waiting.refresh_from_db()
    assert waiting.state == "awaiting"


def test_the_api_lists_a_sessions_lists_and_confirms_a_replacement(
    session: Session,
    register: dict,
    officer_dakmil: User,
    django_capture_on_commit_callbacks: object,
) -> None:
    client = client_for(officer_dakmil)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        for name, rows in (("Lớp 12A1", CLASS_12A1), ("Lớp 11A2", CLASS_11A2)):
            response = client.post(
                f"/api/v1/rosters/sessions/{session.pk}",
                {"file": SimpleUploadedFile("x.xlsx", _school_xlsx(rows)), "name": name},
            )
            assert response.status_code == 201
        response = client.post(
            f"/api/v1/rosters/sessions/{session.pk}",
            {
                "file": SimpleUploadedFile("x.xlsx", _school_xlsx(CLASS_12A1[:1])),
                "replaces": "Lớp 12A1",
            },
        )
    waiting = client.get(f"/api/v1/rosters/{response.json()['id']}").json()
    assert waiting["state"] == "awaiting"
    assert [r["line"] for r in waiting["replacement"]["dropped"]] == [6, 7]
    lists = client.get(f"/api/v1/rosters/sessions/{session.pk}").json()
    assert [r["list_name"] for r in lists["current"]] == ["Lớp 12A1", "Lớp 11A2"]
    assert [r["id"] for r in lists["pending"]] == [waiting["id"]]
    wrong = client.post(
        f"/api/v1/rosters/{waiting['id']}/confirm",
        {"against": waiting["id"]},
        content_type="application/json",
    )
    assert (wrong.status_code, wrong.json()["code"]) == (409, "REPLACEMENT_CHANGED")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        done = client.post(
            f"/api/v1/rosters/{waiting['id']}/confirm",
            {"against": waiting["replacement"]["against"]},
            content_type="application/json",
        )
    assert done.json()["is_current"] is True
    assert client.get(f"/api/v1/rosters/{waiting['id']}").json()["state"] == "checked"
