"""The back office's screens over the dossier lifecycle: the work queue, one dossier and its moves,
the commander's bulk approval, delivery and the refusal notice. The moves themselves are tested in
the lifecycle's own tests; here: what the screens let through, refuse, show and keep."""

from __future__ import annotations

import base64
import datetime
import io
import re
import unicodedata
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from cccd.accounts.models import AuditEvent, Role, User
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment, Kind, ProposedChange
from cccd.registry.models import Person
from cccd.units.models import Unit
from tests.builders import Tree, make_person, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import HCM, signature_png
from tests.mixins import CrossUnitAccessMixin

STATIC = Path(__file__).resolve().parents[3] / "src" / "cccd" / "static" / "cccd"
EVENING = datetime.datetime(2021, 3, 6, 20, 0, tzinfo=HCM)
S = Enrollment.State


def make_dossier(
    tree: Tree,
    state: str,
    *,
    minutes: int = 0,
    name: str = "Trần Thị Mai",
    unit: Unit | None = None,
    officer: User | None = None,
    return_date: datetime.date | None = None,
) -> Enrollment:
    """A dossier as the desk left it, `minutes` after 20:00 on the evening, in `state`: built
    directly, since these tests are about the screens, not the intake."""
    unit = unit or tree.dakmil_police
    commune = tree.daklao if unit.path.startswith(tree.dakmil_police.path) else tree.tayson
    person = make_person(commune, name, "01/01/1990", "F")
    received = EVENING + datetime.timedelta(minutes=minutes)
    number = Enrollment.objects.count() + 1
    return Enrollment.objects.create(
        code=f"{unit.code}-210306-{number:06d}",
        unit=unit,
        person=person,
        kind=Kind.FIRST_ISSUE,
        law="2014",
        state=state,
        received_at=received,
        received_by=officer,
        return_date=return_date or datetime.date(2021, 3, 25),
        state_changed_at=received,
    )


def state_of(enrollment: Enrollment) -> str:
    return Enrollment.objects.values_list("state", flat=True).get(pk=enrollment.pk)


def detail_url(enrollment: Enrollment, query: str = "") -> str:
    return f"/dossiers/{enrollment.pk}/" + (f"?{query}" if query else "")


def move_url(enrollment: Enrollment, query: str = "") -> str:
    return f"/dossiers/{enrollment.pk}/move/" + (f"?{query}" if query else "")


@pytest.fixture
def commander_tayson(tree: Tree) -> User:
    return make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)


# --- scoping ------------------------------------------------------------------------------------


class TestEveryDossierPageIsScoped(CrossUnitAccessMixin):
    @pytest.fixture(autouse=True)
    def _dossiers(self, tree: Tree) -> None:
        self.captured = make_dossier(tree, S.CAPTURED)
        self.rejected = make_dossier(tree, S.REJECTED, minutes=5, name="Lê Văn Tùng")
        Enrollment.objects.filter(pk=self.rejected.pk).update(reason="Không đủ điều kiện")

    def urls_for_dakmil_object(self, tree: Tree) -> list[str]:
        return [
            detail_url(self.captured),
            f"/dossiers/{self.captured.pk}/deliver/",
            f"/dossiers/{self.rejected.pk}/refusal.pdf",
        ]

    def test_the_list_shows_nothing_of_another_unit(self, officer_tayson: User) -> None:
        response = client_for(officer_tayson).get("/dossiers/")
        assert response.status_code == 200
        assert self.captured.code not in response.content.decode()

    def test_another_units_back_office_cannot_move_it(self, back_office_tayson: User) -> None:
        response = client_for(back_office_tayson).post(
            move_url(self.captured), {"move": "return", "reason": "thiếu ảnh"}
        )
        assert response.status_code == 404
        assert state_of(self.captured) == S.CAPTURED

    def test_another_units_commander_cannot_approve_it_in_bulk(
        self, tree: Tree, commander_tayson: User
    ) -> None:
        completed = make_dossier(tree, S.COMPLETED, minutes=9, name="Phạm Văn Hải")
        response = client_for(commander_tayson).post("/dossiers/approve/", {"ids": [completed.pk]})
        assert response.status_code == 404
        assert state_of(completed) == S.COMPLETED

    def test_another_units_officer_cannot_deliver_it(
        self, tree: Tree, officer_tayson: User
    ) -> None:
        at_unit = make_dossier(tree, S.AT_UNIT, minutes=9, name="Phạm Văn Hải")
        response = client_for(officer_tayson).post(
            f"/dossiers/{at_unit.pk}/deliver/", {"delivery": "posted", "tracking_number": "EE1VN"}
        )
        assert response.status_code == 404
        assert state_of(at_unit) == S.AT_UNIT

    def test_opening_a_dossier_is_audited_as_a_look_up(self, officer_dakmil: User) -> None:
        client_for(officer_dakmil).get(detail_url(self.captured))
        assert (
            AuditEvent.objects.filter(
                action="enrollment.view", actor=officer_dakmil, object_id=str(self.captured.pk)
            ).count()
            == 1
        )


# --- roles --------------------------------------------------------------------------------------


def test_an_officer_cannot_approve(tree: Tree, officer_dakmil: User) -> None:
    completed = make_dossier(tree, S.COMPLETED)
    client = client_for(officer_dakmil)
    response = client.post(move_url(completed), {"move": "approve"})
    assert response.status_code == 403
    assert state_of(completed) == S.COMPLETED
    assert client.get("/dossiers/approve/").status_code == 403
    assert client.post("/dossiers/approve/", {"ids": [completed.pk]}).status_code == 403
    assert state_of(completed) == S.COMPLETED


def test_a_commander_cannot_complete(tree: Tree, commander_dakmil: User) -> None:
    captured = make_dossier(tree, S.CAPTURED)
    client = client_for(commander_dakmil)
    page = client.get(detail_url(captured)).content.decode()
    assert 'data-testid="move-complete"' not in page
    assert 'data-testid="move-reject"' in page
    response = client.post(move_url(captured), {"move": "complete"})
    assert response.status_code == 403
    assert "Your role does not allow this." in response.content.decode()
    assert state_of(captured) == S.CAPTURED


def test_a_commander_records_no_delivery(tree: Tree, commander_dakmil: User) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    response = client_for(commander_dakmil).post(
        f"/dossiers/{at_unit.pk}/deliver/", {"delivery": "posted", "tracking_number": "EE1VN"}
    )
    assert response.status_code == 403
    assert state_of(at_unit) == S.AT_UNIT


# --- the queue, next and previous ---------------------------------------------------------------


def codes_in(page: str) -> list[str]:
    return re.findall(r'data-testid="dossier-row" data-code="([^"]+)"', page)


def test_the_queue_opens_on_open_work_the_earliest_return_date_first(
    tree: Tree, back_office_dakmil: User
) -> None:
    late = make_dossier(
        tree, S.CAPTURED, minutes=30, name="Đỗ Văn Late", return_date=datetime.date(2000, 1, 1)
    )
    later = make_dossier(tree, S.COMPLETED, minutes=1, return_date=datetime.date(2999, 1, 1))
    soon = make_dossier(
        tree, S.AT_UNIT, minutes=2, name="Phan Văn Sớm", return_date=datetime.date(2021, 3, 20)
    )
    delivered = make_dossier(
        tree, S.DELIVERED, minutes=3, name="Hồ Thị Xong", return_date=datetime.date(2000, 1, 1)
    )
    rejected = make_dossier(tree, S.REJECTED, minutes=4, name="Lê Văn Không")
    client = client_for(back_office_dakmil)
    page = client.get("/dossiers/").content.decode()
    assert codes_in(page) == [late.code, soon.code, later.code]  # closed ones left out
    overdue_rows = re.findall(r'data-code="([^"]+)">(?:(?!</tr>).)*data-overdue', page, re.S)
    assert overdue_rows == [late.code]
    everything = client.get("/dossiers/?state=all").content.decode()
    assert codes_in(everything) == [delivered.code, late.code, soon.code, rejected.code, later.code]
    overdue_rows = re.findall(r'data-code="([^"]+)">(?:(?!</tr>).)*data-overdue', everything, re.S)
    assert overdue_rows == [late.code]  # a delivered card is late no more
    only_late = client.get("/dossiers/?overdue=1").content.decode()
    assert codes_in(only_late) == [late.code]


def test_next_and_previous_follow_the_return_dates(tree: Tree, back_office_dakmil: User) -> None:
    first = make_dossier(
        tree, S.CAPTURED, minutes=9, name="Một", return_date=datetime.date(2021, 3, 10)
    )
    second = make_dossier(tree, S.CAPTURED, minutes=1, name="Hai")  # due 25/03, received earlier
    third = make_dossier(tree, S.CAPTURED, minutes=2, name="Ba")
    client = client_for(back_office_dakmil)
    page = client.get(detail_url(second)).content.decode()
    assert f'href="/dossiers/{first.pk}/" data-key="prev"' in page
    assert f'href="/dossiers/{third.pk}/" data-key="next"' in page


def test_the_queue_filters_by_session_and_officer(
    tree: Tree, back_office_dakmil: User, officer_dakmil: User
) -> None:
    mine = make_dossier(tree, S.CAPTURED, officer=officer_dakmil)
    other = make_dossier(tree, S.CAPTURED, minutes=3, name="Vũ Văn Khác")
    page = client_for(back_office_dakmil).get(f"/dossiers/?officer={officer_dakmil.pk}")
    text = page.content.decode()
    assert mine.code in text
    assert other.code not in text


@pytest.mark.parametrize("query", ["state=bogus", "session=abc", "officer=1;drop", "session=-1"])
def test_a_malformed_filter_is_refused_not_an_empty_list(
    back_office_dakmil: User, query: str
) -> None:
    response = client_for(back_office_dakmil).get(f"/dossiers/?{query}")
    assert response.status_code == 400  # cccd.queryforms' rule (was 422 before the forms)
    assert "BAD_QUERY" in response.content.decode()


def test_a_page_of_the_queue_costs_the_same_queries_for_3_or_30_dossiers(
    tree: Tree, back_office_dakmil: User, officer_dakmil: User
) -> None:
    client = client_for(back_office_dakmil)
    client.get("/dossiers/")  # the session and the user, cached like in any later request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/dossiers/").status_code == 200
        return len(captured)

    for i in range(3):
        make_dossier(tree, S.CAPTURED, minutes=i, name="Nguyễn Văn An", officer=officer_dakmil)
    few = queries()
    for i in range(3, 30):
        make_dossier(tree, S.CAPTURED, minutes=i, name="Nguyễn Văn An", officer=officer_dakmil)
    assert queries() == few


def test_next_and_previous_follow_the_filter(tree: Tree, back_office_dakmil: User) -> None:
    one = make_dossier(tree, S.CAPTURED, minutes=1, name="Một")
    completed = make_dossier(tree, S.COMPLETED, minutes=2, name="Hai")
    two = make_dossier(tree, S.CAPTURED, minutes=3, name="Ba")
    client = client_for(back_office_dakmil)

    filtered = client.get(detail_url(one, "state=captured")).content.decode()
    assert f'href="/dossiers/{two.pk}/?state=captured" data-key="next"' in filtered
    assert 'data-testid="previous"' not in filtered
    back = client.get(detail_url(two, "state=captured")).content.decode()
    assert f'href="/dossiers/{one.pk}/?state=captured" data-key="prev"' in back

    unfiltered = client.get(detail_url(one)).content.decode()
    assert f'href="/dossiers/{completed.pk}/" data-key="next"' in unfiltered


def test_after_a_move_the_next_dossier_of_the_same_queue_opens(
    tree: Tree, back_office_dakmil: User
) -> None:
    one = make_dossier(tree, S.CAPTURED, minutes=1, name="Một")
    make_dossier(tree, S.COMPLETED, minutes=2, name="Hai")
    two = make_dossier(tree, S.CAPTURED, minutes=3, name="Ba")
    client = client_for(back_office_dakmil)
    response = client.post(move_url(one, "state=captured"), {"move": "return", "reason": "Ảnh mờ"})
    assert response.status_code == 302
    assert response["Location"] == f"/dossiers/{two.pk}/?state=captured"
    assert state_of(one) == S.RETURNED
    last = client.post(move_url(two, "state=captured"), {"move": "return", "reason": "Ảnh mờ"})
    assert last["Location"] == "/dossiers/?state=captured"  # the queue is done


# --- the dossier page ---------------------------------------------------------------------------


def test_the_dossier_page_carries_the_keyboard_script_and_its_hints(
    tree: Tree, back_office_dakmil: User
) -> None:
    make_dossier(tree, S.CAPTURED, minutes=0, name="Trước")
    captured = make_dossier(tree, S.CAPTURED, minutes=1)
    make_dossier(tree, S.CAPTURED, minutes=2, name="Sau")
    page = client_for(back_office_dakmil).get(detail_url(captured)).content.decode()
    assert re.search(r'<script src="[^"]*cccd/dossiers\.js" defer></script>', page)
    assert "<script>" not in page  # no inline script: the page works under a strict CSP
    for key in ('data-key="prev"', 'data-key="next"', 'data-key="c"', 'data-key="f"'):
        assert key in page, key
    assert 'data-testid="key-hints"' in page
    script = (STATIC / "dossiers.js").read_text()
    for key in ("ArrowLeft", "ArrowRight", "j:", "k:", "c:", "f:", "a:"):
        assert key in script, key


def test_complete_is_offered_with_its_gaps_when_not_possible(
    tree: Tree, back_office_dakmil: User
) -> None:
    captured = make_dossier(tree, S.CAPTURED)  # built bare: no photo, no fingerprints
    client = client_for(back_office_dakmil)
    page = client.get(detail_url(captured)).content.decode()
    assert 'data-testid="gaps"' in page
    assert "the photo" in page
    assert re.search(r'data-key="c" disabled', page)
    response = client.post(move_url(captured), {"move": "complete"})
    assert response.status_code == 409
    assert "cannot be completed yet" in response.content.decode()
    assert state_of(captured) == S.CAPTURED


def test_an_unknown_move_is_a_400(tree: Tree, back_office_dakmil: User) -> None:
    captured = make_dossier(tree, S.CAPTURED)
    response = client_for(back_office_dakmil).post(move_url(captured), {"move": "teleport"})
    assert response.status_code == 400
    assert "There is no such step for a dossier: teleport." in response.content.decode()
    assert state_of(captured) == S.CAPTURED


def test_a_return_without_a_reason_is_a_400(tree: Tree, back_office_dakmil: User) -> None:
    captured = make_dossier(tree, S.CAPTURED)
    response = client_for(back_office_dakmil).post(
        move_url(captured), {"move": "return", "reason": "   "}
    )
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    assert state_of(captured) == S.CAPTURED


def test_a_move_by_file_only_is_refused_by_hand(tree: Tree, back_office_dakmil: User) -> None:
    approved = make_dossier(tree, S.APPROVED)
    response = client_for(back_office_dakmil).post(move_url(approved), {"move": "send"})
    assert response.status_code == 409
    assert state_of(approved) == S.APPROVED


def test_a_proposed_change_is_accepted_from_the_page(tree: Tree, back_office_dakmil: User) -> None:
    captured = make_dossier(tree, S.CAPTURED)
    change = ProposedChange.objects.create(
        enrollment=captured,
        person=captured.person,
        field="hometown",
        proposed_value="Đắk Lắk",
        proof="Giấy khai sinh",
    )
    client = client_for(back_office_dakmil)
    assert "Giấy khai sinh" in client.get(detail_url(captured)).content.decode()
    url = f"/dossiers/{captured.pk}/changes/{change.pk}/"
    assert client.post(url, {"decision": "maybe"}).status_code == 422
    response = client.post(url, {"decision": "accept"})
    assert response.status_code == 302
    change.refresh_from_db()
    assert change.state == ProposedChange.State.ACCEPTED
    again = client.post(url, {"decision": "reject"})
    assert again.status_code == 409
    change.refresh_from_db()
    assert change.state == ProposedChange.State.ACCEPTED


def test_the_dossier_page_names_fields_and_fingers_in_words(
    tree: Tree, back_office_dakmil: User
) -> None:
    captured = make_dossier(tree, S.CAPTURED)
    change = ProposedChange.objects.create(
        enrollment=captured,
        person=captured.person,
        field="hometown",
        proposed_value="Đắk Lắk",
        proof="Giấy khai sinh",
    )
    client = client_for(back_office_dakmil)
    client.post(f"/dossiers/{captured.pk}/changes/{change.pk}/", {"decision": "accept"})
    page = client.get(detail_url(captured), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    table = page.split('data-testid="changes"', 1)[1].split("</table>", 1)[0]
    assert "<td>Quê quán</td>" in table and ">hometown<" not in table
    history = page.split('data-testid="history"', 1)[1]
    assert "Quê quán" in history and "(accepted)" not in history
    slots = re.findall(r'<tr data-testid="slot"><th>([^<]+)</th>', page)
    assert slots[0] == "Vân tay ngón cái phải" and slots[9] == "Vân tay ngón út trái"


# --- bulk approval ------------------------------------------------------------------------------


def test_the_commander_approves_a_selection(tree: Tree, commander_dakmil: User) -> None:
    first = make_dossier(tree, S.COMPLETED, minutes=1)
    second = make_dossier(tree, S.COMPLETED, minutes=2, name="Lý Thị Hoa")
    waiting = make_dossier(tree, S.CAPTURED, minutes=3, name="Chưa Xong")
    client = client_for(commander_dakmil)
    page = client.get("/dossiers/approve/").content.decode()
    assert first.code in page and second.code in page
    assert waiting.code not in page  # only completed dossiers wait for approval
    assert "data-select-all" in page
    response = client.post("/dossiers/approve/", {"ids": [first.pk, second.pk]})
    assert response.status_code == 302
    assert state_of(first) == state_of(second) == S.APPROVED
    assert (
        AuditEvent.objects.filter(action="enrollment.approve", actor=commander_dakmil).count() == 2
    )


def test_a_stale_selection_changes_nothing_and_names_the_blocker(
    tree: Tree, commander_dakmil: User
) -> None:
    still = make_dossier(tree, S.COMPLETED, minutes=1)
    gone = make_dossier(tree, S.COMPLETED, minutes=2, name="Lý Thị Hoa")
    lifecycle.move(gone.pk, "approve", actor=commander_dakmil)  # approved from another screen
    response = client_for(commander_dakmil).post("/dossiers/approve/", {"ids": [still.pk, gone.pk]})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Nothing was changed" in text
    assert gone.code in text
    assert f'value="{still.pk}" aria-label="{still.code}" checked' in text  # the selection kept
    assert state_of(still) == S.COMPLETED


@pytest.mark.parametrize("ids", [["12a"], ["1", "DROP TABLE"], ["-3"]])
def test_non_numeric_ids_in_bulk_approval_are_refused(
    tree: Tree, commander_dakmil: User, ids: list[str]
) -> None:
    completed = make_dossier(tree, S.COMPLETED)
    response = client_for(commander_dakmil).post(
        "/dossiers/approve/", {"ids": [completed.pk, *ids]}
    )
    assert response.status_code == 422
    assert state_of(completed) == S.COMPLETED


def test_nothing_chosen_is_a_400(commander_dakmil: User) -> None:
    response = client_for(commander_dakmil).post("/dossiers/approve/", {})
    assert response.status_code == 400
    assert "Choose at least one dossier." in response.content.decode()


def test_more_than_the_bulk_limit_is_refused(tree: Tree, commander_dakmil: User) -> None:
    completed = make_dossier(tree, S.COMPLETED)
    ids = [completed.pk, *range(10_000, 10_000 + lifecycle.BULK_LIMIT)]
    response = client_for(commander_dakmil).post("/dossiers/approve/", {"ids": ids})
    assert response.status_code == 400
    assert f"At most {lifecycle.BULK_LIMIT} dossiers at once" in response.content.decode()
    assert state_of(completed) == S.COMPLETED


# --- delivery -----------------------------------------------------------------------------------


def deliver_url(enrollment: Enrollment) -> str:
    return f"/dossiers/{enrollment.pk}/deliver/"


def test_a_card_is_handed_over_against_a_signature(tree: Tree, officer_dakmil: User) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    client = client_for(officer_dakmil)
    form = client.get(deliver_url(at_unit)).content.decode()
    assert "data-pad" in form and "cccd/intake.js" in form  # the intake's signature canvas
    upload = io.BytesIO(signature_png())
    upload.name = "pad.png"
    response = client.post(deliver_url(at_unit), {"delivery": "handed_over", "file": upload})
    assert response.status_code == 302
    at_unit.refresh_from_db()
    assert at_unit.state == S.DELIVERED
    assert at_unit.delivery == Enrollment.Delivery.HANDED_OVER
    assert at_unit.delivery_signature.read() == signature_png()


def test_a_card_signed_on_the_canvas_is_handed_over(tree: Tree, officer_dakmil: User) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = client_for(officer_dakmil).post(
        deliver_url(at_unit), {"delivery": "handed_over", "file_data": data_url}
    )
    assert response.status_code == 302
    assert state_of(at_unit) == S.DELIVERED


def test_a_posted_card_needs_its_tracking_number(tree: Tree, officer_dakmil: User) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    client = client_for(officer_dakmil)
    refused = client.post(deliver_url(at_unit), {"delivery": "posted", "tracking_number": "  "})
    assert refused.status_code == 400
    assert "needs its tracking number" in refused.content.decode()
    assert state_of(at_unit) == S.AT_UNIT
    response = client.post(
        deliver_url(at_unit), {"delivery": "posted", "tracking_number": "EE123456789VN"}
    )
    assert response.status_code == 302
    at_unit.refresh_from_db()
    assert (at_unit.state, at_unit.tracking_number) == (S.DELIVERED, "EE123456789VN")


def test_a_card_handed_over_without_a_signature_is_refused(
    tree: Tree, officer_dakmil: User
) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    response = client_for(officer_dakmil).post(deliver_url(at_unit), {"delivery": "handed_over"})
    assert response.status_code == 400
    assert "needs the citizen&#x27;s signature" in response.content.decode()
    assert state_of(at_unit) == S.AT_UNIT


@pytest.mark.parametrize(
    "form",
    [
        {"file": ("notes.png", b"%PDF-1.4 this is no picture")},
        {"file_data": "data:image/png;base64,aGVsbG8gd29ybGQ="},
        {"file_data": "javascript:alert(1)"},
    ],
)
def test_a_signature_that_is_not_an_image_is_refused(
    tree: Tree, officer_dakmil: User, form: dict[str, object]
) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    data: dict[str, object] = {"delivery": "handed_over"}
    for key, value in form.items():
        if isinstance(value, tuple):
            upload = io.BytesIO(value[1])
            upload.name = value[0]
            data[key] = upload
        else:
            data[key] = value
    response = client_for(officer_dakmil).post(deliver_url(at_unit), data)
    assert response.status_code == 400
    assert "not a picture" in response.content.decode()
    at_unit.refresh_from_db()
    assert (at_unit.state, at_unit.delivery_signature.name) == (S.AT_UNIT, "")


def test_a_card_not_yet_at_the_unit_cannot_be_delivered(tree: Tree, officer_dakmil: User) -> None:
    produced = make_dossier(tree, S.PRODUCED)
    client = client_for(officer_dakmil)
    assert 'data-testid="not-deliverable"' in client.get(deliver_url(produced)).content.decode()
    response = client.post(deliver_url(produced), {"delivery": "posted", "tracking_number": "EE1"})
    assert response.status_code == 409
    assert state_of(produced) == S.PRODUCED


def test_the_dossier_page_leads_to_the_delivery_page_not_a_one_click_delivery(
    tree: Tree, officer_dakmil: User
) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    page = client_for(officer_dakmil).get(detail_url(at_unit)).content.decode()
    assert 'data-testid="move-deliver"' not in page
    assert 'name="move" value="deliver"' not in page
    assert f'href="{deliver_url(at_unit)}"' in page and 'data-testid="to-deliver"' in page


def test_a_delivery_posted_to_the_generic_move_is_refused_and_changes_nothing(
    tree: Tree, officer_dakmil: User
) -> None:
    at_unit = make_dossier(tree, S.AT_UNIT)
    response = client_for(officer_dakmil).post(move_url(at_unit), {"move": "deliver"})
    assert response.status_code == 409
    assert "needs its proof" in response.content.decode()
    at_unit.refresh_from_db()
    assert (at_unit.state, at_unit.delivery, at_unit.tracking_number) == (S.AT_UNIT, "", "")
    assert not AuditEvent.objects.filter(action="enrollment.deliver").exists()


# --- the refusal notice -------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_the_refusal_notice_carries_the_reason(tree: Tree, commander_dakmil: User) -> None:
    captured = make_dossier(tree, S.CAPTURED, name="Nguyễn Thị Ánh")
    reason = "Giấy tờ không hợp lệ, không đủ điều kiện"
    lifecycle.move(captured.pk, "reject", actor=commander_dakmil, reason=reason)
    response = client_for(commander_dakmil).get(f"/dossiers/{captured.pk}/refusal.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert reason in text
    assert captured.code in text
    assert "Nguyễn Thị Ánh" in text
    assert "Công an huyện Đắk Mil".upper() in text
    assert AuditEvent.objects.filter(
        action="enrollment.refusal_notice", actor=commander_dakmil, object_id=str(captured.pk)
    ).exists()


def test_there_is_no_refusal_notice_for_a_dossier_not_rejected(
    tree: Tree, commander_dakmil: User
) -> None:
    cancelled = make_dossier(tree, S.CANCELLED)
    response = client_for(commander_dakmil).get(f"/dossiers/{cancelled.pk}/refusal.pdf")
    assert response.status_code == 404


# --- the history --------------------------------------------------------------------------------


def test_the_history_reads_in_order_from_capture_to_delivery(
    captured: Enrollment, back_office_dakmil: User, commander_dakmil: User, officer_dakmil: User
) -> None:
    Person.objects.filter(pk=captured.person_id).update(
        hometown="Đắk Lao, Đắk Mil, Đắk Nông", permanent_address="Thôn 5, xã Đắk Lao"
    )
    office, commander = client_for(back_office_dakmil), client_for(commander_dakmil)
    assert office.post(move_url(captured), {"move": "complete"}).status_code == 302
    assert commander.post("/dossiers/approve/", {"ids": [captured.pk]}).status_code == 302
    with transaction.atomic():  # the production batch and the centre's file, as production does
        locked = Enrollment.objects.select_for_update().get(pk=captured.pk)
        lifecycle.apply(locked, "send", actor=back_office_dakmil)
        lifecycle.apply(
            locked, "produce", actor=back_office_dakmil, card_issue_date=timezone.localdate()
        )
    assert office.post(move_url(captured), {"move": "arrive"}).status_code == 302
    assert (
        client_for(officer_dakmil)
        .post(deliver_url(captured), {"delivery": "posted", "tracking_number": "EE9VN"})
        .status_code
        == 302
    )

    page = office.get(detail_url(captured)).content.decode()
    lines = re.findall(r'<li data-testid="history-line">(.*?)</li>', page, re.S)
    text = [re.sub(r"<[^>]+>", "", line) for line in lines]
    expected = [
        ("canbo.dakmil", "capture taken"),
        ("canbo.dakmil", "intake finished: Being taken at the desk → Captured"),
        ("hoso.dakmil", "Captured → Completed"),
        ("chihuy.dakmil", "Completed → Approved"),
        ("hoso.dakmil", "Approved → In production"),
        ("hoso.dakmil", "In production → Produced"),
        ("hoso.dakmil", "Produced → Card at the unit"),
        ("canbo.dakmil", "Card at the unit → Delivered"),
    ]
    positions = []
    for actor, what in expected:
        found = [i for i, line in enumerate(text) if actor in line and what in line]
        assert found, (actor, what, text)
        positions.append(found[0])
    assert positions == sorted(positions)
    assert re.match(r"\d\d/\d\d \d\d:\d\d", text[0])
    assert not any("enrollment.view" in line for line in text)  # look-ups are not history
