"""Background tasks of rosters (django-tasks)."""

from django_tasks import task

from cccd.accounts.audit import audit_source


@task()
def process_roster_task(roster_id: int) -> None:
    from cccd.rosters.services import process_roster

    with audit_source(f"task:roster:{roster_id}"):
        process_roster(roster_id)
