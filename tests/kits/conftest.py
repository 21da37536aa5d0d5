"""Both sides of a field kit in one test database: the district's keys, kit and checkout, and the
kit's identity and held session, for the evening at THPT Đắk Mil.

The functions under test take plain bytes between the two sides, so one database serves both: the
kit side finishes an intake (in field mode) and seals its packet; `forget_on_kit` then removes what
only the kit would hold (its dossier, its walk-in number) so that the district side meets the
packet as a district would, with nothing of the kit's rows to lean on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
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

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from cccd.enrollments.intake import numbering, services
from cccd.enrollments.models import Enrollment
from cccd.fieldkit import keys
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
from cccd.tickets.models import Ticket

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
