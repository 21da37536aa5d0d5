"""Who a campaign must reach, how far it has come, and the homes its teams go to.

The figures are kept so that no coverage page scans the people or the dossiers (docs/reach.md):
`Reachable` is the campaign's cohort, built once from the register (`cohort.build`), one row per
person eligible on the campaign's first day, where they lived that day; `CoverageBase` counts the
cohort per unit (the commune and every unit above it), village and group; `CoverageDay` counts, per
day, the people of the cohort first reached that day. `counting` keeps both in step with every
intake and move, in its transaction; `cohort.build` can rebuild them from the people and the
dossiers, and a test proves the two agree.

Campaign and group in the counters are plain ids (0 for none), as in `cccd.reports.models`. A
village row (`village` not empty) exists only at its commune and only for group 0.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cccd.campaigns.models import Campaign, PriorityGroup, Session
from cccd.registry.models import Person
from cccd.units.models import Unit


class HomeVisitReason(models.TextChoices):
    """Why a person should be visited at home rather than asked to come."""

    VERY_OLD = "very_old", _("Very old")
    ALONE = "alone", _("Lives alone")
    DISABLED = "disabled", _("Disabled")
    BEDRIDDEN = "bedridden", _("Bedridden")
    OTHER = "other", _("Other reason")


class Reachable(models.Model):
    """A person the campaign must reach: eligible on its first day, counted where they lived."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("commune"))
    village = models.CharField(_("village"), max_length=80, blank=True)
    group = models.ForeignKey(
        PriorityGroup, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    home_visit = models.CharField(
        _("home visit"), max_length=12, choices=HomeVisitReason.choices, blank=True
    )
    reached_on = models.DateField(_("reached on"), null=True, blank=True)

    scope_field = "unit"

    class Meta:
        verbose_name = _("person to reach")
        verbose_name_plural = _("people to reach")
        permissions = [
            ("view_coverage", _("Can see coverage figures")),
            ("export_reach_list", _("Can list and export the people still to reach")),
            ("mark_home_visit", _("Can mark a person for a home visit")),
            ("upload_boundaries", _("Can upload unit boundaries for the coverage map")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="reachable_once"),
        ]
        indexes = [
            models.Index(fields=["campaign", "unit", "village"], name="reachable_place_idx"),
            models.Index(fields=["person"], name="reachable_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.person_id}"


class CoverageBase(models.Model):
    """The cohort's size per unit (the commune and each unit above it), village and group."""

    campaign = models.PositiveBigIntegerField()
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    village = models.CharField(max_length=80, blank=True, default="")
    group = models.PositiveBigIntegerField(default=0)
    eligible = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "village", "group"], name="coverage_base_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.unit_id} {self.village or '*'} {self.group}: {self.eligible}"


class CoverageDay(models.Model):
    """People of the cohort first reached on `day`, per unit, village and group."""

    campaign = models.PositiveBigIntegerField()
    unit = models.ForeignKey(Unit, models.CASCADE, related_name="+")
    village = models.CharField(max_length=80, blank=True, default="")
    group = models.PositiveBigIntegerField(default=0)
    day = models.DateField()
    reached = models.IntegerField(default=0)

    scope_field = "unit"

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "village", "group", "day"], name="coverage_day_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.unit_id} {self.village or '*'} {self.day}: {self.reached}"


class CohortBuild(models.Model):
    """When a campaign's cohort was last built, and how many people it holds."""

    campaign = models.OneToOneField(Campaign, models.CASCADE, related_name="+")
    built_at = models.DateTimeField(default=timezone.now)
    people = models.PositiveIntegerField(default=0)

    scope_field = "campaign__unit"

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.built_at:%Y-%m-%d %H:%M}: {self.people}"


class HomeVisitMark(models.Model):
    """A commune officer's word that a person cannot come and must be visited at home."""

    person = models.ForeignKey(Person, models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=HomeVisitReason.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    scope_field = "person__residence_unit"

    class Meta:
        verbose_name = _("home-visit mark")
        verbose_name_plural = _("home-visit marks")
        constraints = [models.UniqueConstraint(fields=["person"], name="home_visit_mark_once")]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.reason}"


class HomeVisit(models.Model):
    """One home in a home-visit session's round, in the order the team goes, and how it ended."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not visited yet")
        ENROLLED = "enrolled", _("Enrolled")
        NOT_AT_HOME = "not_at_home", _("Not at home")
        MOVED = "moved", _("Moved away")
        REFUSED = "refused", _("Refused")
        OTHER = "other", _("Other")

    session = models.ForeignKey(Session, models.CASCADE, related_name="home_visits")
    person = models.ForeignKey(Person, models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("order"))
    village = models.CharField(_("village"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    reason = models.CharField(
        _("why at home"), max_length=12, choices=HomeVisitReason.choices, blank=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default=Outcome.PENDING
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    scope_field = "session__unit"

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="home_visit_once"),
            models.UniqueConstraint(fields=["session", "position"], name="home_visit_position"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} #{self.position}: {self.person_id}"


class Boundary(models.Model):
    """A unit's outline for the coverage map, from an administrator's GeoJSON (WGS 84).

    `rings` holds the polygons as lists of [longitude, latitude] rings, already checked and
    simplified, so a page draws them without reading the upload again."""

    unit = models.OneToOneField(Unit, models.CASCADE, related_name="+")
    rings = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    scope_field = "unit"

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return f"{self.unit_id}"
