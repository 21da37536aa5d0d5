# ruff: noqa: F811  (tests take the imported fixtures by their names)
"""A home-visit round on a field kit: its package carries the visits and their people, the kit
records outcomes with the district's own rules, and they reach the district in the check-in —
once, never over a newer district-side outcome, a refusal written to the trail (district side in
one process and database, as the ingest tests run; loading on a kit in its own process)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from cccd.accounts.models import AuditEvent
from cccd.campaigns.models import Session
from cccd.kits import homevisits as kit_visits
from cccd.kits import package, unpack
from cccd.kits.checkout import checkout_session
from cccd.kits.homevisits import KitVisit
from cccd.reach import homevisits
from cccd.reach.models import HomeVisit
from cccd.registry.models import Person
from tests.kits.conftest import KIT_NAME, Sides
from tests.kits.test_api import KitClient
from tests.kits.test_checkout import on_kit, save
from tests.reach.homevisit_fixtures import (  # noqa: F401  (the fixture)
    BEFORE,
    DURING,
    HCM,
    World,
    plan,
    world,
)

pytestmark = pytest.mark.django_db
LATER = datetime.datetime(2021, 3, 6, 10, 30, tzinfo=HCM)
EARLIER = datetime.datetime(2021, 3, 6, 9, 0, tzinfo=HCM)


@pytest.fixture
def session(world: World, time_machine: Any) -> Session:
    """The round of the morning (instead of the evening at the school the kits tests hold)."""
    time_machine.move_to(BEFORE, tick=False)
    return plan(world, world.ids("old", "alone", "ten"))


@pytest.fixture
def kit(sides: Sides) -> KitClient:
    return KitClient(KIT_NAME, sides.kit_keys)


def _visit(session: Session, who: Person) -> HomeVisit:
    return HomeVisit.objects.get(session=session, person=who)


def _record(world: World, session: Session, key: str, outcome: str, note: str = "") -> None:
    visit = _visit(session, world.people[key])
    homevisits.record_visit(actor=world.officer, visit=visit, outcome=outcome, note=note)


def _as_the_district_has_them(session: Session) -> None:
    """One database holds both sides here: what the kit recorded is put back as planned."""
    HomeVisit.objects.filter(session=session).update(
        outcome="pending", note="", visited_at=None, visited_by=None
    )


def _check_in(kit: KitClient, session: Session, visits: list[dict[str, Any]]) -> Any:
    body = {"session_id": session.pk, "packet_ids": [], "summary": {}, "home_visits": visits}
    return kit.send("POST", "/checkin", json.dumps(body).encode())


# --- the package -------------------------------------------------------------------------------


def test_the_package_carries_the_round_and_its_people(
    world: World, session: Session, sides: Sides
) -> None:
    ten = world.people["ten"]
    Person.objects.filter(pk=ten.pk).update(residence_unit=world.thuanan)  # moved since
    found = package.session_slice(session.pk)
    visits = list(HomeVisit.objects.filter(session=session).order_by("position"))
    assert found.rows[HomeVisit] == visits
    people = found.pks(Person)
    assert {v.person_id for v in visits} <= people  # ten too, though no longer of the commune
    assert world.elsewhere.pk not in people and world.stranger.pk not in people
    objects = package.serialized(found)
    rows = [o for o in objects if o["model"] == "reach.homevisit"]
    assert [o["pk"] for o in rows] == [v.pk for v in visits]
    assert rows[0]["fields"]["reason"] == "very_old" and rows[0]["fields"]["outcome"] == "pending"


def test_a_round_loads_on_a_kit_and_goes_at_check_in(
    world: World, session: Session, sides: Sides, kit_dir: Path
) -> None:
    _checkout, envelope = checkout_session(session.pk, kit=sides.kit, actor=None)
    file = save(kit_dir, "round.bin", envelope)
    load, held, wipe, after = on_kit(
        kit_dir,
        KIT_NAME,
        sides.kit_keys,
        sides.district.signing.public_hex,
        [
            {"do": "load", "file": file},
            {"do": "report"},
            {"do": "wipe", "session": session.pk},
            {"do": "report"},
        ],
    )
    assert load["held"][0] == session.pk
    assert held["report"]["counts"]["reach.homevisit"] == 3
    on_the_kit = {pk for pk, _pid in held["report"]["people"]}
    assert set(HomeVisit.objects.filter(session=session).values_list("person_id", flat=True)) <= (
        on_the_kit
    )
    assert wipe["wiped"]["visits"] == 3
    assert after["report"]["counts"]["reach.homevisit"] == 0
    assert after["report"]["people"] == []


def test_a_package_loaded_again_keeps_what_the_kit_recorded(
    world: World, session: Session, sides: Sides, time_machine: Any
) -> None:
    _checkout, first = checkout_session(session.pk, kit=sides.kit, actor=None)
    homevisits.reorder_round(
        actor=world.leader, session_id=session.pk, person_ids=world.ids("ten", "old", "alone")
    )
    unpack.load_package(first, sides.identity)  # an older order: positions move, no clash
    assert homevisits.order_of(actor=world.leader, session_id=session.pk) == world.ids(
        "old", "alone", "ten"
    )
    time_machine.move_to(DURING, tick=False)
    _record(world, session, "old", "not_at_home")
    unpack.load_package(first, sides.identity)  # the same package again, after the visit
    kept = _visit(session, world.people["old"])
    assert (kept.outcome, kept.visited_by) == ("not_at_home", world.officer)


# --- outcomes back to the district -------------------------------------------------------------


def test_an_outcome_recorded_on_the_kit_reaches_the_district_once(
    world: World, session: Session, sides: Sides, kit: KitClient, time_machine: Any
) -> None:
    time_machine.move_to(DURING, tick=False)
    _record(world, session, "old", "not_at_home")
    _record(world, session, "ten", "moved", "Vào Bình Dương làm công nhân")
    sent = kit_visits.outcomes_of(session.pk)
    assert [(o["person"], o["outcome"]) for o in sent] == [
        (world.people["old"].pk, "not_at_home"),
        (world.people["ten"].pk, "moved"),
    ]
    _as_the_district_has_them(session)
    sides.at_district()
    first = _check_in(kit, session, sent)
    assert first.status_code == 200, first.json()
    assert first.json() == {
        "checked_in": True,
        "received": 0,
        "expected": 0,
        "missing": [],
        "home_visits": {"applied": 2, "unchanged": 0, "kept": 0, "refused": 0, "reasons": []},
    }
    ten = _visit(session, world.people["ten"])
    assert (ten.outcome, ten.note) == ("moved", "Vào Bình Dương làm công nhân")
    assert (ten.visited_at, ten.visited_by) == (DURING, world.officer)
    events = AuditEvent.objects.filter(action="kit.visit_outcome")
    assert events.count() == 2
    event = events.get(object_id=str(ten.pk))
    assert event.source == f"kit:{KIT_NAME}" and event.actor is None
    assert event.before["outcome"] == "pending" and event.after["outcome"] == "moved"
    assert event.after["_kit"]["kit"] == KIT_NAME
    assert event.after["_kit"]["by"] == world.officer.username
    again = _check_in(kit, session, sent)
    assert again.json()["home_visits"] == {
        "applied": 0,
        "unchanged": 2,
        "kept": 0,
        "refused": 0,
        "reasons": [],
    }
    assert AuditEvent.objects.filter(action="kit.visit_outcome").count() == 2


def test_a_check_in_without_outcomes_answers_as_before(
    session: Session, sides: Sides, kit: KitClient
) -> None:
    sides.at_district()
    body = {"session_id": session.pk, "packet_ids": [], "summary": {}}
    answer = kit.send("POST", "/checkin", json.dumps(body).encode())
    assert answer.json() == {"checked_in": True, "received": 0, "expected": 0, "missing": []}


def test_a_newer_district_outcome_is_kept_an_older_one_is_not(
    world: World, session: Session, sides: Sides, kit: KitClient, time_machine: Any
) -> None:
    time_machine.move_to(DURING, tick=False)
    _record(world, session, "old", "not_at_home")
    _record(world, session, "alone", "not_at_home")
    sent = kit_visits.outcomes_of(session.pk)
    _as_the_district_has_them(session)
    sides.at_district()
    time_machine.move_to(EARLIER, tick=False)  # the district recorded "alone" before the kit
    _record(world, session, "alone", "refused")
    time_machine.move_to(LATER, tick=False)  # and "old" after it
    _record(world, session, "old", "other", "Gia đình hẹn tuần sau")
    for _ in range(2):
        answer = _check_in(kit, session, sent).json()["home_visits"]
        assert (answer["applied"], answer["kept"]) in ((1, 1), (0, 1))
    old = _visit(session, world.people["old"])
    assert (old.outcome, old.note, old.visited_at) == ("other", "Gia đình hẹn tuần sau", LATER)
    alone = _visit(session, world.people["alone"])
    assert (alone.outcome, alone.visited_at) == ("not_at_home", DURING)
    kept = AuditEvent.objects.get(action="kit.visit_outcome_kept")  # written once
    assert kept.object_id == str(old.pk) and kept.after["outcome"] == "not_at_home"


def test_an_outcome_the_districts_rules_refuse_is_written_to_the_trail_once(
    world: World, session: Session, sides: Sides, kit: KitClient, time_machine: Any
) -> None:
    time_machine.move_to(DURING, tick=False)
    old, ten = _visit(session, world.people["old"]), _visit(session, world.people["ten"])
    at = DURING.isoformat()
    sent = [
        # "enrolled" without a dossier at the district (its packet was a conflict, say)
        {"visit": old.pk, "person": old.person_id, "outcome": "enrolled", "at": at},
        # another person under the visit's id, and a visit of no session of the kit
        {"visit": ten.pk, "person": old.person_id, "outcome": "not_at_home", "at": at},
        {"visit": ten.pk + 1000, "person": ten.person_id, "outcome": "refused", "at": at},
        {"visit": ten.pk, "person": ten.person_id, "outcome": "moved", "at": at},  # no note
    ]
    visits = [
        {
            "visit": v["visit"],
            "person": v["person"],
            "outcome": v["outcome"],
            "note": "",
            "visited_at": v["at"],
            "visited_by": world.officer.username,
        }
        for v in sent
    ]
    sides.at_district()
    for _ in range(2):
        answer = _check_in(kit, session, visits).json()["home_visits"]
        assert answer["refused"] == 4 and answer["applied"] == 0
    assert answer["reasons"] == [
        f"{old.pk}: VISIT_NOT_ENROLLED",
        f"{ten.pk}: NOT_FOUND",
        f"{ten.pk + 1000}: NOT_FOUND",
        f"{ten.pk}: VISIT_NOTE_REQUIRED",
    ]
    assert set(HomeVisit.objects.filter(session=session).values_list("outcome", flat=True)) == {
        "pending"
    }
    refused = AuditEvent.objects.filter(action="kit.visit_outcome_refused")
    assert sorted(e.after["code"] for e in refused) == ["VISIT_NOTE_REQUIRED", "VISIT_NOT_ENROLLED"]


@pytest.mark.parametrize(
    "change",
    [
        {"visited_at": "2021-03-06T09:30:00"},  # no offset
        {"visited_at": "sáng nay"},
        {"outcome": "not_at_home_x"},
        {"visit": 0},
        {"person": -1},
        {"note": "x" * 301},
        {"visited_by": 7},
    ],
)
def test_malformed_outcomes_are_refused_and_change_nothing(
    world: World, session: Session, sides: Sides, kit: KitClient, change: dict[str, Any]
) -> None:
    visit = _visit(session, world.people["old"])
    item = {
        "visit": visit.pk,
        "person": visit.person_id,
        "outcome": "not_at_home",
        "note": "",
        "visited_at": DURING.isoformat(),
        "visited_by": "",
        **change,
    }
    sides.at_district()
    answer = _check_in(kit, session, [item])
    assert answer.status_code == 422 and answer.json()["code"] == "INVALID_INPUT"
    assert _visit(session, world.people["old"]).outcome == "pending"


def test_a_round_carries_at_most_its_size(
    world: World, session: Session, sides: Sides, kit: KitClient
) -> None:
    visit = _visit(session, world.people["old"])
    item = {
        "visit": visit.pk,
        "person": visit.person_id,
        "outcome": "not_at_home",
        "visited_at": DURING.isoformat(),
    }
    sides.at_district()
    answer = _check_in(kit, session, [item] * (homevisits.MAX_HOMES + 1))
    assert answer.status_code == 422


def test_the_kits_clock_is_put_right(
    world: World, session: Session, sides: Sides, time_machine: Any
) -> None:
    time_machine.move_to(LATER, tick=False)
    visit = _visit(session, world.people["old"])
    three_hours_ahead = DURING + datetime.timedelta(hours=3)
    done = kit_visits.apply_outcomes(
        sides.kit,
        session_id=session.pk,
        visits=[
            KitVisit(
                visit=visit.pk,
                person=visit.person_id,
                outcome="not_at_home",
                note="",
                visited_at=three_hours_ahead,
                visited_by="nobody.here",
            )
        ],
        clock_offset_seconds=3 * 3600,
    )
    assert done.applied == 1
    visit.refresh_from_db()
    assert visit.visited_at == DURING and visit.visited_by is None
