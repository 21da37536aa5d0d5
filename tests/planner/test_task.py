"""The background run: progress written on the run, a run nobody holds shown as stopped, a
finished run not solved twice, a failing solver shown as failed."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cccd.jobs.models import Job
from cccd.planner import services, tasks
from cccd.planner.models import PlanRun
from cccd.planning.solver import Progress
from tests.planner.helpers import form_data
from tests.planner.world import District

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(district: District) -> PlanRun:
    """A run queued through the page, its task not run (the commit never comes in this test)."""
    client = Client()
    client.force_login(district.leader)
    client.post("/planner/", form_data(district))
    return PlanRun.objects.get()


def test_the_solvers_progress_is_written_on_the_run(queued: PlanRun) -> None:
    tasks._ProgressWriter(queued.pk)(Progress(seconds=2.54, reached=40, bound=70))
    queued.refresh_from_db()
    assert (queued.reached_so_far, queued.bound_so_far, queued.seconds) == (40, 70, 2.5)


def test_the_task_solves_a_queued_run(queued: PlanRun) -> None:
    tasks.run_solver(queued.pk)
    queued.refresh_from_db()
    assert queued.state == PlanRun.State.DONE and queued.plan is not None
    assert services.find_plan_job(queued).state == Job.State.DONE


def test_a_finished_run_is_not_solved_again(queued: PlanRun, monkeypatch: Any) -> None:
    tasks.run_solver(queued.pk)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved twice")

    monkeypatch.setattr(tasks, "solve", never)
    tasks.run_solver(queued.pk)


def test_a_failing_solver_leaves_the_run_failed(
    queued: PlanRun, monkeypatch: Any, district: District
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(tasks, "solve", broken)
    with pytest.raises(MemoryError):
        tasks.run_solver(queued.pk)
    queued.refresh_from_db()
    assert queued.state == PlanRun.State.FAILED
    client = Client()
    client.force_login(district.leader)
    page = client.get(f"/planner/{queued.pk}/").content.decode()
    assert 'data-state="failed"' in page and "hx-trigger" not in page


def test_a_run_whose_worker_died_shows_as_stopped(queued: PlanRun, district: District) -> None:
    PlanRun.objects.filter(pk=queued.pk).update(state=PlanRun.State.RUNNING)
    Job.objects.filter(kind="plan_run").update(
        state=Job.State.RUNNING,
        holder="gone:1",
        expires_at=timezone.now() - datetime.timedelta(seconds=5),
    )
    client = Client()
    client.force_login(district.leader)
    page = client.get(f"/planner/{queued.pk}/").content.decode()
    assert 'data-state="stopped"' in page and 'data-testid="plan-stopped"' in page
