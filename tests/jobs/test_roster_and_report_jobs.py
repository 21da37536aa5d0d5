"""The roster's reading and pre-check and the daily reports hold the same lease as the import: a
worker that died leaves them to the next worker, which goes on without doing anything twice."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, Session, Target
from cccd.jobs import leases, recovery
from cccd.reports import daily_report
from cccd.reports.tasks import DAILY_REPORTS_JOB, generate_daily_reports
from cccd.rosters import precheck
from cccd.rosters import services as rosters
from cccd.rosters.models import Roster
from cccd.rosters.tasks import ROSTER_JOB, process_roster_task
from tests.builders import Tree, make_person

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DAY = datetime.date(2021, 3, 6)


def _class_list() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Lớp"])
    sheet.append([1, "Nguyễn Văn An", "15/03/2005", "Nam", "12A1"])
    sheet.append([2, "Đặng Thị Thu Hương", "02/09/2005", "Nữ", "12A1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_roster_whose_worker_died_after_reading_it_is_pre_checked_by_the_next_without_reading_again(
    tree: Tree,
    session: Session,
    officer_dakmil: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: object,
) -> None:
    make_person(tree.daklao, "Nguyễn Văn An", "15/03/2005", "M")
    roster = rosters.upload_roster(
        session.pk, SimpleUploadedFile("ds.xlsx", _class_list()), actor=officer_dakmil
    )  # queued; its task is run below

    def worker_killed(roster_id: int) -> Roster:
        raise SystemExit(1)  # the worker's shutdown, forced, during the pre-check

    with monkeypatch.context() as patch:
        patch.setattr(precheck, "run_precheck", worker_killed)
        with pytest.raises(SystemExit):
            process_roster_task.call(roster.pk)
    roster.refresh_from_db()
    assert roster.entries.count() == 2 and roster.state == "checking"  # current, not pre-checked
    job = leases.job_for(ROSTER_JOB, roster.pk)
    assert job.status == "stopped" and job.resumes_by_itself

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        recovery.resume_abandoned_jobs()  # what a running db_worker does every few seconds
    roster.refresh_from_db()
    assert roster.state == "checked" and roster.entries.count() == 2  # rows not read twice
    assert roster.entries.get(row=1).outcome == "matched"
    job.refresh_from_db()
    assert (job.status, job.runs) == ("done", 2)


def test_the_daily_reports_wait_for_the_worker_holding_the_day_and_are_written_once_it_died(
    tree: Tree, campaign: Campaign, django_capture_on_commit_callbacks: object
) -> None:
    Target.objects.create(campaign=campaign, unit=tree.dakmil_police, total=100)
    job = leases.job_for(DAILY_REPORTS_JOB, DAY.isoformat(), None)
    leases.claim(job, holder="other-worker")
    assert generate_daily_reports.call(DAY.isoformat()) == 0  # another worker is writing the day
    name = daily_report.stored_name(tree.dakmil_police, campaign.pk, DAY, "pdf")
    assert not default_storage.exists(name)

    leases.release(leases.Lease(job.pk, "other-worker", 60), "running")  # that worker died
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        recovery.resume_abandoned_jobs()
    assert default_storage.exists(name)
    job.refresh_from_db()
    assert job.status == "done"
