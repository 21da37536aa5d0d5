"""Background tasks of rosters (django-tasks)."""

from django_tasks import task

from cccd.accounts.audit import audit_source


@task()
def process_roster_task(roster_id: int) -> None:
    """Read an uploaded list, make it current (or hold it for a confirmation), pre-check it."""
    from cccd.rosters.services import process_roster

    with audit_source(f"task:roster:{roster_id}"):
        process_roster(roster_id)


@task()
def precheck_roster_task(roster_id: int) -> None:
    """Pre-check a list made current by a confirmation."""
    from cccd.rosters.services import run_precheck

    with audit_source(f"task:roster:{roster_id}"):
        run_precheck(roster_id)
