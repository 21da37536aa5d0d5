"""The planner in the browser: the commander of Đắk Mil plans the next two weeks, moves one
session, accepts, and sees the sessions in the session list; a user of another district cannot
open the run. Screenshots go to test-artifacts/."""

from __future__ import annotations

import datetime

from playwright.sync_api import Browser, Page, expect

from cccd.accounts.models import Role
from cccd.campaigns.models import Session
from cccd.planner.models import PlanRun
from cccd.planning.plan import parse_plan
from tests.builders import PASSWORD, Tree, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.planner.world import make_district


def _free_evening(plan: object, team: str, venue: str, days: list[datetime.date]) -> datetime.date:
    """A weekday of the horizon when the team works nowhere and the venue's evening is free."""
    sessions = plan.sessions  # type: ignore[attr-defined]
    for day in days:
        if day.weekday() >= 5:
            continue
        if any(s.team == team and s.day == day for s in sessions):
            continue
        if any(s.venue == venue and s.day == day and s.shift == "evening" for s in sessions):
            continue
        return day
    raise AssertionError("no free evening in the horizon")


def test_the_commander_plans_moves_accepts_and_sees_the_sessions(
    page: Page, tree: Tree, browser: Browser, live_server: object
) -> None:
    district = make_district(tree)
    make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)
    log_in(page, "chihuy.dakmil", PASSWORD)
    page.get_by_role("link", name="Lập kế hoạch các buổi").first.click()
    # the defaults a tired commander accepts as they are
    expect(page.get_by_label("Số hồ sơ mỗi bàn mỗi giờ")).to_have_value("5.0")
    expect(page.get_by_test_id("plan-venue")).to_have_count(3)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "planner-form.png"), full_page=True)
    page.get_by_test_id("plan-start").click()

    expect(page.get_by_test_id("plan-status")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("plan-reached")).to_have_text("70")
    run = PlanRun.objects.get()
    plan = parse_plan(run.plan)
    cells = page.get_by_test_id("plan-session")
    expect(cells).to_have_count(len(plan.sessions))
    page.screenshot(path=str(ARTIFACTS / "planner-run.png"), full_page=True)

    # move the first evening session to a free weekday evening
    first = next(s for s in plan.sessions if s.shift == "evening")
    horizon = (run.last_day - run.first_day).days + 1  # from tomorrow once today's shift began
    days = [run.first_day + datetime.timedelta(days=i) for i in range(horizon)]
    target = _free_evening(plan, first.team, first.venue, days)
    cell = page.locator(f"[data-key='{first.team}|{first.day.isoformat()}']")
    cell.get_by_test_id("plan-change").click()
    cell.get_by_test_id("edit-day").select_option(target.isoformat())
    cell.get_by_test_id("edit-move").click()
    expect(page.locator(".messages")).to_contain_text("Đã sửa kế hoạch.")
    expect(page.locator(f"[data-key='{first.team}|{target.isoformat()}']")).to_be_visible()
    expect(page.locator(f"[data-key='{first.team}|{first.day.isoformat()}']")).to_have_count(0)

    # a move that breaks a rule is refused by name, nothing saved
    second = next(
        s for s in parse_plan(PlanRun.objects.get().plan).sessions if s.shift == "evening"
    )
    cell = page.locator(f"[data-key='{second.team}|{second.day.isoformat()}']")
    cell.get_by_test_id("plan-change").click()
    cell.get_by_test_id("edit-desks").fill("9")
    cell.get_by_test_id("edit-move").click()
    expect(page.get_by_test_id("plan-error")).to_contain_text("Chưa lưu: 9 bàn")
    page.screenshot(path=str(ARTIFACTS / "planner-refused.png"), full_page=True)

    # accept: the sessions appear in the session list
    page.get_by_test_id("plan-confirm").check()
    page.get_by_test_id("plan-accept").click()
    expect(page.locator(".messages")).to_contain_text("Đã duyệt kế hoạch")
    created = Session.objects.filter(campaign=district.campaign, note__startswith="Kế hoạch")
    assert created.count() == len(plan.sessions)
    rows = page.get_by_test_id("sessions").locator("tbody tr")
    expect(rows.filter(has_text="Hội trường UBND xã Thuận An").first).to_be_visible()
    expect(rows).to_have_count(len(plan.sessions))
    moved = created.get(team_id=int(first.team[1:]), starts_at__date=target)
    assert moved.venue_id == int(first.venue[1:])
    page.screenshot(path=str(ARTIFACTS / "planner-accepted.png"), full_page=True)

    # a commander of Tây Sơn cannot open the run
    make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)
    context = browser.new_context(base_url=live_server.url, locale="vi-VN")  # type: ignore[attr-defined]
    other = context.new_page()
    log_in(other, "chihuy.tayson", PASSWORD)
    response = other.goto(f"/planner/{run.pk}/")
    assert response is not None and response.status == 404
    context.close()
