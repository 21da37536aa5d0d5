"""The planner's background task: solve a run's instance under the run's job lease.

The solver reports its progress (people reached by the best plan so far, the bound it has proven,
seconds); each report is written on the run, a few times a second at most, so the page shows it.
The time limit is the run's, at most `inputs.MAX_TIME_LIMIT`.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError, connection
from django_tasks import task

from cccd.accounts.audit import audit_source, record
from cccd.jobs import leases
from cccd.planner import inputs
from cccd.planner.models import PlanRun
from cccd.planner.services import fixed_sessions, plan_job, run_instance
from cccd.planning.plan import plan_to_json
from cccd.planning.solver import Progress, solve

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between two progress writes


class _ProgressWriter:
    """Writes the solver's progress on the run, at most every `PROGRESS_EVERY` seconds."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.written_at = 0.0
        self.thread = threading.get_ident()

    def __call__(self, progress: Progress) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_EVERY:
            return
        self.written_at = now
        try:
            PlanRun.objects.filter(pk=self.run_id).update(
                reached_so_far=progress.reached,
                bound_so_far=progress.bound,
                seconds=round(progress.seconds, 1),
            )
        except DatabaseError:  # progress is a courtesy: the plan itself is written at the end
            logger.warning("planning run %s: progress not written", self.run_id)
        finally:
            if threading.get_ident() != self.thread:  # a solver's own thread: no connection left
                connection.close()


def run_solver(run_id: int) -> None:
    """Solve the run under its lease; a second copy finds the lease taken and ends."""
    run = PlanRun.objects.select_related("unit").filter(pk=run_id).first()
    if run is None or run.state == PlanRun.State.DONE:
        return
    with (
        audit_source(f"task:plan_run:{run_id}"),
        leases.taken_elsewhere_is_fine(f"planning run {run_id}"),
        leases.hold(plan_job(run)) as lease,
        leases.kept_alive(lease),
    ):
        PlanRun.objects.filter(pk=run_id).update(state=PlanRun.State.RUNNING)
        started = time.monotonic()
        try:
            plan = solve(
                run_instance(run),
                time_limit=float(min(run.time_limit, inputs.MAX_TIME_LIMIT)),
                progress=_ProgressWriter(run_id),
                fixed=fixed_sessions(run),
            )
        except Exception as exc:
            PlanRun.objects.filter(pk=run_id).update(
                state=PlanRun.State.FAILED, error=type(exc).__name__[:300]
            )
            raise
        PlanRun.objects.filter(pk=run_id).update(
            state=PlanRun.State.DONE,
            plan=plan_to_json(plan),
            reached_so_far=plan.reached,
            bound_so_far=plan.bound,
            seconds=round(time.monotonic() - started, 1),
        )
        record(
            "plan.solved",
            actor=None,
            unit=run.unit,
            obj=run,
            after={"reached": plan.reached, "bound": plan.bound, "status": plan.status},
        )


@task()
def run_plan_task(run_id: int) -> None:
    """The queued run (`services.start_run`, or a worker resuming a stopped one)."""
    run_solver(run_id)
