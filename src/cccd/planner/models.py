"""A planning run: the inputs a leader chose, the solver's progress, the plan, and its acceptance.

The instance and the plan are stored in the file contract's JSON (`cccd.planning.instance` and
`cccd.planning.plan`), so a run can be re-read, re-checked and handed to `cccd plan` as it is.
Instance ids name the database rows: `t<pk>` a campaigns.Team, `v<pk>` a campaigns.Venue; a
shift's clock hours are kept beside the instance (`shift_hours`), since the instance has only
their length.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.campaigns.models import Campaign
from cccd.units.models import Unit


class PlanRun(models.Model):
    """One proposal of sessions for a campaign's unit over a horizon, from the solver."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    campaign = models.ForeignKey(
        Campaign, models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    inputs = models.JSONField(default=dict)  # what the form held, to plan again from
    instance = models.JSONField(default=dict)
    shift_hours = models.JSONField(default=dict)  # {"evening": ["18:00", "21:00"], ...}
    fixed = models.JSONField(default=list)  # sessions already in the calendar: [{…, "session": pk}]
    plan = models.JSONField(null=True, blank=True)
    time_limit = models.PositiveSmallIntegerField(_("time limit (seconds)"), default=30)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.QUEUED)
    reached_so_far = models.IntegerField(null=True, blank=True)
    bound_so_far = models.IntegerField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    replans = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("re-plans")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    sessions = models.JSONField(default=list)  # the campaigns.Session pks the accept created

    scope_field = "unit"

    class Meta:
        verbose_name = _("planning run")
        verbose_name_plural = _("planning runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.first_day:%d/%m/%Y}–{self.last_day:%d/%m/%Y}"

    @property
    def is_accepted(self) -> bool:
        return self.accepted_at is not None
