"""Background tasks of the reach app (django-tasks): building a campaign's cohort.

At the scale of a province or the nation the cohort is millions of rows written by one INSERT …
SELECT and its counters summed up the tree (`cohort.build`): minutes, not a request. It runs under
the campaign's job lease (`cccd.jobs`), kept alive from a thread since the build is one long step,
so the coverage page can say "being counted" while a worker holds it and "stopped" when nobody does.
"""

from __future__ import annotations

from django_tasks import task

from cccd.accounts.audit import audit_source, record
from cccd.campaigns.models import Campaign
from cccd.jobs import leases
from cccd.jobs.models import Job
from cccd.reach import cohort

COHORT_JOB = leases.Kind("cohort_build", "cccd.reach.tasks.build_cohort_task")


def cohort_job(campaign: Campaign) -> Job:
    """The job row of the campaign's cohort build (made on first use)."""
    return leases.job_for(COHORT_JOB, campaign.pk, unit=campaign.unit)


def find_cohort_job(campaign: Campaign) -> Job | None:
    """The build's job if one was ever asked for; a page reads it without making one."""
    return Job.objects.filter(kind=COHORT_JOB.name, key=COHORT_JOB.key([campaign.pk])).first()


def run_build(campaign_id: int) -> cohort.Built | None:
    """Build the cohort under the job's lease; None when the campaign is gone (deleted while
    queued). A second copy of the task finds the lease taken and ends (`taken_elsewhere_is_fine`)."""
    campaign = Campaign.objects.select_related("unit").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    job = cohort_job(campaign)
    with (
        audit_source(f"task:cohort_build:{campaign_id}"),
        leases.taken_elsewhere_is_fine(f"cohort of campaign {campaign_id}"),
        leases.hold(job) as lease,
        leases.kept_alive(lease),
    ):
        built = cohort.build(campaign)
        record(
            "reach.cohort_built",
            actor=None,
            unit=campaign.unit,
            obj=campaign,
            after={"people": built.people, "reached": built.reached},
        )
        return built
    return None  # another worker holds the build


@task()
def build_cohort_task(campaign_id: int) -> None:
    """The queued build (`services.build_cohort`, or a worker resuming a stopped one)."""
    run_build(campaign_id)
