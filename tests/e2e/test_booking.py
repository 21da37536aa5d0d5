"""Booking a slot online on a phone, then coming to the hall (issue 18).

A citizen on a 390×844 phone picks the commune, a slot of tonight's session, types the ID, name,
birth date and phone, gets the booking with its QR code (which opens the same booking page),
moves it to a later slot and is given a new number there. The evening comes (the session's
times are moved back, as the clock would): a walk-in takes a number at the door after the booked
slot began, and the officer at desk 1 calls the booked number first, from its slot, and the
citizen's queue page says so. Another person typing someone else's ID with a wrong birth date
gets no booking and a page that says nothing of the person.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect

from cccd.accounts.models import User
from cccd.booking import services as booking
from cccd.booking.models import Booking, BookingSlot
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.notify.models import Message
from cccd.notify.templates import load_templates
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Ticket
from tests.builders import PASSWORD, Tree, make_person, make_user
from tests.e2e.conftest import ARTIFACTS, log_in

PHONE = {"width": 390, "height": 844}
SLOT = datetime.timedelta(minutes=30)


@pytest.fixture
def phone(browser: Browser, live_server: object) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,  # type: ignore[attr-defined]
        locale="vi-VN",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def _tonight(tree: Tree) -> tuple[Session, User, User]:
    """A session at THPT Đắk Mil starting in two hours, open to booking: 30-minute slots, 2
    places each."""
    commander = make_user("chihuy.daknong", "commander", tree.daknong_police)
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    officer = make_user("canbo.dakmil", "officer", tree.dakmil_police)
    now = datetime.datetime.now(datetime.UTC)
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2023",
        start_date=(now - datetime.timedelta(days=30)).date(),
        end_date=(now + datetime.timedelta(days=30)).date(),
        actor=commander,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="school",
        name="Trường THPT Đắk Mil",
        address="Thôn 5",
        commune_id=tree.daklao.pk,
        actor=leader,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk, name="Tổ 1", leader_id=leader.pk, member_ids=[], actor=leader
    )
    starts = (now + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    session = plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=1,
        capacity=40,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        accept_clashes=True,
        actor=leader,
    )
    booking.save_plan(session.pk, is_open=True, slot_minutes=30, places_per_slot=2, actor=leader)
    return session, leader, officer


def _the_evening_comes(session: Session, after: datetime.timedelta) -> None:
    """Move the session, its slots and its booked numbers back by the time until the booked slot
    began plus `after`, as the clock would have moved them: the live server's clock cannot be
    moved, its data can."""
    shift = session.starts_at - datetime.datetime.now(datetime.UTC) + after
    Session.objects.filter(pk=session.pk).update(
        starts_at=session.starts_at - shift, ends_at=session.ends_at - shift
    )
    for slot in BookingSlot.objects.filter(session=session):
        slot.starts_at -= shift
        slot.ends_at -= shift
        slot.save(update_fields=["starts_at", "ends_at"])
    for ticket in Ticket.objects.filter(session=session, slot_start__isnull=False):
        ticket.slot_start -= shift  # type: ignore[operator]
        ticket.line_at -= shift
        ticket.save(update_fields=["slot_start", "line_at"])
    for held in Booking.objects.filter(session=session):
        held.slot_start -= shift
        held.save(update_fields=["slot_start"])


def _qr_target(page: Page) -> str:
    """What a phone's camera reads from the booking page's QR code (OpenCV's detector)."""
    shot = page.get_by_test_id("qr").screenshot()
    image = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_GRAYSCALE)
    text, _points, _code = cv2.QRCodeDetector().detectAndDecode(image)
    assert text, "the booking page shows a readable QR code"
    return str(text)


@pytest.mark.django_db(transaction=True)
def test_book_move_come_and_be_called_from_the_booked_slot(
    phone: Page, browser: Browser, live_server: object, tree: Tree, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    settings.CCCD_NOTIFY_LOG_ONLY = frozenset({"sms"})  # type: ignore[attr-defined]
    load_templates()
    session, leader, officer = _tonight(tree)
    person = make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")
    assert isinstance(person, Person)

    # On the phone: the commune, then the first slot of tonight's session.
    phone.goto("/book/")
    phone.get_by_test_id("commune").select_option(str(tree.daklao.pk))
    phone.get_by_test_id("pick-commune").get_by_role("button").click()
    offer = phone.get_by_test_id("session").filter(has_text="Trường THPT Đắk Mil")
    expect(offer.get_by_test_id("slot")).to_have_count(4)
    offer.get_by_test_id("slot").first.get_by_role("button").click()

    # The form, as someone types on a phone: the name in capitals without diacritics.
    phone.get_by_label("Số định danh cá nhân").fill(person.personal_id)
    phone.get_by_label("Họ và tên").fill("NGUYEN VAN DUC")
    phone.get_by_label("Ngày sinh").fill("15/03/2006")
    phone.get_by_label("Số điện thoại hoặc email").fill("0912 345 678")
    phone.get_by_test_id("book").click()

    expect(phone.get_by_test_id("booking")).to_have_attribute("data-state", "active")
    first_number = phone.get_by_test_id("number").inner_text()
    manage_url = phone.url
    assert re.search(r"/book/m/[^/]+/$", manage_url)
    assert _qr_target(phone) == manage_url  # the QR opens this very page
    phone.screenshot(path=str(ARTIFACTS / "booking-phone-booked.png"), full_page=True)
    held = Booking.objects.get(person=person)
    assert held.ticket.kind == Ticket.Kind.BOOKED
    assert held.ticket.line_at == held.slot_start == session.starts_at
    assert Message.objects.filter(template_code="booking_confirmed", channel="sms").count() == 1

    # Move it to the next slot: a new number, the old one no longer in line.
    phone.get_by_test_id("move").click()
    phone.get_by_test_id("slot").nth(1).get_by_role("button").click()
    expect(phone.get_by_test_id("booking")).to_have_attribute("data-state", "active")
    expect(phone.get_by_test_id("slot")).to_contain_text(
        (session.starts_at + SLOT)
        .astimezone(datetime.timezone(datetime.timedelta(hours=7)))
        .strftime("%H:%M")
    )
    moved_number = phone.get_by_test_id("number").inner_text()
    assert moved_number != first_number
    assert phone.url == manage_url  # the same link keeps working
    old = Ticket.objects.get(session=session, number=int(first_number))
    assert old.state == Ticket.State.CANCELLED
    booked = Ticket.objects.get(session=session, number=int(moved_number))
    assert booked.slot_start == session.starts_at + SLOT

    # The evening: the booked slot began ten minutes ago; a walk-in takes a number at the door now.
    _the_evening_comes(session, datetime.timedelta(minutes=30 + 10))
    walk_in = tickets.issue_walk_in(session.pk, actor=leader)
    booked.refresh_from_db()
    assert walk_in.line_at > booked.line_at  # in line after the booked slot's start

    desk = browser.new_context(base_url=live_server.url, locale="vi-VN")  # type: ignore[attr-defined]
    desk.set_default_timeout(10_000)
    officer_page = desk.new_page()
    log_in(officer_page, officer.username, PASSWORD)
    expect(officer_page).not_to_have_url(re.compile(r"/accounts/login/"))
    officer_page.goto(f"/queue/sessions/{session.pk}/desks/1/")
    officer_page.get_by_test_id("open-desk").click()
    officer_page.get_by_test_id("call-next").click()
    # calling opens the number's intake screen
    expect(officer_page.get_by_test_id("intake-number")).to_have_attribute(
        "data-number", moved_number
    )
    officer_page.screenshot(path=str(ARTIFACTS / "booking-desk-called.png"), full_page=True)
    desk.close()

    # The citizen's queue page, from the booking page's link, says the number is called.
    phone.goto(manage_url)
    phone.get_by_test_id("ticket-link").click()
    expect(phone.get_by_test_id("number")).to_have_text(moved_number)
    expect(phone.get_by_test_id("state")).to_contain_text("mời bạn đến bàn 1")
    phone.screenshot(path=str(ARTIFACTS / "booking-phone-called.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_someone_elses_id_with_a_wrong_birth_date_gets_nothing(
    phone: Page, tree: Tree, settings: object
) -> None:
    settings.LANGUAGE_CODE = "vi"  # type: ignore[attr-defined]
    load_templates()
    session, _leader, _officer = _tonight(tree)
    other = make_person(tree.daklao, "Trần Thị Mai Hương", "02/09/1990", "F")
    assert isinstance(other, Person)
    slot = BookingSlot.objects.filter(session=session).order_by("starts_at").first()
    assert slot is not None

    phone.goto(f"/book/slot/{slot.pk}/")
    phone.get_by_label("Số định danh cá nhân").fill(other.personal_id)
    phone.get_by_label("Họ và tên").fill("Trần Thị Mai Hương")
    phone.get_by_label("Ngày sinh").fill("03/09/1990")
    phone.get_by_label("Số điện thoại hoặc email").fill("0987654321")
    phone.get_by_test_id("book").click()

    error = phone.get_by_test_id("error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("giấy khai sinh")  # what to bring, in the citizen's words
    refused = error.inner_text()
    page_text = phone.locator("body").inner_text()
    for secret in ("02/09/1990", "2/9/1990", "Nữ", other.full_name.upper()):
        assert secret not in page_text
    phone.screenshot(path=str(ARTIFACTS / "booking-phone-refused.png"), full_page=True)

    # An ID nobody holds gets the very same answer: the refusal tells nothing about the person.
    phone.get_by_label("Số định danh cá nhân").fill("067099000123")
    phone.get_by_label("Ngày sinh").fill("03/09/1990")
    phone.get_by_test_id("book").click()
    expect(phone.get_by_test_id("error")).to_have_text(refused)
    assert not Booking.objects.exists()
    assert not Ticket.objects.filter(session=session).exists()
    assert not Message.objects.exists()
