"""Booking, its refusals, the link's cancel and move, the limits, the plan and the sweep."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cccd.accounts.models import AuditEvent, User
from cccd.booking import services
from cccd.booking.models import Booking, BookingAttempt, BookingSlot
from cccd.campaigns.models import Session
from cccd.errors import DomainError
from cccd.notify.models import Message
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.booking.conftest import typed
from tests.builders import Tree, make_person, make_user

pytestmark = pytest.mark.django_db

NOT_MATCHED = "BOOKING_NOT_MATCHED"


def book(slot: BookingSlot, person: Person, client: str = "10.0.0.1", **changes: str) -> Any:
    return services.book(slot.pk, **typed(person, **changes), client_key=client)


def code_of(call: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def test_a_booking_takes_a_place_and_a_booked_number_in_line_at_its_slot(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = book(slots[1], person, contact="0912 345 678")
    ticket = Ticket.objects.get(pk=booking.ticket_id)
    assert booking.state == Booking.State.ACTIVE and booking.slot_start == slots[1].starts_at
    assert ticket.kind == Ticket.Kind.BOOKED and ticket.person_id == person.pk
    assert ticket.slot_start == ticket.line_at == slots[1].starts_at
    assert (ticket.notify_channel, ticket.notify_address) == ("sms", "84912345678")
    assert BookingSlot.objects.get(pk=slots[1].pk).booked == 1
    assert booking.token_hash == services.token_hash(token) and token not in booking.token_hash
    message = Message.objects.get(event_key=f"booking:{booking.pk}:confirmed")
    assert message.template_code == "booking_confirmed" and token in message.text
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"booking.create", "ticket.book"} <= actions
    created = AuditEvent.objects.get(action="booking.create")
    assert person.full_name not in str(created.after) and person.personal_id not in str(
        created.after
    )


def test_the_name_is_matched_folded_and_an_email_is_a_contact(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, _token = book(slots[0], person, full_name="  NGUYEN  van duc ", contact="A@B.vn")
    assert (booking.channel, booking.address) == ("email", "a@b.vn")


@pytest.mark.parametrize(
    "changes",
    [
        {"full_name": "Nguyễn Văn Được"},
        {"birth_date": "16/03/2006"},
        {"birth_date": "2006"},
        {"personal_id": "067206999999"},  # well formed, in nobody's hands
    ],
)
def test_any_mismatch_gets_one_refusal_that_names_no_field_and_shows_no_data(
    slots: list[BookingSlot], person: Person, changes: dict[str, str]
) -> None:
    with pytest.raises(DomainError) as caught:
        book(slots[0], person, **changes)
    assert caught.value.code == NOT_MATCHED and caught.value.status == 400
    text = caught.value.message
    assert "birth certificate" in text
    assert person.full_name not in text and "2006" not in text and "name" not in text.lower()
    assert not Booking.objects.exists() and not Ticket.objects.exists()
    assert BookingSlot.objects.get(pk=slots[0].pk).booked == 0


def test_a_year_only_register_date_matches_the_year(tree: Tree, slots: list[BookingSlot]) -> None:
    elder = make_person(tree.daklao, "Lê Thị Hoa", "1950", "F")
    booking, _ = services.book(
        slots[0].pk,
        personal_id=elder.personal_id,  # type: ignore[attr-defined]
        full_name="Le Thi Hoa",
        birth_date="1950",
        contact="0987654321",
        client_key="x",
    )
    assert booking.person_id == elder.pk  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("personal_id", "", "BOOKING_ID_NEEDED"),
        ("personal_id", "06720600012a", "BOOKING_ID_NEEDED"),
        ("personal_id", "0672060001", "BOOKING_ID_NEEDED"),
        ("personal_id", "9" * 300, "BOOKING_ID_NEEDED"),
        ("personal_id", "999206000123", "BOOKING_ID_NEEDED"),  # no such province
        ("full_name", "", "BOOKING_NAME_NEEDED"),
        ("full_name", "   ", "BOOKING_NAME_NEEDED"),
        ("full_name", "x" * 121, "BOOKING_NAME_NEEDED"),
        ("full_name", "12345", "BOOKING_NAME_NEEDED"),
        ("full_name", "Nguyễn\x00Văn", "BOOKING_NAME_NEEDED"),
        ("birth_date", "", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "31/02/2006", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "15/13/2006", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "15/03/3006", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "15/03/1850", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "hôm qua", "BOOKING_BIRTH_DATE_NEEDED"),
        ("birth_date", "1" * 300, "BOOKING_BIRTH_DATE_NEEDED"),
        ("contact", "", "BOOKING_CONTACT_NEEDED"),
        ("contact", "12345", "BOOKING_CONTACT_NEEDED"),
        ("contact", "0112345678", "BOOKING_CONTACT_NEEDED"),
        ("contact", "a@", "BOOKING_CONTACT_NEEDED"),
        ("contact", "x" * 300 + "@b.vn", "BOOKING_CONTACT_NEEDED"),
    ],
)
def test_malformed_input_is_refused_and_counts_nothing(
    slots: list[BookingSlot], person: Person, field: str, value: str, code: str
) -> None:
    assert code_of(lambda: book(slots[0], person, **{field: value})) == code
    assert not BookingAttempt.objects.exists() and not Booking.objects.exists()


def test_full_width_digits_and_spaces_in_the_id_are_read(
    slots: list[BookingSlot], person: Person
) -> None:
    spaced = " ".join(person.personal_id[i : i + 3] for i in range(0, 12, 3))
    wide = "".join(chr(ord(c) + 0xFEE0) for c in spaced.replace(" ", ""))
    assert services.clean_personal_id(spaced) == person.personal_id
    assert services.clean_personal_id(wide) == person.personal_id


def test_one_active_booking_per_person(slots: list[BookingSlot], person: Person) -> None:
    book(slots[0], person)
    with pytest.raises(DomainError) as caught:
        book(slots[1], person, client="10.0.0.2")
    assert caught.value.code == "BOOKING_ALREADY_BOOKED" and caught.value.status == 409
    assert person.full_name not in caught.value.message
    assert BookingSlot.objects.get(pk=slots[1].pk).booked == 0
    assert Ticket.objects.count() == 1


def test_a_full_slot_is_refused_and_another_still_books(
    tree: Tree, slots: list[BookingSlot], person: Person
) -> None:
    BookingSlot.objects.filter(pk=slots[0].pk).update(booked=25)
    assert code_of(lambda: book(slots[0], person)) == "BOOKING_SLOT_FULL"
    assert Ticket.objects.count() == 0 and not Booking.objects.exists()
    book(slots[1], person)


def test_a_passed_or_closed_slot_is_unavailable(
    slots: list[BookingSlot], person: Person, session: Session, leader: User
) -> None:
    BookingSlot.objects.filter(pk=slots[0].pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert code_of(lambda: book(slots[0], person)) == "BOOKING_SLOT_UNAVAILABLE"
    services.save_plan(session.pk, is_open=False, slot_minutes=30, places_per_slot=25, actor=leader)
    assert code_of(lambda: book(slots[1], person)) == "BOOKING_SLOT_UNAVAILABLE"
    assert code_of(lambda: services.book(10**9, **typed(person), client_key="x")) == (
        "BOOKING_SLOT_UNAVAILABLE"
    )
    Session.objects.filter(pk=session.pk).update(state=Session.State.CANCELLED)
    services.save_plan  # noqa: B018 - the plan stays, the session is what closes
    assert code_of(lambda: book(slots[2], person)) == "BOOKING_SLOT_UNAVAILABLE"


# --- limits ----------------------------------------------------------------------------------------


def test_an_address_gets_ten_attempts_an_hour(
    tree: Tree, slots: list[BookingSlot], person: Person
) -> None:
    for _ in range(services.ADDRESS_LIMIT):
        assert code_of(lambda: book(slots[0], person, birth_date="01/01/2000")) == NOT_MATCHED
        BookingAttempt.objects.exclude(key=services.attempt_key("ip", "10.0.0.1")).delete()
    with pytest.raises(DomainError) as caught:
        book(slots[0], person)  # right this time, but over the limit
    assert caught.value.code == "BOOKING_TOO_MANY_ATTEMPTS" and caught.value.status == 429
    book(slots[0], person, client="10.0.0.9")  # another address books
    keys = set(BookingAttempt.objects.values_list("key", flat=True))
    assert all("10.0.0" not in key and person.personal_id not in key for key in keys)


def test_an_id_gets_five_failed_checks_a_day(slots: list[BookingSlot], person: Person) -> None:
    for i in range(services.ID_FAILURE_LIMIT):
        code = code_of(lambda i=i: book(slots[0], person, client=f"a{i}", birth_date="01/01/2000"))
        assert code == NOT_MATCHED
    assert code_of(lambda: book(slots[0], person, client="fresh")) == "BOOKING_TOO_MANY_ATTEMPTS"
    old = timezone.now() - services.ID_FAILURE_WINDOW - datetime.timedelta(minutes=1)
    BookingAttempt.objects.update(at=old)
    book(slots[0], person, client="fresh")  # a day later


# --- through the link ------------------------------------------------------------------------------


def test_cancel_asks_for_confirmation_then_frees_the_place_and_the_person(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = book(slots[0], person)
    assert code_of(lambda: services.cancel(token, confirmed=False)) == "BOOKING_CONFIRM_CANCEL"
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ACTIVE
    services.cancel(token, confirmed=True)
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.CANCELLED
    assert Ticket.objects.get(pk=booking.ticket_id).state == Ticket.State.CANCELLED
    assert BookingSlot.objects.get(pk=slots[0].pk).booked == 0
    assert code_of(lambda: services.cancel(token, confirmed=True)) == "BOOKING_NOT_ACTIVE"
    assert services.open_booking(token).state == Booking.State.CANCELLED
    book(slots[0], person, client="10.0.0.2")  # free to book again
    assert AuditEvent.objects.filter(action="booking.cancel").count() == 1
    assert AuditEvent.objects.filter(action="booking.open").count() == 1


def test_move_takes_the_new_place_frees_the_old_and_keeps_the_link(
    slots: list[BookingSlot], person: Person
) -> None:
    old, token = book(slots[0], person)
    new = services.move(token, slots[2].pk)
    assert Booking.objects.get(pk=old.pk).state == Booking.State.MOVED
    assert Booking.objects.get(pk=old.pk).moved_to_id == new.pk
    assert Ticket.objects.get(pk=old.ticket_id).state == Ticket.State.CANCELLED
    ticket = Ticket.objects.get(pk=new.ticket_id)
    assert ticket.number == 2 and ticket.line_at == slots[2].starts_at
    assert ticket.state == Ticket.State.WAITING
    assert [BookingSlot.objects.get(pk=s.pk).booked for s in slots] == [0, 0, 1, 0]
    assert services.open_booking(token).pk == new.pk
    assert Message.objects.filter(event_key=f"booking:{new.pk}:confirmed").exists()
    assert code_of(lambda: services.move(token, slots[2].pk)) == "BOOKING_SAME_SLOT"


def test_move_to_a_full_or_unknown_slot_changes_nothing(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = book(slots[1], person)
    BookingSlot.objects.filter(pk=slots[0].pk).update(booked=25)
    assert code_of(lambda: services.move(token, slots[0].pk)) == "BOOKING_SLOT_FULL"
    assert code_of(lambda: services.move(token, 10**9)) == "BOOKING_SLOT_UNAVAILABLE"
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ACTIVE
    assert BookingSlot.objects.get(pk=slots[1].pk).booked == 1
    assert Ticket.objects.get(pk=booking.ticket_id).state == Ticket.State.WAITING


def test_move_to_another_session(
    make_session: Any, leader: User, slots: list[BookingSlot], person: Person
) -> None:
    later = make_session(3)
    services.save_plan(later.pk, is_open=True, slot_minutes=60, places_per_slot=10, actor=leader)
    target = BookingSlot.objects.filter(session=later).first()
    _old, token = book(slots[0], person)
    new = services.move(token, target.pk)  # type: ignore[union-attr]
    assert new.session_id == later.pk and Ticket.objects.get(pk=new.ticket_id).number == 1


@pytest.mark.parametrize("token", ["", "x", "a" * 500, "../../etc"])
def test_an_unknown_link_opens_nothing(slots: list[BookingSlot], token: str) -> None:
    assert code_of(lambda: services.open_booking(token)) == "BOOKING_LINK_UNKNOWN"
    assert code_of(lambda: services.cancel(token, confirmed=True)) == "BOOKING_LINK_UNKNOWN"
    assert code_of(lambda: services.move(token, slots[0].pk)) == "BOOKING_LINK_UNKNOWN"


# --- the sweep -------------------------------------------------------------------------------------


def test_a_served_number_makes_the_booking_arrived(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = book(slots[0], person)
    Ticket.objects.filter(pk=booking.ticket_id).update(state=Ticket.State.DONE)
    assert services.sweep().arrived == 1
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ARRIVED
    assert services.sweep().arrived == 0
    assert code_of(lambda: services.cancel(token, confirmed=True)) == "BOOKING_NOT_ACTIVE"


def test_no_shows_are_released_after_the_grace(
    slots: list[BookingSlot], person: Person, tree: Tree
) -> None:
    booking, _token = book(slots[0], person)
    other = make_person(tree.daklao, "Trần Thị Mai", "02/09/2005", "F")
    called, _ = book(slots[0], other, client="b")  # type: ignore[arg-type]
    Ticket.objects.filter(pk=called.ticket_id).update(state=Ticket.State.CALLED)
    just_after = slots[0].ends_at + services.NO_SHOW_GRACE
    assert services.release_no_shows(just_after) == 0
    later = just_after + datetime.timedelta(minutes=1)
    assert services.release_no_shows(later) == 1
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.NO_SHOW
    assert Ticket.objects.get(pk=booking.ticket_id).state == Ticket.State.CANCELLED
    assert Booking.objects.get(pk=called.pk).state == Booking.State.ACTIVE  # at a desk: left
    assert services.release_no_shows(later) == 0
    assert AuditEvent.objects.filter(action="booking.no_show").count() == 1
    book(slots[1], person, client="c")  # free to book again


def test_the_reminder_is_queued_once_the_day_before_and_never_for_a_cancelled_one(
    slots: list[BookingSlot], person: Person, tree: Tree
) -> None:
    booking, _ = book(slots[0], person)
    other = make_person(tree.daklao, "Trần Thị Mai", "02/09/2005", "F")
    _, token = book(slots[1], other, client="b", contact="mai@example.vn")  # type: ignore[arg-type]
    services.cancel(token, confirmed=True)
    today_noon = timezone.now()
    assert services.queue_reminders(today_noon) == 0  # two days ahead: not yet
    day_before = today_noon + datetime.timedelta(days=1)
    assert services.queue_reminders(day_before) == 1
    assert services.queue_reminders(day_before + datetime.timedelta(hours=3)) == 0
    reminders = Message.objects.filter(template_code="booking_reminder")
    assert [m.event_key for m in reminders] == [f"booking:{booking.pk}:reminder"]


# --- the organiser's plan --------------------------------------------------------------------------


def test_a_plan_cannot_take_more_than_the_capacity(make_session: Any, leader: User) -> None:
    session = make_session(capacity=50)  # two hours: 4 slots of 30 minutes
    with pytest.raises(DomainError) as caught:
        services.save_plan(
            session.pk, is_open=True, slot_minutes=30, places_per_slot=13, actor=leader
        )
    assert caught.value.code == "BOOKING_PLAN_OVER_CAPACITY"
    services.save_plan(session.pk, is_open=True, slot_minutes=30, places_per_slot=12, actor=leader)
    assert BookingSlot.objects.filter(session=session).count() == 4
    assert AuditEvent.objects.filter(action="booking.plan").count() == 1


@pytest.mark.parametrize(("minutes", "places"), [(0, 5), (4, 5), (241, 5), (30, 0), (30, -1)])
def test_a_plan_with_impossible_numbers_is_refused(
    make_session: Any, leader: User, minutes: int, places: int
) -> None:
    session = make_session()
    with pytest.raises(DomainError) as caught:
        services.save_plan(
            session.pk, is_open=True, slot_minutes=minutes, places_per_slot=places, actor=leader
        )
    assert caught.value.code == "BOOKING_PLAN_INVALID"


def test_a_plan_with_bookings_keeps_its_slots(
    session: Session, slots: list[BookingSlot], person: Person, leader: User
) -> None:
    _, token = book(slots[0], person)
    for minutes, places in ((60, 25), (30, 0)):
        with pytest.raises(DomainError) as caught:
            services.save_plan(
                session.pk,
                is_open=False,
                slot_minutes=minutes,
                places_per_slot=places,
                actor=leader,
            )
        assert caught.value.code == "BOOKING_PLAN_HAS_BOOKINGS"
    services.save_plan(session.pk, is_open=True, slot_minutes=30, places_per_slot=1, actor=leader)
    assert [BookingSlot.objects.get(pk=s.pk).places for s in slots] == [1, 1, 1, 1]
    services.cancel(token, confirmed=True)


def test_the_plan_is_the_organisers_and_their_units(
    session: Session, tree: Tree, officer_dakmil: User
) -> None:
    stranger = make_user("totruong.tayson", "team_leader", tree.tayson_police)
    with pytest.raises(DomainError) as caught:
        services.save_plan(
            session.pk, is_open=True, slot_minutes=30, places_per_slot=1, actor=stranger
        )
    assert caught.value.code == "NOT_FOUND"
    with pytest.raises(DomainError) as caught:
        services.save_plan(
            session.pk, is_open=True, slot_minutes=30, places_per_slot=1, actor=officer_dakmil
        )
    assert caught.value.code == "PERMISSION_DENIED"


def test_a_number_at_a_desk_can_no_longer_be_cancelled_or_moved(
    slots: list[BookingSlot], person: Person
) -> None:
    booking, token = book(slots[0], person)
    Ticket.objects.filter(pk=booking.ticket_id).update(state=Ticket.State.CALLED)
    assert code_of(lambda: services.cancel(token, confirmed=True)) == "BOOKING_AT_DESK"
    assert code_of(lambda: services.move(token, slots[1].pk)) == "BOOKING_AT_DESK"
    assert Booking.objects.get(pk=booking.pk).state == Booking.State.ACTIVE
    assert [BookingSlot.objects.get(pk=s.pk).booked for s in slots] == [1, 0, 0, 0]
    assert Ticket.objects.count() == 1


def test_a_person_already_holding_a_number_of_the_session_needs_no_booking(
    session: Session, slots: list[BookingSlot], person: Person, leader: User
) -> None:
    from cccd.tickets.services import issue_walk_in

    issue_walk_in(session.pk, actor=leader, person_id=person.pk)
    with pytest.raises(DomainError) as caught:
        book(slots[0], person)
    assert (
        caught.value.code == "BOOKING_NOT_NEEDED" and person.full_name not in caught.value.message
    )
    assert BookingSlot.objects.get(pk=slots[0].pk).booked == 0 and not Booking.objects.exists()
