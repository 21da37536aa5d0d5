"""The hostile corpus at every upload point a user can reach: the register import (page, API and
command), the roster upload (page and API), the intake's photo, signature, fingerprints and irises,
the device service's answer, a correction's proof, the delivery signature, and the production
centre's result zip. The field kit's two input points, a packet sent to the district and a
checkout package taken on a kit, meet the same corpus in tests/kits/test_api.py.

Each file ends in a 4xx whose page or body says what is wrong, or, where the file is read in the
worker, in a failed import or list that says it; nothing of it is kept. The time each takes is
bounded by the limits `cccd.filebounds` enforces (tests/hostile/test_bounds.py), not measured here.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from cccd import errors as shared
from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments import errors as intake
from cccd.enrollments.intake import captures, services
from cccd.enrollments.models import Artefact, Enrollment, ProductionBatch, ProposedChange
from cccd.enrollments.production import errors as production
from cccd.errors import ErrorCode
from cccd.registry import errors as registry
from cccd.registry.models import Person, RegisterImport
from cccd.rosters import errors as rosters
from cccd.rosters.models import Roster
from cccd.tickets.models import Ticket
from tests.builders import Tree
from tests.conftest import client_for
from tests.enrollments.dossiers.test_lifecycle_views import make_dossier
from tests.hostile import make_corpus
from tests.hostile.conftest import corpus, filename, shows

pytestmark = pytest.mark.django_db

FORM_EMPTY = "The submitted file is empty."  # Django's FileField, before any service sees it

REGISTER: dict[str, ErrorCode | str] = {
    "huge-dimensions": shared.TABLE_TOO_MANY_COLUMNS,
    "far-cell": shared.TABLE_TOO_MANY_COLUMNS,
    "far-row": shared.TABLE_TOO_MANY_ROWS,
    "wide-row": shared.TABLE_ROW_TOO_LARGE,
    "zip-bomb": shared.FILE_PACKED_TOO_TIGHT,
    "many-parts": shared.FILE_TOO_MANY_PARTS,
    "many-merges": shared.SHEET_TOO_COMPLEX,
    "huge-header-text": shared.SHEET_TOO_COMPLEX,
    "huge-shared-string": shared.TABLE_TEXT_TOO_LARGE,
    "nested-shared-string": shared.TABLE_TEXT_TOO_LARGE,
    "billion-laughs": shared.FILE_XML_ENTITIES,
    "truncated-xlsx": registry.BAD_XLSX,
    "path-traversal": shared.FILE_UNSAFE_PART_NAME,
    "text-named-xlsx": registry.MISSING_COLUMNS,
    "csv-nul": registry.NOT_A_TABLE,
    "csv-late-nul": registry.BINARY_CONTENT,  # below the header: the import fails in the worker
    "csv-one-line": shared.TABLE_ROW_TOO_LARGE,
    "empty": FORM_EMPTY,
    "png-bomb": registry.NOT_A_TABLE,
    "jpeg-claiming": registry.NOT_A_TABLE,
    "pdf-named-jpg": registry.NOT_A_TABLE,
}
ROSTER = {**REGISTER, "text-named-xlsx": rosters.NO_ROSTER_HEADER}


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(filename(name), corpus(name))


def said(text: str, expected: ErrorCode | str) -> bool:
    return expected in text if isinstance(expected, str) else shows(text, expected)


def refused_now_or_in_the_worker(response: Any, failure: Callable[[], str | None]) -> str:
    """The refusal's text: the 4xx page or body, or the failed job's message."""
    if 400 <= response.status_code < 500:
        if response["Content-Type"].startswith("application/json"):
            return str(response.json()["message"])
        return response.content.decode()
    assert response.status_code in {201, 202, 302}, response.status_code
    message = failure()
    assert message, "neither a 4xx nor a failed job"
    return message


# --- the register --------------------------------------------------------------------------------


def _failed_import() -> str | None:
    latest = RegisterImport.objects.order_by("-pk").first()
    return latest.error_message if latest is not None and latest.state == "failed" else None


@pytest.mark.parametrize("name", sorted(REGISTER))
def test_the_register_page_refuses_a_hostile_file(
    name: str, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post("/registry/imports/", {"file": upload(name)})
    assert said(refused_now_or_in_the_worker(response, _failed_import), REGISTER[name])
    assert not Person.objects.exists()


@pytest.mark.parametrize("name", sorted(REGISTER))
def test_the_register_api_refuses_a_hostile_file(
    name: str, administrator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(administrator).post(
            "/api/v1/registry/imports", {"file": upload(name)}
        )
    expected = registry.EMPTY_FILE if name == "empty" else REGISTER[name]
    text = refused_now_or_in_the_worker(response, _failed_import)
    assert said(text, expected)
    if response.status_code >= 400:
        assert response.json()["code"] == expected.code  # type: ignore[union-attr]
    assert not Person.objects.exists()


@pytest.mark.parametrize("name", sorted(REGISTER))
def test_the_import_command_refuses_a_hostile_file(name: str, tmp_path: Path, tree: Tree) -> None:
    path = tmp_path / filename(name)
    path.write_bytes(corpus(name))
    with pytest.raises(CommandError) as caught:
        call_command("import_register", str(path), "--quiet", stdout=io.StringIO())
    expected = registry.EMPTY_FILE if name == "empty" else REGISTER[name]
    assert said(str(caught.value), expected)
    assert not Person.objects.exists()


# --- rosters -------------------------------------------------------------------------------------


def _failed_roster() -> str | None:
    latest = Roster.objects.order_by("-pk").first()
    return latest.error_message if latest is not None and latest.state == "failed" else None


@pytest.mark.parametrize("name", sorted(ROSTER))
def test_the_roster_page_refuses_a_hostile_file(
    name: str, session: Session, officer_dakmil: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer_dakmil).post(
            f"/rosters/sessions/{session.pk}/", {"file": upload(name)}
        )
    assert said(refused_now_or_in_the_worker(response, _failed_roster), ROSTER[name])
    assert not Roster.objects.filter(is_current=True).exists()


@pytest.mark.parametrize("name", sorted(ROSTER))
def test_the_roster_api_refuses_a_hostile_file(
    name: str, session: Session, officer_dakmil: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer_dakmil).post(
            f"/api/v1/rosters/sessions/{session.pk}", {"file": upload(name)}
        )
    expected = registry.EMPTY_FILE if name == "empty" else ROSTER[name]
    assert said(refused_now_or_in_the_worker(response, _failed_roster), expected)
    assert not Roster.objects.filter(is_current=True).exists()


# --- the intake's captures, the proof, the delivery signature ----------------------------------

PICTURES: dict[str, ErrorCode | None] = {
    "png-claiming": shared.IMAGE_TOO_MANY_PIXELS,
    "png-bomb": shared.IMAGE_TOO_MANY_PIXELS,
    "jpeg-claiming": shared.IMAGE_TOO_MANY_PIXELS,
    "jpeg-many-scans": shared.IMAGE_TOO_MANY_SCANS,
    "empty": intake.CAPTURE_EMPTY,
    "truncated-jpeg": None,  # None: the upload point's own "this is not a picture"
    "truncated-png": None,
    "pdf-named-jpg": None,
    "xlsx-named-png": None,
    "zip-bomb": None,
    "csv-one-line": None,  # 3 MB: over the 2 MB of scans and signatures
}


def picture_refusal(name: str, not_a_picture: ErrorCode, limit_mb: int) -> ErrorCode:
    if len(corpus(name)) > limit_mb * captures.MB:
        return intake.TOO_LARGE
    return PICTURES[name] or not_a_picture


def _refused_capture(response: Any, expected: ErrorCode) -> None:
    assert 400 <= response.status_code < 500
    assert shows(response.content, expected)
    assert not Artefact.objects.filter(file__gt="").exists()


@pytest.mark.parametrize("name", sorted(PICTURES))
@pytest.mark.parametrize(
    ("kind", "not_a_picture", "limit_mb"),
    [
        ("photo", intake.NOT_AN_IMAGE, captures.PHOTO_MAX_MB),
        ("signature", intake.BAD_SIGNATURE, captures.SIGNATURE_MAX_MB),
    ],
)
def test_the_photo_and_signature_refuse_a_hostile_file(
    name: str,
    kind: str,
    not_a_picture: ErrorCode,
    limit_mb: int,
    called: Ticket,
    officer_dakmil: User,
) -> None:
    response = client_for(officer_dakmil).post(
        f"/intake/tickets/{called.pk}/capture/{kind}/", {"file": upload(name)}
    )
    _refused_capture(response, picture_refusal(name, not_a_picture, limit_mb))


@pytest.mark.parametrize("name", sorted(PICTURES))
@pytest.mark.parametrize(
    ("kind", "not_a_picture", "limit_mb"),
    [
        ("fingerprint", intake.WRONG_FINGERPRINT_FILE, captures.FINGERPRINT_MAX_MB),
        ("iris", intake.WRONG_IRIS_FILE, captures.IRIS_MAX_MB),
    ],
)
def test_the_fingerprint_and_iris_slots_refuse_a_hostile_file(
    name: str,
    kind: str,
    not_a_picture: ErrorCode,
    limit_mb: int,
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
) -> None:
    services.capture(called.pk, Artefact.Kind.PHOTO, 0, portrait, actor=officer_dakmil)
    Enrollment.objects.update(law="2023")  # irises are taken under the 2023 law
    response = client_for(officer_dakmil).post(
        f"/intake/tickets/{called.pk}/slots/{kind}/", {"slot_1": upload(name)}
    )
    assert 400 <= response.status_code < 500
    assert shows(response.content, picture_refusal(name, not_a_picture, limit_mb))
    assert not Artefact.objects.filter(kind=kind).exists()


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_a_correction_s_proof_refuses_a_hostile_file(
    name: str, called: Ticket, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).post(
        f"/intake/tickets/{called.pk}/changes/",
        {
            "field": "hometown",
            "value": "Xã Đắk Lao",
            "proof": "Giấy khai sinh",
            "proof_file": upload(name),
        },
    )
    assert 400 <= response.status_code < 500
    assert shows(
        response.content,
        picture_refusal(name, intake.PROOF_FILE_NOT_AN_IMAGE, captures.PHOTO_MAX_MB),
    )
    assert not ProposedChange.objects.exists()


@pytest.mark.parametrize("name", sorted(PICTURES))
def test_the_delivery_signature_refuses_a_hostile_file(
    name: str, tree: Tree, officer_dakmil: User
) -> None:
    at_unit = make_dossier(tree, Enrollment.State.AT_UNIT)
    response = client_for(officer_dakmil).post(
        f"/dossiers/{at_unit.pk}/deliver/", {"delivery": "handed_over", "file": upload(name)}
    )
    expected = picture_refusal(name, intake.BAD_SIGNATURE, captures.SIGNATURE_MAX_MB)
    assert 400 <= response.status_code < 500
    assert shows(response.content, expected)
    at_unit.refresh_from_db()
    assert at_unit.state == Enrollment.State.AT_UNIT and not at_unit.delivery_signature


# --- the production centre's result --------------------------------------------------------------


def result_bomb() -> bytes:
    """A result zip whose result.json is 4 MB of zeros deflated ~1,000 times (under 8 MB)."""
    zeros = bytes(4 * captures.MB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    payload = packer.compress(zeros) + packer.flush()
    return make_corpus.zip_entries(
        [("result.json", payload, zlib.crc32(zeros), len(zeros)), ("result.sig", b"\x03\x00", 0, 0)]
    )


RESULTS: dict[str, ErrorCode] = {
    "zip-bomb": shared.FILE_UNPACKS_TOO_LARGE,
    "result-bomb": shared.FILE_PACKED_TOO_TIGHT,
    "path-traversal": shared.FILE_UNSAFE_PART_NAME,
    "many-parts": shared.FILE_TOO_MANY_PARTS,
    "truncated-xlsx": production.RESULT_NOT_A_ZIP,
    "billion-laughs": production.RESULT_MEMBERS,
    "png-bomb": production.RESULT_NOT_A_ZIP,
    "csv-one-line": production.RESULT_NOT_A_ZIP,
    "empty": production.RESULT_EMPTY,
}


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_the_result_import_refuses_a_hostile_file(
    name: str, sent: ProductionBatch, back_office_dakmil: User
) -> None:
    data = result_bomb() if name == "result-bomb" else corpus(name)
    response = client_for(back_office_dakmil).post(
        f"/batches/{sent.pk}/result/", {"result": SimpleUploadedFile("result.zip", data)}
    )
    assert 400 <= response.status_code < 500
    assert shows(response.content, RESULTS[name])
    assert RESULTS[name].code in response.content.decode()
    sent.refresh_from_db()
    assert sent.state == ProductionBatch.State.SENT
    assert Enrollment.objects.filter(state=Enrollment.State.IN_PRODUCTION).count() == 2


DEVICE_ANSWER_REFUSALS = {
    intake.DEVICE_ANSWER_MALFORMED.code,
    intake.TOO_LARGE.code,
    intake.CAPTURE_EMPTY.code,
}


@pytest.mark.parametrize("name", sorted(make_corpus.CORPUS))
def test_the_device_capture_refuses_any_hostile_file_as_its_answer(
    name: str, called: Ticket, officer_dakmil: User
) -> None:
    """Whatever the page posts as the device service's answer (here every file of the corpus,
    tables and pictures alike) is read within `devicecapture.ANSWER_MAX_MB` and refused as
    not a capture, with nothing kept: not even the draft dossier."""
    response = client_for(officer_dakmil).post(
        f"/intake/tickets/{called.pk}/device/fingerprint/",
        {
            "answer": upload(name),
            "sub_id": "1",
            "transaction_id": "cccd-hostile-1",
            "previous_hash": "0" * 64,
        },
    )
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in DEVICE_ANSWER_REFUSALS, response.json()
    assert response.json()["message"]
    assert not Enrollment.objects.filter(ticket=called).exists()


def test_every_upload_point_meets_the_whole_corpus_of_its_kind() -> None:
    """A file added to the corpus must be added to the upload points that take its kind."""
    tables = {n for n, (name, _make) in make_corpus.CORPUS.items() if name.startswith("danh-sach")}
    pictures = {n for n, (name, _make) in make_corpus.CORPUS.items() if name.startswith("anh.")}
    assert tables <= set(REGISTER) == set(ROSTER)
    assert pictures <= set(PICTURES)
