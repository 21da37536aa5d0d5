"""A dossier's whole life after the desk (issue 6), in the browser: the back office completes two
captured dossiers from its keyboard-driven screen, the commander approves both in bulk, the back
office sends them in a production batch, uploads the (simulated) centre's result, records the
cards as arrived, and from each dossier's page opens the delivery page (there is no one-click
delivery) to hand one card over against a signature and post the other; the citizen then
looks the dossier up on the public status page and reads "delivered".

Selectors are language independent (data-testid, names, hrefs); the citizen's words are
Vietnamese whatever the language of the page.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from cccd.accounts.models import Role
from cccd.campaigns.services import (
    create_campaign,
    create_team,
    create_venue,
    load_groups,
    plan_session,
)
from cccd.demo.card_centre import simulate_result
from cccd.enrollments.intake import services as intake
from cccd.enrollments.models import Enrollment, Fee, FeeExemption, Holiday, ProductionBatch
from cccd.enrollments.reference import load_reference
from cccd.tickets import services as queue
from cccd.tickets.models import Desk
from tests.builders import PASSWORD, Tree, make_person, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.enrollments.conftest import FACES, capture_everything, signature_png


@pytest.fixture
def two_captured(tree: Tree) -> list[Enrollment]:
    """Two people through desk 1 of tonight's session in Đắk Mil: captured, with codes."""
    load_groups()
    load_reference(Fee, FeeExemption, Holiday)
    leader = make_user("totruong.dakmil", Role.TEAM_LEADER, tree.dakmil_police)
    officer = make_user("canbo.dakmil", Role.OFFICER, tree.dakmil_police)
    today = timezone.localdate()
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2014",
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=30),
        actor=make_user("chihuy.daknong", Role.COMMANDER, tree.daknong_police),
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk, kind="school", name="THPT Đắk Mil", actor=leader
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer.pk],
        actor=leader,
    )
    starts = timezone.now() - datetime.timedelta(hours=1)
    session = plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=1,
        capacity=50,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4),
        actor=leader,
    )
    queue.open_queue(session.pk, actor=officer)
    desk = Desk.objects.get(session=session, number=1)
    queue.open_desk(desk.pk, actor=officer)
    portrait = (FACES / "portrait.jpg").read_bytes()
    done = []
    for name, birth in (("Nguyễn Văn Đức", "15/03/1990"), ("Trần Thị Mai", "02/09/1985")):
        person = make_person(tree.daklao, name, birth, "M" if "Văn" in name else "F")
        queue.issue_walk_in(session.pk, person_id=person.pk, actor=leader)
        ticket = queue.call_next(desk.pk, actor=officer)
        capture_everything(ticket, officer, portrait)
        done.append(intake.finish_intake(ticket.pk, actor=officer))
    make_user("hoso.dakmil", Role.BACK_OFFICE, tree.dakmil_police)
    make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)
    return done


@pytest.fixture
def citizen(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dossier_life_citizen.png"), full_page=True)
    context.close()


def _state(pk: int) -> str:
    return Enrollment.objects.get(pk=pk).state


def test_complete_approve_batch_produce_deliver_and_the_citizen_reads_delivered(
    page: Page, citizen: Page, two_captured: list[Enrollment], tmp_path: Path
) -> None:
    first, second = two_captured

    # back office: the work queue, the first dossier, complete with the key "c", then the next
    log_in(page, "hoso.dakmil", PASSWORD)
    page.goto("/dossiers/?state=captured")
    page.locator(f'a[href^="/dossiers/{first.pk}/"]').first.click()
    expect(page.get_by_test_id("dossier-code")).to_contain_text(first.code)
    page.wait_for_load_state()  # the page's key script (deferred) is attached
    page.keyboard.press("c")
    expect(page.get_by_test_id("dossier-code")).to_contain_text(second.code)  # on to the next one
    with page.expect_navigation():  # the last of the list: back to the list
        page.get_by_test_id("move-complete").locator("button").click()
    assert (_state(first.pk), _state(second.pk)) == ("completed", "completed")

    # commander: bulk approval of the page
    page.context.clear_cookies()
    log_in(page, "chihuy.dakmil", PASSWORD)
    page.goto("/dossiers/approve/")
    page.get_by_test_id("select-all").check()
    with page.expect_navigation():
        page.get_by_test_id("approve-selected").click()
    expect(page.locator("[data-testid=error]")).to_have_count(0)
    assert (_state(first.pk), _state(second.pk)) == ("approved", "approved")

    # back office: the batch, the centre's result, the cards arrived
    page.context.clear_cookies()
    log_in(page, "hoso.dakmil", PASSWORD)
    page.goto("/batches/new/")
    page.get_by_test_id("send-batch").click()
    expect(page.get_by_test_id("batch-code")).to_be_visible()
    batch = ProductionBatch.objects.get()
    assert (_state(first.pk), _state(second.pk)) == ("in_production", "in_production")
    result = tmp_path / "result.zip"
    result.write_bytes(simulate_result(batch))  # the centre, played in-process
    page.locator("input[name=result]").set_input_files(str(result))
    page.get_by_test_id("upload-result").locator("button[type=submit]").click()
    expect(page.get_by_test_id("batch-state")).not_to_have_text(batch.get_state_display())
    assert (_state(first.pk), _state(second.pk)) == ("produced", "produced")
    page.get_by_test_id("cards-arrived").click()
    expect(page.get_by_test_id("dossiers")).to_be_visible()
    assert (_state(first.pk), _state(second.pk)) == ("at_unit", "at_unit")

    # delivery, from the dossier page (no one-click delivery there, only the delivery page with
    # its proof): one handed over against the signature pad's image, one posted
    signature = tmp_path / "signature.png"
    signature.write_bytes(signature_png())
    page.goto(f"/dossiers/{first.pk}/")
    expect(page.get_by_test_id("move-deliver")).to_have_count(0)
    page.get_by_test_id("to-deliver").click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{first.pk}/deliver/$"))
    page.get_by_test_id("signature-file").set_input_files(str(signature))
    page.get_by_test_id("hand-over").click()
    expect(page.get_by_test_id("state")).to_be_visible()
    page.goto(f"/dossiers/{second.pk}/")
    page.get_by_test_id("to-deliver").click()
    page.get_by_test_id("tracking-number").fill("EE123456789VN")
    page.get_by_test_id("post").click()
    expect(page.get_by_test_id("state")).to_be_visible()
    assert (_state(first.pk), _state(second.pk)) == ("delivered", "delivered")
    page.goto(f"/dossiers/{first.pk}/")
    expect(page.get_by_test_id("history-line")).not_to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "dossier_life_history.png"), full_page=True)

    # the citizen, on a phone, with the code from the slip and their birth date
    citizen.goto("/status/")
    citizen.locator("input[name=code]").fill(first.code.lower())
    citizen.locator("input[name=birth_date]").fill("15/03/1990")
    citizen.get_by_test_id("status-form").locator("button[type=submit]").click()
    expect(citizen.get_by_test_id("state")).to_contain_text("Đã trả thẻ")
    expect(citizen.get_by_test_id("result")).not_to_contain_text("Nguyễn Văn Đức")
