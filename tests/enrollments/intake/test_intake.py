"""The intake desk's services: open, capture, correct, finish; the duplicate guard; scope."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from cccd.accounts.audit import AuditEvent
from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.intake import rules, services
from cccd.enrollments.models import (
    Artefact,
    DeadlineArea,
    Enrollment,
    FeeExemption,
    Kind,
    ProposedChange,
)
from cccd.errors import DomainError
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree
from tests.enrollments.conftest import capture_everything, fingerprint_png, signature_png

pytestmark = pytest.mark.django_db


def code_of(call: object) -> str:
    with pytest.raises(DomainError) as caught:
        call()  # type: ignore[operator]
    return caught.value.code


def test_opening_prefills_from_the_register(called: Ticket, officer_dakmil: User) -> None:
    draft = services.start_intake(called.pk, actor=officer_dakmil)
    assert draft.state == Enrollment.State.DRAFT
    assert draft.person_id == called.person_id and draft.kind == Kind.FIRST_ISSUE
    assert draft.group.code == "general" and draft.fee == 0 and draft.law == "2014"
    called.refresh_from_db()
    assert called.state == Ticket.State.SERVING
    assert services.start_intake(called.pk, actor=officer_dakmil).pk == draft.pk  # a double click
    assert Enrollment.objects.count() == 1


def test_finishing_gives_code_return_date_and_finishes_the_number(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    done = services.finish_intake(called.pk, actor=officer_dakmil)
    assert done.state == Enrollment.State.CAPTURED
    assert done.code == f"{done.unit.code}-210306-{done.pk:06d}"
    # Saturday 6 March 2021, "other" area under the 2014 law: 15 working days → Friday 26 March
    assert done.return_date == datetime.date(2021, 3, 26)
    called.refresh_from_db()
    assert called.state == Ticket.State.DONE and called.done_at is not None
    assert AuditEvent.objects.filter(action="enrollment.receive", object_id=str(done.pk)).exists()


def test_mountain_district_and_holidays_set_the_return_date(
    called: Ticket, officer_dakmil: User, portrait: bytes, tree: Tree
) -> None:
    DeadlineArea.objects.create(unit=tree.dakmil, area=DeadlineArea.Area.MOUNTAIN_ISLAND)
    capture_everything(called, officer_dakmil, portrait)
    done = services.finish_intake(called.pk, actor=officer_dakmil)
    assert done.return_date == datetime.date(2021, 4, 2)  # 20 working days from Sat 6/3/2021
    # from Thu 1/4/2021 the 20 days skip 21/4 (Hùng Kings), 30/4 and 3/5 (in lieu of 1/5)
    assert rules.compute_return_date(done, datetime.date(2021, 4, 1)) == datetime.date(2021, 5, 4)


def test_a_double_clicked_finish_is_refused_and_changes_nothing(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    first = services.finish_intake(called.pk, actor=officer_dakmil)
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as caught:
        services.finish_intake(called.pk, actor=officer_dakmil)
    assert caught.value.code == "ALREADY_FINISHED" and first.code in caught.value.message
    assert AuditEvent.objects.count() == before
    assert Enrollment.objects.get().code == first.code


def test_finish_lists_what_is_missing(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    services.capture(called.pk, Artefact.Kind.PHOTO, 0, portrait, actor=officer_dakmil)
    with pytest.raises(DomainError) as caught:
        services.finish_intake(called.pk, actor=officer_dakmil)
    assert caught.value.code == "INCOMPLETE"
    assert "the ten fingerprints" in caught.value.message and "signature" in caught.value.message
    assert Enrollment.objects.get().state == Enrollment.State.DRAFT
    services.capture_slots(
        called.pk,
        Artefact.Kind.FINGERPRINT,
        actor=officer_dakmil,
        files={n: fingerprint_png(n) for n in range(1, 9)},
        reasons={},
    )
    with pytest.raises(DomainError) as caught:
        services.finish_intake(called.pk, actor=officer_dakmil)
    assert "fingerprints: left ring finger, left little finger" in caught.value.message


def test_a_refused_capture_in_a_set_stores_none_of_the_set(
    called: Ticket, officer_dakmil: User
) -> None:
    files = {n: fingerprint_png(n) for n in range(1, 11)}
    files[7] = b"%PDF-1.4 not a fingerprint"
    with pytest.raises(DomainError) as caught:
        services.capture_slots(
            called.pk, Artefact.Kind.FINGERPRINT, files=files, reasons={}, actor=officer_dakmil
        )
    assert caught.value.code == "WRONG_FINGERPRINT_FILE" and caught.value.slot == 7  # type: ignore[attr-defined]
    assert not Artefact.objects.exists()
    assert not Enrollment.objects.exists()  # the draft opened by the refused request went too


def test_captures_keep_sha256_and_replace_their_slot(
    called: Ticket, officer_dakmil: User, django_capture_on_commit_callbacks: object
) -> None:
    first = services.capture(called.pk, "signature", 0, signature_png(), actor=officer_dakmil)
    path = Path(first.file.path)
    assert path.read_bytes() == signature_png()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        services.mark_impossible(called.pk, "signature", 0, "  tay bó bột  ", actor=officer_dakmil)
    only = Artefact.objects.get()
    assert only.impossible_reason == "tay bó bột" and not only.file
    assert first.sha256 == hashlib.sha256(signature_png()).hexdigest()
    assert not path.exists()  # the replaced file is gone once the change committed


def test_impossible_needs_a_reason_and_a_real_slot(called: Ticket, officer_dakmil: User) -> None:
    assert (
        code_of(
            lambda: services.mark_impossible(
                called.pk, "fingerprint", 3, "  ", actor=officer_dakmil
            )
        )
        == "REASON_NEEDED"
    )
    assert (
        code_of(
            lambda: services.mark_impossible(
                called.pk, "fingerprint", 11, "x", actor=officer_dakmil
            )
        )
        == "CAPTURE_BAD_SLOT"
    )
    assert (
        code_of(lambda: services.mark_impossible(called.pk, "iris", 1, "x", actor=officer_dakmil))
        == "IRIS_NOT_TAKEN"
    )
    assert not Artefact.objects.exists()


def test_exemption_and_kind_set_the_fee(
    called: Ticket, officer_dakmil: User, student: Person
) -> None:
    Person.objects.filter(pk=student.pk).update(
        card_issue_date=datetime.date(2020, 4, 1), card_expiry=datetime.date(2031, 3, 15)
    )
    draft = services.update_intake(
        called.pk,
        kind=Kind.REISSUE,
        group_id=None,
        exemption_id=None,
        return_method="office",
        kind_reason="Mất thẻ",
        actor=officer_dakmil,
    )
    assert draft.fee == 35000  # halved in 2021
    poor = FeeExemption.objects.get(code="poor_household")
    draft = services.update_intake(
        called.pk,
        kind=Kind.REISSUE,
        group_id=None,
        exemption_id=poor.pk,
        return_method="office",
        kind_reason="Mất thẻ",
        actor=officer_dakmil,
    )
    assert draft.fee == 0 and draft.exemption == poor


def test_post_needs_an_address(called: Ticket, officer_dakmil: User) -> None:
    assert (
        code_of(
            lambda: services.update_intake(
                called.pk,
                kind=Kind.FIRST_ISSUE,
                group_id=None,
                exemption_id=None,
                return_method="post",
                post_address="   ",
                actor=officer_dakmil,
            )
        )
        == "POST_ADDRESS_NEEDED"
    )
    draft = services.update_intake(
        called.pk,
        kind=Kind.FIRST_ISSUE,
        group_id=None,
        exemption_id=None,
        return_method="post",
        post_address=" Thôn 5,  xã Đắk Lao ",
        actor=officer_dakmil,
    )
    assert draft.post_address == "Thôn 5, xã Đắk Lao"


def test_a_correction_is_proposed_not_written(
    called: Ticket, officer_dakmil: User, student: Person
) -> None:
    change = services.propose_change(
        called.pk, "father_name", "Nguyễn Văn An", "Giấy khai sinh số 12/2006", actor=officer_dakmil
    )
    student.refresh_from_db()
    assert student.father_name != "Nguyễn Văn An"
    assert (
        change.state == ProposedChange.State.PROPOSED and change.proposed_value == "Nguyễn Văn An"
    )
    assert (
        code_of(
            lambda: services.propose_change(called.pk, "father_name", "X", "", actor=officer_dakmil)
        )
        == "PROOF_NEEDED"
    )
    assert (
        code_of(
            lambda: services.propose_change(
                called.pk, "personal_id", "X", "giấy", actor=officer_dakmil
            )
        )
        == "FIELD_NOT_CORRECTABLE"
    )
    assert ProposedChange.objects.count() == 1


def document_scan() -> bytes:
    """A phone photo of a birth certificate, as far as the checks can tell: a page with text."""
    page = np.full((600, 420), 235, np.uint8)
    for line in range(60, 560, 40):
        cv2.line(page, (40, line), (380, line), 30, 2)
    return cv2.imencode(".jpg", page)[1].tobytes()


def test_a_correction_keeps_its_proof_scan_checked_like_the_captures(
    called: Ticket, officer_dakmil: User
) -> None:
    change = services.propose_change(
        called.pk,
        "father_name",
        "Nguyễn Văn An",
        "Giấy khai sinh",
        proof_file=document_scan(),
        actor=officer_dakmil,
    )
    assert change.proof_file.name.endswith(".jpeg")
    assert change.proof_file.read() == document_scan()
    event = AuditEvent.objects.get(action="person.propose_change")
    assert event.after["proof_sha256"] == hashlib.sha256(document_scan()).hexdigest()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4 not a picture", "PROOF_FILE_NOT_AN_IMAGE"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "PROOF_FILE_NOT_AN_IMAGE",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "PROOF_FILE_NOT_AN_IMAGE"),  # a truncated PNG
        (cv2.imencode(".png", np.full((300, 200), 255, np.uint8))[1].tobytes(), "PROOF_FILE_BLANK"),
        (b"", "CAPTURE_EMPTY"),
    ],
)
def test_a_correction_proof_that_is_not_a_picture_is_refused_and_nothing_is_written(
    called: Ticket, officer_dakmil: User, settings: object, data: bytes, code: str
) -> None:
    # where the files go (the storage's folder), not MEDIA_ROOT: unset, that is the working
    # directory, where other workers write (.hypothesis/) while this test runs
    media = Path(settings.STORAGES["default"]["OPTIONS"]["location"])  # type: ignore[attr-defined]
    before = sorted(media.rglob("*")) if media.exists() else []
    assert (
        code_of(
            lambda: services.propose_change(
                called.pk,
                "father_name",
                "Nguyễn Văn An",
                "Giấy khai sinh",
                proof_file=data,
                actor=officer_dakmil,
            )
        )
        == code
    )
    assert not ProposedChange.objects.exists()
    assert (sorted(media.rglob("*")) if media.exists() else []) == before


def test_second_open_application_is_refused_with_its_reason(
    called: Ticket,
    officer_dakmil: User,
    portrait: bytes,
    session: Session,
    desks: list[Desk],
    leader: User,
    student: Person,
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    first = services.finish_intake(called.pk, actor=officer_dakmil)
    again = tickets.issue_walk_in(session.pk, actor=leader)  # the door refuses them by name since
    tickets.call_next(desks[1].pk, actor=leader)  # issue 12: found at the desk instead
    services.set_ticket_person(again.pk, student.pk, actor=leader)
    with pytest.raises(DomainError) as caught:
        services.start_intake(again.pk, actor=leader)
    assert caught.value.code == "OPEN_APPLICATION" and first.code in caught.value.message
    assert Enrollment.objects.count() == 1


def test_same_person_at_two_desks_at_once(
    called: Ticket,
    officer_dakmil: User,
    session: Session,
    desks: list[Desk],
    leader: User,
    student: Person,
) -> None:
    services.start_intake(called.pk, actor=officer_dakmil)
    twin_ticket = tickets.issue_walk_in(session.pk, actor=leader)  # found at the desk (see above)
    tickets.call_next(desks[1].pk, actor=leader)
    services.set_ticket_person(twin_ticket.pk, student.pk, actor=leader)
    with pytest.raises(DomainError) as caught:
        services.start_intake(twin_ticket.pk, actor=leader)
    assert caught.value.code == "BEING_TAKEN" and "1" in caught.value.message


def test_a_stale_draft_is_cancelled_when_the_person_comes_back(
    called: Ticket,
    officer_dakmil: User,
    session: Session,
    desks: list[Desk],
    leader: User,
    student: Person,
) -> None:
    stale = services.start_intake(called.pk, actor=officer_dakmil)
    tickets.finish_ticket(desks[0].pk, called.pk, actor=officer_dakmil)  # left without a dossier
    back = tickets.issue_walk_in(session.pk, person_id=student.pk, actor=leader)
    tickets.call_next(desks[1].pk, actor=leader)
    fresh = services.start_intake(back.pk, actor=leader)
    stale.refresh_from_db()
    assert stale.state == Enrollment.State.CANCELLED and fresh.state == Enrollment.State.DRAFT


def test_a_number_not_at_a_desk_or_without_person(
    session: Session, desks: list[Desk], leader: User, officer_dakmil: User
) -> None:
    waiting = tickets.issue_walk_in(session.pk, actor=leader)
    assert (
        code_of(lambda: services.start_intake(waiting.pk, actor=officer_dakmil))
        == "TICKET_NOT_AT_DESK"
    )
    tickets.call_next(desks[0].pk, actor=officer_dakmil)
    assert code_of(lambda: services.start_intake(waiting.pk, actor=officer_dakmil)) == "NO_PERSON"
    assert not Enrollment.objects.exists()


def test_another_units_ticket_is_not_found(called: Ticket, officer_tayson: User) -> None:
    assert code_of(lambda: services.start_intake(called.pk, actor=officer_tayson)) == "NOT_FOUND"
    assert code_of(lambda: services.finish_intake(called.pk, actor=officer_tayson)) == "NOT_FOUND"
    assert not Enrollment.objects.exists()


def test_liaison_cannot_take_intake(called: Ticket, liaison_dakmil: User) -> None:
    assert (
        code_of(lambda: services.start_intake(called.pk, actor=liaison_dakmil))
        == "PERMISSION_DENIED"
    )


def test_the_lists_extra_columns_show_with_their_labels_not_their_keys() -> None:
    from cccd.enrollments.intake.queries import _listed_values
    from cccd.registry.columns import column_label
    from cccd.rosters.models import RosterEntry

    ticket = Ticket(
        roster_entry=RosterEntry(
            pk=5, details={"father_name": "Nguyễn Văn An", "class_name": "12A1", "note": " "}
        )
    )
    shown = _listed_values(ticket)
    assert shown == {
        column_label("father_name"): "Nguyễn Văn An",
        column_label("class_name"): "12A1",
    }
    assert "father_name" not in shown and column_label("father_name") != "father_name"
