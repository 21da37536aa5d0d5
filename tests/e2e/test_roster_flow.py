import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.rosters.models import Roster, RosterEntry
from tests.builders import PASSWORD
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.rosters.conftest import register as register  # noqa: F401 (fixtures)
from tests.rosters.conftest import session as session  # noqa: F401
from tests.rosters.test_precheck import ROWS, _school_xlsx


def test_upload_precheck_review_and_export(
    page: Page,
    session: Session,  # noqa: F811
    register: dict,  # noqa: F811
    officer_dakmil: User,
    settings: object,
    tmp_path: Path,
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
    page.wait_for_load_state()  # the page's key script (deferred) is attached
    page.keyboard.press("1")
    expect(page.get_by_test_id("review-done")).to_be_visible()
    picked = RosterEntry.objects.get(values__full_name="Trần Minh Khôi")
    assert picked.decision == "picked"
    assert picked.person_id in {register["twin1"].pk, register["twin2"].pk}
    page.goto(f"/rosters/sessions/{session.pk}/")
    with page.expect_download() as download:
        page.locator("a[href$='discrepancies.xlsx']").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    lines = {row[1]: row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert lines["Hoàng Văn Không Có"] == 10  # the row in the school's file, as Excel shows it


def test_class_lists_sent_one_by_one_and_a_replacement_confirmed(
    page: Page,
    session: Session,  # noqa: F811
    register: dict,  # noqa: F811
    officer_dakmil: User,
    settings: object,
    tmp_path: Path,
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    log_in(page, "canbo.dakmil", PASSWORD)
    files = {
        "12a1": ROWS[:2] + ROWS[5:6],  # An, Hương, Không Có
        "11a2": ROWS[2:4],  # Khôi, Bình
        "12a1-sua": ROWS[:1] + [["Vũ Thị Mới", "03/03/2005", "Nữ", "12A1", ""]],
    }
    for name, rows in files.items():
        (tmp_path / f"{name}.xlsx").write_bytes(_school_xlsx(rows))

    def send(name: str, *, list_name: str = "", replaces: str = "") -> None:
        page.goto(f"/rosters/sessions/{session.pk}/")
        page.locator("input[type=file]").set_input_files(str(tmp_path / f"{name}.xlsx"))
        if replaces:
            page.get_by_label("Tệp này").select_option(label=f"thay thế danh sách “{replaces}”")
        else:
            page.get_by_label("Tên danh sách mới").fill(list_name)
        page.get_by_role("button", name="Gửi danh sách").click()

    send("12a1", list_name="Lớp 12A1")
    expect(page.get_by_test_id("roster-summary")).to_have_attribute("data-state", "checked")
    send("11a2", list_name="Lớp 11A2")
    expect(page.get_by_test_id("roster-summary")).to_have_attribute("data-state", "checked")
    page.goto(f"/rosters/sessions/{session.pk}/")
    expect(page.get_by_test_id("list")).to_have_count(2)
    expect(page.get_by_test_id("total-matched")).to_have_text("3")  # An, Hương, Bình

    send("12a1-sua", replaces="Lớp 12A1")
    expect(page.get_by_test_id("version")).to_have_attribute("data-state", "awaiting")
    dropped = page.get_by_test_id("dropped")
    expect(dropped).to_contain_text("Đặng Thị Thu Hương")
    expect(dropped).to_contain_text("Hoàng Văn Không Có")
    expect(page.get_by_test_id("added")).to_contain_text("Vũ Thị Mới")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "roster-replacement-awaiting.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("roster-summary")).to_have_attribute("data-state", "checked")
    current = sorted(Roster.objects.filter(is_current=True).values_list("list_name", "version"))
    assert current == [("Lớp 11A2", 1), ("Lớp 12A1", 2)]
    page.goto(f"/rosters/sessions/{session.pk}/")
    expect(page.get_by_test_id("list")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "roster-session-lists.png"), full_page=True)
