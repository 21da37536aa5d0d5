"""The counters dashboards and reports read, so that no page scans the dossiers table.

Campaign and group are plain ids (0 for none) rather than foreign keys: a unique key over them then
means the same on SQLite and PostgreSQL (NULLs would be distinct), and a counter row never blocks
deleting what it counts.

They are kept by `cccd.reports.counters`, in the same transaction as the event that changes them
(an intake finished, a dossier's move), and can be rebuilt from the dossiers (`cccd
rebuild_counters`); a test proves the two agree.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from cccd.units.models import Unit


class DailyCount(models.Model):
    """Dossiers that reached a milestone on a day (Vietnam's local date), per unit, campaign,
    group and kind of application. `event` is `captured` (the dossiers received that day that count
    as progress: taken at the desk and not rejected or cancelled since, `counters.counts_as_progress`;
    the figure units report as "records collected") or `delivered` (the card handed over or
    posted)."""

    class Event(models.TextChoices):
        CAPTURED = "captured", _("Captured")
        DELIVERED = "delivered", _("Delivered")

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    campaign = models.PositiveBigIntegerField(default=0)  # Campaign pk, 0 for none
    day = models.DateField()
    group = models.PositiveBigIntegerField(default=0)  # PriorityGroup pk, 0 for none
    kind = models.CharField(max_length=16)
    event = models.CharField(max_length=12, choices=Event.choices)
    count = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        permissions = [("view_dashboard", _("Can see dashboards and progress reports"))]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "day", "group", "kind", "event"],
                name="daily_count_once",
            ),
        ]
        indexes = [models.Index(fields=["day", "event"], name="daily_count_day_idx")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.event} {self.kind}: {self.count}"


class StateCount(models.Model):
    """Dossiers now in each state, per unit, campaign, group and kind (the pipeline)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    campaign = models.PositiveBigIntegerField(default=0)  # Campaign pk, 0 for none
    group = models.PositiveBigIntegerField(default=0)  # PriorityGroup pk, 0 for none
    kind = models.CharField(max_length=16)
    state = models.CharField(max_length=24)
    count = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "group", "kind", "state"], name="state_count_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.state} {self.kind}: {self.count}"


class DueCount(models.Model):
    """Dossiers still owed a card at the unit (`cccd.enrollments.lifecycle.LATE_STATES`) per unit and
    return date: overdue today is the sum over the return dates before today."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    return_date = models.DateField()
    count = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "return_date"], name="due_count_once"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} due {self.return_date}: {self.count}"


class UnitDayCount(models.Model):
    """`DailyCount` without the group and kind: what the ranking of child units and a dashboard's
    daily series add up, in about a fortieth of the rows (the national ranking reads 63 provinces ×
    the campaign's days instead of × groups × kinds)."""

    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    campaign = models.PositiveBigIntegerField(default=0)
    day = models.DateField()
    event = models.CharField(max_length=12, choices=DailyCount.Event.choices)
    count = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "campaign", "day", "event"], name="unit_day_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.event}: {self.count}"
