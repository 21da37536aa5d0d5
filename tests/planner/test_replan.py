"""Planning again: from an earlier run's choices, starting today, with the people left now and
the sessions already in the calendar kept as they are."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cccd.enrollments.models import Enrollment
from cccd.planner import services
from cccd.planner.inputs import team_key, venue_key
from cccd.planner.models import PlanRun
from cccd.planning.instance import parse_instance
from cccd.planning.plan import check_plan, parse_plan
from cccd.reach import cohort
from cccd.registry.models import Person
from tests.planner.helpers import made_run, next_weekday
from tests.planner.world import HCM, District

pytestmark = pytest.mark.django_db

MONDAY = next_weekday(0, timezone.localdate() + datetime.timedelta(days=1))


def test_a_replan_keeps_accepted_sessions_and_counts_the_progress(
    district: District, django_capture_on_commit_callbacks: Any, time_machine: Any
) -> None:
    # before today's first shift (07:30), so that the replan starts today (not tomorrow)
    time_machine.move_to(
        datetime.datetime.combine(timezone.localdate(), datetime.time(7), tzinfo=HCM)
    )
    a = team_key(district.team_a.pk)
    hall, house = venue_key(district.commune_hall.pk), venue_key(district.culture_house.pk)
    earlier = made_run(
        district, [{"venue": hall, "team": a, "day": MONDAY, "shift": "evening", "expected": 30}]
    )
    accepted = services.accept_plan(earlier.pk, confirmed=True, actor=district.leader)
    # ten more people of Đắk Lao reached today, through a session of the desk
    today = timezone.localdate()
    for person in Person.objects.filter(residence_unit__name="Xã Đắk Lao").order_by("pk")[30:40]:
        Enrollment.objects.create(
            unit=district.campaign.unit,
            campaign=district.campaign,
            person=person,
            kind="first_issue",
            law="2014",
            state="captured",
            received_at=datetime.datetime.combine(today, datetime.time(6), tzinfo=HCM),
        )
    cohort.build(district.campaign)
    with django_capture_on_commit_callbacks(execute=True):
        again = services.replan(earlier.pk, actor=district.leader)
    again.refresh_from_db()
    assert again.replans_id == earlier.pk and again.first_day == today
    people = {v["id"]: v["people"] for v in again.instance["venues"]}
    assert people[house] == 60 - 30 - 10  # what is left now
    assert again.fixed == [
        {
            "venue": hall,
            "team": a,
            "day": MONDAY.isoformat(),
            "shift": "evening",
            "desks": 2,
            "expected": 30,
            "capacity": 30,
            "session": accepted[0],
            "hours": "18:00–21:00",  # the accepted session's own hours (the evening shift's here)
            "kept": True,
        }
    ]
    assert again.state == PlanRun.State.DONE
    plan = parse_plan(again.plan)
    assert check_plan(parse_instance(again.instance), plan) == []
    kept = [s for s in plan.sessions if s.team == a and s.day == MONDAY]
    assert len(kept) == 1 and kept[0].venue == hall
    # accepting the new plan creates only its new sessions
    created = services.accept_plan(again.pk, confirmed=True, actor=district.leader)
    assert accepted[0] not in created
    assert len(created) == len(plan.sessions) - 1


def test_replan_through_the_page(
    district: District, django_capture_on_commit_callbacks: Any
) -> None:
    earlier = made_run(district, [])
    client = Client()
    client.force_login(district.leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/planner/{earlier.pk}/again/")
    again = PlanRun.objects.exclude(pk=earlier.pk).get()
    assert response.status_code == 302 and response["Location"] == f"/planner/{again.pk}/"


def test_a_replan_after_the_campaign_ended_is_refused_on_the_page(
    district: District, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "vi"
    earlier = made_run(district, [])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    type(district.campaign).objects.filter(pk=district.campaign.pk).update(end_date=yesterday)
    client = Client()
    client.force_login(district.leader)
    response = client.post(f"/planner/{earlier.pk}/again/")
    assert response.status_code == 400
    assert "phải nằm trong đợt cấp" in response.content.decode()
    assert PlanRun.objects.count() == 1
