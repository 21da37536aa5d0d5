"""Finding dossiers within one's units, and the overdue and due-soon lists."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cccd.accounts.models import AuditEvent, User
from cccd.enrollments.dossiers import queries
from cccd.enrollments.models import Enrollment, Holiday
from cccd.errors import DomainError
from cccd.registry.models import Person
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.tickets.conftest import HCM

S = Enrollment.State
ID_NUMBER = "067206012345"
THURSDAY = datetime.datetime(2021, 4, 29, 9, 0, tzinfo=HCM)  # Friday 30/04 is a public holiday
DAY = datetime.date
MARCH_17 = DAY(2021, 3, 17)


def make_dossier(
    unit: object,
    person: object,
    code: str,
    *,
    state: str = S.APPROVED,
    return_date: datetime.date | None = MARCH_17,
) -> Enrollment:
    return Enrollment.objects.create(
        unit=unit,
        person=person,
        code=code,
        state=state,
        kind="first_issue",
        law="2014",
        return_date=return_date,
    )


@pytest.fixture
def student(tree: Tree) -> Person:
    return make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M", personal_id=ID_NUMBER)  # type: ignore[return-value]


@pytest.fixture
def dossier(tree: Tree, student: Person) -> Enrollment:
    return make_dossier(tree.dakmil_police, student, "663-210306-000042")


@pytest.fixture
def tayson_dossier(tree: Tree) -> Enrollment:
    person = make_person(
        tree.tayson, "Nguyễn Văn Đức", "15/03/2006", "M", personal_id="052206054321"
    )
    return make_dossier(tree.tayson_police, person, "547-210306-000007")


def found(user: User, q: str) -> list[int]:
    return [f.enrollment.pk for f in queries.search(user, q).matches]


# ---------------------------------------------------------------- search


def test_the_urls_have_their_names() -> None:
    assert reverse("dossiers:search") == "/dossiers/search/"
    assert reverse("dossiers:deadlines") == "/dossiers/deadlines/"


def test_it_finds_a_dossier_by_its_code_in_any_case(
    officer_dakmil: User, dossier: Enrollment
) -> None:
    assert found(officer_dakmil, " 663-210306-000042 ") == [dossier.pk]
    assert queries.search(officer_dakmil, "663-210306-000042").kind == "code"


def test_it_finds_a_dossier_by_the_personal_id(officer_dakmil: User, dossier: Enrollment) -> None:
    assert found(officer_dakmil, "067 206 012 345") == [dossier.pk]
    assert queries.search(officer_dakmil, ID_NUMBER).kind == "personal_id"


@pytest.mark.parametrize("q", ["nguyen van duc", "NGUYỄN VĂN ĐỨC", "Nguyen Duc", "van duc"])
def test_it_finds_a_dossier_by_the_folded_name(
    officer_dakmil: User, dossier: Enrollment, q: str
) -> None:
    assert found(officer_dakmil, q) == [dossier.pk]


def test_a_name_typed_in_nfd_is_found(officer_dakmil: User, dossier: Enrollment) -> None:
    import unicodedata

    assert found(officer_dakmil, unicodedata.normalize("NFD", "Nguyễn Văn Đức")) == [dossier.pk]


def test_the_closest_name_comes_first(
    tree: Tree, officer_dakmil: User, dossier: Enrollment
) -> None:
    longer = make_person(tree.daklao, "Nguyễn Văn Đức Anh", "01/01/2005", "M")
    other = make_dossier(tree.dakmil_police, longer, "663-210306-000043")
    assert found(officer_dakmil, "nguyen van duc") == [dossier.pk, other.pk]


def test_a_draft_is_not_found(tree: Tree, officer_dakmil: User, student: Person) -> None:
    make_dossier(tree.dakmil_police, student, "663-210306-000042", state=S.DRAFT)
    assert found(officer_dakmil, "nguyen van duc") == []


def test_another_units_dossier_is_never_found(
    officer_dakmil: User, officer_tayson: User, dossier: Enrollment, tayson_dossier: Enrollment
) -> None:
    for q in ("547-210306-000007", "052206054321", "nguyen van duc"):
        assert tayson_dossier.pk not in found(officer_dakmil, q)
    for q in ("663-210306-000042", ID_NUMBER, "nguyen van duc"):
        assert dossier.pk not in found(officer_tayson, q)


def test_the_parent_unit_finds_its_districts_dossiers(
    commander_daknong: User, dossier: Enrollment
) -> None:
    assert found(commander_daknong, "nguyen van duc") == [dossier.pk]


def test_a_role_without_the_dossier_permission_cannot_search(
    liaison_dakmil: User, dossier: Enrollment
) -> None:
    with pytest.raises(DomainError) as refused:
        queries.search(liaison_dakmil, "nguyen van duc")
    assert refused.value.code == "PERMISSION_DENIED"
    assert client_for(liaison_dakmil).get("/dossiers/search/?q=duc").status_code == 403
    assert not AuditEvent.objects.filter(action="enrollment.search").exists()


def test_the_search_page_needs_a_login(db: None) -> None:
    from django.test import Client

    response = Client().get("/dossiers/search/?q=duc")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("q", ["", "a", "   ", "!!!", "\x00\x00"])
def test_a_query_too_short_is_refused_with_a_message(officer_dakmil: User, q: str) -> None:
    response = client_for(officer_dakmil).get("/dossiers/search/", {"q": q})
    assert response.status_code == 400
    assert "at least two letters" in response.content.decode()


def test_a_nul_in_a_name_is_not_a_500(officer_dakmil: User, dossier: Enrollment) -> None:
    response = client_for(officer_dakmil).get("/dossiers/search/", {"q": "nguyen\x00 duc"})
    assert response.status_code == 200


def test_the_page_lists_the_dossier_with_a_link(officer_dakmil: User, dossier: Enrollment) -> None:
    page = (
        client_for(officer_dakmil)
        .get("/dossiers/search/", {"q": "nguyen van duc"})
        .content.decode()
    )
    assert f'href="/dossiers/{dossier.pk}/"' in page
    assert "Nguyễn Văn Đức" in page


def test_the_search_form_alone_is_not_audited(officer_dakmil: User) -> None:
    assert client_for(officer_dakmil).get("/dossiers/search/").status_code == 200
    assert not AuditEvent.objects.filter(action="enrollment.search").exists()


@pytest.mark.parametrize(("q", "kind"), [(ID_NUMBER, "personal_id"), ("Nguyễn Văn Đức", "name")])
def test_a_search_is_audited_with_its_kind_not_the_id_or_name(
    officer_dakmil: User, dossier: Enrollment, q: str, kind: str
) -> None:
    queries.search(officer_dakmil, q)
    event = AuditEvent.objects.get(action="enrollment.search")
    assert (event.actor, event.unit) == (officer_dakmil, officer_dakmil.unit)
    assert event.after == {"kind": kind, "found": [dossier.pk]}
    assert ID_NUMBER not in str(event.after) and "duc" not in str(event.after).lower()


def test_a_code_search_is_audited_with_the_code(officer_dakmil: User, dossier: Enrollment) -> None:
    queries.search(officer_dakmil, "663-210306-000042")
    event = AuditEvent.objects.get(action="enrollment.search")
    assert event.after == {"kind": "code", "found": [dossier.pk], "code": "663-210306-000042"}


# ---------------------------------------------------------------- deadlines


@pytest.fixture
def holidays(db: None) -> None:
    """Only Friday 30/04/2021 (the seeded substitute day 03/05 removed, so the arithmetic is clear)."""
    Holiday.objects.all().delete()
    Holiday.objects.create(date=DAY(2021, 4, 30), name="Ngày Giải phóng miền Nam")


@pytest.fixture
def late(tree: Tree, holidays: None) -> dict[str, Enrollment]:
    """Today is Thursday 29/04/2021; three working days later (Friday a holiday, then the weekend)
    is Wednesday 05/05."""
    people = {
        key: make_person(tree.daklao, f"Nguyễn Văn {name}", "01/01/2006", "M")
        for key, name in [
            ("a", "An"),
            ("b", "Bình"),
            ("c", "Cường"),
            ("d", "Dũng"),
            ("e", "Em"),
            ("f", "Phúc"),
            ("h", "Hải"),
        ]
    }
    tayson = make_person(tree.tayson, "Trần Văn Gia", "01/01/2006", "M")
    rows = {
        "overdue": (tree.dakmil_police, people["a"], S.APPROVED, DAY(2021, 4, 28)),
        "due_today": (tree.dakmil_police, people["b"], S.CAPTURED, DAY(2021, 4, 29)),
        "due_wednesday": (tree.dakmil_police, people["c"], S.IN_PRODUCTION, DAY(2021, 5, 5)),
        "due_thursday": (tree.dakmil_police, people["d"], S.COMPLETED, DAY(2021, 5, 6)),
        "at_unit": (tree.dakmil_police, people["e"], S.AT_UNIT, DAY(2021, 4, 27)),
        "delivered": (tree.dakmil_police, people["f"], S.DELIVERED, DAY(2021, 4, 20)),
        "commune_overdue": (tree.daklao_police, people["h"], S.RETURNED, DAY(2021, 4, 26)),
        "tayson_overdue": (tree.tayson_police, tayson, S.APPROVED, DAY(2021, 4, 20)),
    }
    return {
        key: make_dossier(unit, person, f"X-{n}", state=state, return_date=due)
        for n, (key, (unit, person, state, due)) in enumerate(rows.items())
    }


def listed(lists: queries.Deadlines) -> tuple[set[str], set[str]]:
    overdue = {e.code for u in lists.units for e in u.overdue}
    soon = {e.code for u in lists.units for e in u.due_soon}
    return overdue, soon  # type: ignore[return-value]


def codes(late: dict[str, Enrollment], *keys: str) -> set[str]:
    return {late[k].code for k in keys}  # type: ignore[misc]


def test_overdue_and_due_soon_count_weekends_and_holidays(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    lists = queries.deadline_lists(officer_dakmil)
    assert lists.horizon == DAY(2021, 5, 5)
    overdue, soon = listed(lists)
    assert overdue == codes(late, "overdue", "commune_overdue")
    assert soon == codes(late, "due_today", "due_wednesday")
    assert (lists.overdue_count, lists.due_soon_count) == (2, 2)


def test_without_the_holiday_due_soon_ends_a_day_earlier(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    Holiday.objects.all().delete()
    lists = queries.deadline_lists(officer_dakmil)
    assert lists.horizon == DAY(2021, 5, 4)  # Fri, (weekend), Mon, Tue
    assert listed(lists)[1] == codes(late, "due_today")


def test_a_wider_window_reaches_further(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    lists = queries.deadline_lists(officer_dakmil, days=4)
    assert listed(lists)[1] == codes(late, "due_today", "due_wednesday", "due_thursday")


def test_the_next_day_yesterdays_due_date_is_overdue(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY + datetime.timedelta(days=1))  # the holiday
    overdue, _soon = listed(queries.deadline_lists(officer_dakmil))
    assert overdue == codes(late, "overdue", "commune_overdue", "due_today")


def test_the_lists_are_grouped_by_unit_with_counts(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    units = queries.deadline_lists(officer_dakmil).units
    assert [(u.unit_name, u.overdue_count, u.due_soon_count) for u in units] == [
        ("Công an huyện Đắk Mil", 1, 2),
        ("Công an xã Đắk Lao", 1, 0),
    ]


def test_another_units_dossiers_are_not_listed(
    officer_tayson: User, commander_daknong: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    assert listed(queries.deadline_lists(officer_tayson)) == (codes(late, "tayson_overdue"), set())
    assert late["tayson_overdue"].code not in listed(queries.deadline_lists(commander_daknong))[0]


def test_the_deadlines_page_links_each_dossier_and_is_audited(
    officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    response = client_for(officer_dakmil).get("/dossiers/deadlines/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="/dossiers/{late["overdue"].pk}/"' in page
    assert f'href="/dossiers/{late["due_wednesday"].pk}/"' in page
    assert f'href="/dossiers/{late["tayson_overdue"].pk}/"' not in page
    assert 'data-testid="overdue-total">2<' in page
    event = AuditEvent.objects.get(action="enrollment.deadlines")
    assert event.after == {"days": 3, "overdue": 2, "due_soon": 2}


@pytest.mark.parametrize("days", ["abc", "0", "21", "-1", "3.5"])
def test_a_bad_window_is_refused_with_a_message(officer_dakmil: User, days: str) -> None:
    response = client_for(officer_dakmil).get("/dossiers/deadlines/", {"days": days})
    assert response.status_code == 400
    assert "working days from 1 to 20" in response.content.decode()


def test_a_role_without_the_dossier_permission_sees_no_deadlines(liaison_dakmil: User) -> None:
    assert client_for(liaison_dakmil).get("/dossiers/deadlines/").status_code == 403


def test_the_deadlines_page_reads_the_same_number_of_queries_for_more_rows(
    tree: Tree, officer_dakmil: User, late: dict[str, Enrollment], time_machine: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(THURSDAY)  # type: ignore[attr-defined]
    client = client_for(officer_dakmil)
    client.get("/dossiers/deadlines/")  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get("/dossiers/deadlines/")
    for n in range(6):
        person = make_person(tree.daklao, f"Lê Văn Thêm {chr(65 + n)}", "01/01/2006", "M")
        make_dossier(tree.dakmil_police, person, f"Y-{n}", return_date=DAY(2021, 4, 20))
    with CaptureQueriesContext(connection) as many:
        client.get("/dossiers/deadlines/")
    assert len(many) == len(few)
