""" "Your number is coming up": the contact left at the door, the message once when about five are
ahead, the rule the same as the public page's, cheap, urgent through the quiet hours, and sent for
real through the SMS gateway's stand-in."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import PriorityGroup, Session
from cccd.errors import DomainError
from cccd.notify import delivery
from cccd.notify.models import Message
from cccd.notify.templates import load_templates
from cccd.tickets import notices, queries, services
from cccd.tickets.models import Desk, Ticket
from tests.conftest import client_for
from tests.notify.fakes import Gateway, http_server
from tests.tickets.conftest import HCM

pytestmark = pytest.mark.django_db

EVENING = datetime.datetime(2021, 3, 6, 19, 30, tzinfo=HCM)
NIGHT = datetime.datetime(2021, 3, 6, 21, 40, tzinfo=HCM)  # in the quiet hours


@pytest.fixture(autouse=True)
def templates(db: None) -> None:
    load_templates()


@pytest.fixture
def evening() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(EVENING, tick=False) as traveller:
        yield traveller


def _issue(
    session: Session,
    leader: User,
    contact: tuple[str, str] = ("", ""),
    group: PriorityGroup | None = None,
) -> Ticket:
    return services.issue_walk_in(
        session.pk, group_id=group.pk if group else None, contact=contact, actor=leader
    )


def _calls() -> list[Message]:
    return list(Message.objects.filter(template_code="queue_call").order_by("pk"))


# ---------------------------------------------------------------- at the door


@pytest.mark.parametrize(
    ("typed", "by", "channel", "address"),
    [
        ("0912 345 678", "sms", "sms", "84912345678"),
        ("+84912345678", "zns", "zns", "84912345678"),
        ("An.Nguyen@Example.VN", "sms", "email", "an.nguyen@example.vn"),
        ("", "sms", "", ""),
    ],
)
def test_the_door_takes_a_phone_or_an_email_to_be_told(
    session: Session, leader: User, typed: str, by: str, channel: str, address: str
) -> None:
    response = client_for(leader).post(
        f"/queue/sessions/{session.pk}/walk-in/", {"group": "", "contact": typed, "contact_by": by}
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.notify_channel, ticket.notify_address) == (channel, address)
    event = AuditEvent.objects.get(action="ticket.issue")
    assert event.after["notify_channel"] == channel  # type: ignore[index]
    assert "912345678" not in json.dumps(event.after)  # the trail holds no phone number


@pytest.mark.parametrize(
    "typed",
    ["12345", "0212345678", "an@", "x" * 300, "0912345678\x00", "an nguyen@example.vn", "@@"],
)
def test_a_bad_contact_at_the_door_is_a_400_and_no_number(
    session: Session, leader: User, typed: str
) -> None:
    response = client_for(leader).post(
        f"/queue/sessions/{session.pk}/walk-in/", {"group": "", "contact": typed}
    )
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_an_unknown_phone_channel_is_refused(session: Session, leader: User) -> None:
    response = client_for(leader).post(
        f"/queue/sessions/{session.pk}/walk-in/", {"contact": "0912345678", "contact_by": "fax"}
    )
    assert response.status_code == 400  # the choice is refused by the form, nothing written
    assert not Ticket.objects.exists()


def test_the_queue_page_offers_the_contact_box(session: Session, leader: User) -> None:
    page = client_for(leader).get(f"/queue/sessions/{session.pk}/").content.decode()
    assert 'name="contact"' in page and 'name="contact_by"' in page


# ---------------------------------------------------------------- the rule


def test_the_counting_in_memory_agrees_with_the_public_page(
    session: Session,
    leader: User,
    officer_dakmil: User,
    desks: list[Desk],
    groups: dict[str, PriorityGroup],
    evening: time_machine.Traveller,
) -> None:
    mix = [None, "elderly", None, "hero", "student", None, "pregnant", "elderly", None, None]
    for code in mix * 2:
        evening.shift(datetime.timedelta(seconds=30))
        _issue(session, leader, group=groups[code] if code else None)
    services.call_next(desks[0].pk, actor=officer_dakmil)
    sent = services.call_next(desks[1].pk, actor=leader)
    services.transfer_ticket(desks[1].pk, sent.pk, desks[0].pk, actor=leader)  # desk 1 is busy
    assert Ticket.objects.get(pk=sent.pk).desk_id == desks[0].pk
    line = notices.waiting_numbers(session.pk)
    assert len(line) > 10
    for row in line:
        ticket = Ticket.objects.select_related("group").get(pk=row.pk)
        assert notices.ahead_of(row, line) == queries.people_ahead(ticket), ticket.number


def test_numbers_about_five_from_the_desk_are_told_once(
    session: Session,
    leader: User,
    officer_dakmil: User,
    desks: list[Desk],
    evening: time_machine.Traveller,
) -> None:
    tickets = []
    for i in range(10):
        evening.shift(datetime.timedelta(seconds=30))
        tickets.append(_issue(session, leader, ("sms", f"8491234560{i}")))
    services.call_next(desks[0].pk, actor=officer_dakmil)  # number 1 called: 2..6 within five
    assert [m.event_key for m in _calls()] == [f"ticket:{t.pk}:coming_up" for t in tickets[1:7]]
    first = _calls()[0]
    assert first.urgent and first.address == "84912345601"
    assert first.template_data == {"number": "0002", "venue": "Truong THPT Dak Mil"}  # plain SMS
    assert "0002" in first.text and "Dak Mil" in first.text
    services.finish_ticket(desks[0].pk, tickets[0].pk, actor=officer_dakmil)
    services.call_next(desks[0].pk, actor=officer_dakmil)  # number 2 called: 8 comes within five
    assert len(_calls()) == 7
    services.skip_ticket(desks[0].pk, tickets[1].pk, actor=officer_dakmil)
    services.recall_ticket(desks[0].pk, tickets[1].pk, actor=officer_dakmil)  # back in line
    services.call_next(desks[0].pk, actor=officer_dakmil)  # number 2 called again
    assert len(_calls()) == 7  # nobody told twice
    assert Message.objects.filter(event_key=f"ticket:{tickets[9].pk}:coming_up").count() == 0


def test_numbers_without_a_contact_are_not_told(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    for _ in range(4):
        _issue(session, leader)
    services.call_next(desks[0].pk, actor=officer_dakmil)
    assert not Message.objects.exists()


def test_a_missing_template_never_undoes_the_call(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    from cccd.notify.models import MessageTemplate

    MessageTemplate.objects.filter(code="queue_call").delete()
    first = _issue(session, leader, ("sms", "84912345600"))
    _issue(session, leader, ("sms", "84912345601"))
    called = services.call_next(desks[0].pk, actor=officer_dakmil)
    assert called.pk == first.pk and called.state == Ticket.State.CALLED
    assert not Message.objects.exists()


def test_the_call_costs_the_same_few_queries_however_long_the_line(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk]
) -> None:
    def cost(numbers: int) -> int:
        Ticket.objects.filter(session=session).update(state=Ticket.State.DONE, desk=None)
        for i in range(numbers):
            _issue(session, leader, ("sms", f"849123{i:05d}"))
        services.call_next(desks[0].pk, actor=officer_dakmil)  # the first calls tell five
        services.finish_ticket(
            desks[0].pk, Ticket.objects.get(desk=desks[0], state="called").pk, actor=officer_dakmil
        )
        with CaptureQueriesContext(connection) as queries_made:
            ticket = services.call_next(desks[0].pk, actor=officer_dakmil)  # tells one more
        services.finish_ticket(desks[0].pk, ticket.pk, actor=officer_dakmil)
        return len(queries_made)

    assert cost(10) == cost(60)


# ---------------------------------------------------------------- sent, even at night


def test_the_queue_call_goes_out_in_the_quiet_hours_through_the_sms_gateway(
    session: Session, leader: User, officer_dakmil: User, desks: list[Desk], settings: object
) -> None:
    settings.CCCD_SMS_BODY = '{"to": "{phone}", "content": "{text}", "ref": "{reference}"}'  # type: ignore[attr-defined]
    settings.CCCD_SMS_HEADERS = "{}"  # type: ignore[attr-defined]
    with time_machine.travel(NIGHT, tick=True):
        with http_server(Gateway([(200, {"status": "ok", "id": "G-1"})])) as gateway:
            settings.CCCD_SMS_URL = gateway.url  # type: ignore[attr-defined]
            _issue(session, leader)
            waiting = _issue(session, leader, ("sms", "0912345678"))
            services.call_next(desks[0].pk, actor=officer_dakmil)
            message = _calls()[0]
            assert delivery.deliver(message.pk) == Message.State.SENT
        assert len(gateway.requests) == 1
        body = gateway.requests[0]["body"]
        assert body["to"] == "84912345678"
        assert body["content"] == (
            f"CCCD: con khoang 5 nguoi nua den so {waiting.number:04d} cua ban tai "
            "Truong THPT Dak Mil."
        )


def test_contact_of_refuses_what_is_neither_a_phone_nor_an_email(
    session: Session, leader: User
) -> None:
    from cccd.notify.contacts import contact_of

    with pytest.raises(DomainError) as refused:
        contact_of("not a phone")
    assert refused.value.code == "NOTIFY_BAD_CONTACT"
    assert not Ticket.objects.exists()
