"""Taking, renewing and letting go of a job's lease: one holder at a time, and a holder that lost
its lease commits nothing more."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connections, transaction
from django.utils import timezone

from cccd.jobs import leases
from cccd.jobs.models import MAX_AUTO_RESUMES, Job
from tests.jobs.tasks import PROBE

pytestmark = pytest.mark.django_db


def _expire(job: Job) -> None:
    """Time passes without a heartbeat."""
    Job.objects.filter(pk=job.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_job_whose_lease_is_live_cannot_be_taken_by_another_worker() -> None:
    job = leases.job_for(PROBE, "a")
    first = leases.claim(job, holder="worker-1")
    with pytest.raises(leases.JobBusy) as busy:
        leases.claim(job, holder="worker-2")
    assert busy.value.job.holder == first.holder == "worker-1"
    job.refresh_from_db()
    assert (job.status, job.holder, job.runs) == ("running", "worker-1", 1)


def test_an_expired_lease_is_taken_over_and_the_old_holder_commits_no_further_step() -> None:
    job = leases.job_for(PROBE, "a")
    old = leases.claim(job, holder="worker-1")
    _expire(job)
    job.refresh_from_db()
    assert job.status == "stopped"  # running on an expired lease: nobody runs it
    new = leases.claim(job, holder="worker-2")

    def step_of_the_old_holder() -> None:
        with transaction.atomic():
            Job.objects.create(kind="written-by", key="worker-1")
            old.renew()  # its heartbeat finds the lease gone

    with pytest.raises(leases.LeaseLost):
        step_of_the_old_holder()
    assert not Job.objects.filter(kind="written-by").exists()  # the step was rolled back
    new.renew()
    job.refresh_from_db()
    assert (job.holder, job.runs, job.status) == ("worker-2", 2, "running")


@pytest.mark.django_db(transaction=True)
def test_of_eight_workers_claiming_at_the_same_instant_exactly_one_gets_the_lease() -> None:
    job = leases.job_for(PROBE, "race")
    start = threading.Barrier(8)
    outcomes: list[str] = []

    def worker(number: int) -> None:
        try:
            start.wait()
            leases.claim(Job.objects.get(pk=job.pk), holder=f"worker-{number}")
            outcomes.append("lease")
        except leases.JobBusy:
            outcomes.append("busy")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["busy"] * 7 + ["lease"]
    job.refresh_from_db()
    assert job.runs == 1 and job.holder.startswith("worker-")


def test_the_heartbeat_pushes_the_expiry_on_and_a_committed_step_counts_as_progress(
    settings: object,
) -> None:
    settings.CCCD_JOB_LEASE_SECONDS = 600  # type: ignore[attr-defined]
    job = leases.job_for(PROBE, "a")
    Job.objects.filter(pk=job.pk).update(auto_resumes=2)
    lease = leases.claim(job)
    job.refresh_from_db()
    assert 590 <= (job.expires_at - timezone.now()).total_seconds() <= 600  # type: ignore[operator]
    lease.beat()  # a third of the lease has not gone by: no write
    lease.renew(progress=False)
    job.refresh_from_db()
    assert job.auto_resumes == 2  # a heartbeat alone is not progress
    lease.renew()
    job.refresh_from_db()
    assert job.auto_resumes == 0


def test_a_job_that_ends_is_done_and_its_lease_let_go() -> None:
    job = leases.job_for(PROBE, "a")
    with leases.hold(job):
        pass
    job.refresh_from_db()
    assert (job.status, job.holder, job.expires_at) == ("done", "", None)
    assert job.finished_at is not None


def test_an_error_stops_the_job_with_its_name_and_it_waits_for_a_person() -> None:
    job = leases.job_for(PROBE, "a")
    with pytest.raises(ZeroDivisionError), leases.hold(job):
        1 / 0  # noqa: B018
    job.refresh_from_db()
    assert (job.status, job.error, job.holder) == ("stopped", "ZeroDivisionError", "")
    assert not job.worker_died and not job.resumes_by_itself


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, SystemExit])
def test_a_job_whose_worker_is_being_stopped_is_left_for_the_next_worker(
    interruption: type[BaseException],
) -> None:
    job = leases.job_for(PROBE, "a")
    with pytest.raises(interruption), leases.hold(job):
        raise interruption
    job.refresh_from_db()
    assert job.status == "stopped" and job.worker_died and job.resumes_by_itself
    assert leases.claim(job)  # free at once: no need to wait for the lease to lapse


def test_a_job_a_worker_holds_is_not_queued_again(
    django_capture_on_commit_callbacks: object,
) -> None:
    job = leases.job_for(PROBE, "a")
    leases.claim(job)
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        assert leases.queue(job) is False
    assert callbacks == []


def test_a_persons_resume_gives_a_job_its_automatic_resumes_back(
    django_capture_on_commit_callbacks: object,
) -> None:
    job = leases.job_for(PROBE, "b")
    Job.objects.filter(pk=job.pk).update(state="running", auto_resumes=MAX_AUTO_RESUMES)
    _expire(job)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert leases.queue(job, by_person=True) is True
    job.refresh_from_db()
    assert (job.status, job.auto_resumes, job.runs) == ("done", 0, 1)  # the task ran it
    assert job.task_result_id
