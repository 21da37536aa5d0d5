"""Background tasks of rosters (django-tasks)."""

from django_tasks import task

from cccd.accounts.audit import audit_source


@task()
def precheck_roster(roster_id: int) -> None:
    from cccd.rosters.services import run_precheck

    with audit_source(f"task:precheck:{roster_id}"):
        run_precheck(roster_id)
