"""A session of Đắk Mil at a school in Xã Đắk Lao, with a pre-checked class list and numbers handed
out, the officers around it, and a paired kit of Đắk Mil (the district's side); a migrated kit
data folder made once per run and copied for each test (the kit's side)."""

# ruff: noqa: F811  (local names repeat the imported fixtures' names: `session`, `leader`)
from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.campaigns.services import create_campaign, create_team, create_venue, plan_session
from cccd.enrollments.intake import numbering, services
from cccd.enrollments.models import Enrollment
from cccd.fieldkit import keys
from cccd.fieldkit.keys import PartyKeys, new_party_keys
from cccd.kits import outbox
from cccd.kits.models import (
    KIT_CODE_BASE,
    Checkout,
    DistrictKeys,
    HeldSession,
    Kit,
    KitIdentity,
    NewPerson,
    OutboxPacket,
)
from cccd.registry.models import Household, Person
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.tickets import services as tickets
from cccd.tickets.models import Ticket
from cccd.units.models import Unit
from tests.builders import PASSWORD, Tree, make_pair, make_person, make_user
from tests.enrollments.conftest import (  # noqa: F401  (fixtures)
    called,
    capture_everything,
    portrait,
    student,
)
from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    desks,
    leader,
    pytest_configure,
    session,
)

SRC = Path(__file__).resolve().parents[2] / "src"
KIT_SIDE = Path(__file__).resolve().parent / "kit_side.py"
REAL_HASHER = ["django.contrib.auth.hashers.ScryptPasswordHasher"]
"""A hasher a kit's default settings know (the tests' MD5 is not among them)."""


@dataclass
class Hall:
    session: Session
    leader: User
    officer: User
    kit: Kit
    kit_keys: PartyKeys
    thuanan: Unit  # another commune of Đắk Mil
    listed: Person  # on the list, lives in Đắk Lao
    resident: Person  # not listed, lives in Đắk Lao (a possible walk-in)
    listed_elsewhere: Person  # on the list, lives in Thuận An
    candidate: Person  # a candidate of a row still to review, lives in Thuận An
    stranger: Person  # lives in Thuận An, on no list: never on the kit


def paired_kit(name: str, unit: Unit, keys: PartyKeys | None = None) -> tuple[Kit, PartyKeys]:
    keys = keys or new_party_keys()
    kit = Kit.objects.create(
        name=name,
        unit=unit,
        state=Kit.State.PAIRED,
        signing_public_key=keys.signing.public_hex,
        encryption_public_key=keys.encryption.public_hex,
        paired_at=timezone.now(),
    )
    return kit, keys


def resident_of(*args: Any, **kwargs: Any) -> Person:
    made = make_person(*args, **kwargs)
    assert isinstance(made, Person)
    return made


def plan(tree: Tree, leader: User, officer: User, commander: User, commune: Unit) -> Session:
    today = timezone.localdate()
    campaign = create_campaign(
        unit_id=tree.daknong_police.pk,
        name="CCCD",
        law="2014",
        start_date=today,
        end_date=today + datetime.timedelta(days=60),
        actor=commander,
    )
    venue = create_venue(
        unit_id=tree.dakmil_police.pk,
        kind="school",
        name="Trường THPT Đắk Mil",
        commune_id=commune.pk,
        actor=leader,
    )
    team = create_team(
        unit_id=tree.dakmil_police.pk,
        name="Tổ 1",
        leader_id=leader.pk,
        member_ids=[officer.pk],
        actor=leader,
    )
    day = today + datetime.timedelta(days=7)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(19)))
    return plan_session(
        campaign_id=campaign.pk,
        venue_id=venue.pk,
        team_id=team.pk,
        desks=2,
        capacity=300,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=4),
        actor=leader,
    )


@pytest.fixture
def hall(tree: Tree, commander_daknong: User, officer_tayson: User) -> Hall:
    leader = make_user("totruong.dakmil", "team_leader", tree.dakmil_police)
    officer = make_user("canbo.dakmil", "officer", tree.dakmil_police)
    with override_settings(PASSWORD_HASHERS=REAL_HASHER):
        for user in (leader, officer):
            user.set_password(PASSWORD)
            user.save()
    User.objects.filter(pk=make_user("canbo.nghi", "officer", tree.dakmil_police).pk).update(
        is_active=False
    )
    make_user("hauky.dakmil", "back_office", tree.dakmil_police)
    thuanan, _police = make_pair(tree.dakmil, tree.dakmil_police, "24670", "Xã Thuận An", "commune")
    home = Household.objects.create(code="H-DAKLAO-1", residence_unit=tree.daklao)
    Household.objects.create(code="H-THUANAN-9", residence_unit=thuanan)
    listed = resident_of(tree.daklao, "Nguyễn Văn An", "01/02/2006", "M", household=home)
    resident = resident_of(tree.daklao, "Lê Thị Bình", "03/04/1990", "F")
    listed_elsewhere = resident_of(thuanan, "Trần Văn Cường", "05/06/2006", "M")
    candidate = resident_of(thuanan, "Phạm Thị Dung", "07/08/2006", "F")
    stranger = resident_of(
        thuanan,
        "Võ Minh Em",
        "09/10/1980",
        "M",
        household=Household.objects.get(code="H-THUANAN-9"),
    )
    session = plan(tree, leader, officer, commander_daknong, tree.daklao)
    roster = Roster.objects.create(
        session=session,
        unit=session.unit,
        list_name="12A1",
        file="rosters/test.xlsx",
        original_name="test.xlsx",
        kind="xlsx",
        state=Roster.State.CHECKED,
        uploaded_by=commander_daknong,
    )
    rows = [
        (listed, Outcome.MATCHED, []),
        (listed_elsewhere, Outcome.MATCHED, []),
        (None, Outcome.REVIEW, [{"person": candidate.pk, "probability": 0.9}]),
    ]
    for i, (person, outcome, candidates) in enumerate(rows, start=1):
        RosterEntry.objects.create(
            roster=roster,
            row=i,
            line=i + 4,
            fingerprint=str(i),
            full_name=person.full_name if person else "Phạm Thị Dung",
            class_name="12A1",
            outcome=outcome,
            person=person,
            candidates=candidates,
        )
    tickets.hand_out_numbers(session.pk, actor=leader)
    kit, kit_keys = paired_kit("dakmil-kit-1", tree.dakmil_police)
    return Hall(
        session=session,
        leader=leader,
        officer=officer,
        kit=kit,
        kit_keys=kit_keys,
        thuanan=thuanan,
        listed=listed,
        resident=resident,
        listed_elsewhere=listed_elsewhere,
        candidate=candidate,
        stranger=stranger,
    )


def kit_environment(data_dir: Path) -> dict[str, str]:
    """The kit's own process: its data folder, its own SQLite database (never the district's
    DATABASE_URL, which CI points at PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        CCCD_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="cccd.settings",
        PYTHONPATH=os.pathsep.join([str(SRC), str(SRC.parent)]),
    )
    return env


@pytest.fixture(scope="session")
def migrated_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A kit's data folder with its database migrated, made once (migrating takes seconds)."""
    folder = tmp_path_factory.mktemp("kit-template")
    subprocess.run(
        [sys.executable, "-m", "cccd", "migrate", "-v", "0"],
        env=kit_environment(folder),
        check=True,
        timeout=300,
    )
    return folder


@pytest.fixture
def kit_dir(migrated_kit: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "kit"
    shutil.copytree(migrated_kit, folder)
    return folder


# ---------------------------------------------------------------- both sides in one database
# (the outbox and ingest tests)

KIT_NAME = "dakmil-kit-1"
BLOCK = 1000


@dataclass
class Sides:
    """The keys and rows of both sides."""

    district: keys.PartyKeys
    kit_keys: keys.PartyKeys
    kit: Kit
    checkout: Checkout
    held: HeldSession
    identity: KitIdentity
    settings: object

    def at_district(self) -> None:
        """From here on the process is the district's: no field mode, codes from row ids."""
        self.settings.CCCD_FIELD_MODE = False  # type: ignore[attr-defined]
        numbering.register(None)

    def on_kit(self) -> None:
        self.settings.CCCD_FIELD_MODE = True  # type: ignore[attr-defined]
        outbox.install()


def new_kit(name: str, unit_id: int, state: str = Kit.State.PAIRED) -> tuple[Kit, keys.PartyKeys]:
    party = keys.new_party_keys()
    kit = Kit.objects.create(
        name=name,
        unit_id=unit_id,
        state=state,
        signing_public_key=party.signing.public_hex,
        encryption_public_key=party.encryption.public_hex,
    )
    return kit, party


@pytest.fixture
def sides(session: Session, settings: object) -> Iterator[Sides]:  # noqa: F811
    district = keys.new_party_keys()
    DistrictKeys.objects.create(
        unit=session.unit,
        signing_public_key=district.signing.public_hex,
        signing_private_key_pem=district.signing.private_pem,
        encryption_public_key=district.encryption.public_hex,
        encryption_private_key_pem=district.encryption.private_pem,
    )
    kit, kit_keys = new_kit(KIT_NAME, session.unit_id)
    start = KIT_CODE_BASE
    checkout = Checkout.objects.create(
        kit=kit, session=session, code_block_start=start, code_block_end=start + BLOCK - 1
    )
    held = HeldSession.objects.create(
        session=session,
        code_block_start=start,
        code_block_end=start + BLOCK - 1,
        next_code=start,
        package_sha256="0" * 64,
    )
    identity = KitIdentity.objects.create(
        name=KIT_NAME,
        district_url="https://cccd.example.vn/",
        signing_private_key_pem=kit_keys.signing.private_pem,
        encryption_private_key_pem=kit_keys.encryption.private_pem,
        district_signing_public_key=district.signing.public_hex,
        district_encryption_public_key=district.encryption.public_hex,
        unit_code=session.unit.code,
    )
    both = Sides(district, kit_keys, kit, checkout, held, identity, settings)
    both.on_kit()
    yield both
    numbering.register(None)


def finish_on_kit(
    ticket: Ticket,
    officer: User,
    photo: bytes,
    capture_on_commit: object,
) -> OutboxPacket:
    """The intake finished on the kit and its packet sealed by the after-commit hook."""
    capture_everything(ticket, officer, photo)
    with capture_on_commit(execute=True):  # type: ignore[operator]
        done = services.finish_intake(ticket.pk, actor=officer)
    return OutboxPacket.objects.get(enrollment=done)


def as_package_ticket(ticket: Ticket) -> None:
    """Make the number look as if it came in the session's package (no kit-side issue event)."""
    AuditEvent.objects.filter(
        object_type="tickets.ticket", object_id=str(ticket.pk), action="ticket.issue"
    )._raw_delete(AuditEvent.objects.db)


def forget_on_kit(row: OutboxPacket) -> bytes:
    """The packet's bytes; what only the kit holds (its outbox row, its dossier, a walk-in number
    made there, a person created there) is removed, and a package number is back to waiting, as
    the district has them."""
    envelope = outbox.envelope_of(row)
    assert row.enrollment_id is not None
    enrollment = Enrollment.objects.get(pk=row.enrollment_id)
    ticket = enrollment.ticket
    person = enrollment.person
    made_here = ticket is not None and outbox.made_on_kit(ticket)
    new_person = NewPerson.objects.filter(person=person).exists()
    OutboxPacket.objects.filter(pk=row.pk).delete()
    enrollment.artefacts.all().delete()
    Enrollment.objects.filter(pk=enrollment.pk).delete()
    if ticket is not None and made_here:
        ticket.delete()
    elif ticket is not None:
        Ticket.objects.filter(pk=ticket.pk).update(state=Ticket.State.WAITING, done_at=None)
    if new_person:
        NewPerson.objects.filter(person=person).delete()
        person.delete()
    return envelope
