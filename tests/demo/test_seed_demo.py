"""`seed_demo` on a small register (400 people), seeded once for the module: every test reads the
same seeded database inside its own savepoint (rolled back after it), and a test that runs the
command again does so in that savepoint. tests/demo/test_seed_demo_tonight.py seeds a larger one."""

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from cccd.accounts.models import Role, User
from cccd.demo.seed import DEMO_USERS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.xdist_group("seed_demo"),  # one worker seeds once for the module
]


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the tests' own (conftest)


@pytest.fixture(scope="module")
def seeded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """What the first `seed_demo` printed. The seed stays in a transaction of the module's own,
    rolled back when the module is done: each test's transaction is a savepoint inside it."""
    from cccd.demo import seed

    folder: Path = tmp_path_factory.mktemp("demo")
    with (
        django_db_blocker.unblock(),
        pytest.MonkeyPatch.context() as patch,
        override_settings(DATA_DIR=folder, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        patch.setattr(seed, "DEMO_PEOPLE", 400)
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _small_register(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object, settings: object, seeded: str
) -> None:
    from cccd.demo import seed

    monkeypatch.setattr(seed, "DEMO_PEOPLE", 400)
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def test_seed_demo_builds_a_register_for_both_districts() -> None:
    from cccd.registry.models import Person

    assert Person.objects.count() == 400
    assert Person.objects.filter(residence_unit__parent__name="Huyện Đắk Mil").exists()
    assert Person.objects.filter(residence_unit__parent__name="Huyện Tây Sơn").exists()
    assert Person.objects.filter(birth_date_precision="year").exists()


def test_seed_demo_creates_one_user_per_role_and_prints_the_logins(seeded: str) -> None:
    printed = seeded
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for demo in DEMO_USERS:
        assert demo.username in printed
        assert demo.password in printed
    assert User.objects.get(username="canbo.dakmil").unit.name == "Công an huyện Đắk Mil"
    assert User.objects.get(username="canbo.tayson").unit.name == "Công an huyện Tây Sơn"


def test_seed_demo_run_again_reuses_what_is_there(seeded: str) -> None:
    assert "(new)" in seeded  # the first run made the users
    users = User.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert User.objects.count() == users
    assert "(new)" not in out.getvalue()


def test_a_demo_login_works() -> None:
    demo = next(u for u in DEMO_USERS if u.username == "chihuy.dakmil")
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": demo.username, "password": demo.password}
        ).status_code
        == 302
    )
    assert "Công an huyện Đắk Mil" in client.get("/").content.decode()


def test_seed_demo_builds_a_campaign_a_few_weeks_in_with_night_sessions() -> None:
    from django.utils import timezone

    from cccd.campaigns.models import Campaign, Session

    call_command("seed_demo", stdout=io.StringIO())  # the second run: still one campaign
    campaign = Campaign.objects.get()
    assert campaign.start_date < timezone.localdate() < campaign.end_date
    assert campaign.targets.filter(group__code="student").count() == 2
    sessions = list(Session.objects.all())
    assert any(s.crosses_midnight for s in sessions)
    assert any(s.is_night for s in sessions)
    assert any(s.starts_at > timezone.now() for s in sessions)
    assert any(s.state == "closed" for s in sessions)
    assert {s.venue.name for s in sessions} >= {"Trường THPT Đắk Mil", "Trường THPT Quang Trung"}


def test_seed_demo_has_an_evening_session_under_way_with_a_pre_checked_list() -> None:
    from cccd.rosters.models import Roster
    from cccd.tickets.models import Ticket

    lists = Roster.objects.filter(is_current=True)  # sent class by class: two lists
    assert sorted(lists.values_list("list_name", "state")) == [
        ("Khối 10 và 11", "checked"),
        ("Khối 12", "checked"),
    ]
    assert all(roster.entries.filter(outcome="matched").exists() for roster in lists)
    waiting = Roster.objects.get(state="awaiting")  # a corrected list that drops a student
    assert (waiting.list_name, waiting.version) == ("Khối 12", 2)
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"done", "waiting"} <= states
    assert Ticket.objects.filter(group__code="elderly").exists()


def test_seed_demo_opens_a_session_to_booking_with_people_booked(seeded: str) -> None:
    from cccd.booking.models import Booking, BookingPlan
    from cccd.demo.booking import COMMUNE, seed_booking
    from cccd.notify.models import Message
    from cccd.tickets.models import Ticket
    from cccd.units.models import Unit
    from tests.builders import make_person

    plan = BookingPlan.objects.select_related("session__venue").get()
    assert plan.is_open and plan.session.venue.commune is not None
    assert "/book/" in seeded
    # the small register of this test is used up by the history: three people move in
    thuan_an = Unit.objects.get(path=COMMUNE)
    for name, born in (("Lê Văn Tám", "01/02/1980"), ("Hà Thị Lan", "03/04/1975")):
        make_person(thuan_an, name, born, "M")
    booked = seed_booking()
    bookings = list(Booking.objects.filter(session=plan.session).select_related("ticket"))
    assert booked.booked == len(bookings) == 2
    assert all(b.ticket.kind == Ticket.Kind.BOOKED for b in bookings)
    assert Message.objects.filter(template_code="booking_confirmed").count() == 2
    assert seed_booking().booked == 0  # again: no more bookings
    assert Booking.objects.count() == 2
