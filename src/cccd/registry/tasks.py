"""Background tasks of the register (django-tasks; the database backend in the default setup)."""

from django_tasks import task

from cccd.accounts.audit import audit_source


@task()
def run_register_import(import_id: int) -> None:
    """Run or resume the import under its job's lease; a copy of this task queued twice (a person's
    resume and a worker's at once) finds the lease taken and ends at once."""
    from cccd.jobs.leases import taken_elsewhere_is_fine
    from cccd.registry.importing import run_import
    from cccd.registry.models import RegisterImport

    register_import = RegisterImport.objects.select_related("job", "unit").get(pk=import_id)
    with (
        audit_source(f"task:register_import:{import_id}"),
        taken_elsewhere_is_fine(f"register import {import_id}"),
    ):
        run_import(register_import)
