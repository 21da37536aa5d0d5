"""What a commander does on the coverage page: count the cohort again, accept suggested targets.

Both act on a campaign of the actor's own subtree (a campaign of a unit above is read on the page,
not changed from it: the campaigns app's own rule for targets), need `roles.CAMPAIGNS`, and are
audited. Targets are set through `campaigns.services.set_target`, so its checks and its audit
record apply to each one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.formats import number_format

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import CAMPAIGNS
from cccd.accounts.scoping import get_visible, unit_is_visible
from cccd.campaigns import services as campaign_services
from cccd.campaigns.models import Campaign, Target
from cccd.jobs import leases
from cccd.jobs.models import Job
from cccd.reach import errors, queries
from cccd.reach.models import CohortBuild
from cccd.reach.tasks import cohort_job, find_cohort_job, run_build
from cccd.units.models import Unit

MAX_TARGET = 10_000_000
"""The largest target `campaigns.services.set_target` takes."""


def manageable(actor: User, campaign: Campaign) -> bool:
    """Whether the actor may count the campaign's cohort again and set its targets here."""
    return actor.has_perm(CAMPAIGNS) and unit_is_visible(actor, campaign.unit.path)


def _campaign(actor: User, campaign_id: int) -> Campaign:
    return get_visible(actor, Campaign.objects.select_related("unit"), pk=campaign_id)


def build_cohort(*, actor: User, campaign_id: int, run_now: bool = False) -> Job:
    """Queue the count of the campaign's cohort and coverage counters (`cohort.build`) as a
    background task; refused while a count is queued or running. `run_now` counts in this
    process instead (a command in a terminal)."""
    require_permission(actor, CAMPAIGNS)
    with transaction.atomic():
        campaign = _campaign(actor, campaign_id)
        earlier = find_cohort_job(campaign)
        if earlier is not None and earlier.status in (Job.State.QUEUED, Job.State.RUNNING):
            raise errors.COHORT_BUILDING(campaign=campaign.name)
        job = earlier or cohort_job(campaign)
        if not run_now and not leases.queue(job, by_person=True):
            raise errors.COHORT_BUILDING(campaign=campaign.name)  # a worker took it a moment ago
        last = CohortBuild.objects.filter(campaign=campaign).first()
        record(
            "reach.build_cohort",
            actor=actor,
            unit=campaign.unit,
            obj=campaign,
            before=(
                {"built_at": last.built_at.isoformat(), "people": last.people} if last else None
            ),
        )
    if run_now:
        run_build(campaign.pk)
        job.refresh_from_db()
    return job


@dataclass(frozen=True)
class Accepted:
    """What `accept_targets` did: the targets changed, and those already at the value asked."""

    changed: int
    unchanged: int


@dataclass(frozen=True)
class _Wanted:
    place: Unit
    police: Unit
    total: int


def accept_targets(
    *, actor: User, campaign_id: int, unit_id: int, totals: Mapping[int, int]
) -> Accepted:
    """Set the campaign's all-groups target of each unit directly below the place `unit_id` (the
    child place's police unit holds it) to the number given: the suggestion (its cohort) or the
    commander's own. All of them or none: every value and unit is checked before the first is
    written, and the whole runs in one transaction."""
    require_permission(actor, CAMPAIGNS)
    with transaction.atomic():
        campaign = _campaign(actor, campaign_id)
        place = get_visible(actor, queries.places_for(actor), pk=unit_id)
        wanted = _checked(campaign, place, totals)
        current = {
            t.unit_id: t
            for t in Target.objects.filter(
                campaign=campaign, group__isnull=True, unit__in=[w.police for w in wanted]
            )
        }
        changed = 0
        for item in wanted:
            target = current.get(item.police.pk)
            if target is not None and target.total == item.total:
                continue
            campaign_services.set_target(
                campaign_id=campaign.pk,
                unit_id=item.police.pk,
                group_id=None,
                total=item.total,
                per_day=target.per_day if target is not None else None,
                actor=actor,
            )
            changed += 1
    return Accepted(changed=changed, unchanged=len(wanted) - changed)


def _checked(campaign: Campaign, place: Unit, totals: Mapping[int, int]) -> list[_Wanted]:
    if not totals:
        raise errors.TARGETS_NONE()
    children = {c.pk: c for c in Unit.objects.filter(parent=place, is_active=True)}
    if not set(totals) <= set(children):
        raise errors.TARGET_NOT_CHILD(place=place.name)
    police = {
        u.path: u
        for u in Unit.objects.filter(
            category=Unit.Category.POLICE,
            is_active=True,
            path__in=[children[pk].mirror_path for pk in totals],
        )
    }
    wanted = []
    for pk, total in sorted(totals.items(), key=lambda item: children[item[0]].path):
        child = children[pk]
        whole = isinstance(total, int) and not isinstance(total, bool)
        if not whole or not 0 <= total <= MAX_TARGET:
            raise errors.TARGET_VALUE(
                unit=child.name,
                value=number_format(total, force_grouping=True) if whole else str(total)[:20],
                max=number_format(MAX_TARGET, force_grouping=True),
            )
        mirror = police.get(child.mirror_path)
        if mirror is None:
            raise errors.TARGET_NO_POLICE_UNIT(unit=child.name)
        if not mirror.path.startswith(campaign.unit.path):
            raise errors.TARGET_OUTSIDE_CAMPAIGN(unit=child.name, campaign=campaign.name)
        wanted.append(_Wanted(child, mirror, total))
    return wanted
