"""A run end to end with the real solver on a small unit: the form, the task, the result page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent
from cccd.jobs.models import Job
from cccd.planner.models import PlanRun
from cccd.planning.instance import parse_instance
from cccd.planning.plan import check_plan, parse_plan
from tests.planner.helpers import start
from tests.planner.world import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(district: District) -> Client:
    client = Client()
    client.force_login(district.leader)
    return client


def test_the_form_opens_with_the_defaults(client: Client, district: District) -> None:
    response = client.get("/planner/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hội trường UBND xã Thuận An" in page
    assert 'name="rate" value="5.0"' in page
    assert f'name="venue_{district.commune_hall.pk}_people" value="40"' in page


def test_a_run_plans_every_person_it_can_within_the_rules(
    client: Client, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    response = start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/planner/{run.pk}/"
    assert run.state == PlanRun.State.DONE
    plan = parse_plan(run.plan)
    assert check_plan(parse_instance(run.instance), plan) == []
    assert plan.reached == 70  # 40 + 30 people, two teams, two weeks: everyone
    assert plan.bound >= plan.reached
    assert run.reached_so_far == plan.reached
    assert Job.objects.get(kind="plan_run").state == Job.State.DONE
    assert AuditEvent.objects.filter(action="plan.run", object_id=str(run.pk)).exists()
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert 'data-testid="plan-calendar"' in page
    assert page.count('data-testid="plan-session"') == len(plan.sessions)
    assert 'data-testid="plan-venue-line"' in page


def test_a_run_still_queued_shows_its_progress(client: Client, district: District) -> None:
    from tests.planner.helpers import form_data

    client.post("/planner/", form_data(district))  # the task waits for the commit: not run here
    run = PlanRun.objects.get()
    assert run.state == PlanRun.State.QUEUED
    PlanRun.objects.filter(pk=run.pk).update(
        state=PlanRun.State.RUNNING, reached_so_far=50, bound_so_far=70, seconds=1.5
    )
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert 'data-state="running"' in page and "hx-trigger" in page
    assert "50" in page and "70" in page


def test_a_session_already_in_the_calendar_is_kept_and_not_created_again(
    client: Client, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from cccd.campaigns.models import Session
    from cccd.planner import services
    from tests.planner.helpers import next_weekday
    from tests.planner.world import HCM

    wednesday = next_weekday(2, datetime.date.today() + datetime.timedelta(days=1))  # noqa: DTZ011
    planned = Session.objects.create(
        campaign=district.campaign,
        unit=district.campaign.unit,
        venue=district.commune_hall,
        team=district.team_b,
        starts_at=datetime.datetime.combine(wednesday, datetime.time(19), tzinfo=HCM),
        ends_at=datetime.datetime.combine(wednesday, datetime.time(22, 30), tzinfo=HCM),
        desks=2,
        capacity=25,
    )
    start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    assert [f["session"] for f in run.fixed] == [planned.pk]
    plan = parse_plan(run.plan)
    kept = [s for s in plan.sessions if s.day == wednesday and s.team == f"t{district.team_b.pk}"]
    assert len(kept) == 1 and kept[0].expected == 25
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert "already in the calendar" in page
    assert "19:00–22:30" in page  # its own hours, not the evening shift's 18:00–21:00
    created = services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    assert planned.pk not in created and len(created) == len(plan.sessions) - 1


def test_a_session_of_the_calendar_at_hours_no_shift_has_makes_its_team_busy(
    client: Client, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    """A whole weekday at the hall (08:00–17:00): not a shift of the plan, so not kept, and the
    team is not sent anywhere else that day."""
    import datetime

    from cccd.campaigns.models import Session
    from tests.planner.helpers import next_weekday
    from tests.planner.world import HCM

    wednesday = next_weekday(2, datetime.date.today() + datetime.timedelta(days=1))  # noqa: DTZ011
    Session.objects.create(
        campaign=district.campaign,
        unit=district.campaign.unit,
        venue=district.commune_hall,
        team=district.team_b,
        starts_at=datetime.datetime.combine(wednesday, datetime.time(8), tzinfo=HCM),
        ends_at=datetime.datetime.combine(wednesday, datetime.time(17), tzinfo=HCM),
        desks=2,
    )
    start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    assert [f["kept"] for f in run.fixed] == [False]
    team = f"t{district.team_b.pk}"
    assert (
        wednesday.isoformat()
        in next(t for t in run.instance["teams"] if t["id"] == team)["unavailable"]
    )
    assert not any(s.team == team and s.day == wednesday for s in parse_plan(run.plan).sessions)
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert page.count('data-testid="plan-busy"') == 1


def test_a_home_visit_round_of_the_team_keeps_the_team_busy_that_day(
    client: Client, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from cccd.campaigns.models import Session, Venue
    from cccd.planner import services
    from tests.planner.helpers import next_weekday
    from tests.planner.world import HCM

    saturday = next_weekday(5, datetime.date.today() + datetime.timedelta(days=1))  # noqa: DTZ011
    homes = Venue.objects.create(
        unit=district.campaign.unit, kind=Venue.Kind.HOME, name="Các hộ gia đình — Xã Đắk Lao"
    )
    for team in (district.team_a, district.team_b):
        Session.objects.create(
            campaign=district.campaign,
            unit=district.campaign.unit,
            venue=homes,
            team=team,
            kind=Session.Kind.HOME_VISITS,
            starts_at=datetime.datetime.combine(saturday, datetime.time(7, 30), tzinfo=HCM),
            ends_at=datetime.datetime.combine(saturday, datetime.time(11, 30), tzinfo=HCM),
        )
    page = client.get("/planner/").content.decode()
    assert "Các hộ gia đình" not in page  # a round is planned from the list, not here
    start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    on_saturday = [s for s in parse_plan(run.plan).sessions if s.day == saturday]
    # one round kept (expecting nobody: no one to reach is counted there); the other, at the
    # same place and shift, breaks the plan's rule of one session per venue and shift: busy
    assert [(s.venue, s.expected) for s in on_saturday] == [(f"v{homes.pk}", 0)]
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert page.count('data-testid="plan-busy"') == 1 and "Các hộ gia đình" in page
    assert f'value="v{homes.pk}"' not in page  # nobody moves a session there
    created = services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    assert len(created) == len(parse_plan(run.plan).sessions) - 1  # no clash with the rounds


def test_the_forms_queries_do_not_grow_with_the_venues(
    client: Client, district: District, tree: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cccd.campaigns.models import Venue

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert client.get("/planner/").status_code == 200
        return len(seen)

    before = queries()
    for i in range(6):
        Venue.objects.create(
            unit=tree.dakmil_police,
            kind="cultural_house",
            name=f"Nhà văn hóa thôn {i + 6}",
            commune=district.thuanan if i % 2 else tree.daklao,
        )
    assert queries() == before


def test_a_session_at_a_chosen_venue_with_nobody_left_still_takes_the_teams_evening(
    client: Client, district: District, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from cccd.campaigns.models import Session
    from tests.planner.helpers import next_weekday
    from tests.planner.world import HCM

    tuesday = next_weekday(1, datetime.date.today() + datetime.timedelta(days=1))  # noqa: DTZ011
    Session.objects.create(
        campaign=district.campaign,
        unit=district.campaign.unit,
        venue=district.school,  # nobody counted there: left out of the people to reach
        team=district.team_a,
        starts_at=datetime.datetime.combine(tuesday, datetime.time(18), tzinfo=HCM),
        ends_at=datetime.datetime.combine(tuesday, datetime.time(21), tzinfo=HCM),
    )
    chosen = [district.commune_hall.pk, district.culture_house.pk, district.school.pk]
    start(client, district, django_capture_on_commit_callbacks, venues=chosen)
    run = PlanRun.objects.get()
    assert [f["kept"] for f in run.fixed] == [True]
    assert sorted(v["venue"] for v in run.inputs["venues"]) == sorted(chosen)  # kept for re-plans
    kept = [s for s in parse_plan(run.plan).sessions if s.day == tuesday]
    assert [(s.team, s.venue, s.expected) for s in kept if s.team == f"t{district.team_a.pk}"] == [
        (f"t{district.team_a.pk}", f"v{district.school.pk}", 0)
    ]


def _after_todays_first_shift() -> Any:
    """Today at an hour when one of the default shifts has begun: 19:00 on a weekday (the
    evening), 08:00 at the weekend (the morning)."""
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    hour = 19 if today.weekday() < 5 else 8
    return datetime.datetime.combine(
        today, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def test_a_run_made_after_todays_shift_began_plans_from_tomorrow_and_accepts(
    client: Client, district: District, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    import datetime

    from cccd.campaigns.models import Session
    from cccd.planner import services

    now = _after_todays_first_shift()
    time_machine.move_to(now)
    # logged in at that hour: after midnight, 19:00 is further ahead than a session lasts
    client.force_login(district.leader)
    start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    tomorrow = now.date() + datetime.timedelta(days=1)
    assert run.first_day == tomorrow
    plan = parse_plan(run.plan)
    assert plan.reached == 70 and all(s.day >= tomorrow for s in plan.sessions)
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert 'data-testid="plan-starts-tomorrow"' in page  # said, not left to guess
    created = services.accept_plan(run.pk, confirmed=True, actor=district.leader)
    assert Session.objects.filter(pk__in=created, starts_at__lt=now).count() == 0
    assert len(created) == len(plan.sessions)


def test_a_run_made_before_todays_first_shift_starts_today_and_says_nothing_of_it(
    client: Client, district: District, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    time_machine.move_to(
        datetime.datetime.combine(today, datetime.time(7), tzinfo=timezone.get_current_timezone())
    )
    start(client, district, django_capture_on_commit_callbacks)
    run = PlanRun.objects.get()
    assert run.first_day == today
    page = client.get(f"/planner/{run.pk}/").content.decode()
    assert 'data-testid="plan-starts-tomorrow"' not in page


def test_a_one_day_run_made_after_todays_shift_began_is_refused_by_name(
    client: Client, district: District, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    now = _after_todays_first_shift()
    time_machine.move_to(now)
    # logged in at that hour: after midnight, 19:00 is further ahead than a session lasts
    client.force_login(district.leader)
    response = start(
        client, district, django_capture_on_commit_callbacks, last_day=now.date().isoformat()
    )
    assert response.status_code == 400
    assert "choose days from tomorrow on" in response.content.decode()
    assert not PlanRun.objects.exists()
