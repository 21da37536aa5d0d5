"""Background tasks of the register (django-tasks; the database backend in the default setup)."""

from django_tasks import task

from cccd.accounts.audit import audit_source


@task()
def run_register_import(import_id: int) -> None:
    from cccd.registry.importing import run_import
    from cccd.registry.models import RegisterImport

    register_import = RegisterImport.objects.get(pk=import_id)
    with audit_source(f"task:register_import:{import_id}"):
        run_import(register_import)
