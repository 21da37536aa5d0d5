"""A task for the lease tests: it notes each run it makes under its job's lease."""

from django_tasks import task

from cccd.jobs import leases

PROBE = leases.Kind("probe", "tests.jobs.tasks.probe")
RUNS: list[str] = []


@task()
def probe(name: str) -> None:
    with leases.taken_elsewhere_is_fine(f"probe {name}"), leases.hold(leases.job_for(PROBE, name)):
        RUNS.append(name)
