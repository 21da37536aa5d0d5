"""The commander's two actions on coverage, as services: counting the cohort in the background
(permission, scope, audit, one count at a time) and accepting suggested targets (the campaigns
app's own `set_target` under them, every value checked before the first is written)."""

from __future__ import annotations

from typing import Any

import pytest

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Campaign, Target
from cccd.errors import DomainError
from cccd.jobs.models import Job
from cccd.reach import errors, services
from cccd.reach.forms import read_totals
from cccd.reach.models import CohortBuild
from cccd.reach.tasks import COHORT_JOB, cohort_job, run_build
from tests.builders import Tree, make_pair, make_unit, make_user
from tests.reach.coverage_world import World, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return make_world(tree)


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def targets(campaign: Campaign) -> dict[str, tuple[int, int | None]]:
    return {
        t.unit.name: (t.total, t.per_day)
        for t in Target.objects.filter(campaign=campaign, group__isnull=True).select_related("unit")
    }


# --- counting the cohort --------------------------------------------------------------------


def test_counting_is_queued_then_run_by_the_task(
    tree: Tree, django_capture_on_commit_callbacks: Any
) -> None:
    world = make_world(tree, build=False)
    with django_capture_on_commit_callbacks() as queued:
        job = services.build_cohort(actor=world.commander, campaign_id=world.campaign.pk)
    assert job.state == Job.State.QUEUED and len(queued) == 1
    assert not CohortBuild.objects.exists()  # nothing counted in the request
    event = AuditEvent.objects.get(action="reach.build_cohort")
    assert event.actor == world.commander and event.before is None
    queued[0]()  # the commit: the task is handed over, and runs (the test backend runs it now)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert CohortBuild.objects.get(campaign=world.campaign).people == 7
    again = services.build_cohort(actor=world.commander, campaign_id=world.campaign.pk)
    assert again.pk == job.pk  # one job per campaign, queued again
    last = AuditEvent.objects.filter(action="reach.build_cohort").order_by("pk").last()
    assert last is not None and last.before == {
        "built_at": CohortBuild.objects.get().built_at.isoformat(),
        "people": 7,
    }


def test_one_count_at_a_time(world: World) -> None:
    job = cohort_job(world.campaign)
    for state in (Job.State.QUEUED, Job.State.RUNNING):
        Job.objects.filter(pk=job.pk).update(state=state, expires_at="2999-01-01T00:00:00Z")
        call = lambda: services.build_cohort(  # noqa: E731
            actor=world.commander, campaign_id=world.campaign.pk
        )
        assert code_of(call) == errors.COHORT_BUILDING.code
    # A count whose worker died (its lease expired) may be started again by a person.
    Job.objects.filter(pk=job.pk).update(state=Job.State.RUNNING, expires_at="2000-01-01T00:00Z")
    assert services.build_cohort(actor=world.commander, campaign_id=world.campaign.pk).pk == job.pk
    assert Job.objects.get(pk=job.pk).state == Job.State.QUEUED


def test_run_now_counts_in_this_process(world: World) -> None:
    job = services.build_cohort(actor=world.commander, campaign_id=world.campaign.pk, run_now=True)
    assert job.state == Job.State.DONE
    assert AuditEvent.objects.filter(action="reach.cohort_built").count() == 1


def test_a_task_for_a_deleted_campaign_ends_quietly(world: World) -> None:
    assert run_build(999_999) is None


def test_only_a_commander_of_the_campaigns_subtree_counts(
    world: World, officer_dakmil: User, officer_tayson: User, commander_daknong: User
) -> None:
    commander_tayson = make_user("chihuy.tayson", Role.COMMANDER, world.tree.tayson_police)

    def count(actor: User, campaign: Campaign) -> Any:
        return lambda: services.build_cohort(actor=actor, campaign_id=campaign.pk)

    assert code_of(count(officer_dakmil, world.campaign)) == "PERMISSION_DENIED"
    assert code_of(count(commander_tayson, world.campaign)) == "NOT_FOUND"
    assert code_of(count(world.commander, world.national)) == "NOT_FOUND"  # the unit above's
    assert not Job.objects.filter(kind=COHORT_JOB.name).exists()
    assert services.build_cohort(actor=commander_daknong, campaign_id=world.campaign.pk)
    assert services.manageable(commander_daknong, world.campaign)
    assert not services.manageable(world.commander, world.national)
    assert not services.manageable(officer_dakmil, world.campaign)


# --- accepting targets ----------------------------------------------------------------------


def accept(world: World, totals: dict[int, Any], *, actor: User | None = None, **kw: Any) -> Any:
    return services.accept_targets(
        actor=actor or world.commander,
        campaign_id=kw.get("campaign", world.campaign).pk,
        unit_id=kw.get("place", world.tree.dakmil).pk,
        totals=totals,
    )


def test_accepting_sets_each_childs_police_target_through_the_campaigns_service(
    world: World,
) -> None:
    Target.objects.create(campaign=world.campaign, unit=world.ducminh_police, total=9, per_day=3)
    done = accept(world, {world.tree.daklao.pk: 5, world.ducminh.pk: 2})
    assert (done.changed, done.unchanged) == (2, 0)
    assert targets(world.campaign) == {
        "Công an xã Đắk Lao": (5, None),
        "Công an xã Đức Minh": (2, 3),  # its daily pace kept
    }
    events = AuditEvent.objects.filter(action="target.set", actor=world.commander)
    assert events.count() == 2
    assert events.get(unit=world.ducminh_police).before == {"total": 9, "per_day": 3}
    again = accept(world, {world.tree.daklao.pk: 5, world.ducminh.pk: 0})
    assert (again.changed, again.unchanged) == (1, 1)
    assert targets(world.campaign)["Công an xã Đức Minh"] == (0, 3)


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        (-1, "TARGET_VALUE"),
        (10_000_001, "TARGET_VALUE"),
        (True, "TARGET_VALUE"),
        (2.5, "TARGET_VALUE"),
        ("12", "TARGET_VALUE"),
        (None, "TARGET_VALUE"),
    ],
)
def test_a_bad_value_refuses_all_of_them(world: World, bad: Any, code: str) -> None:
    call = lambda: accept(world, {world.tree.daklao.pk: 40, world.ducminh.pk: bad})  # noqa: E731
    assert code_of(call) == code
    assert targets(world.campaign) == {}
    assert not AuditEvent.objects.filter(action="target.set").exists()


def test_units_that_cannot_take_the_target_refuse_all_of_them(world: World) -> None:
    tree = world.tree
    assert code_of(lambda: accept(world, {})) == "TARGETS_NONE"
    for wrong in (tree.tayson.pk, tree.dakmil.pk, tree.dakmil_police.pk, 999_999):
        totals = {tree.daklao.pk: 4, wrong: 1}
        assert code_of(lambda: accept(world, totals)) == "TARGET_NOT_CHILD", wrong  # noqa: B023
    # A commune of the places' tree with no police unit to hold its target.
    lonely = make_unit(tree.dakmil, "24699", "Xã Không Công An", "commune")
    call = lambda: accept(world, {tree.daklao.pk: 4, lonely.pk: 1})  # noqa: E731
    assert code_of(call) == "TARGET_NO_POLICE_UNIT"
    # At the province, a district outside Đắk Mil's campaign.
    daksong, _police = make_pair(
        tree.daknong, tree.daknong_police, "664", "Huyện Đắk Song", "district"
    )
    province = make_user("chihuy.tinh", Role.COMMANDER, tree.daknong_police)
    call = lambda: accept(  # noqa: E731
        world, {tree.dakmil.pk: 7, daksong.pk: 3}, actor=province, place=tree.daknong
    )
    assert code_of(call) == "TARGET_OUTSIDE_CAMPAIGN"
    assert targets(world.campaign) == {}


def test_only_a_commander_of_the_campaigns_subtree_sets_targets(
    world: World, officer_dakmil: User, officer_tayson: User
) -> None:
    totals = {world.ducminh.pk: 3}
    assert code_of(lambda: accept(world, totals, actor=officer_dakmil)) == "PERMISSION_DENIED"
    commander_tayson = make_user("chihuy.tayson", Role.COMMANDER, world.tree.tayson_police)
    assert code_of(lambda: accept(world, totals, actor=commander_tayson)) == "NOT_FOUND"
    above = lambda: accept(world, totals, campaign=world.national)  # noqa: E731
    assert code_of(above) == "NOT_FOUND"
    other_place = lambda: accept(world, {1: 1}, place=world.tree.tayson)  # noqa: E731
    assert code_of(other_place) == "NOT_FOUND"
    assert not Target.objects.exists()


# --- the boxes as typed ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0", 0),
        ("1200", 1200),
        ("1.200", 1200),
        ("1 200", 1200),
        (" 12 ", 12),
        ("1.234.567", 1234567),
    ],
)
def test_a_box_reads_a_whole_number_as_vietnamese_write_it(
    world: World, typed: str, number: int
) -> None:
    key = f"total_{world.ducminh.pk}"
    assert read_totals({key: typed}, world.tree.dakmil) == {world.ducminh.pk: number}


@pytest.mark.parametrize("typed", ["-3", "1,5", "12a", "1.20", "1e3", "١٢", "9" * 12, "1..200"])
def test_a_box_that_holds_no_whole_number_names_its_unit(world: World, typed: str) -> None:
    with pytest.raises(DomainError) as refused:
        read_totals({f"total_{world.ducminh.pk}": typed}, world.tree.dakmil)
    assert refused.value.code == "TARGET_VALUE"
    assert refused.value.message.startswith("Xã Đức Minh: ")


def test_boxes_left_empty_or_for_other_units(world: World) -> None:
    place = world.tree.dakmil
    assert read_totals({f"total_{world.ducminh.pk}": "", "campaign": "1"}, place) == {}
    for key in ("total_", "total_abc", f"total_{world.tree.tayson.pk}", "total_²"):
        with pytest.raises(DomainError) as refused:
            read_totals({key: "1"}, place)
        assert refused.value.code == "TARGET_NOT_CHILD"
