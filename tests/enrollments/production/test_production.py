"""Production batches: a batch exported, produced by the simulated centre and its result imported;
and every bad file (tampered, truncated, replayed, forged, malformed, partial, of another batch)
refused with its reason while nothing changes: dossier states, batch rows, stored files, audit."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command

from cccd.accounts.models import AuditEvent, User
from cccd.demo import card_centre
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment, ProductionBatch, SigningKey
from cccd.enrollments.production import batch_file, keys, result_file
from cccd.enrollments.production import services as production
from cccd.errors import DomainError
from cccd.registry.models import Person
from tests.builders import Tree
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db
S = Enrollment.State


@pytest.fixture
def media(tmp_path: Path) -> Path:
    return tmp_path / "media"


def world(media: Path) -> dict[str, Any]:
    """Everything a refused file must leave as it was."""
    return {
        "dossiers": sorted(
            Enrollment.objects.values_list(
                "code", "state", "batch_id", "reason", "chip_serial", "card_issue_date"
            )
        ),
        "batches": list(ProductionBatch.objects.order_by("pk").values()),
        "files": sorted(str(p) for p in media.rglob("*") if p.is_file()),
        "audit": AuditEvent.objects.count(),
    }


def _refused(call: Callable[[], object], code: str) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    return caught.value


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def forge(result: bytes, change: Callable[[dict[str, Any]], object]) -> bytes:
    """The centre's result with `change` made to result.json and signed again by the centre, so
    only the check under test can refuse it."""
    body = json.loads(_members(result)["result.json"])
    change(body)
    data = json.dumps(body).encode()
    return card_centre.pack_result(data, keys.sign(keys.centre_key(), data))


def _replace_batch_member(batch: ProductionBatch, name: str, new: Callable[[bytes], bytes]) -> None:
    """Change one member of the stored batch file in place (an attacker with the disk)."""
    path = Path(batch.file.path)
    members = _members(path.read_bytes())
    members[name] = new(members[name])
    path.write_bytes(_rezip(members))


# the round trip


def test_a_batch_goes_to_production_and_its_result_comes_back(
    approved: list[Enrollment], back_office_dakmil: User, tree: Tree, media: Path
) -> None:
    student, classmate = approved
    batch = production.export_batch(actor=back_office_dakmil)

    assert batch.code.startswith(f"{tree.dakmil_police.code}-L210306-")
    assert (batch.count, batch.state, batch.unit) == (
        2,
        ProductionBatch.State.SENT,
        tree.dakmil_police,
    )
    data = Path(batch.file.path).read_bytes()
    assert (len(data), hashlib.sha256(data).hexdigest()) == (batch.size, batch.sha256)
    members = _members(data)
    key = SigningKey.objects.get(unit=tree.dakmil_police)
    assert keys.signature_is_valid(
        key.public_key, members["manifest.json"], members["manifest.sig"]
    )
    manifest = json.loads(members["manifest.json"])
    assert (manifest["format"], manifest["version"], manifest["batch_code"]) == (
        batch_file.BATCH_FORMAT,
        1,
        batch.code,
    )
    assert manifest["public_key"] == key.public_key
    entry = next(d for d in manifest["dossiers"] if d["code"] == student.code)
    assert entry["personal_id"] == student.person.personal_id
    assert (entry["birth_date"], entry["birth_date_precision"], entry["law"]) == (
        "2006-03-15",
        "day",
        "2014",
    )
    files = [a for a in entry["artefacts"] if a["path"]]
    assert len(files) == 11  # photo, nine fingerprints, signature
    for item in files:
        assert hashlib.sha256(members[item["path"]]).hexdigest() == item["sha256"]
    missing = [a for a in entry["artefacts"] if a["path"] is None]
    assert missing == [
        {"kind": "fingerprint", "slot": 10, "path": None, "impossible_reason": "Mất ngón"}
    ]
    assert set(members) == {"manifest.json", "manifest.sig"} | {
        a["path"] for d in manifest["dossiers"] for a in d["artefacts"] if a["path"]
    }
    for e in approved:
        e.refresh_from_db()
        assert (e.state, e.batch_id) == (S.IN_PRODUCTION, batch.pk)
    assert_audited("production.export_batch", batch, actor=back_office_dakmil)
    assert_audited("enrollment.send", student, actor=back_office_dakmil)

    result = card_centre.simulate_result(batch, reject={classmate.code: "Ảnh không đạt chuẩn"})
    summary = production.import_result(result, actor=back_office_dakmil)

    assert (summary.produced, summary.rejected) == (1, {classmate.code: "Ảnh không đạt chuẩn"})
    student.refresh_from_db()
    classmate.refresh_from_db()
    assert student.state == S.PRODUCED
    # docs/domain.md#validity: born 15/03/2006, issued 06/03/2021 → valid until the 25th birthday
    assert (student.card_issue_date, student.card_expiry) == (
        datetime.date(2021, 3, 6),
        datetime.date(2031, 3, 15),
    )
    assert len(student.chip_serial) == 16
    assert (classmate.state, classmate.reason) == (S.RETURNED, "Ảnh không đạt chuẩn")
    batch.refresh_from_db()
    body = json.loads(_members(result)["result.json"])
    assert batch.state == ProductionBatch.State.RESULT
    assert (batch.result_id, batch.result_sha256) == (
        body["result_id"],
        hashlib.sha256(result).hexdigest(),
    )
    assert batch.result_imported_by == back_office_dakmil
    assert_audited("production.import_result", batch, actor=back_office_dakmil)
    assert_audited("enrollment.produce", student, actor=back_office_dakmil)
    assert_audited("enrollment.refuse_at_centre", classmate, actor=back_office_dakmil)

    moved = production.cards_arrived(batch.pk, actor=back_office_dakmil)
    assert [e.pk for e in moved] == [student.pk]
    student.refresh_from_db()
    assert student.state == S.AT_UNIT
    _refused(
        lambda: production.cards_arrived(batch.pk, actor=back_office_dakmil), "NOTHING_ARRIVED"
    )


def test_a_card_issued_at_58_or_later_has_no_expiry(
    approved: list[Enrollment], back_office_dakmil: User
) -> None:
    Person.objects.filter(pk=approved[0].person_id).update(
        birth_date=datetime.date(1960, 1, 1), birth_year=1960
    )
    batch = production.export_batch(actor=back_office_dakmil)
    production.import_result(card_centre.simulate_result(batch), actor=back_office_dakmil)
    approved[0].refresh_from_db()
    assert approved[0].state == S.PRODUCED
    assert approved[0].card_expiry is None


# making a batch


def test_chosen_dossiers_that_are_not_approved_are_named_and_nothing_is_sent(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    lifecycle.move(approved[1].pk, "return", actor=back_office_dakmil, reason="Sai quê quán")
    before = world(media)
    error = _refused(
        lambda: production.export_batch(
            actor=back_office_dakmil, enrollment_ids=[approved[0].pk, approved[1].pk, 999999]
        ),
        "CANNOT_SEND",
    )
    assert approved[1].code in error.message and "#999999" in error.message
    assert approved[0].code not in error.message
    assert world(media) == before


def test_a_file_changed_in_the_storage_refuses_the_whole_batch(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    photo = approved[1].artefacts.get(kind="photo")
    Path(photo.file.path).write_bytes(Path(photo.file.path).read_bytes()[:-10] + b"0123456789")
    before = world(media)
    error = _refused(lambda: production.export_batch(actor=back_office_dakmil), "ARTEFACT_TAMPERED")
    assert approved[1].code in error.message
    assert world(media) == before
    assert not ProductionBatch.objects.exists()


def test_with_nothing_approved_there_is_nothing_to_send(
    captured: Enrollment, back_office_dakmil: User
) -> None:
    _refused(lambda: production.export_batch(actor=back_office_dakmil), "NOTHING_TO_SEND")


@pytest.mark.parametrize("role", ["commander", "officer"])
def test_only_the_back_office_exports_and_imports(
    role: str,
    approved: list[Enrollment],
    back_office_dakmil: User,
    commander_dakmil: User,
    officer_dakmil: User,
    media: Path,
) -> None:
    actor = {"commander": commander_dakmil, "officer": officer_dakmil}[role]
    before = world(media)
    _refused(lambda: production.export_batch(actor=actor), "PERMISSION_DENIED")
    assert world(media) == before
    batch = production.export_batch(actor=back_office_dakmil)
    result = card_centre.simulate_result(batch)
    before = world(media)
    _refused(lambda: production.import_result(result, actor=actor), "PERMISSION_DENIED")
    assert world(media) == before
    response = client_for(actor).post("/batches/new/")
    assert response.status_code == 403


# the centre reading the batch


def test_the_centre_refuses_a_batch_whose_manifest_was_changed(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    batch = production.export_batch(actor=back_office_dakmil)
    _replace_batch_member(batch, "manifest.json", lambda b: b.replace(b"Kinh", b"Hoa", 1))
    before = world(media)
    _refused(lambda: card_centre.simulate_result(batch), "BATCH_SIGNATURE_INVALID")
    assert world(media) == before


def test_the_centre_refuses_a_batch_whose_artefact_was_changed(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    batch = production.export_batch(actor=back_office_dakmil)
    name = next(n for n in _members(Path(batch.file.path).read_bytes()) if "/photo-0." in n)
    _replace_batch_member(batch, name, lambda b: b[:-1] + b"x")
    before = world(media)
    error = _refused(lambda: card_centre.simulate_result(batch), "BATCH_FILE_DAMAGED")
    assert name in error.message
    assert world(media) == before


# importing the result: every refusal changes nothing


@pytest.fixture
def sent(approved: list[Enrollment], back_office_dakmil: User) -> ProductionBatch:
    return production.export_batch(actor=back_office_dakmil)


def _refuses_and_changes_nothing(data: bytes, actor: User, media: Path, code: str) -> DomainError:
    before = world(media)
    error = _refused(lambda: production.import_result(data, actor=actor), code)
    assert world(media) == before
    assert Enrollment.objects.filter(state=S.IN_PRODUCTION).count() == 2
    return error


def test_a_result_json_changed_after_signing_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    members = _members(card_centre.simulate_result(sent))
    members["result.json"] = members["result.json"].replace(b'"produced"', b'"rejected"', 1)
    _refuses_and_changes_nothing(
        _rezip(members), back_office_dakmil, media, "RESULT_SIGNATURE_INVALID"
    )


def test_a_result_signed_by_another_key_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    data = _members(card_centre.simulate_result(sent))["result.json"]
    stranger = SigningKey(
        private_key_pem=Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    forged = card_centre.pack_result(data, keys.sign(stranger, data))
    _refuses_and_changes_nothing(forged, back_office_dakmil, media, "RESULT_SIGNATURE_INVALID")


def test_a_truncated_result_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    result = card_centre.simulate_result(sent)
    _refuses_and_changes_nothing(
        result[: len(result) - 30], back_office_dakmil, media, "RESULT_NOT_A_ZIP"
    )
    _refuses_and_changes_nothing(result[:100], back_office_dakmil, media, "RESULT_NOT_A_ZIP")
    _refuses_and_changes_nothing(b"", back_office_dakmil, media, "RESULT_EMPTY")


def test_a_result_with_other_members_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    members = _members(card_centre.simulate_result(sent)) | {"extra.exe": b"MZ"}
    error = _refuses_and_changes_nothing(
        _rezip(members), back_office_dakmil, media, "RESULT_MEMBERS"
    )
    assert "extra.exe" in error.message


def test_a_replayed_result_is_refused_with_the_day_it_was_imported(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    result = card_centre.simulate_result(sent)
    production.import_result(result, actor=back_office_dakmil)
    before = world(media)
    error = _refused(
        lambda: production.import_result(result, actor=back_office_dakmil), "RESULT_REPLAYED"
    )
    assert "06/03/2021" in error.message and sent.code in error.message
    # a second result of the centre for the same batch (a fresh id) is refused too
    again = card_centre.simulate_result(sent)
    _refused(lambda: production.import_result(again, actor=back_office_dakmil), "RESULT_REPLAYED")
    assert world(media) == before
    assert Enrollment.objects.filter(state=S.PRODUCED).count() == 2


def test_a_result_naming_an_unknown_dossier_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    def add_stranger(body: dict[str, Any]) -> None:
        body["dossiers"].append(dict(body["dossiers"][0], code="999-210306-77"))

    forged = forge(card_centre.simulate_result(sent), add_stranger)
    error = _refuses_and_changes_nothing(
        forged, back_office_dakmil, media, "RESULT_UNKNOWN_DOSSIERS"
    )
    assert "999-210306-77" in error.message


def test_a_result_naming_a_dossier_of_another_batch_is_refused(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    first = production.export_batch(actor=back_office_dakmil, enrollment_ids=[approved[0].pk])
    second = production.export_batch(actor=back_office_dakmil, enrollment_ids=[approved[1].pk])
    other = json.loads(_members(card_centre.simulate_result(second))["result.json"])["dossiers"]
    forged = forge(card_centre.simulate_result(first), lambda body: body["dossiers"].extend(other))
    error = _refuses_and_changes_nothing(forged, back_office_dakmil, media, "RESULT_OTHER_BATCH")
    assert f"{approved[1].code} ({second.code})" in error.message


def test_a_partial_result_is_refused(
    sent: ProductionBatch, approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    forged = forge(card_centre.simulate_result(sent), lambda body: body["dossiers"].pop())
    error = _refuses_and_changes_nothing(forged, back_office_dakmil, media, "RESULT_INCOMPLETE")
    assert "1 of the 2" in error.message


def test_a_result_made_from_another_file_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    forged = forge(
        card_centre.simulate_result(sent), lambda body: body.update(batch_sha256="0" * 64)
    )
    _refuses_and_changes_nothing(forged, back_office_dakmil, media, "RESULT_BATCH_MISMATCH")


def _set_first(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["dossiers"][0].update({key: value})


@pytest.mark.parametrize(
    ("change", "code", "says"),
    [
        (lambda body: body.update(version=2), "RESULT_WRONG_FORMAT", "version 2"),
        (
            lambda body: body.update(format="something-else"),
            "RESULT_WRONG_FORMAT",
            "something-else",
        ),
        (lambda body: body.update(dossiers=[]), "RESULT_MALFORMED", "dossiers"),
        (lambda body: body.pop("result_id"), "RESULT_MALFORMED", "fields"),
        (lambda body: body.update(produced_at="yesterday"), "RESULT_MALFORMED", "produced_at"),
        (_set_first("outcome", "lost"), "RESULT_MALFORMED", "neither"),
        (_set_first("card_issue_date", "06/03/2021"), "RESULT_MALFORMED", "card_issue_date"),
        (_set_first("card_issue_date", "2021-02-30"), "RESULT_MALFORMED", "card_issue_date"),
        (_set_first("chip_serial", 12345), "RESULT_MALFORMED", "chip_serial"),
        (_set_first("card_number", "001206000000"), "RESULT_CARD_NUMBER", "card number"),
        (_set_first("card_issue_date", "2020-01-01"), "RESULT_BAD_DATES", "01/01/2020"),
        (_set_first("card_expiry", "2021-03-01"), "RESULT_BAD_DATES", "01/03/2021"),
        (
            lambda body: body["dossiers"].append(body["dossiers"][0]),
            "RESULT_MALFORMED",
            "more than once",
        ),
    ],
)
def test_a_malformed_result_is_refused_with_what_is_wrong(
    change: Callable[[dict[str, Any]], object],
    code: str,
    says: str,
    sent: ProductionBatch,
    back_office_dakmil: User,
    media: Path,
) -> None:
    body = json.loads(_members(card_centre.simulate_result(sent))["result.json"])
    body["dossiers"].sort(key=lambda d: d["code"])
    result = card_centre.pack_result(json.dumps(body).encode(), b"")
    forged = forge(result, change)
    error = _refuses_and_changes_nothing(forged, back_office_dakmil, media, code)
    assert says in error.message


def test_result_json_that_is_not_json_is_refused(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    for data in (b"{not json", b'{"a": 1, "a": 2}', b"[1, 2]", "{}".encode("utf-16")):
        signed = card_centre.pack_result(data, keys.sign(keys.centre_key(), data))
        _refuses_and_changes_nothing(signed, back_office_dakmil, media, "RESULT_MALFORMED")


def test_another_units_batch_is_not_found(
    sent: ProductionBatch, back_office_tayson: User, media: Path
) -> None:
    result = card_centre.simulate_result(sent)
    _refuses_and_changes_nothing(result, back_office_tayson, media, "RESULT_BATCH_UNKNOWN")
    _refused(lambda: production.cards_arrived(sent.pk, actor=back_office_tayson), "NOT_FOUND")
    client = client_for(back_office_tayson)
    for url in (f"/batches/{sent.pk}/", f"/batches/{sent.pk}/file.zip"):
        assert client.get(url).status_code == 404, url
    upload = io.BytesIO(result)
    upload.name = "result.zip"
    assert client.post(f"/batches/{sent.pk}/result/", {"result": upload}).status_code == 404
    assert client.post(f"/batches/{sent.pk}/arrived/").status_code == 404
    page = client.get("/batches/")
    assert page.status_code == 200 and sent.code not in page.content.decode()
    assert Enrollment.objects.filter(state=S.IN_PRODUCTION).count() == 2


# the pages


def test_the_pages_make_a_batch_download_it_import_its_result_and_record_the_cards(
    approved: list[Enrollment], back_office_dakmil: User, media: Path
) -> None:
    client = client_for(back_office_dakmil)
    page = client.get("/batches/new/")
    assert page.status_code == 200 and "2 approved dossiers are ready" in page.content.decode()
    response = client.post("/batches/new/")
    batch = ProductionBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/batches/{batch.pk}/"
    assert batch.code in client.get("/batches/").content.decode()

    download = client.get(f"/batches/{batch.pk}/file.zip")
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == batch.sha256
    assert_audited("production.download_batch", batch, actor=back_office_dakmil)

    upload = io.BytesIO(card_centre.simulate_result(batch))
    upload.name = "result.zip"
    response = client.post(f"/batches/{batch.pk}/result/", {"result": upload})
    assert response.status_code == 302
    assert Enrollment.objects.filter(state=S.PRODUCED).count() == 2
    page = client.get(f"/batches/{batch.pk}/").content.decode()
    assert "15/03/2031" in page and 'data-testid="cards-arrived"' in page

    assert client.post(f"/batches/{batch.pk}/arrived/").status_code == 302
    assert Enrollment.objects.filter(state=S.AT_UNIT).count() == 2


def test_a_refused_upload_is_shown_on_the_batch_page_with_its_status(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    client = client_for(back_office_dakmil)
    before = world(media)
    upload = io.BytesIO(card_centre.simulate_result(sent)[:-40])
    upload.name = "result.zip"
    response = client.post(f"/batches/{sent.pk}/result/", {"result": upload})
    assert response.status_code == 422
    assert "cut short" in response.content.decode()
    assert world(media) == before


def test_an_oversized_upload_is_refused_before_it_is_read(
    sent: ProductionBatch, back_office_dakmil: User, media: Path
) -> None:
    client = client_for(back_office_dakmil)
    before = world(media)
    upload = io.BytesIO(b"\0" * (result_file.RESULT_MAX_MB * 1024 * 1024 + 1))
    upload.name = "result.zip"
    response = client.post(f"/batches/{sent.pk}/result/", {"result": upload})
    assert response.status_code == 413
    assert f"at most {result_file.RESULT_MAX_MB} MB" in response.content.decode()
    assert world(media) == before


def test_an_officer_sees_the_batches_but_cannot_download_one(
    sent: ProductionBatch, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/batches/").status_code == 200
    assert client.get(f"/batches/{sent.pk}/").status_code == 200
    assert client.get(f"/batches/{sent.pk}/file.zip").status_code == 403
    assert not AuditEvent.objects.filter(action="production.download_batch").exists()


# the command


def test_the_command_plays_the_centre_and_imports_as_a_user(
    sent: ProductionBatch,
    approved: list[Enrollment],
    back_office_dakmil: User,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "result.zip"
    call_command(
        "simulate_production",
        sent.code,
        "--reject",
        f"{approved[1].code}=Vân tay mờ",
        "--out",
        str(out),
        "--import-as",
        back_office_dakmil.username,
    )
    assert "1 produced, 1 refused" in capsys.readouterr().out
    assert out.is_file()
    approved[1].refresh_from_db()
    assert (approved[1].state, approved[1].reason) == (S.RETURNED, "Vân tay mờ")
    event = AuditEvent.objects.get(action="production.import_result")
    assert event.source == "cli:simulate_production"
    with pytest.raises(CommandError, match="already imported"):
        call_command("simulate_production", sent.code, "--import-as", back_office_dakmil.username)


def test_the_command_writes_the_result_in_the_current_folder(
    sent: ProductionBatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    call_command("simulate_production", sent.code)
    written = (tmp_path / f"{sent.code}-result.zip").read_bytes()
    assert json.loads(_members(written)["result.json"])["batch_code"] == sent.code
    assert ProductionBatch.objects.get().state == ProductionBatch.State.SENT


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["NO-SUCH-BATCH"], "No batch NO-SUCH-BATCH"),
        (["{code}", "--reject", "nonsense"], "CODE=REASON"),
        (["{code}", "--reject", "999-1-1=x"], "not in batch"),
        (["{code}", "--import-as", "nobody"], "No active user nobody"),
    ],
)
def test_the_command_says_what_is_wrong(args: list[str], says: str, sent: ProductionBatch) -> None:
    with pytest.raises(CommandError, match=says):
        call_command("simulate_production", *[a.format(code=sent.code) for a in args])
    assert ProductionBatch.objects.get().state == ProductionBatch.State.SENT
