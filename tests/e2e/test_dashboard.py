"""The commander's dashboard and the daily progress report in the browser (issue 7): the figures,
the chart drawn by the vendored Chart.js (offline), the units below with their rank, a child
unit's dashboard one click away, and the report with its downloads. Screenshots go to
test-artifacts/."""

from __future__ import annotations

import datetime
import random

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cccd.accounts.models import Role
from cccd.campaigns.models import Campaign, PriorityGroup, Target
from cccd.campaigns.services import load_groups
from cccd.enrollments.models import Enrollment, Kind
from cccd.reports import counters, queries
from tests.builders import PASSWORD, Tree, make_person, make_user
from tests.e2e.conftest import ARTIFACTS, log_in
from tests.enrollments.conftest import HCM


@pytest.fixture
def history(tree: Tree) -> Campaign:
    """Three weeks of a campaign in two districts, one dossier in ten rejected and one in ten
    cancelled, counted."""
    load_groups()
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        unit=tree.ministry,
        name="Cao điểm CCCD",
        law="2014",
        start_date=today - datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=40),
    )
    Target.objects.create(campaign=campaign, unit=tree.dakmil_police, total=120)
    Target.objects.create(campaign=campaign, unit=tree.tayson_police, total=80)
    rng, groups, rows = random.Random(3), [None, *PriorityGroup.objects.all()[:3]], []
    for i in range(150):
        unit, commune = (
            (tree.dakmil_police, tree.daklao) if i % 3 else (tree.tayson_police, tree.tayson)
        )
        person = make_person(
            commune, f"Lê Văn {'ABCDEGHKLMN'[i % 11]}", f"{1 + i % 28:02d}/0{1 + i % 9}/1995", "M"
        )
        day = today - datetime.timedelta(days=rng.randint(0, 20))
        moment = datetime.datetime.combine(day, datetime.time(20, rng.randint(0, 59)), tzinfo=HCM)
        rows.append(
            Enrollment(
                unit=unit,
                campaign=campaign,
                person=person,
                kind=rng.choice(Kind.values),
                group=rng.choice(groups),
                law="2014",
                code=f"E-{i:04d}",
                state={0: "rejected", 5: "cancelled"}.get(i % 10, "captured"),
                received_at=moment,
                return_date=day + datetime.timedelta(days=10),
            )
        )
    Enrollment.objects.bulk_create(rows)
    counters.rebuild()
    make_user("chihuy.daknong", Role.COMMANDER, tree.daknong_police)
    return campaign


def test_the_commander_reads_the_dashboard_and_opens_a_district(
    page: Page, tree: Tree, history: Campaign
) -> None:
    log_in(page, "chihuy.daknong", PASSWORD)
    page.goto("/reports/")
    f = queries.figures(tree.daknong_police, history, timezone.localdate())
    taken = Enrollment.objects.filter(
        unit__path__startswith=tree.daknong_police.path, state="captured"
    ).count()
    assert f.done == taken  # the rejected and cancelled ones are not progress
    expect(page.get_by_test_id("done")).to_have_text(f"{f.done:,}".replace(",", "."))
    expect(page.get_by_test_id("children").locator("th").nth(3)).to_have_text("Hồ sơ đã thu nhận")
    expect(page.get_by_test_id("progress-note")).to_contain_text("không tính hồ sơ bị từ chối")
    expect(page.locator("#daily-chart[data-ready='1']")).to_have_count(1)  # Chart.js drew it
    expect(page.get_by_test_id("children")).to_contain_text(tree.dakmil_police.name)
    page.screenshot(path=str(ARTIFACTS / "dashboard_province.png"), full_page=True)
    page.get_by_test_id("children").get_by_role("link", name=tree.dakmil_police.name).click()
    expect(page.get_by_test_id("dashboard-unit")).to_have_text(tree.dakmil_police.name)
    district = queries.figures(tree.dakmil_police, history, timezone.localdate())
    expect(page.get_by_test_id("done")).to_have_text(f"{district.done:,}".replace(",", "."))
    expect(page.get_by_test_id("forecast")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard_district.png"), full_page=True)

    # the daily progress report of the district, on screen and as the xlsx it sends upward
    page.get_by_test_id("to-report").click()
    expect(page.get_by_test_id("report-unit")).to_contain_text(tree.dakmil_police.name)
    expect(page.get_by_test_id("report-remarks")).to_be_visible()
    expect(page.get_by_test_id("line-5")).to_have_text(f"{district.percent:.1f}".replace(".", ","))
    page.screenshot(path=str(ARTIFACTS / "daily_report.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("download-xlsx").click()
    saved = ARTIFACTS / download.value.suggested_filename
    download.value.save_as(saved)
    cells = [
        c for row in openpyxl.load_workbook(saved).active.iter_rows(values_only=True) for c in row
    ]
    assert district.done in cells and saved.name.startswith("bao-cao-tien-do-")
