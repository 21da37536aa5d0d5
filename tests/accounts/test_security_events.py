"""Refused requests leave security events (who, when, from where, which route and object ids; no
personal data), and a burst of them shows on the home page of the unit's administrator and
commander."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.registry.models import Person
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person, make_user
from tests.conftest import client_for
from tests.mixins import denials

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def last_denial() -> AuditEvent:
    event = AuditEvent.objects.filter(action="security.denied").order_by("id").last()
    assert event is not None, "no security event"
    return event


def test_a_page_the_role_does_not_allow_is_a_403_and_a_security_event(
    captured: Enrollment,
    liaison_dakmil: User,
    student: Person,
) -> None:
    response = client_for(liaison_dakmil).get(
        f"/intake/dossiers/{captured.pk}/slip.pdf", REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 403
    event = last_denial()
    assert (event.actor, event.unit, event.source, event.object_repr) == (
        liaison_dakmil,
        liaison_dakmil.unit,
        "10.0.0.7",
        "intake:slip",
    )
    assert event.after == {
        "route": "intake:slip",
        "method": "GET",
        "status": 403,
        "code": "PERMISSION_DENIED",
        "ids": {"enrollment_id": captured.pk},
    }
    written = f"{event.object_repr} {event.before} {event.after}"
    assert student.full_name not in written and student.personal_id not in written


def test_an_api_route_the_role_does_not_allow_is_one_too(
    called: Ticket,
    liaison_dakmil: User,
) -> None:
    response = client_for(liaison_dakmil).get(f"/api/v1/tickets/{called.pk}")
    assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")
    assert last_denial().after == {
        "route": "api-v1:get_ticket",
        "method": "GET",
        "status": 403,
        "code": "PERMISSION_DENIED",
        "ids": {"ticket_id": called.pk},
    }


def test_a_token_refused_by_its_role_is_refused_before_its_input_is_read(
    session: Session,
    liaison_dakmil: User,
) -> None:
    from cccd.accounts.services import create_api_token

    _token, key = create_api_token(name="trường", actor=liaison_dakmil)
    response = Client().post(
        f"/api/v1/tickets/sessions/{session.pk}/hand-out",
        "not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert (response.status_code, response.json()["code"]) == (403, "PERMISSION_DENIED")
    assert last_denial().actor == liaison_dakmil


def test_another_units_object_is_a_plain_404_with_a_security_event(
    captured: Enrollment,
    officer_tayson: User,
) -> None:
    client = client_for(officer_tayson)
    missing = client.get("/dossiers/999999/")
    hidden = client.get(f"/dossiers/{captured.pk}/")
    assert missing.status_code == hidden.status_code == 404
    assert missing.context["message"] == hidden.context["message"]  # cannot tell them apart
    assert denials(officer_tayson) == 1
    assert last_denial().after["ids"] == {"enrollment_id": captured.pk}


def test_another_units_object_named_in_a_form_is_noted_too(
    session: Session,
    desks: list[Desk],
    leader: User,
    tree: Tree,
) -> None:
    elsewhere = make_person(tree.tayson, "Võ Thị Lan", "01/01/2006", "F")
    response = client_for(leader).post(
        f"/queue/sessions/{session.pk}/walk-in/", {"person": str(elsewhere.pk)}
    )
    assert response.status_code == 404
    assert denials(leader) == 1
    assert not Ticket.objects.filter(person=elsewhere).exists()


def test_a_missing_object_of_ones_own_unit_is_no_security_event(
    captured: Enrollment,
    officer_dakmil: User,
) -> None:
    response = client_for(officer_dakmil).get(f"/dossiers/{captured.pk}/refusal.pdf")
    assert response.status_code == 404  # not rejected: nothing to print, and nothing suspicious
    assert not AuditEvent.objects.filter(action="security.denied").exists()


def test_a_failed_csrf_check_is_a_security_event_without_an_actor() -> None:
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x"})
    assert response.status_code == 403
    event = last_denial()
    assert (event.actor, event.after["route"], event.after["code"]) == (None, "login", "FORBIDDEN")


# --- bursts --------------------------------------------------------------------------------------


@pytest.fixture
def burst_of_three(settings: Any) -> None:
    settings.CCCD_SECURITY_BURST_COUNT = 3
    settings.CCCD_SECURITY_BURST_MINUTES = 5
    settings.CCCD_SECURITY_BURST_DAYS = 7


def _refused_requests(user: User, count: int, *, minutes_apart: int, time_machine: Any) -> None:
    client = client_for(user)
    start = datetime.datetime(2026, 3, 2, 21, 0, tzinfo=HCM)
    for i in range(count):
        time_machine.move_to(start + datetime.timedelta(minutes=i * minutes_apart))
        assert client.get("/registry/").status_code == 403


def test_a_burst_of_refusals_shows_to_the_units_administrator_and_commander(
    burst_of_three: None,
    tree: Tree,
    liaison_dakmil: User,
    administrator: User,
    commander_daknong: User,
    officer_dakmil: User,
    time_machine: Any,
) -> None:
    _refused_requests(liaison_dakmil, 3, minutes_apart=2, time_machine=time_machine)
    for viewer in (administrator, commander_daknong):
        page = client_for(viewer).get("/")
        assert b'data-testid="denial-bursts"' in page.content, viewer
        assert page.context["bursts"][0].username == "lienlac.dakmil"
        assert (page.context["bursts"][0].in_window, page.context["bursts"][0].total) == (3, 3)
        assert b"action=security.denied&amp;actor=lienlac.dakmil" in page.content
    assert b"denial-bursts" not in client_for(officer_dakmil).get("/").content
    commander_binhdinh = make_user("chihuy.binhdinh", Role.COMMANDER, tree.binhdinh_police)
    assert b"denial-bursts" not in client_for(commander_binhdinh).get("/").content


def test_refusals_spread_out_are_no_burst(
    burst_of_three: None, liaison_dakmil: User, administrator: User, time_machine: Any
) -> None:
    _refused_requests(liaison_dakmil, 4, minutes_apart=3, time_machine=time_machine)
    assert b"denial-bursts" not in client_for(administrator).get("/").content


def test_a_burst_older_than_the_days_looked_at_is_no_longer_shown(
    burst_of_three: None, liaison_dakmil: User, administrator: User, time_machine: Any
) -> None:
    _refused_requests(liaison_dakmil, 3, minutes_apart=1, time_machine=time_machine)
    time_machine.move_to(datetime.datetime(2026, 3, 10, 8, 0, tzinfo=HCM))
    assert b"denial-bursts" not in client_for(administrator).get("/").content


def test_the_audit_trail_lists_the_burst_by_user(
    burst_of_three: None, liaison_dakmil: User, administrator: User, time_machine: Any
) -> None:
    _refused_requests(liaison_dakmil, 3, minutes_apart=1, time_machine=time_machine)
    page = client_for(administrator).get(
        "/accounts/audit/?action=security.denied&actor=lienlac.dakmil"
    )
    assert page.status_code == 200
    assert len(page.context["page"]) == 3
    assert all(e.object_repr == "register_search" for e in page.context["page"])


def test_every_object_a_route_names_is_known_to_the_security_trail() -> None:
    """A new route taking another kind of object must say how to tell a cross-unit 404 from a
    missing object (ROUTE_OBJECTS), or say that its objects are not a unit's (the user's own API
    tokens)."""
    from django.urls import URLResolver, get_resolver

    from cccd.accounts.security import ROUTE_OBJECTS

    not_a_units = {"token_id"}

    def arguments(patterns: list[Any]) -> set[str]:
        names: set[str] = set()
        for entry in patterns:
            if isinstance(entry, URLResolver):
                names |= arguments(entry.url_patterns)
            else:
                names |= set(getattr(entry.pattern, "converters", {}))
        return names

    ids = {n for n in arguments(get_resolver().url_patterns) if n.endswith("_id")}
    assert ids - not_a_units <= set(ROUTE_OBJECTS), ids - not_a_units - set(ROUTE_OBJECTS)
