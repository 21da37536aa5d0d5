"""The field kit's two pages: the district's kits page (`/kits/`) and the kit's outbox
(`/kit/outbox/`, field mode only).

The rows are made with the ORM, as the kit's and the district's code would leave them, so these
tests need none of the outbox's, the ingest's or the checkout's code; "send now" needs the
outbox's (`push` seals first) and is skipped while it is absent.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Session
from cccd.enrollments.models import Enrollment
from cccd.fieldkit import keys
from cccd.kits import views
from cccd.kits.models import (
    Checkout,
    HeldSession,
    Kit,
    KitIdentity,
    NewPerson,
    OutboxPacket,
    ReceivedPacket,
)
from tests.builders import Tree, make_person, make_user
from tests.enrollments import conftest as evening
from tests.tickets import conftest as queue

pytestmark = pytest.mark.django_db

# the evening at THPT Đắk Mil (a session, its desks, the student's dossier captured)
back_office_dakmil = evening.back_office_dakmil
called = evening.called
captured = evening.captured
desks = queue.desks
groups = queue.groups
leader = queue.leader
portrait = evening.portrait
session = queue.session
student = evening.student

FIELD = override_settings(CCCD_FIELD_MODE=True)
HOUR = datetime.timedelta(hours=1)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(html: bytes) -> str:
    """The page's words, tags dropped and spaces folded, to read sentences across markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def marked(html: bytes, name: str) -> str:
    """The words inside the element marked data-testid=name (its first line of markup)."""
    found = re.search(rf'data-testid="{re.escape(name)}"[^>]*>(.*?)</', html.decode(), re.S)
    assert found, name
    return found.group(1).strip()


# ---------------------------------------------------------------- the district: /kits/


@pytest.fixture
def dakmil_kit(tree: Tree, session: Session) -> Kit:
    now = timezone.now()
    kit = Kit.objects.create(
        name="dakmil-kit-1",
        unit=tree.dakmil_police,
        state=Kit.State.PAIRED,
        paired_at=now - 48 * HOUR,
        last_contact_at=now - datetime.timedelta(minutes=12),
        reported_waiting=4,
        reported_oldest_waiting_at=now - 3 * HOUR - datetime.timedelta(minutes=5),
        clock_offset_seconds=3 * 3600 + 40,
    )
    Checkout.objects.create(
        kit=kit,
        session=session,
        code_block_start=1_000_000_000,
        code_block_end=1_000_009_999,
    )
    return kit


@pytest.fixture
def tayson_kit(tree: Tree) -> Kit:
    return Kit.objects.create(
        name="tayson-kit-1", unit=tree.tayson_police, state=Kit.State.REGISTERED
    )


def received(kit: Kit, outcome: str, **fields: Any) -> ReceivedPacket:
    return ReceivedPacket.objects.create(
        packet_id=uuid.uuid4(), kit=kit, outcome=outcome, size=900_000, **fields
    )


@pytest.fixture
def packets(dakmil_kit: Kit, tayson_kit: Kit, session: Session, tree: Tree) -> dict[str, Any]:
    """What came in: two accepted, one refused, one conflict open and one resolved at Đắk Mil;
    a conflict at Tây Sơn; walk-ins to check from each."""
    received(dakmil_kit, "accepted", session=session)
    accepted = received(dakmil_kit, "accepted", session=session)
    received(dakmil_kit, "refused", reason_code="PACKET_SIGNATURE_INVALID", reason="chữ ký sai")
    conflict = received(
        dakmil_kit,
        "conflict",
        session=session,
        reason_code="PERSON_HAS_OPEN_DOSSIER",
        reason="Người này đã có hồ sơ đang mở 663-210301-000017.",
    )
    received(dakmil_kit, "conflict", session=session, reason="đã xem", resolved_at=timezone.now())
    elsewhere = received(tayson_kit, "conflict", reason="hồ sơ ở Tây Sơn 999-210301-000001")
    walk_in = make_person(tree.daklao, "Lê Văn Mới", "01/01/2005", "M")
    NewPerson.objects.create(person=walk_in, packet_id=accepted.packet_id)  # type: ignore[misc]
    checked = make_person(tree.daklao, "Lê Thị Đã", "01/01/2005", "F")
    NewPerson.objects.create(
        person=checked,  # type: ignore[misc]
        packet_id=accepted.packet_id,
        checked_at=timezone.now(),
    )
    far = make_person(tree.tayson, "Trần Văn Xa", "01/01/2005", "M")
    NewPerson.objects.create(person=far, packet_id=elsewhere.packet_id)  # type: ignore[misc]
    return {"conflict": conflict, "elsewhere": elsewhere}


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.ADMINISTRATOR])
def test_the_kits_page_opens_for_those_who_manage_kits(
    role: str, tree: Tree, dakmil_kit: Kit
) -> None:
    user = make_user(f"u-{role}", role, tree.daknong_police)
    page = client_for(user).get(reverse("kits:list"))
    assert page.status_code == 200
    assert b'data-testid="kit-dakmil-kit-1"' in page.content
    assert reverse("kits:list").encode() in page.content  # in the navigation


@pytest.mark.parametrize("role", [Role.OFFICER, Role.TEAM_LEADER, Role.BACK_OFFICE, Role.LIAISON])
def test_the_kits_page_is_refused_to_the_other_roles(
    role: str, tree: Tree, dakmil_kit: Kit
) -> None:
    user = make_user(f"u-{role}", role, tree.dakmil_police)
    client = client_for(user)
    assert client.get(reverse("kits:list")).status_code == 403
    assert reverse("kits:list").encode() not in client.get(reverse("home")).content


def test_an_anonymous_visitor_is_sent_to_log_in(db: None) -> None:
    page = Client().get(reverse("kits:list"))
    assert page.status_code == 302 and "?next=" in page["Location"]


def test_a_kit_has_no_kits_page(tree: Tree) -> None:
    commander = make_user("chihuy", Role.COMMANDER, tree.daknong_police)
    with FIELD:
        assert client_for(commander).get(reverse("kits:list")).status_code == 404


def test_a_commander_sees_only_the_kits_of_their_units(
    tree: Tree, commander_daknong: User, packets: dict[str, Any]
) -> None:
    page = client_for(commander_daknong).get(reverse("kits:list"))
    assert b"dakmil-kit-1" in page.content
    assert b"tayson-kit-1" not in page.content
    assert str(packets["elsewhere"].packet_id).encode() not in page.content
    assert "999-210301-000001" not in page.content.decode()
    tayson = make_user("chihuy.tayson", Role.COMMANDER, tree.tayson_police)
    theirs = client_for(tayson).get(reverse("kits:list"))
    assert b"tayson-kit-1" in theirs.content and b"dakmil-kit-1" not in theirs.content
    assert marked(theirs.content, "conflict-count") == "1"
    assert marked(theirs.content, "to-check") == "1"


def test_each_kit_says_when_it_was_heard_from_what_waits_and_its_clock(
    commander_daknong: User, session: Session, packets: dict[str, Any]
) -> None:
    page = client_for(commander_daknong).get(reverse("kits:list"))
    row = re.search(r'data-testid="kit-dakmil-kit-1".*?</tr>', page.content.decode(), re.S)
    assert row
    words = text(row.group(0).encode())
    assert "Paired" in words
    assert "12 minutes ago" in words
    assert marked(page.content, "waiting").startswith("4")
    assert "the oldest for 3 hours" in words
    assert "kit clock off by 3 hours (ahead)" in marked(page.content, "clock")
    assert "2 accepted · 1 refused · 2 conflicts" in words
    assert str(session) in words and "Checked out" in words
    assert "numbers 1000000000–1000009999" in words


def test_the_kits_page_reads_in_vietnamese(
    commander_daknong: User, packets: dict[str, Any]
) -> None:
    client = client_for(commander_daknong)
    page = client.get(reverse("kits:list"), HTTP_ACCEPT_LANGUAGE="vi")
    words = text(page.content)
    assert "Máy thu nhận lưu động" in words and "Đã ghép nối" in words
    assert "12 phút trước" in words and "gói cũ nhất đã chờ 3 giờ" in words
    assert "đồng hồ máy lệch 3 giờ (nhanh)" in words
    assert "2 được nhận · 1 bị từ chối · 2 xung đột" in words
    assert "Xung đột cần xem xét" in words and "Người cần xác minh" in words


def test_a_clock_a_few_minutes_off_is_not_flagged(commander_daknong: User, dakmil_kit: Kit) -> None:
    Kit.objects.filter(pk=dakmil_kit.pk).update(clock_offset_seconds=-299)
    page = client_for(commander_daknong).get(reverse("kits:list"))
    assert b'data-testid="clock"' not in page.content
    Kit.objects.filter(pk=dakmil_kit.pk).update(clock_offset_seconds=-7140)
    page = client_for(commander_daknong).get(reverse("kits:list"))
    assert "off by 119 minutes (behind)" in marked(page.content, "clock")


def test_open_conflicts_and_people_to_check_are_listed(
    commander_daknong: User, packets: dict[str, Any]
) -> None:
    page = client_for(commander_daknong).get(reverse("kits:list"))
    assert marked(page.content, "conflict-count") == "1"  # the resolved one is not counted
    assert marked(page.content, "to-check") == "1"  # the checked one is not counted
    table = re.search(r'data-testid="conflicts".*?</table>', page.content.decode(), re.S)
    assert table
    assert str(packets["conflict"].packet_id) in table.group(0)
    assert "663-210301-000017" in table.group(0) and "PERSON_HAS_OPEN_DOSSIER" in table.group(0)
    assert "đã xem" not in table.group(0)
    assert "Lê Văn Mới" not in page.content.decode()  # no one's name on the page


def test_a_unit_without_kits_gets_a_plain_page(tree: Tree, commander_daknong: User) -> None:
    page = client_for(commander_daknong).get(reverse("kits:list"))
    assert page.status_code == 200
    assert marked(page.content, "conflict-count") == "0"


# ---------------------------------------------------------------- the kit: /kit/outbox/


@pytest.fixture
def kit_identity(db: None) -> KitIdentity:
    made = keys.new_party_keys()
    district = keys.new_party_keys()
    return KitIdentity.objects.create(
        name="dakmil-kit-1",
        district_url="http://127.0.0.1:9",  # nothing listens: the district is out of reach
        signing_private_key_pem=made.signing.private_pem,
        encryption_private_key_pem=made.encryption.private_pem,
        district_signing_public_key=district.signing.public_hex,
        district_encryption_public_key=district.encryption.public_hex,
        unit_code="DAKMIL",
        last_contact_at=timezone.now() - 26 * HOUR,
    )


@pytest.fixture
def outbox_rows(kit_identity: KitIdentity, session: Session, captured: Enrollment) -> None:
    now = timezone.now()
    HeldSession.objects.create(
        session=session,
        code_block_start=1_000_000_000,
        code_block_end=1_000_009_999,
        next_code=1_000_000_003,
        package_sha256="0" * 64,
    )
    made = now - 5 * HOUR
    for state, age in [("waiting", 5), ("waiting", 2), ("sent", 1), ("acknowledged", 30)]:
        OutboxPacket.objects.create(
            session=session,
            state=state,
            created_at=now - age * HOUR,
            size=1_200_000,
            envelope=None if state == "acknowledged" else b"x",
        )
    OutboxPacket.objects.create(
        session=session,
        enrollment=captured,
        state="refused",
        created_at=made - HOUR,
        size=950_000,
        attempts=3,
        last_attempt_at=now - HOUR,
        outcome="refused",
        reason="PACKET_SIGNATURE_INVALID: Chữ ký của gói không hợp lệ.",
        envelope=b"x",
    )


def test_the_kit_page_is_not_found_at_the_district(officer_dakmil: User) -> None:
    assert client_for(officer_dakmil).get(reverse("kits:outbox")).status_code == 404
    assert client_for(officer_dakmil).post(reverse("kits:send_now")).status_code == 404


@pytest.mark.parametrize("role", [Role.OFFICER, Role.TEAM_LEADER])
def test_the_outbox_opens_for_the_team_on_the_kit(
    role: str, tree: Tree, kit_identity: KitIdentity
) -> None:
    user = make_user(f"u-{role}", role, tree.dakmil_police)
    with FIELD:
        page = client_for(user).get(reverse("kits:outbox"))
        home = client_for(user).get(reverse("home"))
    assert page.status_code == 200
    assert reverse("kits:outbox").encode() in home.content  # in the navigation
    assert reverse("kits:list").encode() not in home.content


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.BACK_OFFICE, Role.ADMINISTRATOR])
def test_the_outbox_is_refused_to_the_other_roles(
    role: str, tree: Tree, kit_identity: KitIdentity
) -> None:
    user = make_user(f"u-{role}", role, tree.dakmil_police)
    with FIELD:
        assert client_for(user).get(reverse("kits:outbox")).status_code == 403
        assert client_for(user).post(reverse("kits:send_now")).status_code == 403


def test_the_outbox_shows_its_counts_the_oldest_age_and_each_packet(
    officer_dakmil: User, session: Session, captured: Enrollment, outbox_rows: None
) -> None:
    with FIELD:
        page = client_for(officer_dakmil).get(reverse("kits:outbox"))
    assert marked(page.content, "waiting") == "2"
    assert marked(page.content, "acknowledged") == "1"
    assert marked(page.content, "refused") == "1"
    assert marked(page.content, "oldest") == "5 hours"  # waiting or sent: not the refused one
    assert "and 1 sent, no receipt yet" in text(page.content)
    assert marked(page.content, "kit-name") == "dakmil-kit-1"
    assert b"http://127.0.0.1:9" in page.content
    assert "26 hours ago" in marked(page.content, "last-contact")
    assert str(session) in marked(page.content, "held")
    assert "Chữ ký của gói không hợp lệ" in marked(page.content, "reason")
    assert captured.code and captured.code in page.content.decode()
    states = re.findall(r'<tr data-state="(\w+)"', page.content.decode())
    assert states == ["sent", "waiting", "waiting", "refused", "acknowledged"]  # newest first
    with FIELD:
        vi = client_for(officer_dakmil).get(reverse("kits:outbox"), HTTP_ACCEPT_LANGUAGE="vi")
    words = text(vi.content)
    assert "Hộp thư đi" in words and "Gửi ngay" in words and "5 giờ" in words
    assert "và 1 đã gửi, chưa có biên nhận" in words and "Bị từ chối" in words


def test_an_outbox_of_a_kit_not_joined_says_so(officer_dakmil: User) -> None:
    with FIELD:
        page = client_for(officer_dakmil).get(reverse("kits:outbox"))
    assert page.status_code == 200
    assert b'data-testid="not-joined"' in page.content
    assert b'data-testid="send-now"' not in page.content
    assert marked(page.content, "oldest") == "—"


def test_send_now_with_the_district_out_of_reach_says_the_packets_wait(
    officer_dakmil: User, kit_identity: KitIdentity, session: Session
) -> None:
    pytest.importorskip("cccd.kits.outbox")
    OutboxPacket.objects.create(session=session, envelope=b"sealed", size=6)
    with FIELD:
        client = client_for(officer_dakmil)
        answer = client.post(reverse("kits:send_now"))
        assert answer.status_code == 302 and answer["Location"] == reverse("kits:outbox")
        page = client.get(reverse("kits:outbox"))
    assert "The district cannot be reached" in text(page.content)
    assert marked(page.content, "waiting") == "1"
    assert OutboxPacket.objects.get().envelope == b"sealed"


def test_send_now_is_a_post(officer_dakmil: User, kit_identity: KitIdentity) -> None:
    with FIELD:
        assert client_for(officer_dakmil).get(reverse("kits:send_now")).status_code == 405


# ---------------------------------------------------------------- durations in words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "less than a minute"),
        (59, "less than a minute"),
        (60, "1 minute"),
        (119 * 60, "119 minutes"),
        (2 * 3600, "2 hours"),
        (-3 * 3600, "3 hours"),
        (47 * 3600 + 3599, "47 hours"),
        (48 * 3600, "2 days"),
        (30 * 86400, "30 days"),
    ],
)
def test_durations_are_said_as_people_say_them(seconds: int, words: str) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert views.span(seconds) == words


def test_a_kit_never_heard_from_says_never() -> None:
    from django.utils import translation

    now = timezone.now()
    with translation.override("en"):
        assert views.ago(None, now) == "never"
        assert views.ago(now - datetime.timedelta(seconds=30), now) == "just now"
        assert views.ago(now - 3 * HOUR, now) == "3 hours ago"
        assert views.clock_warning(None) == ""
        assert views.clock_warning(300) == ""
        assert views.clock_warning(301) == "kit clock off by 5 minutes (ahead)"
