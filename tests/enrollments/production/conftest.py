"""The dossiers a batch is made of: approved as the office would approve them."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment
from cccd.registry.models import Person
from cccd.tickets.models import Desk
from tests.builders import Tree, make_person
from tests.enrollments.conftest import another_captured


def _ready(enrollment: Enrollment, back_office: User, commander: User) -> Enrollment:
    """Fill in what the card needs, then complete and approve it as the office would."""
    Person.objects.filter(pk=enrollment.person_id).update(
        hometown="Xã Đắk Lao, huyện Đắk Mil, tỉnh Đắk Nông",
        permanent_address="Thôn 5, xã Đắk Lao",
        ethnicity="Kinh",
        religion="Không",
    )
    lifecycle.move(enrollment.pk, "complete", actor=back_office)
    return lifecycle.move(enrollment.pk, "approve", actor=commander)


@pytest.fixture
def approved(
    captured: Enrollment,
    session: Session,
    desks: list[Desk],
    officer_dakmil: User,
    leader: User,
    portrait: bytes,
    tree: Tree,
    back_office_dakmil: User,
    commander_dakmil: User,
) -> list[Enrollment]:
    """Two approved dossiers of Đắk Mil: the student (born 15/03/2006) and a classmate."""
    mai = make_person(tree.daklao, "Trần Thị Mai", "02/09/2005", "F")
    second = another_captured(session, desks[0], officer_dakmil, leader, portrait, mai)  # type: ignore[arg-type]
    return [_ready(e, back_office_dakmil, commander_dakmil) for e in (captured, second)]
