"""The officer report: intakes by local day, sessions and hours worked split exactly into night and
weekend/holiday hours (across midnight too), scoped to the user's units, in a fixed number of
queries, as a page and as xlsx; malformed periods are a 400 with a message."""

from __future__ import annotations

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Campaign, Session, Team, Venue
from cccd.enrollments.models import Enrollment, Holiday
from cccd.errors import DomainError
from cccd.reports import officers
from cccd.reports.officers import officer_report, split_span
from cccd.tickets.models import Desk
from cccd.units.models import Unit
from tests.builders import Tree, make_person, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import HCM

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day: D, hh: int, mm: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hh, mm, tzinfo=HCM)


# 2021-03-04 is a Thursday, 03-05 a Friday, 03-06 a Saturday, 03-07 a Sunday; 04-30 a holiday.
THU, FRI, SAT, SUN, HOLIDAY = (
    D(2021, 3, 4),
    D(2021, 3, 5),
    D(2021, 3, 6),
    D(2021, 3, 7),
    D(2021, 4, 30),
)


def hours(split: officers.SpanSplit) -> tuple[float, float, float]:
    return split.minutes / 60, split.night / 60, split.weekend / 60


def test_a_weekday_evening_is_all_night_and_no_weekend() -> None:
    assert hours(split_span(at(THU, 19), at(THU, 23, 30), [])) == (4.5, 4.5, 0)


def test_a_saturday_morning_is_all_weekend_and_no_night() -> None:
    assert hours(split_span(at(SAT, 7, 30), at(SAT, 11, 30), [])) == (4, 0, 4)


def test_a_friday_evening_past_midnight_is_weekend_only_after_midnight() -> None:
    assert hours(split_span(at(FRI, 19, 30), at(SAT, 0, 30), [])) == (5, 5, 0.5)


def test_a_saturday_evening_into_sunday_is_all_weekend() -> None:
    assert hours(split_span(at(SAT, 19, 30), at(SUN, 0, 30), [])) == (5, 5, 5)


def test_a_sunday_evening_into_monday_is_weekend_until_midnight() -> None:
    assert hours(split_span(at(SUN, 19, 30), at(D(2021, 3, 8), 0, 30), [])) == (5, 5, 4.5)


def test_a_session_on_a_holiday_counts_as_weekend() -> None:
    assert hours(split_span(at(HOLIDAY, 8), at(HOLIDAY, 17), [HOLIDAY])) == (9, 0, 9)
    assert hours(split_span(at(HOLIDAY, 8), at(HOLIDAY, 17), [])) == (9, 0, 0)


def test_only_the_parts_after_19_and_before_6_are_night() -> None:
    assert hours(split_span(at(THU, 17), at(THU, 20, 15), [])) == (3.25, 1.25, 0)
    assert hours(split_span(at(THU, 4), at(THU, 7), [])) == (3, 2, 0)
    assert hours(split_span(at(THU, 18), at(FRI, 7), [])) == (13, 11, 0)


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    return Campaign.objects.create(
        unit=tree.ministry,
        name="CCCD 2021",
        law="2014",
        start_date=D(2021, 2, 5),
        end_date=D(2021, 6, 30),
    )


@pytest.fixture
def commander_dakmil(tree: Tree) -> User:
    return make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)


def plan(
    campaign: Campaign,
    unit: Unit,
    starts: datetime.datetime,
    ends: datetime.datetime,
    leader: User,
    desk_officers: tuple[User, ...] = (),
) -> Session:
    venue = Venue.objects.create(unit=unit, kind="school", name=f"Trường {starts:%d%H%M}")
    team = Team.objects.create(unit=unit, name=f"Tổ {starts:%d%H%M}", leader=leader)
    session = Session.objects.create(
        campaign=campaign,
        unit=unit,
        venue=venue,
        team=team,
        starts_at=starts,
        ends_at=ends,
        state=Session.State.CLOSED,
    )
    for number, officer in enumerate(desk_officers, start=1):
        Desk.objects.create(session=session, number=number, officer=officer)
    return session


def receive(
    session: Session | None,
    officer: User,
    moment: datetime.datetime,
    commune: Unit,
    count: int = 1,
    *,
    unit: Unit | None = None,
) -> None:
    """`count` dossiers received by `officer` at `moment` (bulk: what the desk leaves behind)."""
    unit = unit or (session.unit if session else officer.unit)
    rows = []
    for i in range(count):
        person = make_person(
            commune, f"Trần Thị {'ABCDEGHKLMN'[i % 11]}", f"{1 + i % 28:02d}/05/2005", "F"
        )
        rows.append(
            Enrollment(
                unit=unit,
                campaign=session.campaign if session else None,
                session=session,
                person=person,
                kind="from_cmnd",
                law="2014",
                state="captured",
                received_at=moment,
                received_by=officer,
                return_date=moment.date(),
            )
        )
    Enrollment.objects.bulk_create(rows)


def row_of(rows: list[officers.OfficerRow], user: User) -> officers.OfficerRow:
    return next(r for r in rows if r.user_id == user.pk)


def test_hours_add_up_over_the_sessions_an_officer_worked(
    tree: Tree, campaign: Campaign, officer_dakmil: User, commander_dakmil: User
) -> None:
    Holiday.objects.get_or_create(date=HOLIDAY, defaults={"name": "Ngày Giải phóng miền Nam"})
    weekday = plan(campaign, tree.dakmil_police, at(THU, 19), at(THU, 23, 30), commander_dakmil)
    plan(
        campaign,
        tree.dakmil_police,
        at(SAT, 7, 30),
        at(SAT, 11, 30),
        commander_dakmil,
        (officer_dakmil,),
    )
    friday = plan(campaign, tree.dakmil_police, at(FRI, 19, 30), at(SAT, 0, 30), commander_dakmil)
    plan(
        campaign,
        tree.dakmil_police,
        at(HOLIDAY, 8),
        at(HOLIDAY, 17),
        commander_dakmil,
        (officer_dakmil,),
    )
    plan(
        campaign, tree.dakmil_police, at(SUN, 8), at(SUN, 11), commander_dakmil
    )  # not worked by her
    receive(weekday, officer_dakmil, at(THU, 20), tree.daklao, 3)
    receive(friday, officer_dakmil, at(SAT, 0, 10), tree.daklao, 2)

    rows = officer_report(commander_dakmil, tree.dakmil_police, D(2021, 3, 1), D(2021, 4, 30))

    assert [r.user_id for r in rows] == [officer_dakmil.pk]
    row = rows[0]
    assert (row.intakes, row.sessions) == (5, 4)
    assert (row.hours, row.night_hours, row.weekend_hours) == (
        4.5 + 4 + 5 + 9,
        4.5 + 5,
        4 + 0.5 + 9,
    )


def test_intakes_count_by_vietnams_local_day(
    tree: Tree, campaign: Campaign, officer_dakmil: User, commander_dakmil: User
) -> None:
    late = plan(campaign, tree.dakmil_police, at(SUN, 19), at(D(2021, 3, 8), 1), commander_dakmil)
    receive(late, officer_dakmil, at(SUN, 23, 50), tree.daklao, 1)
    receive(late, officer_dakmil, at(D(2021, 3, 8), 0, 15), tree.daklao, 2)  # 17:15 UTC on the 7th

    sunday = officer_report(commander_dakmil, tree.dakmil_police, SUN, SUN)
    monday = officer_report(commander_dakmil, tree.dakmil_police, D(2021, 3, 8), D(2021, 3, 8))

    assert row_of(sunday, officer_dakmil).intakes == 1
    assert row_of(sunday, officer_dakmil).sessions == 1  # the session counts for the day it starts
    assert row_of(monday, officer_dakmil).intakes == 2
    assert row_of(monday, officer_dakmil).sessions == 0


def test_another_units_officers_never_appear(
    tree: Tree,
    campaign: Campaign,
    officer_dakmil: User,
    officer_tayson: User,
    commander_daknong: User,
) -> None:
    leader_tayson = make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)
    dakmil = plan(campaign, tree.dakmil_police, at(THU, 19), at(THU, 23), commander_daknong)
    tayson = plan(
        campaign, tree.tayson_police, at(THU, 19), at(THU, 23), leader_tayson, (officer_tayson,)
    )
    receive(dakmil, officer_dakmil, at(THU, 20), tree.daklao, 1)
    receive(tayson, officer_tayson, at(THU, 20), tree.tayson, 4)

    province = officer_report(commander_daknong, tree.daknong_police, THU, THU)
    assert [r.user_id for r in province] == [officer_dakmil.pk]
    assert [r.user_id for r in officer_report(leader_tayson, tree.tayson_police, THU, THU)] == [
        officer_tayson.pk
    ]
    with pytest.raises(DomainError) as refused:
        officer_report(commander_daknong, tree.tayson_police, THU, THU)
    assert refused.value.code == "NOT_FOUND"
    page = client_for(commander_daknong).get(f"/reports/officers/?unit={tree.tayson_police.pk}")
    assert page.status_code == 404


def _officers(tree: Tree, campaign: Campaign, leader: User, count: int) -> None:
    """`count` officers, each at a desk of their own session, each receiving a few dossiers."""
    for i in range(count):
        officer = make_user(f"canbo{count}.{i}", Role.OFFICER, tree.dakmil_police)
        session = plan(
            campaign,
            tree.dakmil_police,
            at(THU, 19) + datetime.timedelta(days=i, minutes=count),
            at(THU, 23) + datetime.timedelta(days=i),
            leader,
            (officer,),
        )
        receive(session, officer, at(THU, 20) + datetime.timedelta(days=i), tree.daklao, 1 + i % 3)


def test_the_report_costs_the_same_queries_for_2_and_6_officers(
    tree: Tree, campaign: Campaign, commander_dakmil: User
) -> None:
    Holiday.objects.get_or_create(date=HOLIDAY, defaults={"name": "Ngày Giải phóng miền Nam"})
    counts = []
    for count in (2, 6):
        Enrollment.objects.all().delete()
        Desk.objects.all().delete()
        Session.objects.all().delete()
        _officers(tree, campaign, commander_dakmil, count)
        with CaptureQueriesContext(connection) as queries:
            rows = officer_report(
                commander_dakmil, tree.dakmil_police, D(2021, 3, 1), D(2021, 3, 31)
            )
        assert len(rows) == count
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_page_lists_officers_by_intakes_and_audits_the_look(
    tree: Tree, campaign: Campaign, officer_dakmil: User, commander_dakmil: User
) -> None:
    other = make_user(
        "canbo2.dakmil", Role.OFFICER, tree.dakmil_police, first_name="Zung", last_name="Vũ"
    )
    session = plan(campaign, tree.dakmil_police, at(THU, 19), at(THU, 23, 30), commander_dakmil)
    receive(session, officer_dakmil, at(THU, 20), tree.daklao, 2)
    receive(session, other, at(THU, 21), tree.daklao, 5)

    page = client_for(commander_dakmil).get("/reports/officers/?from=01/03/2021&to=31/03/2021")

    assert page.status_code == 200
    body = page.content.decode()
    assert body.index("Zung") < body.index("Hương")
    assert "01/03/2021" in body and "31/03/2021" in body
    assert AuditEvent.objects.filter(
        action="reports.officer_report", actor=commander_dakmil
    ).exists()


def test_the_period_defaults_to_the_running_campaign_until_today(
    tree: Tree, campaign: Campaign, commander_dakmil: User, time_machine: object
) -> None:
    time_machine.move_to(at(D(2021, 3, 10), 9))  # type: ignore[attr-defined]
    page = client_for(commander_dakmil).get("/reports/officers/")
    assert page.status_code == 200
    assert page.context["date_from"] == D(2021, 2, 5)
    assert page.context["date_to"] == D(2021, 3, 10)


def test_the_xlsx_holds_real_numbers(
    tree: Tree, campaign: Campaign, officer_dakmil: User, commander_dakmil: User
) -> None:
    session = plan(campaign, tree.dakmil_police, at(FRI, 19, 30), at(SAT, 0, 30), commander_dakmil)
    receive(session, officer_dakmil, at(FRI, 20), tree.daklao, 3)

    response = client_for(commander_dakmil).get(
        "/reports/officers.xlsx?from=01/03/2021&to=31/03/2021"
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for c in sheet[4]]
    assert values[0] == str(officer_dakmil)
    assert values[3:] == [3, 1, 5, 5, 0.5]
    assert isinstance(values[5], float | int) and not isinstance(values[5], str)
    assert AuditEvent.objects.filter(action="reports.officer_report_export").count() == 1


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("from=32/01/2021&to=31/03/2021", 400, "is not a date"),
        ("from=2021-13-01&to=31/03/2021", 400, "is not a date"),
        ("from=01/03/2021&to=tomorrow", 400, "is not a date"),
        ("from=1/3/21&to=31/03/2021", 400, "is not a date"),
        ("from=31/03/2021&to=01/03/2021", 400, "before it starts"),
        ("from=01/01/2021&to=02/01/2022", 400, "367 days"),
        ("from=01/03/2021&to=31/03/2021&unit=abc", 400, "is not a number"),
    ],
)
def test_a_malformed_period_is_a_400_with_a_message(
    tree: Tree, campaign: Campaign, commander_dakmil: User, query: str, status: int, message: str
) -> None:
    client = client_for(commander_dakmil)
    for url in ("/reports/officers/", "/reports/officers.xlsx"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == status, url
        assert message in response.content.decode(), url
    assert not AuditEvent.objects.filter(action__startswith="reports.officer_report").exists()


def test_a_year_to_the_day_is_allowed(
    tree: Tree, campaign: Campaign, commander_dakmil: User
) -> None:
    response = client_for(commander_dakmil).get("/reports/officers/?from=01/01/2020&to=31/12/2020")
    assert response.status_code == 200


def test_a_role_without_the_dashboard_is_refused(tree: Tree, liaison_dakmil: User) -> None:
    assert client_for(liaison_dakmil).get("/reports/officers/").status_code == 403
    with pytest.raises(DomainError):
        officer_report(liaison_dakmil, tree.dakmil_police, THU, THU)
