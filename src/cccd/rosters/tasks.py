"""Background tasks of rosters (django-tasks)."""

from django_tasks import task

from cccd.accounts.audit import audit_source
from cccd.jobs import leases

ROSTER_JOB = leases.Kind("roster", "cccd.rosters.tasks.process_roster_task")


@task()
def process_roster_task(roster_id: int) -> None:
    """Read the list and pre-check it under the roster's job lease (kept alive from a thread: the
    linkage is one long step). A worker that died leaves the job stopped; the next worker runs this
    again, which goes on from where the list is: read already (its rows are there) or not."""
    from cccd.rosters.models import Roster
    from cccd.rosters.services import process_roster, run_precheck

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
        if roster.entries.exists():  # read and installed before the worker died
            run_precheck(roster_id)
        else:
            process_roster(roster_id)
