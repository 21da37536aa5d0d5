"""Captures from the desk's device service, posted by the page as the service answered them.

The answers come from the simulator running as its own process (`cccd devices simulate`), exactly
as the page would receive them; the tests post them to the intake and look at what was kept —
and at what was not, for every answer that must be refused.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from cccd.accounts.models import AuditEvent, User
from cccd.devices import sbi
from cccd.enrollments.intake import services
from cccd.enrollments.models import Artefact, Enrollment
from cccd.errors import DomainError
from cccd.tickets.models import Ticket
from tests.conftest import client_for
from tests.devices.simulated import calm, control, start_simulator, stop
from tests.enrollments.conftest import FACES, signature_png

DEVICE_IDS = {"Finger": "1", "Iris": "2", "Face": "3"}
KINDS = {"Finger": "fingerprint", "Iris": "iris", "Face": "photo"}


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    process, chosen = start_simulator("--delay-ms", "0")
    yield chosen
    stop(process)


@pytest.fixture(autouse=True)
def _calm(port: int) -> Iterator[None]:
    yield
    calm(port)


def device_answer(
    port: int,
    bio_type: sbi.BioType,
    sub_id: int,
    *,
    transaction_id: str = "cccd-desk-0001",
    exceptions: tuple[str, ...] = (),
) -> bytes:
    """The service's answer to a Registration Capture, byte for byte as the page receives it."""
    request = sbi.rcapture_request(
        bio_type=bio_type,
        device_id=DEVICE_IDS[bio_type],
        device_sub_id=sub_id,
        transaction_id=transaction_id,
        exception=exceptions,
    )
    connection = http.client.HTTPConnection(sbi.HOST, port, timeout=30)
    try:
        connection.request(*sbi.RCAPTURE, body=json.dumps(request), headers={"EXT": "cccd-tests"})
        return connection.getresponse().read()
    finally:
        connection.close()


def post(
    client: Client,
    ticket: Ticket,
    bio_type: sbi.BioType,
    sub_id: int,
    answer: bytes | None,
    *,
    transaction_id: str = "cccd-desk-0001",
    exceptions: tuple[str, ...] = (),
    previous_hash: str = sbi.FIRST_PREVIOUS_HASH,
    reasons: dict[int, str] | None = None,
    kind: str = "",
) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data: dict[str, Any] = {
        "sub_id": str(sub_id),
        "transaction_id": transaction_id,
        "previous_hash": previous_hash,
        "exception": list(exceptions),
        **{f"reason_{slot}": text for slot, text in (reasons or {}).items()},
    }
    if answer is not None:
        data["answer"] = SimpleUploadedFile("answer.json", answer, "application/json")
    return client.post(
        f"/intake/tickets/{ticket.pk}/device/{kind or KINDS[bio_type]}/",
        data,
        HTTP_ACCEPT_LANGUAGE="vi",
    )


def fingers(ticket: Ticket) -> dict[int, Artefact]:
    return {
        a.slot: a
        for a in Artefact.objects.filter(enrollment__ticket=ticket, kind=Artefact.Kind.FINGERPRINT)
    }


def three_slaps(port: int, client: Client, ticket: Ticket) -> None:
    for sub_id in (1, 2, 3):
        response = post(client, ticket, "Finger", sub_id, device_answer(port, "Finger", sub_id))
        assert response.status_code == 200, response.json()


# ---------------------------------------------------------------- what is kept


def test_three_slaps_fill_the_ten_fingers_with_the_devices_record(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    answers = {}
    for sub_id in (1, 2, 3):
        answers[sub_id] = device_answer(port, "Finger", sub_id)
        response = post(client, called, "Finger", sub_id, answers[sub_id])
        assert response.status_code == 200
        assert response.json() == {"ok": True, "next": f"/intake/tickets/{called.pk}/"}
    kept = fingers(called)
    assert sorted(kept) == list(range(1, 11))
    left_slap = sbi.parse_rcapture(json.loads(answers[1]))
    by_name = {b.bio_sub_type: b for b in left_slap}
    index = kept[7]  # ISO position 7: left index finger
    original = by_name["Left IndexFinger"]
    assert index.file.read() == original.bio_value  # the bytes as the device returned them
    assert index.sha256 == hashlib.sha256(original.bio_value).hexdigest()
    quality = index.quality
    assert quality["source"] == "device"
    assert quality["device_score"] == original.quality_score
    assert quality["sbi_hash"] == original.hash.upper()
    assert quality["device_time"] == original.timestamp
    assert quality["device"]["make"] == original.digital_id["make"]
    assert quality["device"]["serial_no"] == original.digital_id["serialNo"]
    assert quality["tries"] == 1 and "kept_reason" not in quality
    events = AuditEvent.objects.filter(action="enrollment.capture")
    assert events.count() == 3


def test_the_face_from_the_camera_is_checked_and_kept(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    response = post(client_for(officer_dakmil), called, "Face", 0, device_answer(port, "Face", 0))
    photo = Artefact.objects.filter(enrollment__ticket=called, kind=Artefact.Kind.PHOTO).first()
    if response.status_code != 200:  # the simulator's drawn head must pass the photo checks
        pytest.fail(f"the simulator's face was refused: {response.json()}")
    assert photo is not None and photo.quality["source"] == "device"
    assert photo.quality["width"] > 0  # the photo checks ran on it


def test_a_finger_marked_missing_before_the_capture_is_kept_with_its_reason(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    answer = device_answer(port, "Finger", 1, exceptions=("Left RingFinger",))
    response = post(
        client,
        called,
        "Finger",
        1,
        answer,
        exceptions=("Left RingFinger",),
        reasons={9: "Cụt ngón từ năm 2015"},
    )
    assert response.status_code == 200, response.json()
    kept = fingers(called)
    assert sorted(kept) == [7, 8, 9, 10]
    assert kept[9].impossible_reason == "Cụt ngón từ năm 2015" and not kept[9].sha256
    assert all(kept[slot].sha256 for slot in (7, 8, 10))


def test_a_missing_finger_needs_its_reason(port: int, called: Ticket, officer_dakmil: User) -> None:
    answer = device_answer(port, "Finger", 1, exceptions=("Left RingFinger",))
    response = post(
        client_for(officer_dakmil), called, "Finger", 1, answer, exceptions=("Left RingFinger",)
    )
    assert response.status_code == 400 and response.json()["code"] == "REASON_NEEDED"
    assert not fingers(called)


def test_a_finger_the_scanner_did_not_see_refuses_the_slap_by_name(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    control(port, "/simulator/fault", {"faults": ["missing:Left RingFinger"]})
    response = post(
        client_for(officer_dakmil), called, "Finger", 1, device_answer(port, "Finger", 1)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "DEVICE_NOT_SEEN"
    assert "ngón áp út trái" in response.json()["message"].lower()
    assert not fingers(called)
    assert not Enrollment.objects.filter(ticket=called).exists()  # not even the draft


@pytest.mark.parametrize(
    ("fault", "code", "words"),
    [
        ("disconnected:Finger", "DEVICE_REFUSED", "cáp"),
        ("busy:Finger", "DEVICE_REFUSED", "bận"),
        ("not-ready:Finger", "DEVICE_REFUSED", "chưa sẵn sàng"),
    ],
)
def test_a_device_that_cannot_capture_leaves_nothing_written(
    port: int, called: Ticket, officer_dakmil: User, fault: str, code: str, words: str
) -> None:
    control(port, "/simulator/fault", {"faults": [fault]})
    response = post(
        client_for(officer_dakmil), called, "Finger", 2, device_answer(port, "Finger", 2)
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == code and words in body["message"]
    assert not Enrollment.objects.filter(ticket=called).exists()


# ---------------------------------------------------------------- low quality: three tries


def low_slap(port: int, client: Client, ticket: Ticket) -> Any:
    control(port, "/simulator/fault", {"faults": ["low-quality:Finger"]})
    response = post(client, ticket, "Finger", 3, device_answer(port, "Finger", 3))
    calm(port)
    return response


def complete_but_thumbs(port: int, client: Client, ticket: Ticket, officer: User) -> None:
    for sub_id in (1, 2):
        answer = device_answer(port, "Finger", sub_id)
        assert post(client, ticket, "Finger", sub_id, answer).status_code == 200
    services.capture(
        ticket.pk, Artefact.Kind.PHOTO, 0, (FACES / "portrait.jpg").read_bytes(), actor=officer
    )
    services.capture(ticket.pk, Artefact.Kind.SIGNATURE, 0, signature_png(), actor=officer)


def test_a_low_slap_is_retaken_and_after_three_tries_the_best_is_kept(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    complete_but_thumbs(port, client, called, officer_dakmil)
    scores = []
    for attempt in (1, 2, 3):
        assert low_slap(port, client, called).status_code == 200
        thumbs = fingers(called)
        scores.append(thumbs[1].quality["device_score"])
        assert thumbs[1].quality["tries"] == attempt
        if attempt < 3:
            page = client.get(f"/intake/tickets/{called.pk}/", HTTP_ACCEPT_LANGUAGE="vi")
            assert 'data-testid="retake-1"' in page.content.decode()
            with translation.override("vi"), pytest.raises(DomainError) as refused:
                services.finish_intake(called.pk, actor=officer_dakmil)
            assert refused.value.code == "INCOMPLETE"
            assert "lấy lại" in refused.value.message and "ngón cái phải" in refused.value.message
    kept = fingers(called)[1]
    assert kept.quality["device_score"] == max(scores)  # the best of the three, not the last
    assert "best of 3" in kept.quality["kept_reason"]
    enrollment = services.finish_intake(called.pk, actor=officer_dakmil)
    assert enrollment.code


def test_a_good_retake_replaces_a_low_capture(
    port: int, called: Ticket, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    assert low_slap(port, client, called).status_code == 200
    low = fingers(called)[6]
    response = post(client, called, "Finger", 3, device_answer(port, "Finger", 3))
    assert response.status_code == 200
    good = fingers(called)[6]
    assert good.sha256 != low.sha256 and good.quality["device_score"] >= 40
    assert good.quality["tries"] == 2 and "kept_reason" not in good.quality


# ---------------------------------------------------------------- answers that are refused


def _tampered_value(answer: bytes) -> bytes:
    """The first capture's bioValue changed inside its JWT, the signature left as it was."""
    body = json.loads(answer)
    token = body["biometrics"][0]["data"]
    header, payload, signature = token.split(".")
    claims = json.loads(sbi.unb64url(payload))
    claims["bioValue"] = sbi.b64url(sbi.unb64url(claims["bioValue"])[:-10] + b"\0" * 10)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    body["biometrics"][0]["data"] = f"{header}.{forged}.{signature}"
    return json.dumps(body).encode()


def _many_entries(answer: bytes) -> bytes:
    """The left slap's entries repeated twenty times: refused before any is verified."""
    body = json.loads(answer)
    body["biometrics"] = body["biometrics"] * 20
    return json.dumps(body).encode()


def _broken_chain(answer: bytes) -> bytes:
    body = json.loads(answer)
    body["biometrics"][1]["hash"] = "0" * 64
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("mangle", "options", "status", "code"),
    [
        (lambda a: b"", {}, 400, "CAPTURE_EMPTY"),
        (lambda a: b"<html>not json</html>", {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: b'{"biometrics": "none"}', {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: b"[1, 2, 3]", {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: b'{"biometrics": []}', {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: b"\xff\xfe\x00", {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: b"[" * 200_000, {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (_many_entries, {}, 400, "DEVICE_ANSWER_MALFORMED"),
        (_tampered_value, {}, 422, "DEVICE_NOT_SIGNED"),
        (_broken_chain, {}, 422, "DEVICE_NOT_SIGNED"),
        (lambda a: a, {"sub_id": 2}, 400, "DEVICE_ANSWER_MALFORMED"),  # the left slap as right
        (lambda a: a, {"sub_id": 7}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"transaction_id": "cccd-desk-0002"}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"transaction_id": "a b"}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"previous_hash": "xyz"}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"previous_hash": "A" * 64}, 422, "DEVICE_NOT_SIGNED"),
        (lambda a: a, {"exceptions": ("Left Pinkie",)}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"kind": "iris"}, 400, "DEVICE_ANSWER_MALFORMED"),
        (lambda a: a, {"kind": "photo"}, 400, "DEVICE_ANSWER_MALFORMED"),
    ],
)
def test_a_malformed_or_altered_answer_is_refused_and_nothing_is_written(
    port: int,
    called: Ticket,
    officer_dakmil: User,
    mangle: Any,
    options: dict[str, Any],
    status: int,
    code: str,
) -> None:
    sub_id = options.pop("sub_id", 1)
    answer = mangle(device_answer(port, "Finger", 1))
    response = post(client_for(officer_dakmil), called, "Finger", sub_id, answer, **options)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Enrollment.objects.filter(ticket=called).exists()


def test_no_answer_at_all_and_an_unknown_kind(called: Ticket, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    response = post(client, called, "Finger", 1, None)
    assert response.status_code == 400 and response.json()["code"] == "CAPTURE_EMPTY"
    assert client.post(f"/intake/tickets/{called.pk}/device/signature/").status_code == 404
    assert client.post(f"/intake/tickets/{called.pk}/device/../").status_code == 404
    assert client.get(f"/intake/tickets/{called.pk}/device/fingerprint/").status_code == 405


def test_an_answer_too_large_is_refused_before_it_is_read(
    called: Ticket, officer_dakmil: User
) -> None:
    huge = b'{"biometrics": [' + b" " * (25 * 1024 * 1024) + b"]}"
    response = post(client_for(officer_dakmil), called, "Finger", 1, huge)
    assert response.status_code == 413 and response.json()["code"] == "TOO_LARGE"


def test_other_units_and_other_roles_do_not_get_in(
    port: int, called: Ticket, officer_tayson: User, liaison_dakmil: User
) -> None:
    answer = device_answer(port, "Finger", 1)
    assert post(client_for(officer_tayson), called, "Finger", 1, answer).status_code == 404
    assert post(client_for(liaison_dakmil), called, "Finger", 1, answer).status_code == 403
    assert not Enrollment.objects.filter(ticket=called).exists()
