"""What a role sees in the browser: the liaison finds their school's list and nothing else, and the
administrator sees who was refused again and again."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from playwright.sync_api import Page, expect

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Session
from tests.builders import PASSWORD, Tree, make_user
from tests.conftest import client_for
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.rosters.conftest import session as session  # noqa: F401 (fixtures)

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_liaison_finds_their_schools_list_and_nothing_else(
    page: Page,
    session: Session,
    settings: Any,
    time_machine: Any,  # noqa: F811
) -> None:
    settings.LANGUAGE_CODE = "vi"
    time_machine.move_to(datetime.datetime(2021, 3, 6, 17, 0, tzinfo=HCM))
    log_in(page, "lienlac.thpt", PASSWORD)
    nav = page.locator("header nav")
    expect(nav).to_contain_text("Buổi thu nhận")
    for hidden in ("Tra cứu dân cư", "Hồ sơ", "Đơn vị", "Đợt cấp", "Tiến độ"):
        expect(nav).not_to_contain_text(hidden)
    nav.get_by_role("link", name="Buổi thu nhận").click()
    sessions = page.get_by_test_id("sessions")
    expect(sessions).to_contain_text("Trường THPT Đắk Mil")
    expect(sessions).not_to_contain_text("Hàng chờ")  # the queue is not theirs
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "liaison-sessions.png"), full_page=True)
    sessions.get_by_role("link", name="Trường THPT Đắk Mil").click()
    expect(page.get_by_role("button", name="Gửi danh sách")).to_be_visible()
    response = page.goto(f"/queue/sessions/{session.pk}/")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("Vai trò của bạn không được phép")


def test_the_administrator_sees_who_was_refused_again_and_again(
    page: Page, tree: Tree, administrator: User, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "vi"
    settings.CCCD_SECURITY_BURST_COUNT = 3
    prober = make_user("lienlac.dakmil", Role.LIAISON, tree.dakmil_police)
    client = client_for(prober)
    for url in ("/registry/", "/dossiers/", "/units/", "/reports/"):
        assert client.get(url).status_code == 403
    log_in(page, "quantri", PASSWORD)
    bursts = page.get_by_test_id("denial-bursts")
    expect(bursts).to_contain_text("Yêu cầu bị từ chối")
    expect(bursts).to_contain_text("lienlac.dakmil")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "administrator-home-bursts.png"), full_page=True)
    bursts.get_by_role("link", name="lienlac.dakmil").click()
    table = page.get_by_test_id("audit-table")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table).to_contain_text("security.denied")
