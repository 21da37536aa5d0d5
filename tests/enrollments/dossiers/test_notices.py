"""Telling the citizen about the dossier: its contact (taken from the number, changed on the dossier
page, checked, scoped, audited masked), "returned" once per return, "card arrived" once and not for
a card going by post, the reminder of an uncollected card once, the dashboard's "notified", and a
message from a move delivered for real through the ZNS stand-in."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cccd.accounts.models import AuditEvent, Role, User
from cccd.enrollments.dossiers import contact as dossier_contact
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.dossiers.notices import remind_uncollected
from cccd.enrollments.intake import services as intake
from cccd.enrollments.models import Enrollment
from cccd.errors import DomainError
from cccd.notify import delivery
from cccd.notify.models import Message
from cccd.notify.templates import load_templates
from cccd.reports.cards import cards_at_units
from cccd.tickets.models import Ticket
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import HCM, capture_everything
from tests.notify.fakes import Gateway, http_server, zns_ok

pytestmark = pytest.mark.django_db
S = Enrollment.State


@pytest.fixture(autouse=True)
def templates(db: None) -> None:
    load_templates()


@pytest.fixture
def back_office(tree: Tree) -> User:
    return make_user("hoso.dakmil", Role.BACK_OFFICE, tree.dakmil_police)


@pytest.fixture
def told(captured: Enrollment, back_office: User) -> Enrollment:
    """The captured dossier with a phone to be told by SMS."""
    return dossier_contact.set_contact(captured.pk, ("sms", "84912345678"), actor=back_office)


def _put(enrollment: Enrollment, state: str, **fields: object) -> Enrollment:
    Enrollment.objects.filter(pk=enrollment.pk).update(state=state, **fields)
    enrollment.refresh_from_db()
    return enrollment


def _messages(template: str) -> list[Message]:
    return list(Message.objects.filter(template_code=template).order_by("pk"))


# ---------------------------------------------------------------- the contact


def test_the_number_s_contact_becomes_the_dossier_s(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    Ticket.objects.filter(pk=called.pk).update(notify_channel="zns", notify_address="84912345678")
    capture_everything(called, officer_dakmil, portrait)
    enrollment = intake.finish_intake(called.pk, actor=officer_dakmil)
    assert (enrollment.notify_channel, enrollment.notify_address) == ("zns", "84912345678")


def test_the_desk_changes_the_contact_with_the_details_and_a_bad_one_changes_nothing(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    capture_everything(called, officer_dakmil, portrait)
    client = client_for(officer_dakmil)
    details = {"kind": "first_issue", "return_method": "office", "group": "", "exemption": ""}
    url = f"/intake/tickets/{called.pk}/details/"
    bad = client.post(url, {**details, "return_method": "post", "contact": "12345"})
    assert bad.status_code == 400
    draft = Enrollment.objects.get(ticket=called)
    assert (draft.return_method, draft.notify_channel) == ("office", "")
    client.post(url, {**details, "contact": "An@Example.vn"})
    draft.refresh_from_db()
    assert (draft.notify_channel, draft.notify_address) == ("email", "an@example.vn")
    event = AuditEvent.objects.filter(action="enrollment.update").latest("id")
    assert event.after["notify_channel"] == "email"  # type: ignore[index]
    assert "example.vn" not in json.dumps([event.before, event.after])
    client.post(url, details)  # a page without the box keeps the contact
    draft.refresh_from_db()
    assert draft.notify_address == "an@example.vn"


@pytest.mark.parametrize(
    ("typed", "by", "expected"),
    [
        ("0987 654 321", "zns", ("zns", "84987654321")),
        ("an@example.vn", "zns", ("email", "an@example.vn")),
        ("", "sms", ("", "")),
    ],
)
def test_the_dossier_page_changes_the_contact_audited_masked(
    told: Enrollment, back_office: User, typed: str, by: str, expected: tuple[str, str]
) -> None:
    client = client_for(back_office)
    response = client.post(f"/dossiers/{told.pk}/contact/", {"contact": typed, "contact_by": by})
    assert response.status_code == 302
    told.refresh_from_db()
    assert (told.notify_channel, told.notify_address) == expected
    event = AuditEvent.objects.filter(action="enrollment.contact").latest("id")
    assert event.before == {"notify_channel": "sms", "notify_address": "84•••••5678"}
    assert "912345678" not in json.dumps(event.after) and "987654321" not in json.dumps(event.after)
    page = client.get(f"/dossiers/{told.pk}/").content.decode()
    listed = client.get("/dossiers/", {"state": "captured"}).content.decode()
    if expected[1]:
        assert expected[1] not in page and expected[1] not in listed  # shown masked only
        assert told.notify_masked in page and told.notify_masked in listed


@pytest.mark.parametrize("typed", ["12345", "0212345678", "an@", "x" * 400, "\x00", "@"])
def test_a_bad_contact_on_the_dossier_page_is_a_400_and_nothing_changes(
    told: Enrollment, back_office: User, typed: str
) -> None:
    response = client_for(back_office).post(f"/dossiers/{told.pk}/contact/", {"contact": typed})
    assert response.status_code == 400
    assert 'data-code="NOTIFY_BAD_CONTACT"' in response.content.decode()
    told.refresh_from_db()
    assert told.notify_address == "84912345678"


def test_the_contact_is_scoped_and_needs_a_role_that_works_on_dossiers(
    told: Enrollment, tree: Tree, commander_dakmil: User
) -> None:
    stranger = make_user("hoso.tayson", Role.BACK_OFFICE, tree.tayson_police)
    data = {"contact": "0987654321"}
    assert client_for(stranger).post(f"/dossiers/{told.pk}/contact/", data).status_code == 404
    assert (
        client_for(commander_dakmil).post(f"/dossiers/{told.pk}/contact/", data).status_code == 403
    )
    told.refresh_from_db()
    assert told.notify_address == "84912345678"
    assert not AuditEvent.objects.filter(action="enrollment.contact", actor=stranger).exists()


def test_a_closed_dossier_keeps_its_contact(told: Enrollment, back_office: User) -> None:
    _put(told, S.DELIVERED)
    with pytest.raises(DomainError) as refused:
        dossier_contact.set_contact(told.pk, ("", ""), actor=back_office)
    assert refused.value.code == "CONTACT_ON_CLOSED"
    response = client_for(back_office).post(f"/dossiers/{told.pk}/contact/", {"contact": ""})
    assert response.status_code == 409


# ---------------------------------------------------------------- returned, arrived


def test_each_return_is_told_once_without_the_reason(
    told: Enrollment, back_office: User, officer_dakmil: User
) -> None:
    lifecycle.move(told.pk, "return", actor=back_office, reason="Ảnh của Nguyễn Văn Đức bị mờ")
    assert [m.event_key for m in _messages("dossier_returned")] == [f"dossier:{told.pk}:returned:1"]
    message = _messages("dossier_returned")[0]
    assert "Đức" not in message.text and "mờ" not in message.text and told.code not in message.text
    assert message.text.startswith("CCCD: ho so can cuoc cua ban can bo sung")  # plain SMS
    assert not message.urgent
    lifecycle.move(told.pk, "resubmit", actor=back_office)
    lifecycle.move(told.pk, "return", actor=back_office, reason="Thiếu vân tay")
    keys = [m.event_key for m in _messages("dossier_returned")]
    assert keys == [f"dossier:{told.pk}:returned:1", f"dossier:{told.pk}:returned:2"]


def test_the_card_arrived_is_told_once_with_the_place_and_hours(
    told: Enrollment, back_office: User, settings: object
) -> None:
    settings.CCCD_CARD_COLLECTION_HOURS = "từ 7:30 đến 11:00, thứ Hai đến thứ Sáu"  # type: ignore[attr-defined]
    _put(told, S.PRODUCED)
    lifecycle.move(told.pk, "arrive", actor=back_office)
    (message,) = _messages("card_arrived")
    assert message.event_key == f"dossier:{told.pk}:card_arrived"
    assert message.template_data == {
        "place": "Cong an huyen Dak Mil",
        "hours": "tu 7:30 den 11:00, thu Hai den thu Sau",
    }
    _put(told, S.PRODUCED)  # as if the arrival were recorded again
    lifecycle.move(told.pk, "arrive", actor=back_office)
    assert len(_messages("card_arrived")) == 1


def test_a_card_going_by_post_or_a_dossier_without_contact_is_not_told(
    told: Enrollment, another: Enrollment, back_office: User
) -> None:
    _put(told, S.PRODUCED, return_method="post", post_address="Thôn 1, Đắk Lao")
    lifecycle.move(told.pk, "arrive", actor=back_office)
    _put(another, S.PRODUCED)
    lifecycle.move(another.pk, "arrive", actor=back_office)
    assert not Message.objects.exists()


@pytest.fixture
def another(
    captured: Enrollment,
    session: object,
    desks: list,
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
    tree: Tree,
) -> Enrollment:
    from tests.builders import make_person
    from tests.enrollments.conftest import another_captured

    person = make_person(tree.daklao, "Trần Thị Mai", "02/02/2006", "F")
    return another_captured(session, desks[0], officer_dakmil, leader, portrait, person)  # type: ignore[arg-type]


def test_the_move_survives_missing_templates(told: Enrollment, back_office: User) -> None:
    from cccd.notify.models import MessageTemplate

    MessageTemplate.objects.all().delete()
    moved = lifecycle.move(told.pk, "return", actor=back_office, reason="Thiếu ảnh")
    assert moved.state == S.RETURNED and not Message.objects.exists()


# ---------------------------------------------------------------- the reminder


def test_an_uncollected_card_is_reminded_once(
    told: Enrollment, back_office: User, settings: object
) -> None:
    settings.CCCD_CARD_REMINDER_DAYS = 14  # type: ignore[attr-defined]
    arrived = datetime.datetime(2021, 4, 1, 9, 0, tzinfo=HCM)
    _put(told, S.AT_UNIT, state_changed_at=arrived)
    assert remind_uncollected(arrived + datetime.timedelta(days=13)) == 0
    later = arrived + datetime.timedelta(days=15)
    assert remind_uncollected(later) == 1
    assert remind_uncollected(later) == 0  # cron runs again: nothing new
    (message,) = _messages("card_not_collected")
    assert message.event_key == f"dossier:{told.pk}:not_collected"
    assert "01/04/2021" in message.text and told.code not in message.text


def test_the_command_reminds_and_skips_post_and_no_contact(
    told: Enrollment, another: Enrollment, settings: object, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CCCD_CARD_REMINDER_DAYS = 3  # type: ignore[attr-defined]
    long_ago = datetime.datetime(2021, 4, 1, 9, 0, tzinfo=HCM)
    _put(told, S.AT_UNIT, state_changed_at=long_ago)
    _put(another, S.AT_UNIT, state_changed_at=long_ago)  # no contact
    with time_machine.travel(datetime.datetime(2021, 5, 1, 9, 0, tzinfo=HCM)):
        call_command("remind_uncollected_cards")
        call_command("remind_uncollected_cards")
    assert capsys.readouterr().out.splitlines() == ["1 reminders queued", "0 reminders queued"]
    _put(told, S.AT_UNIT, return_method="post", post_address="Thôn 1")
    Message.objects.all().delete()
    assert remind_uncollected(datetime.datetime(2021, 5, 1, tzinfo=HCM)) == 0


# ---------------------------------------------------------------- the dashboard


def test_the_dashboard_counts_the_notified_cards_in_the_same_queries(
    told: Enrollment, another: Enrollment, back_office: User, tree: Tree
) -> None:
    for enrollment in (told, another):
        _put(enrollment, S.PRODUCED)
        lifecycle.move(enrollment.pk, "arrive", actor=back_office)
    now = datetime.datetime(2021, 5, 1, tzinfo=HCM)
    unit = tree.dakmil_police
    with CaptureQueriesContext(connection) as before:
        rows = cards_at_units(unit, told.campaign_id or 0, now)  # type: ignore[arg-type]
    assert (rows[0].waiting, rows[0].notified) == (2, 0)  # queued is not yet told
    Message.objects.filter(template_code="card_arrived").update(state=Message.State.SENT)
    with CaptureQueriesContext(connection) as after:
        rows = cards_at_units(unit, told.campaign_id or 0, now)  # type: ignore[arg-type]
    assert rows[0].notified == 1
    Message.objects.filter(template_code="card_arrived").update(state=Message.State.DELIVERED)
    assert cards_at_units(unit, told.campaign_id or 0, now)[0].notified == 1  # type: ignore[arg-type]
    assert len(before) == len(after)


# ---------------------------------------------------------------- end to end


def test_the_arrival_reaches_the_phone_through_zns(
    told: Enrollment, back_office: User, settings: object
) -> None:
    dossier_contact.set_contact(told.pk, ("zns", "84912345678"), actor=back_office)
    settings.CCCD_ZNS_ACCESS_TOKEN = "token-1"  # type: ignore[attr-defined]
    with time_machine.travel(datetime.datetime(2021, 4, 1, 9, 0, tzinfo=HCM), tick=True):
        with http_server(Gateway([zns_ok()])) as gateway:
            settings.CCCD_ZNS_URL = gateway.url  # type: ignore[attr-defined]
            _put(told, S.PRODUCED)
            lifecycle.move(told.pk, "arrive", actor=back_office)
            assert delivery.send_due() == 1
    (request,) = gateway.requests
    assert request["body"]["phone"] == "84912345678"
    assert request["body"]["tracking_id"] == f"dossier:{told.pk}:card_arrived"
    assert request["body"]["template_data"] == {
        "place": "Công an huyện Đắk Mil",
        "hours": "trong giờ hành chính, từ thứ Hai đến thứ Sáu",
    }
    assert Message.objects.get().state == Message.State.SENT


def test_an_arrival_recorded_at_night_waits_for_the_morning(
    told: Enrollment, back_office: User, settings: object
) -> None:
    settings.CCCD_SMS_BODY = '{"to": "{phone}", "content": "{text}", "ref": "{reference}"}'  # type: ignore[attr-defined]
    settings.CCCD_SMS_HEADERS = "{}"  # type: ignore[attr-defined]
    night = datetime.datetime(2021, 4, 1, 22, 30, tzinfo=HCM)
    with time_machine.travel(night, tick=True) as clock:
        with http_server(Gateway([(200, {"status": "ok", "id": "G-1"})])) as gateway:
            settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
            _put(told, S.PRODUCED)
            lifecycle.move(told.pk, "arrive", actor=back_office)
            delivery.send_due()
            message = Message.objects.get()
            assert message.state == Message.State.QUEUED and not gateway.requests
            assert message.next_attempt_at == datetime.datetime(2021, 4, 2, 7, 0, tzinfo=HCM)
            clock.move_to(datetime.datetime(2021, 4, 2, 7, 0, 5, tzinfo=HCM))
            assert delivery.send_due() == 1
    assert len(gateway.requests) == 1
    assert gateway.requests[0]["body"]["content"].startswith("CCCD: the can cuoc cua ban da ve")
