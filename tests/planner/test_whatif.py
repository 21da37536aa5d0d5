"""The what-if's inputs from the database: only what was known before the session started, the
stated defaults without history, and what happened once it is over."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from cccd.campaigns.models import PriorityGroup, Session, Venue
from cccd.errors import DomainError
from cccd.planner import whatif
from cccd.planning import whatif as sim
from cccd.tickets import services as tickets
from tests.builders import Tree, make_user
from tests.planner.whatif_world import EVENING, World, add_ticket, make_session, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree: Tree) -> World:
    return make_world(tree)


def test_the_inputs_come_from_the_units_earlier_sessions(world: World) -> None:
    inputs = whatif.inputs_for(world.tonight)
    evening = inputs.evening

    assert (inputs.history, inputs.like) == (2, 2)
    assert inputs.defaults == ()
    assert inputs.service_samples == 8
    assert sorted(evening.service_minutes[sim.ANY_KIND]) == [4, 4, 5, 5, 5, 5, 6, 6]
    assert evening.walk_ins_per_hour == pytest.approx(6 / 6)  # six walk-ins over six hours
    assert evening.show_up == 0.5  # of the four numbers handed out, two came
    assert evening.desks == 2
    assert evening.minutes == 180
    assert [h.line_at for h in evening.holders] == [0, 0, 20]
    assert evening.desks_open_at == 1.0  # the first number was called a minute after the start
    # walk-ins came 10, 20 and 30 minutes into three-hour evenings
    assert sorted(evening.walk_in_profile) == pytest.approx(
        [1 / 18] * 2 + [2 / 18] * 2 + [3 / 18] * 2
    )
    assert inputs.staffed == pytest.approx(1 / 2)  # one desk of the two planned served


def test_a_number_handed_out_after_the_start_does_not_change_the_forecast(world: World) -> None:
    before = whatif.inputs_for(world.tonight)
    late = EVENING + datetime.timedelta(minutes=30)
    add_ticket(world.tonight, 4, line_after=40, kind="advance", issued_at=late)
    add_ticket(world.tonight, 5, line_after=35, called_after=36, service=3.0)  # a walk-in
    world.tonight.state = Session.State.CLOSED
    world.tonight.save()

    after = whatif.inputs_for(world.tonight)
    assert after == before
    assert sim.forecast(after.evening, seed=1, replications=20) == sim.forecast(
        before.evening, seed=1, replications=20
    )


def test_a_session_that_ends_after_the_start_is_not_history(world: World, tree: Tree) -> None:
    overlapping = make_session(
        tree.dakmil_police,
        world.campaign,
        world.venue,
        world.team,
        EVENING - datetime.timedelta(hours=1),
        state=Session.State.CLOSED,
    )
    add_ticket(overlapping, 1, line_after=0, called_after=0, service=50.0)

    assert whatif.inputs_for(world.tonight).history == 2
    assert 50.0 not in whatif.inputs_for(world.tonight).evening.service_minutes[sim.ANY_KIND]


def test_another_districts_sessions_are_not_history(world: World, tree: Tree) -> None:
    venue = Venue.objects.create(unit=tree.tayson_police, kind="school", name="THPT Tây Sơn")
    other = make_session(
        tree.tayson_police,
        world.campaign,
        venue,
        world.team,
        EVENING - datetime.timedelta(days=3),
        state=Session.State.CLOSED,
    )
    add_ticket(other, 1, line_after=0, called_after=0, service=40.0)

    assert 40.0 not in whatif.inputs_for(world.tonight).evening.service_minutes[sim.ANY_KIND]


def test_without_history_the_stated_defaults_are_used_and_named(world: World, tree: Tree) -> None:
    first = make_session(
        tree.dakmil_police,
        world.campaign,
        world.venue,
        world.team,
        EVENING - datetime.timedelta(days=10),
    )
    assert whatif.inputs_for(first).defaults == ("service", "walk_ins")  # nobody holds a number
    add_ticket(first, 1, line_after=0, kind="advance")
    inputs = whatif.inputs_for(first)

    assert inputs.history == 0
    assert inputs.defaults == ("service", "walk_ins", "show_up")
    assert inputs.evening.service_minutes == {sim.ANY_KIND: whatif.DEFAULT_SERVICE}
    assert inputs.evening.walk_ins_per_hour == whatif.DEFAULT_WALK_INS
    assert inputs.evening.show_up == whatif.DEFAULT_SHOW_UP


def test_a_number_of_a_group_served_first_keeps_its_rank(world: World) -> None:
    elderly = PriorityGroup.objects.get(code="elderly")
    add_ticket(world.tonight, 4, line_after=0, kind="advance", group=elderly)

    holders = whatif.inputs_for(world.tonight).evening.holders
    assert [h.priority for h in holders] == [None, None, None, elderly.priority]


def test_nothing_is_observed_before_the_end_and_the_waits_are_read_after(world: World) -> None:
    session = world.earlier[0]
    during = session.starts_at + datetime.timedelta(minutes=30)
    session.state = Session.State.OPEN

    assert whatif.observed(session, now=during) is None
    seen = whatif.observed(session, now=session.ends_at)
    assert seen is not None
    # walk-ins in line at 10, 20, 30, called at 12, 24, 36: waits 2, 4, 6; the advance number in
    # line at 0, called at 1: wait 1 → median 3, p90 by interpolation 5.4
    assert seen.served == 4
    assert seen.median_wait == 3.0
    assert seen.p90_wait == pytest.approx(5.4)
    assert seen.last_served == 42.0  # 36 + 6
    assert dict(seen.queue)[10.0] == 1  # the walk-in in line at 10, called at 12


def test_an_ended_session_without_served_numbers_observes_nobody(world: World) -> None:
    seen = whatif.observed(world.tonight, now=world.tonight.ends_at)

    assert seen == whatif.Observed(0, None, None, None)


def test_the_page_data_is_scoped_to_the_users_unit_and_permission(
    world: World, tree: Tree, officer_dakmil: object
) -> None:
    stranger = make_user("totruong.tayson", "team_leader", tree.tayson_police)

    with pytest.raises(DomainError) as caught:
        whatif.session_whatif(world.tonight.pk, actor=stranger)
    assert caught.value.code == "NOT_FOUND"
    with pytest.raises(DomainError):
        whatif.session_whatif(world.tonight.pk, actor=officer_dakmil)  # type: ignore[arg-type]
    result = whatif.session_whatif(world.tonight.pk, actor=world.leader, replications=10)
    assert result.session == world.tonight
    assert result.forecast.planned.replications == 10


def test_a_round_of_home_visits_has_no_queue_to_forecast(world: World, tree: Tree) -> None:
    rounds = make_session(
        tree.dakmil_police,
        world.campaign,
        world.venue,
        world.team,
        EVENING + datetime.timedelta(days=1),
        kind=Session.Kind.HOME_VISITS,
    )

    with pytest.raises(DomainError) as caught:
        whatif.session_whatif(rounds.pk, actor=world.leader)
    assert caught.value.code == "NOT_FOUND"


def test_the_simulation_calls_by_the_real_queues_rule_of_three() -> None:
    assert sim.PRIORITY_RUN == tickets.PRIORITY_RUN


def test_the_desks_as_usually_staffed_are_offered_when_fewer_than_planned(world: World) -> None:
    result = whatif.session_whatif(world.tonight.pk, actor=world.leader, replications=10)

    assert whatif.usual_desks(result.inputs) == 1  # half of the two planned desks served
    assert result.as_staffed is not None
    desks, outcome = result.as_staffed
    assert desks == 1
    assert outcome == dict(result.forecast.variants)["desk_less"]  # the same draws, one desk


@pytest.mark.parametrize(("staffed", "usual"), [(None, None), (1.0, None), (1.4, None), (0.1, 1)])
def test_the_usual_desks_need_a_shortfall(
    world: World, staffed: float | None, usual: int | None
) -> None:
    inputs = whatif.inputs_for(world.tonight)

    assert whatif.usual_desks(dataclasses.replace(inputs, staffed=staffed)) == usual
