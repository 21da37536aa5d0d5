from playwright.sync_api import Page, expect

from cccd.accounts.models import User
from tests.builders import PASSWORD
from tests.e2e.conftest import log_in


def test_an_officer_logs_in_and_sees_their_unit_in_vietnamese(
    page: Page, officer_dakmil: User, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    log_in(page, "canbo.dakmil", PASSWORD)
    expect(page.get_by_test_id("unit-name")).to_have_text("Công an huyện Đắk Mil")
    expect(page.get_by_test_id("current-unit")).to_contain_text("Cán bộ thu nhận")
    expect(page.get_by_role("link", name="Công an xã Đắk Lao")).to_be_visible()  # the unit below
    expect(page.get_by_text("Tây Sơn")).to_have_count(0)


def test_a_wrong_password_shows_a_message_and_the_officer_can_switch_to_english(
    page: Page, officer_dakmil: User, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    log_in(page, "canbo.dakmil", "sai-mat-khau")
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()


def test_a_commander_reads_the_login_in_the_audit_trail(
    page: Page, commander_daknong: User, officer_dakmil: User, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    log_in(page, "chihuy.daknong", PASSWORD)
    page.get_by_role("link", name="Nhật ký hoạt động").click()
    table = page.get_by_test_id("audit-table")
    expect(table).to_contain_text("auth.login")
    expect(table).to_contain_text("chihuy.daknong")
