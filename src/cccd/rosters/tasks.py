"""Background tasks of rosters (django-tasks)."""

from collections.abc import Callable

from django_tasks import task

from cccd.accounts.audit import audit_source
from cccd.jobs import leases
from cccd.rosters.models import Roster
from cccd.rosters.precheck import process_roster, run_precheck

ROSTER_JOB = leases.Kind("roster", "cccd.rosters.tasks.process_roster_task")


def _under_lease(roster_id: int, work: Callable[[int], object]) -> None:
    """Run one step of a list under the roster's job lease (kept alive from a thread: the linkage
    is one long step). A worker that died leaves the job stopped; the next worker runs
    `process_roster_task`, which goes on from where the list is (read already or not, current and
    still to pre-check, or waiting for a confirmation)."""
    roster = Roster.objects.select_related("unit").get(pk=roster_id)
    job = leases.job_for(ROSTER_JOB, roster_id, unit=roster.unit)
    with (
        audit_source(f"task:roster:{roster_id}"),
        leases.taken_elsewhere_is_fine(f"roster {roster_id}"),
        leases.hold(job) as lease,
        leases.kept_alive(lease),
    ):
        roster.refresh_from_db()
        if roster.state in {Roster.State.CHECKED, Roster.State.FAILED}:
            return
        work(roster_id)


@task()
def process_roster_task(roster_id: int) -> None:
    """Read an uploaded list, make it current (or hold it for a confirmation), pre-check it."""
    _under_lease(roster_id, process_roster)


@task()
def precheck_roster_task(roster_id: int) -> None:
    """Pre-check a list made current by a confirmation."""
    _under_lease(roster_id, run_precheck)
