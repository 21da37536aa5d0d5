# ruff: noqa: F811  (tests take the imported fixture `world` by its name)
"""Home-visit rounds as services: the round's order and reasons, who may plan one and for whom,
the clash rules of every session, changing the round before it starts, and how visits end."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Session, Venue
from cccd.campaigns.services import create_campaign, create_venue, plan_session
from cccd.errors import DomainError
from cccd.reach import homevisits
from cccd.reach.homevisits import natural_key
from cccd.reach.models import HomeVisit
from cccd.registry.models import Person
from tests.builders import make_pair, make_user
from tests.mixins import assert_audited
from tests.reach.homevisit_fixtures import (  # noqa: F401  (the fixture)
    BEFORE,
    DURING,
    HCM,
    MORNING,
    NOON,
    World,
    dossier,
    person,
    plan,
    world,
)

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, int, int, int]:
    return (
        Session.objects.count(),
        Venue.objects.count(),
        HomeVisit.objects.count(),
        AuditEvent.objects.count(),
    )


def _refused(code: str, call: Any) -> DomainError:
    before = _written()
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code
    assert _written() == before, "a refusal writes nothing"
    return caught.value


# --- the order of a round --------------------------------------------------------------------


def test_numbers_in_a_text_compare_as_numbers() -> None:
    villages = ["Thôn 10", "thôn 2", "Thôn 1", "Thôn 2A", "Tổ 3", "Buôn Jun"]
    assert sorted(villages, key=natural_key) == [
        "Buôn Jun",
        "Thôn 1",
        "thôn 2",
        "Thôn 2A",
        "Thôn 10",
        "Tổ 3",
    ]
    assert natural_key("Số 3, Thôn 2") < natural_key("Số 12, Thôn 2")
    assert natural_key("") < natural_key("0")


def test_a_round_goes_by_village_then_address_then_name(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    ids = world.ids("nowhere", "ten", "two_b12", "marked", "two_b3", "alone", "old", "two_b3_a")
    session = plan(world, ids)
    order = list(HomeVisit.objects.filter(session=session).values_list("person_id", "position"))
    # Thôn 1 (Số 5, Số 9), Thôn 2 and "thôn 2" as one village (Số 3: Đỗ before Lê; then Số 12),
    # Thôn 3, Thôn 10 after them, and no village last
    assert [pk for pk, _ in order] == world.ids(
        "old", "alone", "two_b3_a", "two_b3", "two_b12", "marked", "ten", "nowhere"
    )
    assert [position for _, position in order] == list(range(1, 9))
    assert session.kind == Session.Kind.HOME_VISITS
    assert session.capacity == 8 and session.desks == 1
    venue = session.venue
    assert venue.kind == Venue.Kind.HOME
    assert venue.commune == world.tree.daklao and venue.unit == world.leader.unit
    assert venue.name == "Các hộ gia đình — Xã Đắk Lao"
    visit = HomeVisit.objects.get(session=session, person=world.people["two_b12"])
    assert (visit.village, visit.address) == ("Thôn 2", "Số 12, Thôn 2")
    event = assert_audited("homevisit.plan", session, actor=world.leader)
    assert event.after["people"] == [pk for pk, _ in order]
    assert_audited("session.plan", session, actor=world.leader)
    assert_audited("venue.create", venue, actor=world.leader)


def test_a_second_round_of_the_commune_reuses_its_homes(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    first = plan(world, world.ids("old"))
    second = plan(
        world,
        world.ids("ten"),
        starts_at=MORNING + datetime.timedelta(days=1),
        ends_at=NOON + datetime.timedelta(days=1),
    )
    assert second.venue_id == first.venue_id
    assert Venue.objects.filter(kind=Venue.Kind.HOME).count() == 1


def test_each_home_says_why_it_is_visited(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "alone", "marked", "ten"))
    reasons = dict(HomeVisit.objects.filter(session=session).values_list("person_id", "reason"))
    assert reasons == {
        world.people["old"].pk: "very_old",  # 85 on the day
        world.people["alone"].pk: "alone",  # his wife died: a household of one living member
        world.people["marked"].pk: "bedridden",  # the officer's mark
        world.people["ten"].pk: "",
    }


def test_eighty_on_the_day_itself_is_very_old(world: World) -> None:
    born = person(world.tree.daklao, "Lý Văn Phúc", "06/03/1941", "M")
    day_before = person(world.tree.daklao, "Lý Văn Quý", "07/03/1941", "M")
    found = homevisits.reasons([born, day_before], datetime.date(2021, 3, 6))
    assert found == {born.pk: "very_old", day_before.pk: ""}


# --- who may plan a round, for whom ----------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("another commune", "ROUND_PEOPLE_ELSEWHERE"),
        ("another province", "ROUND_PEOPLE_UNKNOWN"),
        ("nobody", "ROUND_PEOPLE_UNKNOWN"),
        ("twice", "ROUND_PERSON_TWICE"),
        ("no one", "ROUND_EMPTY"),
        ("too many", "ROUND_TOO_LARGE"),
    ],
)
def test_people_outside_the_commune_or_the_unit_are_refused_and_nothing_written(
    world: World, time_machine: Any, case: str, code: str
) -> None:
    time_machine.move_to(BEFORE)
    ids = {
        "another commune": [*world.ids("old"), world.elsewhere.pk],
        "another province": [*world.ids("old"), world.stranger.pk],
        "nobody": [*world.ids("old"), 987654321],
        "twice": world.ids("old", "ten", "old"),
        "no one": [],
        "too many": list(range(1, homevisits.MAX_HOMES + 2)),
    }[case]
    _refused(code, lambda: plan(world, ids))


def test_a_commune_outside_the_planners_unit_is_not_found(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    tayson_leader = make_user("totruong.tayson", Role.TEAM_LEADER, world.tree.tayson_police)
    _refused("NOT_FOUND", lambda: plan(world, world.ids("old"), actor=tayson_leader))
    district = world.tree.dakmil_police  # a police unit is not a commune where people live
    _refused("NOT_FOUND", lambda: plan(world, world.ids("old"), commune=district))


def test_a_commune_outside_the_campaigns_unit_is_refused(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    cujut, cujut_police = make_pair(
        world.tree.daknong, world.tree.daknong_police, "662", "Huyện Cư Jút", "district"
    )
    eatling, _police = make_pair(cujut, cujut_police, "24640", "Xã Ea T'ling", "commune")
    resident = person(eatling, "Y Bhin Niê", "1950", "M")
    dakmil_campaign = create_campaign(
        unit_id=world.tree.dakmil_police.pk,
        name="CCCD Đắk Mil",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=world.commander,
    )

    def call() -> Session:
        return homevisits.plan_round(
            actor=world.commander,
            campaign=dakmil_campaign,
            team=world.team,
            commune=eatling,
            starts_at=MORNING,
            ends_at=NOON,
            person_ids=[resident.pk],
        )

    _refused("ROUND_COMMUNE_OUTSIDE_CAMPAIGN", call)


@pytest.mark.parametrize("role", ["officer", "back_office", "liaison"])
def test_only_planners_plan_a_round(world: World, time_machine: Any, role: str) -> None:
    time_machine.move_to(BEFORE)
    actor = {"officer": world.officer, "back_office": world.back_office, "liaison": world.liaison}
    _refused("PERMISSION_DENIED", lambda: plan(world, world.ids("old"), actor=actor[role]))


def test_a_commander_above_plans_too(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "ten"), actor=world.commander)
    assert session.venue.unit == world.tree.daknong_police
    assert HomeVisit.objects.filter(session=session).count() == 2


def test_a_team_cannot_be_on_a_round_and_at_a_hall_at_once(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    hall = create_venue(
        unit_id=world.tree.dakmil_police.pk,
        kind="commune_hall",
        name="Hội trường xã Đắk Lao",
        actor=world.leader,
    )
    plan_session(
        campaign_id=world.campaign.pk,
        venue_id=hall.pk,
        team_id=world.team.pk,
        starts_at=MORNING + datetime.timedelta(hours=3),
        ends_at=NOON + datetime.timedelta(hours=3),
        desks=2,
        capacity=100,
        actor=world.leader,
    )
    refusal = _refused("TEAM_BUSY", lambda: plan(world, world.ids("old", "ten")))
    assert refusal.params["venue"] == "Hội trường xã Đắk Lao"
    assert not Venue.objects.filter(kind=Venue.Kind.HOME).exists()


def test_two_rounds_of_one_team_at_once_are_refused(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    plan(world, world.ids("old"))
    _refused("SESSION_ALREADY_PLANNED", lambda: plan(world, world.ids("ten")))


# --- changing a round before it starts -------------------------------------------------------


def test_the_round_is_reordered_and_a_home_removed_before_it_starts(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "alone", "ten"))
    leader = world.leader
    new = world.ids("ten", "old", "alone")
    homevisits.reorder_round(actor=leader, session_id=session.pk, person_ids=new)
    assert homevisits.order_of(actor=leader, session_id=session.pk) == new
    event = assert_audited("homevisit.reorder", session, actor=leader)
    assert event.before == {"people": world.ids("old", "alone", "ten")}
    homevisits.remove_visit(actor=leader, session_id=session.pk, person_id=new[0])
    positions = list(HomeVisit.objects.filter(session=session).values_list("person_id", "position"))
    assert positions == [(new[1], 1), (new[2], 2)]
    assert Session.objects.get(pk=session.pk).capacity == 2
    assert_audited("homevisit.remove", session, actor=leader)
    assert homevisits.moved(new, new[2], -1) == [new[0], new[2], new[1]]
    assert homevisits.moved(new, new[0], -1) == new


@pytest.mark.parametrize(
    "order", [["old"], ["old", "alone", "alone"], ["old", "alone", "ten", "marked"]]
)
def test_a_new_order_must_name_every_home_once(
    world: World, time_machine: Any, order: list[str]
) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "alone", "ten"))
    _refused(
        "ROUND_ORDER_MISMATCH",
        lambda: homevisits.reorder_round(
            actor=world.leader, session_id=session.pk, person_ids=world.ids(*order)
        ),
    )


def test_a_round_under_way_keeps_its_homes(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "alone"))
    time_machine.move_to(DURING)
    _refused(
        "ROUND_STARTED",
        lambda: homevisits.reorder_round(
            actor=world.leader, session_id=session.pk, person_ids=world.ids("alone", "old")
        ),
    )
    _refused(
        "ROUND_STARTED",
        lambda: homevisits.remove_visit(
            actor=world.leader, session_id=session.pk, person_id=world.people["old"].pk
        ),
    )


def test_the_last_home_stays(world: World, time_machine: Any) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old"))
    _refused(
        "ROUND_LAST_HOME",
        lambda: homevisits.remove_visit(
            actor=world.leader, session_id=session.pk, person_id=world.people["old"].pk
        ),
    )


# --- how a visit ends --------------------------------------------------------------------------


@pytest.fixture
def on_the_round(world: World, time_machine: Any) -> Session:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old", "alone", "ten", "marked"))
    time_machine.move_to(DURING, tick=False)
    return session


def _visit(session: Session, who: Person) -> HomeVisit:
    return HomeVisit.objects.get(session=session, person=who)


def _record(
    world: World, session: Session, key: str, outcome: str, note: str = "", **kw: Any
) -> HomeVisit:
    actor: User = kw.pop("actor", world.officer)
    return homevisits.record_visit(
        actor=actor, visit=_visit(session, world.people[key]), outcome=outcome, note=note
    )


def test_a_visit_is_recorded_and_audited(world: World, on_the_round: Session) -> None:
    done = _record(world, on_the_round, "old", "not_at_home")
    assert (done.outcome, done.note, done.visited_by) == ("not_at_home", "", world.officer)
    assert done.visited_at == DURING
    event = assert_audited("homevisit.record", done, actor=world.officer)
    assert event.before["outcome"] == "pending" and event.after["outcome"] == "not_at_home"
    assert event.unit == on_the_round.unit
    again = _record(world, on_the_round, "old", "not_at_home")  # a double click
    assert again.outcome == "not_at_home"
    assert AuditEvent.objects.filter(action__startswith="homevisit.record").count() == 1


@pytest.mark.parametrize(
    ("outcome", "note", "code"),
    [
        ("moved", "", "VISIT_NOTE_REQUIRED"),
        ("other", "   ", "VISIT_NOTE_REQUIRED"),
        ("pending", "", "VISIT_OUTCOME"),
        ("gone", "", "VISIT_OUTCOME"),
        ("", "", "VISIT_OUTCOME"),
        ("refused", "x" * 301, "NAME_TOO_LONG"),
        ("refused", "a\x00b", "NAME_NOT_TEXT"),
        ("enrolled", "", "VISIT_NOT_ENROLLED"),
    ],
)
def test_a_visit_that_does_not_hold_is_refused(
    world: World, on_the_round: Session, outcome: str, note: str, code: str
) -> None:
    _refused(code, lambda: _record(world, on_the_round, "old", outcome, note))
    assert _visit(on_the_round, world.people["old"]).outcome == "pending"


def test_moved_with_a_note_is_kept(world: World, on_the_round: Session) -> None:
    done = _record(world, on_the_round, "ten", "moved", "  Chuyển vào   TP. HCM  ")
    assert (done.outcome, done.note) == ("moved", "Chuyển vào TP. HCM")


def test_enrolled_needs_a_dossier_of_the_round_or_of_its_day(
    world: World, on_the_round: Session
) -> None:
    old, alone, ten = (world.people[k] for k in ("old", "alone", "ten"))
    dossier(world, old, session=on_the_round)
    assert _record(world, on_the_round, "old", "enrolled").outcome == "enrolled"
    dossier(world, alone, at=datetime.datetime(2021, 3, 6, 7, 0, tzinfo=HCM))  # at the office
    assert _record(world, on_the_round, "alone", "enrolled").outcome == "enrolled"
    dossier(world, ten, at=datetime.datetime(2021, 3, 5, 16, 0, tzinfo=HCM))  # the day before
    _refused("VISIT_NOT_ENROLLED", lambda: _record(world, on_the_round, "ten", "enrolled"))
    marked = world.people["marked"]
    dossier(world, marked, session=on_the_round, state="rejected")
    _refused("VISIT_NOT_ENROLLED", lambda: _record(world, on_the_round, "marked", "enrolled"))


def test_a_recorded_visit_is_corrected_by_the_team_leader_with_a_note(
    world: World, on_the_round: Session
) -> None:
    _record(world, on_the_round, "ten", "not_at_home")
    _refused(
        "VISIT_CORRECTION_LEADER",
        lambda: _record(world, on_the_round, "ten", "refused", "Con trai nói vậy"),
    )
    _refused(
        "VISIT_CORRECTION_NOTE",
        lambda: _record(world, on_the_round, "ten", "refused", actor=world.leader),
    )
    done = _record(world, on_the_round, "ten", "refused", "Gặp lại buổi chiều", actor=world.leader)
    assert (done.outcome, done.visited_by) == ("refused", world.leader)
    event = assert_audited("homevisit.correct", done, actor=world.leader)
    assert event.before["outcome"] == "not_at_home"
    assert datetime.datetime.fromisoformat(event.after.pop("visited_at")) == DURING
    assert event.after == {
        "outcome": "refused",
        "note": "Gặp lại buổi chiều",
        "visited_by": world.leader.pk,
    }


def test_outcomes_wait_for_the_rounds_day_and_stop_when_it_is_cancelled(
    world: World, time_machine: Any
) -> None:
    time_machine.move_to(BEFORE)
    session = plan(world, world.ids("old"))
    refusal = _refused("VISIT_NOT_YET", lambda: _record(world, session, "old", "not_at_home"))
    assert "06/03/2021" in refusal.message
    Session.objects.filter(pk=session.pk).update(state=Session.State.CANCELLED)
    time_machine.move_to(DURING)
    _refused("VISIT_SESSION_CANCELLED", lambda: _record(world, session, "old", "not_at_home"))


def test_who_records_outcomes(world: World, on_the_round: Session) -> None:
    _refused(
        "PERMISSION_DENIED",
        lambda: _record(world, on_the_round, "old", "not_at_home", actor=world.back_office),
    )
    _refused(
        "PERMISSION_DENIED",
        lambda: _record(world, on_the_round, "old", "not_at_home", actor=world.liaison),
    )
    tayson = make_user("totruong.tayson", Role.TEAM_LEADER, world.tree.tayson_police)
    _refused("NOT_FOUND", lambda: _record(world, on_the_round, "old", "not_at_home", actor=tayson))
    # the commander plans: may record and correct
    done = _record(world, on_the_round, "old", "not_at_home", actor=world.commander)
    assert done.visited_by == world.commander


def test_a_round_is_read_by_those_on_it_and_the_read_is_audited(
    world: World, on_the_round: Session
) -> None:
    found = homevisits.view_round(actor=world.officer, session_id=on_the_round.pk)
    assert [v.position for v in found.visits] == [1, 2, 3, 4]
    assert_audited("homevisit.view", on_the_round, actor=world.officer)
    _refused(
        "PERMISSION_DENIED",
        lambda: homevisits.view_round(actor=world.back_office, session_id=on_the_round.pk),
    )
    with pytest.raises(DomainError) as caught:
        homevisits.view_round(actor=world.officer, session_id=on_the_round.pk + 999)
    assert caught.value.code == "NOT_FOUND"
