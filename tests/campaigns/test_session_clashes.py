"""Clashes refused or flagged when a session is planned (issue 12, item 6): the same session
twice, a team in two places at once (a night past midnight included), a venue shared with another
team or a person in two teams at once (warnings the planner may accept)."""

from __future__ import annotations

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection, connections
from django.utils import translation

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.errors import DomainError
from tests.builders import Tree, make_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2021, 3, day, hour, minute, tzinfo=HCM)


@pytest.fixture
def leader(tree: Tree) -> User:
    return make_user("totruong.dakmil", "team_leader", tree.dakmil_police)


@pytest.fixture
def plan(tree: Tree, commander_daknong: User, leader: User, officer_dakmil: User) -> dict:
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )
    school = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
    hall = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="commune_hall",
        name="Hội trường UBND xã Thuận An",
        actor=leader,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer_dakmil.pk],
        actor=leader,
    )
    other_leader = make_user("totruong2.dakmil", "team_leader", tree.dakmil_police)
    other = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 2",
        leader_id=other_leader.pk,
        member_ids=[],
        actor=leader,
    )
    return {"campaign": campaign, "school": school, "hall": hall, "team": team, "other": other}


def planned(
    plan: dict,
    leader: User,
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    venue: str = "school",
    team: str = "team",
    accept: bool = False,
) -> Session:
    return plan_session(
        campaign_id=plan["campaign"].pk,
        venue_id=plan[venue].pk,
        team_id=plan[team].pk,
        starts_at=start,
        ends_at=end,
        desks=2,
        capacity=100,
        actor=leader,
        **({"accept_clashes": True} if accept else {}),
    )


def refusal(call: object) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value


def test_the_same_session_planned_twice_is_refused(plan: dict, leader: User) -> None:
    planned(plan, leader, at(6, 19), at(6, 23, 30))
    error = refusal(lambda: planned(plan, leader, at(6, 19), at(6, 23, 30)))
    assert error.code == "SESSION_ALREADY_PLANNED"
    assert "Tổ 1" in error.message and "06/03/2021 19:00–23:30" in error.message
    assert Session.objects.count() == 1


def test_a_team_in_two_places_at_once_is_refused_even_when_told_to_plan_anyway(
    plan: dict, leader: User
) -> None:
    planned(plan, leader, at(6, 19), at(6, 23, 30))
    error = refusal(lambda: planned(plan, leader, at(6, 21), at(6, 23), venue="hall", accept=True))
    assert error.code == "TEAM_BUSY" and "Trường THPT Đắk Mil" in error.message
    assert Session.objects.count() == 1


def test_a_night_past_midnight_clashes_with_the_next_days_early_hours(
    plan: dict, leader: User
) -> None:
    planned(plan, leader, at(6, 20), at(7, 0, 30))  # Saturday 20:00 to Sunday 00:30
    error = refusal(lambda: planned(plan, leader, at(7, 0), at(7, 2), venue="hall"))
    assert error.code == "TEAM_BUSY" and "06/03/2021 20:00–07/03/2021 00:30" in error.message
    planned(plan, leader, at(7, 0, 30), at(7, 2), venue="hall")  # from the minute it ends: fine
    assert Session.objects.count() == 2


def test_back_to_back_sessions_and_a_cancelled_one_are_no_clash(plan: dict, leader: User) -> None:
    afternoon = planned(plan, leader, at(6, 14), at(6, 17, 30))
    planned(plan, leader, at(6, 17, 30), at(6, 21), venue="hall")
    Session.objects.filter(pk=afternoon.pk).update(state=Session.State.CANCELLED)
    planned(plan, leader, at(6, 14), at(6, 17, 30))
    assert Session.objects.exclude(state="cancelled").count() == 2


def test_another_team_in_the_same_hall_is_a_warning_the_planner_may_accept(
    plan: dict, leader: User
) -> None:
    planned(plan, leader, at(6, 19), at(6, 23), venue="hall")
    error = refusal(lambda: planned(plan, leader, at(6, 20), at(6, 22), venue="hall", team="other"))
    assert error.code == "SESSION_CLASHES" and error.status == 409
    assert "Hội trường UBND xã Thuận An" in error.message and "Tổ 1" in error.message
    assert Session.objects.count() == 1
    session = planned(plan, leader, at(6, 20), at(6, 22), venue="hall", team="other", accept=True)
    event = AuditEvent.objects.get(action="session.plan", object_id=str(session.pk))
    assert "Tổ 1" in event.after["accepted_clashes"][0]


def test_a_person_in_two_teams_planned_at_once_is_a_warning(
    plan: dict, leader: User, officer_dakmil: User
) -> None:
    plan["other"].members.add(officer_dakmil)
    planned(plan, leader, at(6, 19), at(6, 23))
    error = refusal(lambda: planned(plan, leader, at(6, 20), at(6, 22), venue="hall", team="other"))
    assert error.code == "SESSION_CLASHES"
    assert "Đặng Thị Thu Hương" in error.message and "Tổ 1" in error.message


def test_the_warning_reads_in_vietnamese(plan: dict, leader: User) -> None:
    planned(plan, leader, at(6, 19), at(6, 23), venue="hall")
    with translation.override("vi"):
        error = refusal(
            lambda: planned(plan, leader, at(6, 20), at(6, 22), venue="hall", team="other")
        )
        assert error.message.startswith(
            "Hãy kiểm tra trước khi lên lịch: Hội trường UBND xã Thuận An"
        )
        assert "Vẫn lên lịch" in error.message


def _form(plan: dict, **changes: object) -> dict:
    return {
        "venue": plan["hall"].pk,
        "team": plan["other"].pk,
        "day": "06/03/2021",
        "start_time": "20:00",
        "end_time": "22:00",
        "desks": 2,
        "capacity": 100,
        "note": "",
        **changes,
    }


def test_the_form_names_the_clash_and_offers_to_plan_anyway(plan: dict, leader: User) -> None:
    planned(plan, leader, at(6, 19), at(6, 23), venue="hall")
    client = client_for(leader)
    url = f"/campaigns/{plan['campaign'].pk}/sessions/new/"
    first = client.post(url, _form(plan))
    page = first.content.decode()
    assert first.status_code == 409
    assert 'data-code="SESSION_CLASHES"' in page and 'data-testid="accept-clashes"' in page
    assert 'value="20:00"' in page  # what was typed stays
    again = client.post(url, _form(plan, accept_clashes="on"))
    assert again.status_code == 302 and Session.objects.count() == 2


def test_the_form_refuses_a_team_clash_without_offering_to_plan_anyway(
    plan: dict, leader: User
) -> None:
    planned(plan, leader, at(6, 19), at(6, 23))
    response = client_for(leader).post(
        f"/campaigns/{plan['campaign'].pk}/sessions/new/", _form(plan, team=plan["team"].pk)
    )
    page = response.content.decode()
    assert response.status_code == 409 and 'data-code="TEAM_BUSY"' in page
    assert "accept-clashes" not in page
    assert Session.objects.count() == 1


def test_the_api_refuses_the_same_clashes(plan: dict, leader: User) -> None:
    planned(plan, leader, at(6, 19), at(6, 23), venue="hall")
    client = client_for(leader)
    url = f"/api/v1/campaigns/{plan['campaign'].pk}/sessions"
    payload = {
        "venue_id": plan["hall"].pk,
        "team_id": plan["team"].pk,
        "starts_at": "2021-03-06T19:00:00+07:00",
        "ends_at": "2021-03-06T23:00:00+07:00",
    }
    duplicate = client.post(url, payload, content_type="application/json")
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "SESSION_ALREADY_PLANNED")
    shared = {**payload, "team_id": plan["other"].pk}
    warned = client.post(url, shared, content_type="application/json")
    assert (warned.status_code, warned.json()["code"]) == (409, "SESSION_CLASHES")
    accepted = client.post(url, {**shared, "accept_clashes": True}, content_type="application/json")
    assert accepted.status_code == 201
    assert accepted.json()["status"] == "over"  # March 2021 is past, and nobody closed it


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_cannot_put_one_team_in_two_places(
    plan: dict, leader: User, commander_daknong: User
) -> None:
    """Two planners press "save" at the same instant for the same team at two venues: one
    session is planned, the other is refused (SQLite and PostgreSQL)."""
    start, results, lock = threading.Barrier(2), [], threading.Lock()

    def plan_at(venue: str, actor: User) -> None:
        try:
            start.wait()
            planned(plan, actor, at(6, 19), at(6, 23), venue=venue)
            outcome = "planned"
        except DomainError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    workers = [
        threading.Thread(target=plan_at, args=("school", leader)),
        threading.Thread(target=plan_at, args=("hall", commander_daknong)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results) == ["TEAM_BUSY", "planned"]
    assert Session.objects.filter(team=plan["team"]).count() == 1
    assert connection.vendor in {"sqlite", "postgresql"}
