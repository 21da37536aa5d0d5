"""The intake screen over HTTP: a whole intake, and every malformed input a desk can send."""

from __future__ import annotations

import io
import re

import cv2
import numpy as np
import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cccd.accounts.models import User
from cccd.enrollments.models import Artefact, Enrollment, ProposedChange
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.conftest import client_for
from tests.enrollments.conftest import fingerprint_png, signature_png

pytestmark = pytest.mark.django_db


def url(ticket: Ticket, tail: str = "") -> str:
    return f"/intake/tickets/{ticket.pk}/{tail}"


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def desk_client(officer_dakmil: User) -> Client:
    return client_for(officer_dakmil)


def do_intake(client: Client, ticket: Ticket, portrait: bytes) -> None:
    assert (
        client.post(url(ticket, "capture/photo/"), {"file": upload("p.jpg", portrait)}).status_code
        == 302
    )
    fingers = {f"slot_{n}": upload(f"f{n}.png", fingerprint_png(n)) for n in range(1, 11)}
    assert client.post(url(ticket, "slots/fingerprint/"), fingers).status_code == 302
    sign = {"file": upload("s.png", signature_png())}
    assert client.post(url(ticket, "capture/signature/"), sign).status_code == 302


def test_calling_a_number_opens_its_intake_screen(
    called: Ticket, desk_client: Client, desks: list[Desk], leader: User, officer_dakmil: User
) -> None:
    page = desk_client.get(url(called))
    assert page.status_code == 200 and "Nguyễn Văn Đức" in page.content.decode()
    assert not Enrollment.objects.exists()  # looking writes nothing
    nxt = tickets.issue_walk_in(called.session_id, actor=leader)
    tickets.finish_ticket(desks[0].pk, called.pk, actor=officer_dakmil)
    response = desk_client.post(f"/queue/sessions/{called.session_id}/desks/1/call/")
    assert response.status_code == 302 and response["Location"] == url(nxt)


def test_a_whole_intake_ends_with_a_slip_holding_the_dossier_code(
    called: Ticket, desk_client: Client, portrait: bytes
) -> None:
    do_intake(desk_client, called, portrait)
    finished = desk_client.post(url(called, "finish/"))
    dossier = Enrollment.objects.get()
    assert finished.status_code == 302 and finished["Location"] == f"/intake/dossiers/{dossier.pk}/"
    pdf = desk_client.get(f"/intake/dossiers/{dossier.pk}/slip.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert dossier.code in text and "Nguyễn Văn Đức" in text and "26/03/2021" in text
    link = re.search(r"http://testserver(/intake/d/\S+/)", text.replace("\n", ""))
    assert link, "the slip prints the link its QR code carries"
    public = Client().get(link.group(1))
    body = public.content.decode()
    assert public.status_code == 200 and dossier.code in body
    assert "Nguyễn" not in body and dossier.person.personal_id not in body  # nothing personal


def test_double_clicked_finish_lands_on_the_same_dossier(
    called: Ticket, desk_client: Client, portrait: bytes
) -> None:
    do_intake(desk_client, called, portrait)
    first = desk_client.post(url(called, "finish/"))
    second = desk_client.post(url(called, "finish/"), follow=True)
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "already finished" in second.content.decode()
    assert Enrollment.objects.filter(state=Enrollment.State.CAPTURED).count() == 1


def _refused(
    client: Client, ticket: Ticket, tail: str, data: dict, status: int, words: str
) -> None:
    response = client.post(url(ticket, tail), data)
    assert response.status_code == status, response.content.decode()[:500]
    assert words in response.content.decode()
    assert not Artefact.objects.exists()


def test_the_screen_shows_thumbnails_of_the_captures_and_names_the_fingers(
    called: Ticket, desk_client: Client, portrait: bytes
) -> None:
    do_intake_but_finish = {
        f"slot_{n}": upload(f"f{n}.png", fingerprint_png(n)) for n in range(1, 10)
    }
    do_intake_but_finish["reason_10"] = "Mất ngón"
    desk_client.post(url(called, "capture/photo/"), {"file": upload("p.jpg", portrait)})
    desk_client.post(url(called, "slots/fingerprint/"), do_intake_but_finish)
    desk_client.post(url(called, "capture/signature/"), {"file": upload("s.png", signature_png())})
    page = desk_client.get(url(called), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for testid in (
        "photo-thumbnail",
        "signature-thumbnail",
        "finger-thumbnail-1",
        "finger-thumbnail-9",
    ):
        assert re.search(
            rf'<img src="data:image/jpeg;base64,[^"]+"[^>]*data-testid="{testid}"', page
        ), testid
    assert 'data-testid="finger-thumbnail-10"' not in page  # impossible: no picture
    row = page.split('data-testid="finger-row-1"', 1)[1].split("</tr>", 1)[0]
    assert "Ngón cái phải" in row
    row = page.split('data-testid="finger-row-9"', 1)[1].split("</tr>", 1)[0]
    assert "Ngón áp út trái" in row
    assert "Ngón út trái" in page and "Mất ngón" in page


def test_the_correction_form_names_the_fields_in_words(called: Ticket, desk_client: Client) -> None:
    page = desk_client.get(url(called), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    select = page.split('data-testid="correction-field"', 1)[1].split("</select>", 1)[0]
    assert '<option value="full_name">Họ và tên</option>' in select
    assert '<option value="father_name">Họ tên cha</option>' in select
    assert ">full_name<" not in select and ">old_id_number<" not in select
    desk_client.post(
        url(called, "changes/"),
        {"field": "father_name", "value": "Nguyễn Văn An", "proof": "Giấy khai sinh"},
    )
    page = desk_client.get(url(called), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "<li>Họ tên cha:" in page


def test_a_photo_that_is_not_an_image(called: Ticket, desk_client: Client) -> None:
    _refused(
        desk_client,
        called,
        "capture/photo/",
        {"file": upload("p.jpg", b"%PDF-1.4\n...")},
        400,
        "not a picture",
    )


def test_a_photo_without_a_face(called: Ticket, desk_client: Client) -> None:
    grey = cv2.imencode(".jpg", np.full((400, 300, 3), 128, np.uint8))[1].tobytes()
    response = desk_client.post(url(called, "capture/photo/"), {"file": upload("p.jpg", grey)})
    assert response.status_code == 400 and not Artefact.objects.exists()


def test_a_photo_with_two_faces(called: Ticket, desk_client: Client, portrait: bytes) -> None:
    face = cv2.imdecode(np.frombuffer(portrait, np.uint8), cv2.IMREAD_COLOR)
    two = cv2.imencode(".jpg", np.hstack([face, face]))[1].tobytes()
    _refused(desk_client, called, "capture/photo/", {"file": upload("p.jpg", two)}, 400, "2 faces")


def test_a_50_mb_upload(called: Ticket, desk_client: Client) -> None:
    big = b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)
    _refused(desk_client, called, "capture/photo/", {"file": upload("p.jpg", big)}, 413, "50")


def test_a_fingerprint_file_of_the_wrong_kind(called: Ticket, desk_client: Client) -> None:
    files = {f"slot_{n}": upload(f"f{n}.png", fingerprint_png(n)) for n in range(1, 11)}
    files["slot_4"] = upload("f4.docx", b"PK\x03\x04 a word file")
    _refused(desk_client, called, "slots/fingerprint/", files, 400, "Finger 4")


def test_a_blank_or_garbled_signature(called: Ticket, desk_client: Client) -> None:
    _refused(
        desk_client,
        called,
        "capture/signature/",
        {"file_data": "data:image/png;base64,@@@not base64"},
        400,
        "signature",
    )
    blank = cv2.imencode(".png", np.full((160, 480), 255, np.uint8))[1].tobytes()
    _refused(
        desk_client, called, "capture/signature/", {"file": upload("s.png", blank)}, 400, "blank"
    )


def test_a_correction_proof_that_is_not_a_picture(called: Ticket, desk_client: Client) -> None:
    form = {
        "field": "father_name",
        "value": "Nguyễn Văn An",
        "proof": "Giấy khai sinh",
        "proof_file": upload("giay-khai-sinh.jpg", b"MZ\x90\x00 an executable"),
    }
    _refused(desk_client, called, "changes/", form, 400, "not a picture")
    assert not ProposedChange.objects.exists()


def test_a_ticket_of_another_unit(called: Ticket, officer_tayson: User) -> None:
    client = client_for(officer_tayson)
    assert client.get(url(called)).status_code == 404
    _refused(
        client, called, "capture/signature/", {"file": upload("s.png", signature_png())}, 404, ""
    )
    assert client.post(url(called, "finish/")).status_code == 404
    assert not Enrollment.objects.exists()


def test_a_number_not_called_to_a_desk(called: Ticket, desk_client: Client, leader: User) -> None:
    waiting = tickets.issue_walk_in(called.session_id, actor=leader)  # not called to any desk
    response = desk_client.post(
        url(waiting, "capture/signature/"), {"file": upload("s.png", signature_png())}
    )
    assert response.status_code == 409 and not Enrollment.objects.exists()


def test_finish_before_everything_is_captured(called: Ticket, desk_client: Client) -> None:
    response = desk_client.post(url(called, "finish/"))
    assert response.status_code == 409 and "not complete" in response.content.decode()
    assert not Enrollment.objects.exclude(state=Enrollment.State.DRAFT).exists()
