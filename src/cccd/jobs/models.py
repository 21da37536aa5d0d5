"""Long background jobs and their leases (the mechanism is in `cccd.jobs.leases`)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.units.models import Unit

# A worker re-queues a job whose worker died at most this many times in a row; a job that kills
# its worker every time (a file too big for the machine's memory) then waits for a person.
MAX_AUTO_RESUMES = 3


class Job(models.Model):
    """One long piece of work (a register import, a roster's reading and pre-check, a day's reports)
    and its lease: who is doing it (`holder`) and until when that is believed (`expires_at`).

    Found by kind and key. The worker renews the lease with every step it commits (the heartbeat),
    so a job still "running" after its lease expired is one nobody runs: it is shown as stopped and
    any `cccd db_worker` re-queues it. `task_path` and `args` say how to queue it again.
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        STOPPED = "stopped", _("Stopped")
        DONE = "done", _("Done")

    kind = models.CharField(_("kind"), max_length=40)
    key = models.CharField(_("key"), max_length=100)
    task_path = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit")
    )
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    holder = models.CharField(_("held by"), max_length=120, blank=True)
    expires_at = models.DateTimeField(_("lease expires at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    auto_resumes = models.PositiveSmallIntegerField(_("automatic resumes in a row"), default=0)
    task_result_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="job_once")]
        indexes = [models.Index(fields=["state", "expires_at"], name="job_lease_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"

    @property
    def status(self) -> str:
        """The state a page shows: a running job whose lease has expired is stopped."""
        if self.state == self.State.RUNNING and not self.lease_is_live:
            return self.State.STOPPED
        return self.state

    @property
    def lease_is_live(self) -> bool:
        return self.expires_at is not None and self.expires_at > timezone.now()

    @property
    def worker_died(self) -> bool:
        """Stopped because its worker died (rather than by an error): a worker resumes it."""
        return self.state == self.State.RUNNING and not self.lease_is_live

    @property
    def resumes_by_itself(self) -> bool:
        return self.worker_died and self.auto_resumes < MAX_AUTO_RESUMES
