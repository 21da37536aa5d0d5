"""The public booking pages (Vietnamese by default, no login, CSRF on POSTs) and the organiser's."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cccd.accounts.models import AuditEvent, User
from cccd.booking import services
from cccd.booking.models import Booking, BookingSlot
from cccd.campaigns.models import Session
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.booking.conftest import typed
from tests.builders import Tree, make_person, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def vietnamese(settings: Any) -> None:
    settings.LANGUAGE_CODE = "vi"


def _token(response: Any) -> str:
    match = re.search(r"/book/m/([^/]+)/$", response["Location"])
    assert match is not None
    return match.group(1)


def test_the_whole_flow_on_the_public_pages(
    vietnamese: None, slots: list[BookingSlot], person: Person, tree: Tree
) -> None:
    client = Client(enforce_csrf_checks=False)
    start = client.get(reverse("booking:start"))
    assert start.status_code == 200 and start["X-Robots-Tag"] == "noindex"
    assert "Trường THPT Đắk Mil" in start.content.decode()
    listed = client.get(reverse("booking:start"), {"commune": tree.daklao.pk}).content.decode()
    assert reverse("booking:slot", args=[slots[0].pk]) in listed
    assert "25 chỗ" in listed
    form = client.get(reverse("booking:slot", args=[slots[0].pk])).content.decode()
    for label in ("Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Số điện thoại hoặc email"):
        assert label in form
    assert "Đặt lịch" in form
    done = client.post(reverse("booking:slot", args=[slots[0].pk]), typed(person))
    assert done.status_code == 302
    token = _token(done)
    page = client.get(done["Location"]).content.decode()
    booking = Booking.objects.get()
    assert booking.code in page and Ticket.objects.get().display in page
    assert "<svg" in page and "Đổi lịch" in page and "Hủy lịch" in page
    assert reverse("ticket_public", args=[booking.ticket.public_token]) in page
    assert person.full_name not in page and person.personal_id not in page
    moved = client.post(reverse("booking:move", args=[token]), {"slot": slots[2].pk})
    assert moved.status_code == 302 and _token(moved) == token
    assert Booking.objects.get(state="active").slot_id == slots[2].pk
    refused = client.post(reverse("booking:cancel", args=[token]), {})
    assert refused.status_code == 400
    cancelled = client.post(reverse("booking:cancel", args=[token]), {"confirm": "yes"})
    assert cancelled.status_code == 302
    assert not Booking.objects.filter(state="active").exists()
    assert AuditEvent.objects.filter(action="booking.open").count() >= 3


def test_another_persons_id_with_a_wrong_birth_date_gets_no_booking_and_no_hint(
    vietnamese: None, slots: list[BookingSlot], person: Person
) -> None:
    client = Client()
    response = client.post(
        reverse("booking:slot", args=[slots[0].pk]),
        typed(person, full_name="Trần Văn Khác", birth_date="01/01/1990"),
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Thông tin chưa khớp với Cơ sở dữ liệu quốc gia về dân cư" in page
    assert "giấy khai sinh" in page
    assert person.full_name not in page and person.personal_id not in page
    assert "15/03/2006" not in page
    assert not Booking.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"personal_id": "abc"},
        {"full_name": ""},
        {"birth_date": "30/02/2000"},
        {"contact": "not a phone"},
        {"personal_id": "1" * 5000},
    ],
)
def test_malformed_forms_get_a_400_with_a_sentence(
    slots: list[BookingSlot], person: Person, changes: dict[str, str]
) -> None:
    response = Client().post(reverse("booking:slot", args=[slots[0].pk]), typed(person, **changes))
    assert response.status_code == 400
    assert b'role="alert"' in response.content


def test_over_the_limit_is_a_429(slots: list[BookingSlot], person: Person) -> None:
    client = Client()
    for _ in range(services.ADDRESS_LIMIT):
        client.post(
            reverse("booking:slot", args=[slots[0].pk]), typed(person, birth_date="01/01/2001")
        )
    response = client.post(reverse("booking:slot", args=[slots[0].pk]), typed(person))
    assert response.status_code == 429
    assert b"BOOKING_TOO_MANY_ATTEMPTS" in response.content


def test_posts_need_the_csrf_token(slots: list[BookingSlot], person: Person) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("booking:slot", args=[slots[0].pk]), typed(person))
    assert response.status_code == 403
    assert not Booking.objects.exists()


@pytest.mark.parametrize("slot", ["0", "999999"])
def test_an_unknown_slot_or_link_is_a_404(slots: list[BookingSlot], slot: str) -> None:
    client = Client()
    assert client.get(f"/book/slot/{slot}/").status_code == 404
    assert client.get("/book/m/nothing/").status_code == 404
    assert client.post("/book/m/nothing/cancel/", {"confirm": "yes"}).status_code == 404
    assert client.post("/book/m/nothing/move/", {"slot": "x"}).status_code == 404


def test_bad_pickers_and_a_bad_move_choice_are_not_a_500(
    slots: list[BookingSlot], person: Person
) -> None:
    client = Client()
    assert client.get("/book/", {"commune": "x", "venue": "１"}).status_code == 200
    _booking, token = services.book(slots[0].pk, **typed(person), client_key="x")
    assert client.post(f"/book/m/{token}/move/", {"slot": "abc"}).status_code == 404
    assert client.post(f"/book/m/{token}/move/", {}).status_code == 404


# --- the organiser ---------------------------------------------------------------------------------


def test_the_organiser_sets_the_plan_and_sees_the_counts(
    session: Session, leader: User, slots: list[BookingSlot], person: Person
) -> None:
    services.book(slots[0].pk, **typed(person), client_key="x")
    client = Client()
    client.force_login(leader)
    url = reverse("booking_plan", args=[session.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="slots"' in page.content
    saved = client.post(url, {"is_open": "on", "slot_minutes": "30", "places_per_slot": "20"})
    assert saved.status_code == 302
    assert set(BookingSlot.objects.filter(session=session).values_list("places", flat=True)) == {20}
    over = client.post(url, {"is_open": "on", "slot_minutes": "30", "places_per_slot": "80"})
    assert over.status_code == 400 and b"BOOKING" not in over.content
    bad = client.post(url, {"slot_minutes": "abc", "places_per_slot": ""})
    assert bad.status_code == 400


def test_the_plan_page_of_another_unit_is_a_404_and_without_the_permission_a_403(
    session: Session, tree: Tree, officer_dakmil: User
) -> None:
    client = Client()
    client.force_login(make_user("totruong.tayson", "team_leader", tree.tayson_police))
    assert client.get(reverse("booking_plan", args=[session.pk])).status_code == 404
    client.force_login(officer_dakmil)
    assert client.get(reverse("booking_plan", args=[session.pk])).status_code == 403


def test_sessions_without_an_open_plan_are_not_offered(
    make_session: Any, slots: list[BookingSlot], tree: Tree
) -> None:
    make_session(3)  # planned, never opened to booking
    page = Client().get("/book/", {"venue": slots[0].session.venue_id}).content.decode()
    assert page.count('data-testid="session"') == 1
    make_person(tree.daklao, "Lê Văn Tám", "01/01/1990", "M")
