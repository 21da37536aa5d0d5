import io

import pytest
from django.core.management import call_command
from django.test import Client

from cccd.accounts.models import Role, User
from cccd.demo.seed import DEMO_USERS, HISTORY_NOTE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_register(monkeypatch: pytest.MonkeyPatch, tmp_path: object, settings: object) -> None:
    from cccd.demo import seed

    monkeypatch.setattr(seed, "DEMO_PEOPLE", 400)
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]


def test_seed_demo_builds_a_register_for_both_districts() -> None:
    from cccd.registry.models import Person

    call_command("seed_demo", stdout=io.StringIO())
    assert Person.objects.count() == 400
    assert Person.objects.filter(residence_unit__parent__name="Huyện Đắk Mil").exists()
    assert Person.objects.filter(residence_unit__parent__name="Huyện Tây Sơn").exists()
    assert Person.objects.filter(birth_date_precision="year").exists()


def test_seed_demo_creates_one_user_per_role_and_prints_the_logins() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = out.getvalue()
    assert {u.role for u in User.objects.all()} == set(Role.values)
    for demo in DEMO_USERS:
        assert demo.username in printed
        assert demo.password in printed
    assert User.objects.get(username="canbo.dakmil").unit.name == "Công an huyện Đắk Mil"
    assert User.objects.get(username="canbo.tayson").unit.name == "Công an huyện Tây Sơn"


def test_seed_demo_run_again_reuses_what_is_there() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    users = User.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert User.objects.count() == users
    assert "(new)" not in out.getvalue()


def test_a_demo_login_works() -> None:
    call_command("seed_demo", stdout=io.StringIO())
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

    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())
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

    call_command("seed_demo", stdout=io.StringIO())
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


def test_seed_demo_serves_tonight_through_the_intake_desk_and_closed_an_earlier_evening(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from pathlib import Path

    from django.utils import timezone

    from cccd.campaigns.models import Session
    from cccd.demo import seed
    from cccd.enrollments.intake.queries import session_counts
    from cccd.enrollments.models import Artefact, DeadlineArea, Enrollment
    from cccd.tickets.models import Ticket

    monkeypatch.setattr(seed, "DEMO_PEOPLE", 2500)  # enough students for a full evening
    call_command("seed_demo", stdout=io.StringIO())
    tonight = seed.demo_session(seed.DEMO_TONIGHT)
    assert tonight.venue.name == "Trường THPT Đắk Mil" and tonight.local_day == timezone.localdate()
    received = Enrollment.objects.filter(session=tonight, state="captured")
    assert received.count() >= 10
    for dossier in received:
        assert dossier.code and dossier.code.startswith("663-")
        assert dossier.return_date is not None and dossier.return_date > dossier.received_at.date()
        assert dossier.ticket.state == Ticket.State.DONE
        photo = dossier.artefacts.get(kind=Artefact.Kind.PHOTO)
        assert Path(photo.file.path).is_file()
        assert dossier.artefacts.filter(kind=Artefact.Kind.FINGERPRINT).count() == 10
    assert Enrollment.objects.filter(return_method="post").exclude(post_address="").exists()
    assert Artefact.objects.filter(impossible_reason="Mất ngón").exists()
    draft = Enrollment.objects.get(state="draft")  # half taken at desk 1: photo, no fingerprints
    assert draft.session == tonight and draft.ticket.desk.number == 1
    assert draft.ticket.state == Ticket.State.SERVING
    assert list(draft.artefacts.values_list("kind", flat=True)) == [Artefact.Kind.PHOTO]
    assert DeadlineArea.objects.get(unit__path="/ca/L67/663/").area == "mountain_island"

    earlier = (
        Session.objects.filter(
            venue__name="Hội trường UBND xã Thuận An", state="closed", tickets__isnull=False
        )
        .exclude(note=HISTORY_NOTE)  # the history's evenings have their numbers too
        .distinct()
        .get()
    )  # the served one, not history
    counts = session_counts(earlier)
    assert counts.received >= 1 and counts.served == counts.received
    assert Enrollment.objects.filter(session=earlier, state="draft").count() == 0
    assert all(
        e.received_at.date() == earlier.starts_at.date()
        for e in Enrollment.objects.filter(session=earlier)
    )

    # the first evening's dossiers went on through every state after the desk
    from collections import Counter

    from django.utils import timezone

    from cccd.enrollments.dossiers.lifecycle import LATE_STATES
    from cccd.enrollments.models import ProductionBatch
    from cccd.reports.models import StateCount

    states = set(Enrollment.objects.values_list("state", flat=True))
    assert states >= set(Enrollment.State.values)
    batches = ProductionBatch.objects.order_by("created_at")
    assert [b.state for b in batches] == ["result", "result", "sent"]
    assert batches[0].result_id and batches[0].enrollments.filter(state="delivered").exists()
    assert batches[0].enrollments.filter(state="returned_for_correction").exists()  # refused there
    today = timezone.localdate()
    assert Enrollment.objects.filter(state__in=LATE_STATES, return_date__lt=today).exists()
    district = Counter()
    for state, n in StateCount.objects.filter(unit__path="/ca/L67/663/").values_list(
        "state", "count"
    ):
        district[state] += n
    actual = Counter(
        Enrollment.objects.filter(unit__path="/ca/L67/663/")
        .exclude(state="draft")
        .values_list("state", flat=True)
    )
    assert +district == actual

    # every dossier's kind is one the person's card and age allow (the desk's served evenings
    # were checked today, then dated back), and its fee is the table's for that kind
    from cccd.core import kinds as kind_rules
    from cccd.enrollments.intake import kinds
    from cccd.enrollments.intake.rules import quote_fee

    received_dossiers = Enrollment.objects.exclude(received_at=None).select_related(
        "person", "exemption"
    )
    assert len({d.kind for d in received_dossiers}) >= 3
    for dossier in received_dossiers:
        day = timezone.localdate(dossier.received_at)
        allowed = [
            kind_rules.check(
                dossier.kind,
                kinds.applicant(dossier.person),
                on,  # type: ignore[arg-type]
                law=dossier.law,
                reason=dossier.kind_reason,
            ).allowed  # type: ignore[arg-type]
            for on in (day, today)
        ]
        assert any(allowed), (dossier.code, dossier.kind)
        assert dossier.fee == quote_fee(dossier.kind, day, dossier.exemption), dossier.code

    dossiers = Enrollment.objects.count()
    call_command("seed_demo", stdout=io.StringIO())  # run again: nothing new
    assert Enrollment.objects.count() == dossiers
    assert ProductionBatch.objects.count() == 3


def test_seed_demo_opens_a_session_to_booking_with_people_booked() -> None:
    from cccd.booking.models import Booking, BookingPlan
    from cccd.demo.booking import COMMUNE, seed_booking
    from cccd.notify.models import Message
    from cccd.tickets.models import Ticket
    from cccd.units.models import Unit
    from tests.builders import make_person

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    plan = BookingPlan.objects.select_related("session__venue").get()
    assert plan.is_open and plan.session.venue.commune is not None
    assert "/book/" in out.getvalue()
    # the small register of this test is used up by the history: three people move in
    thuan_an = Unit.objects.get(path=COMMUNE)
    for name, born in (("Lê Văn Tám", "01/02/1980"), ("Hà Thị Lan", "03/04/1975")):
        make_person(thuan_an, name, born, "M")
    seeded = seed_booking()
    bookings = list(Booking.objects.filter(session=plan.session).select_related("ticket"))
    assert seeded.booked == len(bookings) == 2
    assert all(b.ticket.kind == Ticket.Kind.BOOKED for b in bookings)
    assert Message.objects.filter(template_code="booking_confirmed").count() == 2
    assert seed_booking().booked == 0  # again: no more bookings
    assert Booking.objects.count() == 2
