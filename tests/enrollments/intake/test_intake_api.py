"""The intake desk through /api/v1/intake/ with a token, as scanner software drives it: a whole
intake from call-next to the slip, and every malformed request it can send."""

from __future__ import annotations

import io
from typing import Any

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cccd.accounts.models import AuditEvent, User
from cccd.accounts.services import create_api_token
from cccd.campaigns.models import Campaign, Session
from cccd.devices import sbi
from cccd.enrollments.models import Artefact, Enrollment
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person, make_user
from tests.enrollments.conftest import fingerprint_png, signature_png
from tests.enrollments.intake.test_captures import IRIS_IMAGE, encode

pytestmark = pytest.mark.django_db
API = "/api/v1/intake"


class Api:
    """A client that sends a user's token, as a program at the desk would (no session, no CSRF)."""

    def __init__(self, user: User) -> None:
        _token, key = create_api_token(name="máy quét", actor=user)
        self.client = Client(enforce_csrf_checks=True)
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, **self.auth)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(path, body or {}, content_type="application/json", **self.auth)

    def upload(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(path, data, **self.auth)


def file(data: bytes, name: str = "capture.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def desk(officer_dakmil: User) -> Api:
    return Api(officer_dakmil)


def capture_all(api: Api, ticket_id: int, portrait: bytes) -> None:
    base = f"{API}/tickets/{ticket_id}/captures"
    assert api.upload(f"{base}/photo/0", {"file": file(portrait, "p.jpg")}).status_code == 201
    for finger in range(1, 10):
        response = api.upload(
            f"{base}/fingerprint/{finger}", {"file": file(fingerprint_png(finger))}
        )
        assert response.status_code == 201, response.json()
    lost = api.post(f"{base}/fingerprint/10/impossible", {"reason": "Mất ngón út trái"})
    assert lost.status_code == 201 and lost.json()["impossible_reason"] == "Mất ngón út trái"
    assert api.upload(f"{base}/signature/0", {"file": file(signature_png())}).status_code == 201


# --- a whole intake ------------------------------------------------------------------------------


def test_a_whole_intake_through_the_api(
    session: Session,
    desks: list[Desk],
    student: Person,
    leader: User,
    officer_dakmil: User,
    portrait: bytes,
    time_machine: Any,
) -> None:
    from tests.enrollments.conftest import TODAY

    time_machine.move_to(TODAY)
    door, desk = Api(leader), Api(officer_dakmil)
    walk_in = door.post(
        f"/api/v1/tickets/sessions/{session.pk}/walk-ins", {"person_id": student.pk}
    )
    assert walk_in.status_code == 201
    called = desk.post(f"/api/v1/tickets/desks/{desks[0].pk}/call-next")
    assert called.status_code == 200
    ticket_id = called.json()["id"]

    state = desk.get(f"{API}/tickets/{ticket_id}")
    assert state.status_code == 200, state.json()
    body = state.json()
    assert body["person"]["personal_id"] == student.personal_id and body["draft"] is None
    assert {c["kind"] for c in body["captures"]} == {"photo", "fingerprint", "signature"}
    assert all(c["state"] == "missing" for c in body["captures"])
    assert not Enrollment.objects.exists()  # looking writes nothing
    assert AuditEvent.objects.filter(action="person.view", object_id=str(student.pk)).exists()

    started = desk.post(f"{API}/tickets/{ticket_id}/start").json()
    assert started["draft"]["kind"] == "first_issue" and started["ticket"]["state"] == "serving"
    details = desk.post(
        f"{API}/tickets/{ticket_id}/details",
        {"kind": "first_issue", "return_method": "post", "post_address": "Thôn 5, Đắk Lao"},
    )
    assert details.status_code == 200, details.json()
    assert details.json()["draft"]["return_method"] == "post"

    capture_all(desk, ticket_id, portrait)
    ready = desk.get(f"{API}/tickets/{ticket_id}").json()
    assert ready["missing"] == [] and ready["next_step"] == "finish"
    states = {(c["kind"], c["slot"]): c["state"] for c in ready["captures"]}
    assert states[("fingerprint", 10)] == "impossible" and states[("photo", 0)] == "captured"

    finished = desk.post(f"{API}/tickets/{ticket_id}/finish")
    assert finished.status_code == 200, finished.json()
    out = finished.json()
    dossier = Enrollment.objects.get(pk=out["enrollment_id"])
    assert out["code"] == dossier.code and out["fee"] == dossier.fee
    assert out["return_date"] == dossier.return_date.isoformat()  # type: ignore[union-attr]
    assert Ticket.objects.get(pk=ticket_id).state == Ticket.State.DONE

    again = desk.post(f"{API}/tickets/{ticket_id}/finish")
    assert again.status_code == 409 and again.json()["code"] == "ALREADY_FINISHED"

    slip = desk.get(out["slip_url"])
    assert slip.status_code == 200 and slip["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(slip.content)).pages[0].extract_text()
    assert dossier.code in text  # type: ignore[operator]
    assert AuditEvent.objects.filter(action="enrollment.slip", object_repr=dossier.code).exists()


def test_the_screen_of_a_finished_number_shows_its_dossier(captured: Enrollment, desk: Api) -> None:
    body = desk.get(f"{API}/tickets/{captured.ticket_id}").json()
    assert body["received"]["code"] == captured.code and body["draft"] is None


def test_a_walk_in_gets_its_person_from_the_register(
    session: Session,
    desks: list[Desk],
    student: Person,
    leader: User,
    officer_dakmil: User,
    desk: Api,
    time_machine: Any,
) -> None:
    from tests.enrollments.conftest import TODAY

    time_machine.move_to(TODAY)
    tickets.issue_walk_in(session.pk, actor=leader)
    ticket = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    refused = desk.post(f"{API}/tickets/{ticket.pk}/start")
    assert refused.status_code == 409 and refused.json()["code"] == "NO_PERSON"
    assert desk.get(f"{API}/tickets/{ticket.pk}").json()["person"] is None
    chosen = desk.post(f"{API}/tickets/{ticket.pk}/person", {"person_id": student.pk})
    assert chosen.status_code == 200 and chosen.json()["person"]["id"] == student.pk
    assert AuditEvent.objects.filter(action="ticket.person").exists()


def test_irises_are_due_under_the_2023_law(
    called: Ticket, desk: Api, officer_dakmil: User, portrait: bytes
) -> None:
    Campaign.objects.update(law="2023")
    state = desk.post(f"{API}/tickets/{called.pk}/start").json()
    irises = [c for c in state["captures"] if c["kind"] == "iris"]
    assert [c["slot"] for c in irises] == [1, 2]
    capture_all(desk, called.pk, portrait)
    missing = desk.post(f"{API}/tickets/{called.pk}/finish")
    assert missing.status_code == 409 and missing.json()["code"] == "INCOMPLETE"
    base = f"{API}/tickets/{called.pk}/captures/iris"
    assert desk.upload(f"{base}/1", {"file": file(encode(IRIS_IMAGE, ".png"))}).status_code == 201
    assert desk.post(f"{base}/2/impossible", {"reason": "Mắt giả"}).status_code == 201
    assert desk.post(f"{API}/tickets/{called.pk}/finish").status_code == 200


# --- malformed requests ----------------------------------------------------------------------


def test_finishing_an_incomplete_intake_lists_what_is_missing(
    called: Ticket, desk: Api, portrait: bytes
) -> None:
    nothing = desk.post(f"{API}/tickets/{called.pk}/finish")
    assert nothing.status_code == 409 and nothing.json()["code"] == "INCOMPLETE"
    base = f"{API}/tickets/{called.pk}/captures"
    desk.upload(f"{base}/photo/0", {"file": file(portrait, "p.jpg")})
    refused = desk.post(f"{API}/tickets/{called.pk}/finish")
    assert refused.status_code == 409 and refused.json()["code"] == "INCOMPLETE"
    missing = desk.get(f"{API}/tickets/{called.pk}").json()["missing"]
    assert missing and all(m in refused.json()["message"] for m in missing)
    assert Enrollment.objects.get().code is None


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("captures/photo/1", 400, "CAPTURE_BAD_SLOT"),
        ("captures/signature/2", 400, "CAPTURE_BAD_SLOT"),
        ("captures/fingerprint/0", 400, "CAPTURE_BAD_SLOT"),
        ("captures/fingerprint/11", 400, "CAPTURE_BAD_SLOT"),
        ("captures/iris/1", 400, "IRIS_NOT_TAKEN"),  # the 2014 law takes no iris
        ("captures/voice/0", 422, "INVALID_INPUT"),
        ("captures/photo/-1", 422, "INVALID_INPUT"),
        ("captures/photo/abc", 422, "INVALID_INPUT"),
    ],
)
def test_a_capture_into_a_slot_that_does_not_exist_is_refused(
    called: Ticket, desk: Api, path: str, status: int, code: str
) -> None:
    response = desk.upload(f"{API}/tickets/{called.pk}/{path}", {"file": file(fingerprint_png())})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Artefact.objects.exists()


@pytest.mark.parametrize(
    ("kind", "data", "code"),
    [
        ("photo", b"%PDF-1.4 not a picture", "NOT_AN_IMAGE"),
        ("fingerprint/1", b"GIF89a" + bytes(50), "WRONG_FINGERPRINT_FILE"),
        ("signature", b"plain text", "BAD_SIGNATURE"),
        ("photo", b"", "CAPTURE_EMPTY"),
    ],
)
def test_a_file_that_is_not_a_capture_is_refused(
    called: Ticket, desk: Api, kind: str, data: bytes, code: str
) -> None:
    slot = "" if "/" in kind else "/0"
    response = desk.upload(f"{API}/tickets/{called.pk}/captures/{kind}{slot}", {"file": file(data)})
    assert response.status_code in (400, 422) and response.json()["code"] == code, response.json()
    assert not Artefact.objects.exists()


def test_an_oversize_file_is_refused_before_it_is_read(called: Ticket, desk: Api) -> None:
    big = b"\x89PNG" + bytes(3 * 1024 * 1024)
    response = desk.upload(f"{API}/tickets/{called.pk}/captures/fingerprint/1", {"file": file(big)})
    assert response.status_code == 413 and response.json()["code"] == "TOO_LARGE"


@pytest.mark.parametrize(
    ("tail", "body", "code"),
    [
        ("captures/photo/0", {}, "INVALID_INPUT"),  # no file
        ("captures/fingerprint/3/impossible", {}, "INVALID_INPUT"),  # no reason
        ("captures/fingerprint/3/impossible", {"reason": "   "}, "INVALID_INPUT"),
        ("details", {"kind": "first_issue"}, "INVALID_INPUT"),  # no return method
        ("details", {"kind": "first_issue", "return_method": "drone"}, "NOT_FOUND"),
        ("details", {"kind": "reissue", "return_method": "office"}, "KIND_NOT_ALLOWED"),
        ("details", {"kind": "first_issue", "return_method": "post"}, "POST_ADDRESS_NEEDED"),
        ("person", {}, "INVALID_INPUT"),
        ("person", {"person_id": "x"}, "INVALID_INPUT"),
    ],
)
def test_a_step_with_missing_or_wrong_fields_is_refused(
    called: Ticket, desk: Api, tail: str, body: dict[str, Any], code: str
) -> None:
    path = f"{API}/tickets/{called.pk}/{tail}"
    response = (
        desk.upload(path, body) if tail.startswith("captures/photo") else desk.post(path, body)
    )
    assert response.status_code in (400, 404, 409, 422), response.content
    assert response.json()["code"] == code, response.json()
    assert not Artefact.objects.exists()


def test_a_device_answer_is_checked_as_the_page_checks_it(called: Ticket, desk: Api) -> None:
    url = f"{API}/tickets/{called.pk}/device/fingerprint"
    form = {
        "sub_id": "1",
        "transaction_id": "cccd-desk-0001",
        "previous_hash": sbi.FIRST_PREVIOUS_HASH,
        "answer": file(b'{"biometrics": []}', "answer.json"),
    }
    refused = desk.upload(url, form)
    assert refused.status_code == 400 and refused.json()["code"] == "DEVICE_ANSWER_MALFORMED"
    bad_hash = desk.upload(url, {**form, "previous_hash": "nope", "answer": file(b"{}")})
    assert bad_hash.json()["code"] == "DEVICE_ANSWER_MALFORMED"
    assert desk.upload(url, {"sub_id": "1"}).json()["code"] == "INVALID_INPUT"
    wrong_kind = desk.upload(f"{API}/tickets/{called.pk}/device/signature", form)
    assert wrong_kind.status_code == 422
    assert not Artefact.objects.exists()


def test_a_device_answer_fills_its_slots(called: Ticket, desk: Api) -> None:
    from tests.devices.simulated import start_simulator, stop
    from tests.enrollments.intake.test_device_capture import device_answer

    process, port = start_simulator("--delay-ms", "0")
    try:
        answer = device_answer(port, "Finger", 1, exceptions=("Left RingFinger",))
    finally:
        stop(process)
    response = desk.upload(
        f"{API}/tickets/{called.pk}/device/fingerprint",
        {
            "sub_id": "1",
            "transaction_id": "cccd-desk-0001",
            "previous_hash": sbi.FIRST_PREVIOUS_HASH,
            "exception": ["Left RingFinger"],
            "reason_9": "Ngón bị băng",
            "answer": file(answer, "answer.json"),
        },
    )
    assert response.status_code == 201, response.json()
    stored = {a["slot"]: a for a in response.json()}
    assert set(stored) == {7, 8, 9, 10}
    assert stored[9]["impossible_reason"] == "Ngón bị băng"
    assert stored[7]["quality"]["source"] == "device"
    state = desk.get(f"{API}/tickets/{called.pk}").json()
    assert state["previous_hash"] != sbi.FIRST_PREVIOUS_HASH


# --- who may, and where ---------------------------------------------------------------------


def test_another_units_ticket_is_not_found(
    called: Ticket, officer_tayson: User, tree: Tree
) -> None:
    other = Api(officer_tayson)
    for path in ("", "/start", "/finish"):
        method = other.get if not path else other.post
        response = method(f"{API}/tickets/{called.pk}{path}")
        assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
    response = other.upload(
        f"{API}/tickets/{called.pk}/captures/fingerprint/1", {"file": file(fingerprint_png())}
    )
    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_a_dossier_of_another_unit_has_no_slip_for_them(
    captured: Enrollment, officer_tayson: User
) -> None:
    response = Api(officer_tayson).get(f"{API}/dossiers/{captured.pk}/slip.pdf")
    assert response.status_code == 404


def test_a_role_without_the_desk_may_not_drive_an_intake(
    called: Ticket, tree: Tree, liaison_dakmil: User, captured: Enrollment
) -> None:
    for user in (liaison_dakmil, make_user("admin.dakmil", "administrator", tree.dakmil_police)):
        api = Api(user)
        assert api.get(f"{API}/tickets/{called.pk}").status_code == 403
        assert api.post(f"{API}/tickets/{called.pk}/finish").status_code == 403
        response = api.get(f"{API}/dossiers/{captured.pk}/slip.pdf")
        assert response.status_code == 403 and response.json()["code"] == "PERMISSION_DENIED"
    back_office = make_user("hoso.dakmil2", "back_office", tree.dakmil_police)
    assert Api(back_office).get(f"{API}/dossiers/{captured.pk}/slip.pdf").status_code == 200
    assert Api(back_office).get(f"{API}/tickets/{called.pk}").status_code == 403


def test_without_a_token_nothing_is_answered(called: Ticket) -> None:
    response = Client().get(f"{API}/tickets/{called.pk}")
    assert response.status_code == 401 and response.json()["code"] == "NOT_AUTHENTICATED"


def test_a_draft_dossier_has_no_slip(called: Ticket, desk: Api) -> None:
    draft = desk.post(f"{API}/tickets/{called.pk}/start").json()["draft"]
    assert desk.get(f"{API}/dossiers/{draft['id']}/slip.pdf").status_code == 404


def test_the_openapi_document_describes_every_step(desk: Api) -> None:
    document = desk.get("/api/v1/openapi.json").json()
    paths = {p for p in document["paths"] if p.startswith(f"{API}/")}
    assert paths == {
        f"{API}/tickets/{{ticket_id}}",
        f"{API}/tickets/{{ticket_id}}/start",
        f"{API}/tickets/{{ticket_id}}/person",
        f"{API}/tickets/{{ticket_id}}/details",
        f"{API}/tickets/{{ticket_id}}/captures/{{kind}}/{{slot}}",
        f"{API}/tickets/{{ticket_id}}/captures/{{kind}}/{{slot}}/impossible",
        f"{API}/tickets/{{ticket_id}}/device/{{kind}}",
        f"{API}/tickets/{{ticket_id}}/finish",
        f"{API}/dossiers/{{enrollment_id}}/slip.pdf",
    }
    for path in paths:
        for operation in document["paths"][path].values():
            assert operation["summary"] and "4XX" in operation["responses"]
    slip = document["paths"][f"{API}/dossiers/{{enrollment_id}}/slip.pdf"]["get"]
    assert "application/pdf" in slip["responses"]["200"]["content"]


def test_no_personal_data_in_the_logs(
    called: Ticket, desk: Api, student: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    desk.get(f"{API}/tickets/{called.pk}")
    desk.post(f"{API}/tickets/{called.pk}/finish")
    assert student.full_name not in caplog.text and student.personal_id not in caplog.text


def test_a_person_of_another_unit_cannot_be_given_to_a_number(
    session: Session,
    desks: list[Desk],
    tree: Tree,
    leader: User,
    officer_dakmil: User,
    desk: Api,
    time_machine: Any,
) -> None:
    from tests.enrollments.conftest import TODAY

    time_machine.move_to(TODAY)
    stranger = make_person(tree.tayson, "Lê Văn Xa", "01/01/2000", "M")
    tickets.issue_walk_in(session.pk, actor=leader)
    ticket = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    response = desk.post(f"{API}/tickets/{ticket.pk}/person", {"person_id": stranger.pk})  # type: ignore[attr-defined]
    assert response.status_code == 404
