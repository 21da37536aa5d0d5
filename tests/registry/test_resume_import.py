"""Resuming a register import that stopped: its page says so (never "running" for an import
nobody runs), a person with the import permission resumes it there, and it goes on after its last
committed batch. An import a worker still holds is refused, by the page and the command alike."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from cccd.accounts.models import Role, User
from cccd.registry import importing
from cccd.registry.models import Person, RegisterImport
from cccd.registry.services import start_import
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db

HEADER = "Số định danh,Họ và tên,Ngày sinh,Giới tính,Nơi thường trú"
ADDRESS = '"Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"'
ROWS = [
    f"067199012345,Đặng Thị Thu Hương,15/03/1999,Nữ,{ADDRESS}",
    f"067050012346,Nguyễn Văn An,1950,Nam,{ADDRESS}",
    f"067205012347,Đặng Minh Khôi,2005-06-01,M,{ADDRESS}",
]


def _upload(actor: User) -> RegisterImport:
    """Queued by the page's service; the test runs (or does not run) its task itself."""
    content = "\n".join([HEADER, *ROWS]).encode()
    return start_import(SimpleUploadedFile("so-ho-khau.csv", content), actor=actor)


@pytest.fixture
def stopped(administrator: User, monkeypatch: pytest.MonkeyPatch) -> RegisterImport:
    """An import whose worker stopped after its first committed batch (one row a batch)."""
    monkeypatch.setattr(importing, "BATCH", 1)
    original = importing._write_batch
    calls = {"n": 0}

    def stop_on_second(*args: object, **kwargs: object) -> RegisterImport:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the worker is stopped between two batches
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_write_batch", stop_on_second)
    register_import = _upload(administrator)
    with pytest.raises(KeyboardInterrupt):
        importing.run_import(register_import)
    monkeypatch.setattr(importing, "_write_batch", original)
    return RegisterImport.objects.get(pk=register_import.pk)


def _page(user: User, register_import: RegisterImport, **headers: str) -> str:
    response = client_for(user).get(f"/registry/imports/{register_import.pk}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_an_import_nobody_runs_any_more_says_stopped_on_its_pages_and_in_the_api(
    administrator: User, stopped: RegisterImport
) -> None:
    assert (stopped.state, stopped.rows_done) == ("running", 1)  # as the dead worker left it
    page = _page(administrator, stopped)
    assert 'data-state="stopped"' in page and 'data-state="running"' not in page
    assert "Nobody is running this import now." in page
    assert "1 row is saved; resuming goes on after it." in page
    assert "A background worker resumes it by itself" in page
    assert 'data-testid="resume-import"' in page
    listing = client_for(administrator).get("/registry/imports/").content.decode()
    assert 'data-state="stopped">Stopped<' in listing
    api = client_for(administrator).get(f"/api/v1/registry/imports/{stopped.pk}").json()
    assert api["state"] == "stopped"


def test_a_stopped_import_is_resumed_from_its_page_and_goes_on_after_its_last_batch(
    administrator: User, stopped: RegisterImport, django_capture_on_commit_callbacks: object
) -> None:
    client = client_for(administrator)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        response = client.post(f"/registry/imports/{stopped.pk}/resume/", follow=True)
    assert response.redirect_chain[-1][0] == f"/registry/imports/{stopped.pk}/"
    assert "Import queued again: it goes on after row 1." in response.content.decode()
    done = RegisterImport.objects.get(pk=stopped.pk)
    assert (done.status, done.rows_done, done.created, done.rejected) == ("done", 3, 3, 0)
    assert Person.objects.filter(last_import=done).count() == 3
    assert_audited(
        "register_import.resume",
        done,
        actor=administrator,
        before={"status": "stopped", "rows_done": 1},
        after={"status": "queued"},
    )


def test_an_import_a_worker_is_running_cannot_be_resumed(
    administrator: User, stopped: RegisterImport
) -> None:
    from cccd.jobs import leases

    leases.claim(stopped.job, holder="worker-alive")  # type: ignore[arg-type]
    response = client_for(administrator).post(f"/registry/imports/{stopped.pk}/resume/")
    assert response.status_code == 409
    assert "This import is already running." in response.content.decode()
    assert 'data-state="running"' in _page(administrator, stopped)
    stopped.job.refresh_from_db()  # type: ignore[union-attr]
    assert stopped.job.holder == "worker-alive"  # type: ignore[union-attr]


def test_a_queued_import_is_not_queued_twice(administrator: User) -> None:
    queued = _upload(administrator)  # its task is never run here
    response = client_for(administrator).post(f"/registry/imports/{queued.pk}/resume/")
    assert response.status_code == 409
    assert "already queued" in response.content.decode()
    assert "Waiting for a background worker" in _page(administrator, queued)


def test_a_finished_import_cannot_be_resumed(administrator: User) -> None:
    finished = importing.run_import(_upload(administrator))
    response = client_for(administrator).post(f"/registry/imports/{finished.pk}/resume/")
    assert response.status_code == 409
    assert "upload it as a new import" in response.content.decode()
    assert 'data-testid="resume-import"' not in _page(administrator, finished)


def test_resuming_needs_the_import_permission_and_the_importers_unit(
    tree: Tree, stopped: RegisterImport, officer_dakmil: User
) -> None:
    other = make_user("quantri.binhdinh", Role.ADMINISTRATOR, tree.binhdinh_police)
    url = f"/registry/imports/{stopped.pk}/resume/"
    assert client_for(officer_dakmil).post(url).status_code == 403
    assert client_for(other).post(url).status_code == 404  # another unit's import does not exist
    stopped.job.refresh_from_db()  # type: ignore[union-attr]
    assert stopped.job.status == "stopped"  # type: ignore[union-attr]


def test_resuming_takes_only_a_post(administrator: User, stopped: RegisterImport) -> None:
    response = client_for(administrator).get(f"/registry/imports/{stopped.pk}/resume/")
    assert response.status_code == 405


def test_the_stopped_import_speaks_vietnamese(administrator: User, stopped: RegisterImport) -> None:
    page = _page(administrator, stopped, HTTP_ACCEPT_LANGUAGE="vi")
    assert "Hiện không có tiến trình nào chạy lượt nhập này." in page
    assert "Tiếp tục nhập" in page


def test_the_command_refuses_an_import_a_worker_is_running_and_finishes_a_stopped_one(
    stopped: RegisterImport,
) -> None:
    from cccd.jobs import leases

    lease = leases.claim(stopped.job, holder="host:77:alive")  # type: ignore[arg-type]
    with pytest.raises(CommandError, match="being run by host:77:alive"):
        call_command("import_register", "--resume", str(stopped.pk), "--quiet")
    leases.release(lease, "running")  # that worker is stopped
    out = io.StringIO()
    call_command("import_register", "--resume", str(stopped.pk), "--quiet", stdout=out)
    assert "3 rows — 3 added" in out.getvalue()


def test_a_worker_that_lost_its_lease_commits_no_further_batch(
    administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cccd.jobs import leases
    from cccd.jobs.models import Job

    monkeypatch.setattr(importing, "BATCH", 1)
    register_import = _upload(administrator)

    def taken_over_after_first_batch(imp: RegisterImport) -> None:
        if imp.rows_done == 1:  # this worker stalled past its lease, and another took the job
            Job.objects.filter(pk=imp.job_id).update(expires_at=None)
            leases.claim(Job.objects.get(pk=imp.job_id), holder="the-other-worker")

    with pytest.raises(leases.LeaseLost):
        importing.run_import(register_import, progress=taken_over_after_first_batch)
    after = RegisterImport.objects.select_related("job").get(pk=register_import.pk)
    assert (after.rows_done, Person.objects.count()) == (1, 1)  # the second batch rolled back
    assert after.job.holder == "the-other-worker"  # type: ignore[union-attr]


def test_a_bound_met_while_writing_fails_the_import_with_its_reason_and_keeps_the_batches_done(
    administrator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-time limit (or any bound) can be met after the counting pass, in the write pass:
    the import ends failed with the bound's sentence, not stopped for ever by an error."""
    from cccd.errors import FILE_READ_TOO_LONG
    from cccd.jobs.models import Job

    monkeypatch.setattr(importing, "BATCH", 1)
    register_import = _upload(administrator)

    def over_time_after_first_batch(imp: RegisterImport) -> None:
        if imp.rows_done == 1:
            raise FILE_READ_TOO_LONG(seconds=900)

    imp = importing.run_import(register_import, progress=over_time_after_first_batch)
    assert imp.state == RegisterImport.State.FAILED
    assert imp.error_code == FILE_READ_TOO_LONG.code
    assert (imp.rows_done, Person.objects.count()) == (1, 1)  # the committed batch stays
    assert Job.objects.get(pk=imp.job_id).state != "running"
    assert_audited("register_import.fail", imp, actor=administrator)


def test_the_import_waits_in_the_queue_for_a_worker_and_says_so(
    administrator: User,
    django_capture_on_commit_callbacks: object,
    settings: object,
    tmp_path: Path,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # type: ignore[attr-defined]
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        queued = _upload(administrator)
    queued.refresh_from_db()
    assert queued.status == "queued" and queued.job.task_result_id  # type: ignore[union-attr]
    assert 'data-state="queued"' in _page(administrator, queued)
