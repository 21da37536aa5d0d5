"""Progress, defined once: a dossier counts from its intake, on the local day it was received, and
stops counting when it is rejected or cancelled, even days later. The dashboard, the daily report
(page, xlsx, PDF) and the API show the same figure as a direct count of the dossiers, for every
unit of the tree and on both sides of midnight; `cccd rebuild_counters` gives the same counters
as the incremental path, and the data migration turns the old counters into the new ones."""

from __future__ import annotations

import datetime
import importlib
import io
import re
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment, Kind
from cccd.reports import counters
from cccd.reports.models import DailyCount, StateCount, UnitDayCount
from cccd.units.models import Unit
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.enrollments.conftest import HCM
from tests.reports import test_report as shared
from tests.reports.test_report import START, from_pdf, from_report_page, from_xlsx, pdf_text

campaign, commander_ministry = shared.campaign, shared.commander_ministry  # targets 40 and 300

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 3, 6)
WITHDRAWN = ("rejected", "cancelled")
MIGRATION = "cccd.reports.migrations.0004_progress_without_withdrawn"


@pytest.fixture
def moved(
    tree: Tree, campaign: Campaign, commander_ministry: User, time_machine: Any
) -> list[Enrollment]:
    """36 dossiers received through the intake's counter path in three units over six evenings
    (half of them after midnight, so on the next day), then a quarter rejected and a quarter
    cancelled two days after the last evening, through the lifecycle."""
    units = [
        (tree.dakmil_police, tree.daklao),
        (tree.daklao_police, tree.daklao),
        (tree.tayson_police, tree.tayson),
    ]
    groups = [None, *PriorityGroup.objects.all()[:2]]
    made = []
    for i in range(36):
        unit, commune = units[i % 3]
        evening = DAY - datetime.timedelta(days=1 + i % 6)
        moment = datetime.datetime.combine(evening, datetime.time(23, 35), tzinfo=HCM)
        moment += datetime.timedelta(minutes=40 * (i % 2))  # 23:35 that day, or 00:15 the next
        person = make_person(
            commune, f"Đỗ Văn {'ABCDEGHKLMN'[i % 11]}", f"{1 + i % 28:02d}/0{1 + i % 9}/1996", "M"
        )
        dossier = Enrollment.objects.create(
            unit=unit,
            campaign=campaign,
            person=person,
            kind=Kind.values[i % len(Kind.values)],
            group=groups[i % 3],
            law="2014",
            state="captured",
            code=f"P-{i:04d}",
            received_at=moment,
            state_changed_at=moment,
            return_date=evening + datetime.timedelta(days=9),
        )
        counters.intake_finished(dossier)
        made.append(dossier)
    time_machine.move_to(datetime.datetime(2021, 3, 8, 9, 0, tzinfo=HCM))
    for dossier in made[0::4]:
        lifecycle.move(dossier.pk, "reject", actor=commander_ministry, reason="Trùng hồ sơ")
    for dossier in made[2::4]:
        lifecycle.move(dossier.pk, "cancel", actor=commander_ministry, reason="Công dân rút hồ sơ")
    return made


def progress(unit: Unit, day: datetime.date, *, only_that_day: bool = False) -> int:
    """Counted straight from the dossiers: received (Vietnam's date) from the campaign's start to
    `day` (or on `day`), in the unit's subtree, neither rejected nor cancelled."""
    count = 0
    for dossier in Enrollment.objects.filter(unit__path__startswith=unit.path):
        received = dossier.received_at.astimezone(HCM).date()
        if dossier.state in (*WITHDRAWN, "draft") or received > day or received < START:
            continue
        count += 1 if not only_that_day or received == day else 0
    return count


def expected(unit: Unit, day: datetime.date, target: int | None) -> dict[str, Any]:
    done = progress(unit, day)
    week = done - progress(unit, day - datetime.timedelta(days=7))
    percent = round(100 * done / target, 1) if target else None
    today = progress(unit, day, only_that_day=True)
    return {"done": done, "today": today, "week": week, "percent": percent}


def from_dashboard(html: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        k: int(re.search(rf'data-testid="{k}">([\d,]+)<', html).group(1).replace(",", ""))
        for k in ("done", "today", "week")
    }
    share = re.search(r"of [\d,]+ · ([\d.]+) %", html)
    found["percent"] = float(share.group(1)) if share else None
    return found


def five_outputs(
    client: Client, unit: Unit, campaign: Campaign, day: datetime.date
) -> dict[str, dict]:
    """The figures as each output gives them: the dashboard page, the report page, the xlsx and
    the PDF downloads, and the API."""
    query = f"?unit={unit.pk}&campaign={campaign.pk}&day={day:%d/%m/%Y}"
    keys = ("done", "today", "week", "percent")
    dashboard = client.get(f"/reports/units/{unit.pk}/{query}")
    report = client.get(f"/reports/report/{query}")
    xlsx, pdf = (
        client.get(f"/reports/report.xlsx{query}"),
        client.get(f"/reports/report.pdf{query}"),
    )
    api = client.get(f"/api/v1/reports/dashboard{query}")
    assert {r.status_code for r in (dashboard, report, xlsx, pdf, api)} == {200}
    return {
        "dashboard": from_dashboard(dashboard.content.decode()),
        "report page": {k: from_report_page(report.content.decode())[k] for k in keys},
        "xlsx": {k: from_xlsx(xlsx.content)[0][k] for k in keys},
        "pdf": {k: from_pdf(pdf_text(pdf.content))[k] for k in keys},
        "api": {k: api.json()[k] for k in keys},
    }


def counter_rows() -> tuple[dict, ...]:
    return (
        {
            (r.unit_id, r.campaign, r.group, r.kind, r.day, r.event): r.count
            for r in DailyCount.objects.exclude(count=0)
        },
        {
            (r.unit_id, r.campaign, r.day, r.event): r.count
            for r in UnitDayCount.objects.exclude(count=0)
        },
        {
            (r.unit_id, r.campaign, r.group, r.kind, r.state): r.count
            for r in StateCount.objects.exclude(count=0)
        },
    )


def test_a_dossier_rejected_or_cancelled_later_leaves_every_output_and_the_rebuild_agrees(
    tree: Tree, campaign: Campaign, moved: list[Enrollment], commander_ministry: User
) -> None:
    client = client_for(commander_ministry)
    units = {
        tree.ministry: 340,
        tree.daknong_police: 40,
        tree.dakmil_police: 40,
        tree.daklao_police: None,
        tree.tayson_police: 300,
    }
    assert Enrollment.objects.filter(state__in=WITHDRAWN).count() == 18
    assert progress(tree.ministry, DAY) == 18
    for unit, target in units.items():
        for day in (DAY, DAY - datetime.timedelta(days=1), DAY - datetime.timedelta(days=3)):
            want = expected(unit, day, target)
            for output, got in five_outputs(client, unit, campaign, day).items():
                assert got == want, (unit.path, day, output)

    # the units below, as the dashboard ranks them and the API gives them
    page = client.get(
        f"/reports/units/{tree.dakmil_police.pk}/?campaign={campaign.pk}&day=06/03/2021"
    )
    commune = tree.daklao_police
    shown = re.search(rf'data-testid="child-done-{commune.pk}">(\d+)<', page.content.decode())
    assert int(shown.group(1)) == progress(commune, DAY)
    api = client.get(
        f"/api/v1/reports/children?unit={tree.ministry.pk}&campaign={campaign.pk}&day=06/03/2021"
    )
    assert {c["unit"]["code"]: (c["done"], c["today"]) for c in api.json()["children"]} == {
        "67": (
            progress(tree.daknong_police, DAY),
            progress(tree.daknong_police, DAY, only_that_day=True),
        ),
        "52": (
            progress(tree.binhdinh_police, DAY),
            progress(tree.binhdinh_police, DAY, only_that_day=True),
        ),
    }

    incremental = counter_rows()
    call_command("rebuild_counters", stdout=io.StringIO())
    assert counter_rows() == incremental
    assert five_outputs(client, tree.ministry, campaign, DAY)["api"] == expected(
        tree.ministry, DAY, 340
    )


def test_the_counters_of_a_day_go_down_when_its_dossier_is_withdrawn(
    tree: Tree, campaign: Campaign, moved: list[Enrollment], commander_ministry: User
) -> None:
    evening = moved[1]  # received at 00:15, so on the day after its evening; still captured
    day = evening.received_at.astimezone(HCM).date()
    row = UnitDayCount.objects.filter(
        unit=tree.ministry, campaign=campaign.pk, day=day, event="captured"
    )
    before = row.get().count
    lifecycle.move(evening.pk, "reject", actor=commander_ministry, reason="Sai thông tin")
    assert row.get().count == before - 1 == progress(tree.ministry, day, only_that_day=True)
    assert counters.counts_as_progress("captured") and not counters.counts_as_progress("draft")
    assert not any(counters.counts_as_progress(s) for s in WITHDRAWN)


def test_the_migration_takes_withdrawn_dossiers_out_of_the_old_counters(
    tree: Tree, campaign: Campaign, moved: list[Enrollment]
) -> None:
    migration = importlib.import_module(MIGRATION)
    new = counter_rows()
    migration.count_withdrawn_again(apps, None)  # the counters as they were before: all received
    old_ministry = sum(
        UnitDayCount.objects.filter(unit=tree.ministry, event="captured").values_list(
            "count", flat=True
        )
    )
    assert old_ministry == Enrollment.objects.exclude(state="draft").count() == 36
    migration.leave_out_withdrawn(apps, None)
    assert counter_rows() == new


def test_the_column_says_what_it_counts_in_vietnamese(
    tree: Tree, campaign: Campaign, moved: list[Enrollment], commander_ministry: User
) -> None:
    page = client_for(commander_ministry).get(
        f"/reports/?campaign={campaign.pk}&day=06/03/2021", HTTP_ACCEPT_LANGUAGE="vi"
    )
    html = page.content.decode()
    header = re.search(r'data-testid="children"><thead><tr>(.*?)</tr>', html).group(1)
    assert "Hoàn tất" not in header and "Hồ sơ đã thu nhận" in header
    assert "không tính hồ sơ bị từ chối hoặc đã hủy" in html
    report = client_for(commander_ministry).get(
        f"/reports/report/?campaign={campaign.pk}&day=06/03/2021"
    )
    assert (
        "Ghi chú: Số hồ sơ đã thu nhận không tính hồ sơ bị từ chối hoặc đã hủy"
        in report.content.decode()
    )
    xlsx = client_for(commander_ministry).get(
        f"/reports/report.xlsx?campaign={campaign.pk}&day=06/03/2021"
    )
    cells = load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True)
    assert any("không tính hồ sơ bị từ chối" in str(c) for row in cells for c in row)
