"""The desk station (issue 14) in Chromium, with the device service simulator as its own process.

An officer calls a number and takes the whole intake by keyboard: confirm the kind and fee, the
photo, three slaps, both irises, the signature the person draws, finish — the page speaking SBI to
the simulator on 127.0.0.1 exactly as to a vendor's service. Then the desk's bad moments: a finger
marked missing before its slap, a low-quality slap retaken, the scanner unplugged mid-intake, and a
desk with no device service at all, where the file forms still work.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, load_groups
from cccd.campaigns.services import plan_session as plan
from cccd.enrollments.models import Artefact, Enrollment, Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import PASSWORD, Tree, make_person, make_user
from tests.devices.simulated import calm, control, start_simulator, stop
from tests.e2e.conftest import log_in
from tests.enrollments.conftest import FACES, fingerprint_png, signature_png

CAPTURE_WITHIN = 15_000  # ms: a capture (no delay in tests), its check and the page's reload


@pytest.fixture(scope="module")
def simulator_port() -> Iterator[int]:
    process, port = start_simulator("--delay-ms", "0")
    yield port
    stop(process)


@pytest.fixture
def devices(simulator_port: int) -> Iterator[int]:
    calm(simulator_port)
    yield simulator_port
    calm(simulator_port)


@pytest.fixture
def evening(tree: Tree, settings: object) -> Session:
    """Tonight's session under the 2023 law (irises from 6), desk 1 open for canbo.dakmil."""
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    load_groups()
    load_reference(Fee, FeeExemption, Holiday)
    commander = make_user("chihuy.daknong", "commander", tree.daknong_police)
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    officer = make_user("canbo.dakmil", "officer", tree.dakmil_police)
    today = timezone.localdate()
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD 2026",
        law="2023",
        start_date=today - datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=30),
        actor=commander,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="Trường THPT Đắk Mil", actor=leader
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer.pk],
        actor=leader,
    )
    now = timezone.now()
    session = plan(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=2,
        capacity=300,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=3),
        actor=leader,
    )
    tickets.open_queue(session.pk, actor=officer)
    desk = Desk.objects.get(session=session, number=1)
    tickets.open_desk(desk.pk, actor=officer)
    return session


def student(tree: Tree, session: Session, name: str = "Nguyễn Văn Đức") -> Person:
    """A pre-checked student of 17 with a number in the line."""
    born = timezone.localdate().replace(month=3, day=15).year - 17
    person = make_person(tree.daklao, name, f"15/03/{born}", "M")
    leader = User.objects.get(username="totruong.dakmil")
    tickets.issue_walk_in(session.pk, person_id=person.pk, actor=leader)
    return person  # type: ignore[return-value]


def at_the_desk(page: Page, session: Session) -> None:
    """Logged in as the desk's officer, a number called with the desk's key (N)."""
    log_in(page, "canbo.dakmil", PASSWORD)
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"/queue/sessions/{session.pk}/desks/1/")
    expect(page.get_by_test_id("call-next")).to_be_visible()
    page.wait_for_load_state()
    page.keyboard.press("n")
    expect(page.get_by_test_id("intake-number")).to_be_visible()


def station_ready(page: Page) -> None:
    expect(page.get_by_test_id("station")).to_have_attribute("data-ready", "1", timeout=10_000)


def press(page: Page, key: str, *, then_on: str = "") -> None:
    """One key; when it reloads the page, wait for the station to be ready again."""
    page.keyboard.press(key)
    if then_on:
        expect(page.get_by_test_id("station")).to_have_attribute(
            "data-next", then_on, timeout=CAPTURE_WITHIN
        )
        station_ready(page)


def up_to_the_slaps(page: Page, tree: Tree, session: Session) -> None:
    """A student called by the desk's key; the kind and fee confirmed and the photo taken by key:
    the station now waits for the left slap."""
    student(tree, session)
    at_the_desk(page, session)
    station_ready(page)
    press(page, "Enter", then_on="photo")
    press(page, "a", then_on="slap-1")


def sign(page: Page) -> None:
    """The person signs on the canvas (their strokes, not an officer's action)."""
    pad = page.locator("canvas[data-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 40, box["y"] + 110)
    page.mouse.down()
    for x, y in ((120, 40), (200, 120), (300, 50), (420, 110)):
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)
    page.mouse.up()


def finger_slots(ticket: Ticket) -> dict[int, Artefact]:
    return {
        a.slot: a
        for a in Artefact.objects.filter(enrollment__ticket=ticket, kind=Artefact.Kind.FINGERPRINT)
    }


def test_no_device_service_the_files_still_work(
    page: Page, tree: Tree, evening: Session, tmp_path: Path
) -> None:
    """First in the module, before its simulator starts: nothing listens on 4501–4600."""
    student(tree, evening)
    at_the_desk(page, evening)
    station_ready(page)
    expect(page.get_by_test_id("devices")).to_contain_text("tệp")  # "choose the files below"
    expect(page.get_by_test_id("step-slap-1")).to_be_disabled()
    page.get_by_test_id("save-details").click()
    page.get_by_test_id("photo-file").set_input_files(str(FACES / "portrait.jpg"))
    page.get_by_test_id("photo-submit").click()
    expect(page.get_by_test_id("photo-ok")).to_be_visible()
    for n in range(1, 11):
        finger = tmp_path / f"finger-{n}.png"
        finger.write_bytes(fingerprint_png(n))
        page.get_by_test_id(f"finger-{n}").set_input_files(str(finger))
    page.get_by_test_id("fingers-submit").click()
    expect(page.locator("#fingerprint td").filter(has_text="png")).to_have_count(10)
    ticket = Ticket.objects.get(session=evening, person__isnull=False)
    kept = finger_slots(ticket)
    assert len(kept) == 10 and all(a.quality.get("source") != "device" for a in kept.values())
    signature = tmp_path / "signature.png"
    signature.write_bytes(signature_png())
    page.get_by_test_id("signature-file").set_input_files(str(signature))
    page.get_by_test_id("signature-submit").click()
    expect(page.get_by_test_id("signature-ok")).to_be_visible()


def test_a_whole_intake_by_keyboard(page: Page, tree: Tree, evening: Session, devices: int) -> None:
    person = student(tree, evening)
    at_the_desk(page, evening)
    station_ready(page)
    expect(page.get_by_test_id("devices")).to_contain_text("✔")
    expect(page.get_by_test_id("save-details")).to_be_focused()
    press(page, "Enter", then_on="photo")  # the kind and fee as suggested
    press(page, "Enter", then_on="slap-1")
    expect(page.get_by_test_id("photo-thumbnail")).to_be_visible()
    press(page, "Enter", then_on="slap-2")
    press(page, "Enter", then_on="slap-3")
    press(page, "Enter", then_on="iris")
    press(page, "Enter", then_on="finish")
    for n in range(1, 11):
        expect(page.get_by_test_id(f"finger-thumbnail-{n}")).to_be_visible()
        expect(page.get_by_test_id(f"finger-quality-{n}")).to_contain_text("/ 40")
    expect(page.get_by_test_id("finish")).to_be_focused()
    sign(page)
    expect(page.get_by_test_id("finish")).to_be_focused()  # back on finish once signed
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("dossier-code")).to_be_visible(timeout=CAPTURE_WITHIN)
    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.state == "captured"
    kept = {(a.kind, a.slot): a for a in enrollment.artefacts.all()}
    assert len([k for k in kept if k[0] == "fingerprint"]) == 10
    assert {k for k in kept if k[0] == "iris"} == {("iris", 1), ("iris", 2)}
    assert kept[("photo", 0)].quality["source"] == "device"
    assert all(a.quality.get("signed") for k, a in kept.items() if k[0] != "signature")


def test_a_finger_marked_missing_before_its_slap(
    page: Page, tree: Tree, evening: Session, devices: int
) -> None:
    up_to_the_slaps(page, tree, evening)
    # The left ring finger was lost in an accident: the scanner must not wait for it.
    control(devices, "/simulator/fault", {"faults": ["missing:Left RingFinger"]})
    page.get_by_test_id("finger-reason-9").fill("Cụt ngón do tai nạn lao động")
    page.get_by_test_id("finger-reason-9").blur()
    press(page, "1", then_on="slap-2")
    row = page.get_by_test_id("finger-row-9")
    expect(row).to_contain_text("Cụt ngón do tai nạn lao động")
    ticket = Ticket.objects.get(session=evening, person__isnull=False)
    slots = finger_slots(ticket)
    assert slots[9].impossible_reason == "Cụt ngón do tai nạn lao động" and not slots[9].sha256
    assert all(slots[n].sha256 for n in (7, 8, 10))


def test_a_low_quality_slap_is_retaken(
    page: Page, tree: Tree, evening: Session, devices: int
) -> None:
    up_to_the_slaps(page, tree, evening)
    control(devices, "/simulator/fault", {"faults": ["low-quality:Finger"]})
    press(page, "1", then_on="slap-1")  # the station stays on the slap: a retake is due
    expect(page.get_by_test_id("retake-7")).to_be_visible()
    expect(page.get_by_test_id("step-slap-1")).to_be_focused()
    control(devices, "/simulator/fault", {"faults": []})  # the person presses harder
    press(page, "Enter", then_on="slap-2")
    expect(page.get_by_test_id("retake-7")).to_have_count(0)
    ticket = Ticket.objects.get(session=evening, person__isnull=False)
    index = finger_slots(ticket)[7]
    assert index.quality["tries"] == 2 and index.quality["device_score"] >= 40


def test_the_scanner_unplugged_mid_intake_and_plugged_back(
    page: Page, tree: Tree, evening: Session, devices: int
) -> None:
    up_to_the_slaps(page, tree, evening)
    press(page, "1", then_on="slap-2")
    control(devices, "/simulator/fault", {"faults": ["disconnected:Finger"]})
    page.keyboard.press("2")
    alert = page.get_by_test_id("station-error")
    expect(alert).to_be_visible(timeout=CAPTURE_WITHIN)
    expect(alert).to_contain_text("cáp")  # "check its cable", in Vietnamese
    ticket = Ticket.objects.get(session=evening, person__isnull=False)
    assert sorted(finger_slots(ticket)) == [7, 8, 9, 10]  # nothing of the right slap
    control(devices, "/simulator/fault", {"faults": []})  # plugged back in
    press(page, "2", then_on="slap-3")
    assert sorted(finger_slots(ticket)) == [2, 3, 4, 5, 7, 8, 9, 10]
