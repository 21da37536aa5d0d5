"""The coverage page in the browser: a district's communes ranked by coverage as bars, the daily
line drawn by the vendored Chart.js, a click down to a commune and its villages, and the
commander accepting the suggested targets — at a desk's width and at a phone's. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import datetime
import random

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cccd.accounts.models import Role
from cccd.campaigns.models import Campaign, Target
from cccd.campaigns.services import load_groups
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort
from cccd.units.models import Unit
from tests.builders import PASSWORD, Tree, make_pair, make_person, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.enrollments.conftest import HCM

COMMUNES = [
    ("24670", "Xã Đức Minh"),
    ("24673", "Xã Đắk Sắk"),
    ("24676", "Xã Thuận An"),
    ("24664", "Thị trấn Đắk Mil"),
]
VILLAGES = ["Thôn 1", "Thôn 2", "Thôn 3", "Thôn Đức Lợi", "Bon Jun Juh"]


@pytest.fixture
def district(tree: Tree) -> Campaign:
    """Đắk Mil's five communes, 150 people in their villages, a fortnight of dossiers received
    at different paces per commune, the cohort counted."""
    load_groups()
    communes = [tree.daklao] + [
        make_pair(tree.dakmil, tree.dakmil_police, code, name, "commune")[0]
        for code, name in COMMUNES
    ]
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        unit=tree.dakmil_police,
        name="Cao điểm CCCD Đắk Mil",
        start_date=today - datetime.timedelta(days=14),
        end_date=today + datetime.timedelta(days=45),
    )
    rng = random.Random(16)
    for i in range(150):
        commune = communes[i % len(communes)]
        person = make_person(commune, f"Y {'ABCDEGHKLMN'[i % 11]} Niê", f"{1950 + i % 55}", "M")
        person.village = VILLAGES[(i // 5) % len(VILLAGES)]  # type: ignore[attr-defined]
        person.save()  # type: ignore[attr-defined]
        pace = 0.25 + 0.15 * communes.index(commune)  # each commune at its own pace
        if rng.random() < pace:
            day = today - datetime.timedelta(days=rng.randint(0, 14))
            Enrollment.objects.create(
                unit=tree.dakmil_police,
                campaign=campaign,
                person=person,
                kind="first_issue",
                law="2014",
                state="captured",
                received_at=datetime.datetime.combine(day, datetime.time(20), tzinfo=HCM),
            )
    cohort.build(campaign)
    return campaign


def test_the_commander_reads_coverage_drills_down_and_accepts_targets(
    page: Page, tree: Tree, district: Campaign
) -> None:
    make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)
    log_in(page, "chihuy.dakmil", PASSWORD)
    page.get_by_role("link", name="Độ bao phủ").click()
    expect(page.get_by_test_id("coverage-place")).to_have_text("Huyện Đắk Mil")
    expect(page.get_by_test_id("total-eligible")).to_have_text("150")
    rows = page.get_by_test_id("children-row")
    expect(rows).to_have_count(5)
    expect(page.locator("#coverage-chart[data-ready='1']")).to_be_attached()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "coverage-district.png"), full_page=True)

    # The lowest first: the first row's rate is not above the last's.
    first = float(rows.first.locator("meter").get_attribute("value") or "0")
    last = float(rows.last.locator("meter").get_attribute("value") or "0")
    assert first <= last

    # Accept the suggestions, one edited.
    boxes = page.locator("input.target-box")
    expect(boxes).to_have_count(5)
    boxes.first.fill("45")
    page.get_by_role("button", name="Điền số đề xuất vào mọi ô").click()
    expect(boxes.first).to_have_value("30")  # each commune's cohort: 150 people over five
    boxes.first.fill("1.200")
    page.get_by_test_id("apply-targets").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu 5 chỉ tiêu.")
    assert Target.objects.filter(campaign=district, total=1200).count() == 1
    assert Target.objects.filter(campaign=district, total=30).count() == 4

    # A number that is none comes back on the page with the unit named, nothing saved.
    boxes.nth(1).fill("ba mươi")
    page.get_by_test_id("apply-targets").click()
    expect(page.get_by_test_id("targets-error")).to_contain_text("không phải. Chưa có gì")
    expect(page.locator("input.target-box").nth(1)).to_have_value("ba mươi")
    page.screenshot(path=str(ARTIFACTS / "coverage-targets-refused.png"), full_page=True)

    # Down to Đắk Lao: its villages, ranked.
    page.goto(f"/coverage/?campaign={district.pk}")
    page.get_by_role("link", name="Xã Đắk Lao", exact=True).click()
    expect(page.get_by_test_id("coverage-place")).to_have_text("Xã Đắk Lao")
    expect(page.get_by_test_id("villages-row")).to_have_count(len(VILLAGES))
    expect(page.get_by_test_id("crumbs")).to_contain_text("Huyện Đắk Mil")
    page.screenshot(path=str(ARTIFACTS / "coverage-commune.png"), full_page=True)

    # A phone's width: the bars and their numbers stay readable.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/coverage/?campaign={district.pk}")
    expect(page.get_by_test_id("children-row").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "coverage-district-narrow.png"), full_page=True)
    assert Unit.objects.filter(parent=tree.dakmil).count() == 5


def test_the_commander_goes_from_coverage_to_a_round_of_homes(
    page: Page, tree: Tree, district: Campaign
) -> None:
    """Coverage → a commune → its people still to reach → a home-visit round planned from them,
    and the officer of another district cannot open that commune's list."""
    from cccd.campaigns.models import Session, Team
    from cccd.reach import marks
    from cccd.reach.homevisits import natural_key
    from cccd.reach.models import HomeVisit, Reachable

    commander = make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)
    team = Team.objects.create(unit=tree.dakmil_police, name="Tổ lưu động số 1", leader=commander)
    # Two people of Đắk Lao who cannot come, marked by the commune's officer; the cohort is
    # counted again so the list flags them.
    officer = make_user("canbo.daklao", Role.OFFICER, tree.daklao_police)
    unreached = Reachable.objects.filter(campaign=district, unit=tree.daklao, reached_on=None)
    for person_id, reason in zip(
        unreached.order_by("person_id").values_list("person_id", flat=True)[:2],
        ["disabled", "bedridden"],
        strict=True,
    ):
        marks.mark_person(actor=officer, person_id=person_id, reason=reason, note="Xã xác nhận")
    cohort.build(district)
    to_visit = Reachable.objects.filter(
        campaign=district, unit=tree.daklao, reached_on__isnull=True
    ).exclude(home_visit="")
    flagged = set(to_visit.values_list("person_id", flat=True))
    assert len(flagged) == 2

    log_in(page, "chihuy.dakmil", PASSWORD)
    page.get_by_role("link", name="Độ bao phủ").click()
    page.get_by_role("link", name="Xã Đắk Lao", exact=True).click()
    expect(page.get_by_test_id("coverage-place")).to_have_text("Xã Đắk Lao")
    page.get_by_test_id("lists").click()
    expect(page.get_by_test_id("list-title")).to_contain_text("Đắk Lao")
    rows = page.get_by_test_id("person-row")
    remaining = Reachable.objects.filter(
        campaign=district, unit=tree.daklao, reached_on__isnull=True
    ).count()
    expect(rows).to_have_count(remaining)
    expect(page.get_by_test_id("home-visit")).to_have_count(len(flagged))
    page.screenshot(path=str(ARTIFACTS / "reach-list.png"), full_page=True)

    # The people flagged for a home visit come checked: plan the round from them.
    page.get_by_role("button", name="Lập buổi thu nhận tại nhà").click()
    expect(page.get_by_test_id("person")).to_have_count(len(flagged))
    saturday = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Tổ công tác").select_option(str(team.pk))
    page.get_by_label("Ngày").fill(f"{saturday:%d/%m/%Y}")
    page.get_by_label("Từ").fill("07:30")
    page.get_by_label("Đến").fill("11:30")
    page.get_by_role("button", name="Lập buổi thu nhận", exact=True).click()
    expect(page.get_by_test_id("visit")).to_have_count(len(flagged))
    session = Session.objects.get(kind=Session.Kind.HOME_VISITS)
    assert set(HomeVisit.objects.filter(session=session).values_list("person_id", flat=True)) == (
        flagged
    )
    villages = list(
        HomeVisit.objects.filter(session=session)
        .order_by("position")
        .values_list("village", flat=True)
    )
    assert villages == sorted(villages, key=natural_key)  # the round goes village by village
    page.screenshot(path=str(ARTIFACTS / "reach-round.png"), full_page=True)

    # Another district's officer: the same commune's list is not found.
    make_user("canbo.tayson", Role.OFFICER, tree.tayson_police)
    page.get_by_role("button", name="Đăng xuất").click()  # noqa: RUF003
    log_in(page, "canbo.tayson", PASSWORD)
    response = page.goto(f"/coverage/lists/?campaign={district.pk}&unit={tree.daklao.pk}")
    assert response is not None and response.status == 404
