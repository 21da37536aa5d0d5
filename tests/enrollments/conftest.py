"""An evening at THPT Đắk Mil with a student called to desk 1, and capture files that pass."""

from __future__ import annotations

import datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Session
from cccd.enrollments.intake import services
from cccd.enrollments.models import Artefact, Enrollment
from cccd.registry.models import Person
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person, make_user
from tests.tickets.conftest import (  # noqa: F401  (fixtures)
    HCM,
    desks,
    groups,
    leader,
    pytest_configure,  # noqa: F401  (a file test database, for threads)
    session,
)

FACES = Path(__file__).parent.parent / "fixtures" / "faces"
TODAY = datetime.datetime(2021, 3, 6, 20, 15, tzinfo=HCM)


@pytest.fixture
def portrait() -> bytes:
    return (FACES / "portrait.jpg").read_bytes()


def fingerprint_png(seed: int = 0) -> bytes:
    """A scanner-like grey ridge image as PNG (the checks look at the format, not at ridges)."""
    rng = np.random.default_rng(seed)
    ridges = (np.sin(np.arange(400)[:, None] / 3 + rng.random()) * 100 + 128).astype(np.uint8)
    image = np.repeat(ridges, 300, axis=1)
    return cv2.imencode(".png", image)[1].tobytes()


def signature_png() -> bytes:
    image = np.full((160, 480), 255, np.uint8)
    cv2.line(image, (40, 120), (200, 40), 0, 3)
    cv2.line(image, (200, 40), (420, 110), 0, 3)
    return cv2.imencode(".png", image)[1].tobytes()


@pytest.fixture
def student(tree: Tree) -> Person:
    return make_person(tree.daklao, "Nguyễn Văn Đức", "15/03/2006", "M")  # type: ignore[return-value]


@pytest.fixture
def called(
    session: Session,  # noqa: F811
    desks: list[Desk],  # noqa: F811
    student: Person,
    officer_dakmil: User,
    leader: User,  # noqa: F811
    time_machine: object,
) -> Ticket:
    """The student's walk-in number, called to desk 1 at 20:15 on the session's evening."""
    time_machine.move_to(TODAY)  # type: ignore[attr-defined]
    ticket = tickets.issue_walk_in(session.pk, person_id=student.pk, actor=leader)
    called = tickets.call_next(desks[0].pk, actor=officer_dakmil)
    assert called.pk == ticket.pk
    return called


def capture_everything(ticket: Ticket, user: User, portrait: bytes) -> None:
    services.capture(ticket.pk, Artefact.Kind.PHOTO, 0, portrait, actor=user)
    services.capture_slots(
        ticket.pk,
        Artefact.Kind.FINGERPRINT,
        actor=user,
        files={n: fingerprint_png(n) for n in range(1, 10)},
        reasons={10: "Mất ngón"},
    )
    services.capture(ticket.pk, Artefact.Kind.SIGNATURE, 0, signature_png(), actor=user)


@pytest.fixture
def back_office_dakmil(tree: Tree) -> User:
    return make_user("hoso.dakmil", Role.BACK_OFFICE, tree.dakmil_police)


@pytest.fixture
def commander_dakmil(tree: Tree) -> User:
    return make_user("chihuy.dakmil", Role.COMMANDER, tree.dakmil_police)


@pytest.fixture
def back_office_tayson(tree: Tree) -> User:
    return make_user("hoso.tayson", Role.BACK_OFFICE, tree.tayson_police)


@pytest.fixture
def captured(called: Ticket, officer_dakmil: User, portrait: bytes) -> Enrollment:
    """The student's dossier as the desk finished it: state captured, with code and return date."""
    capture_everything(called, officer_dakmil, portrait)
    return services.finish_intake(called.pk, actor=officer_dakmil)


def another_captured(
    ticket_session: Session,
    desk: Desk,
    officer: User,
    issuer: User,
    portrait: bytes,
    person: Person,
) -> Enrollment:
    """One more person through `desk`: a walk-in number, called, captured and finished."""
    tickets.issue_walk_in(ticket_session.pk, person_id=person.pk, actor=issuer)
    ticket = tickets.call_next(desk.pk, actor=officer)
    capture_everything(ticket, officer, portrait)
    return services.finish_intake(ticket.pk, actor=officer)
