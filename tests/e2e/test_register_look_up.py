from playwright.sync_api import Page, expect

from cccd.accounts.models import User
from cccd.registry.models import Household
from tests.builders import PASSWORD, Tree, make_person
from tests.e2e.conftest import log_in


def test_an_officer_looks_a_person_up_without_diacritics_and_opens_the_record(
    page: Page, tree: Tree, officer_dakmil: User, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    household = Household.objects.create(code="HK24667000007", residence_unit=tree.daklao)
    make_person(
        tree.daklao, "Đặng Thị Thu Hương", "15/03/1999", "F", household=household, relation="head"
    )
    make_person(
        tree.daklao, "Nguyễn Minh Khôi", "02/09/2019", "M", household=household, relation="child"
    )
    log_in(page, "canbo.dakmil", PASSWORD)
    page.get_by_role("link", name="Tra cứu dân cư").click()
    page.get_by_role("searchbox").fill("dang thi thu huong 1999")
    page.get_by_role("button", name="Tìm").click()
    page.get_by_test_id("results").get_by_role("link", name="Đặng Thị Thu Hương").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đặng Thị Thu Hương")
    expect(page.get_by_test_id("household")).to_contain_text("Nguyễn Minh Khôi")
    expect(page.get_by_test_id("card-status")).to_have_text("Chưa có thẻ")
