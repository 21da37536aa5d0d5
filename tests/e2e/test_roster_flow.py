import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.rosters.models import RosterEntry
from tests.builders import PASSWORD
from tests.e2e.conftest import log_in
from tests.rosters.conftest import register as register  # noqa: F401 (fixtures)
from tests.rosters.conftest import session as session  # noqa: F401
from tests.rosters.test_precheck import ROWS, _school_xlsx


def test_upload_precheck_review_and_export(
    page: Page,
    session: Session,
    register: dict,
    officer_dakmil: User,
    settings: object,
    tmp_path: Path,  # noqa: F811
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    roster_file = tmp_path / "danh-sach.xlsx"
    roster_file.write_bytes(_school_xlsx(ROWS))
    log_in(page, "canbo.dakmil", PASSWORD)
    page.goto(f"/rosters/sessions/{session.pk}/")
    page.locator("input[type=file]").set_input_files(str(roster_file))
    page.get_by_role("button", name="Gửi danh sách").click()
    expect(page.get_by_test_id("roster-summary")).to_have_attribute("data-state", "checked")
    expect(page.get_by_test_id("count-matched")).to_have_text("4")
    page.get_by_role("button", name="Rà soát các dòng chưa chắc chắn").click()
    expect(page.get_by_test_id("review-entry")).to_contain_text("Trần Minh Khôi")
    page.keyboard.press("1")
    expect(page.get_by_test_id("review-done")).to_be_visible()
    picked = RosterEntry.objects.get(values__full_name="Trần Minh Khôi")
    assert picked.decision == "picked"
    assert picked.person_id in {register["twin1"].pk, register["twin2"].pk}
    page.goto(f"/rosters/sessions/{session.pk}/")
    with page.expect_download() as download:
        page.locator("a[href$='discrepancies.xlsx']").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    names = [row[1] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "Hoàng Văn Không Có" in names
