"""The evening at THPT Đắk Mil of the enrollments tests (a session, its desks, a student called to
desk 1, the dossier captured), for the tests of who may see what: `people` (one user of each role,
keyed by role) and `objects` (one of everything a route takes, keyed by the route's argument)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from cccd.accounts.models import Role, User
from cccd.accounts.services import create_api_token
from cccd.campaigns.models import Session, Venue
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.intake import services as intake
from cccd.enrollments.models import Enrollment
from cccd.enrollments.production import services as production
from cccd.enrollments.public.links import link_token
from cccd.notify.links import stop_token
from cccd.registry.importing import run_import
from cccd.registry.models import Person
from cccd.registry.services import import_file
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.tickets import services as tickets
from cccd.tickets.models import Desk, Ticket
from tests.builders import Tree, make_person
from tests.enrollments import conftest as evening

# the evening's fixtures, shared with the enrollments tests
back_office_dakmil = evening.back_office_dakmil
called = evening.called
captured = evening.captured
desks = evening.desks
groups = evening.groups
leader = evening.leader
portrait = evening.portrait
session = evening.session
student = evening.student


@pytest.fixture
def people(
    tree: Tree,
    officer_dakmil: User,
    leader: User,
    commander_daknong: User,
    back_office_dakmil: User,
    liaison_dakmil: User,
    administrator: User,
) -> dict[str, User]:
    return {
        Role.OFFICER: officer_dakmil,
        Role.TEAM_LEADER: leader,
        Role.COMMANDER: commander_daknong,
        Role.BACK_OFFICE: back_office_dakmil,
        Role.LIAISON: liaison_dakmil,
        Role.ADMINISTRATOR: administrator,
    }


@pytest.fixture
def objects(
    tree: Tree,
    people: dict[str, User],
    session: Session,
    desks: list[Desk],
    called: Ticket,
    student: Person,
    portrait: bytes,
    tmp_path: Path,
) -> dict[str, Any]:
    """One of everything the routes take, all in Đắk Mil (the administrator's import at the
    ministry): the venue is the liaison's school."""
    Venue.objects.filter(pk=session.venue_id).update(liaison=people[Role.LIAISON])
    change = intake.propose_change(
        called.pk, "father_name", "Nguyễn Văn An", "Giấy khai sinh", actor=people[Role.OFFICER]
    )
    evening.capture_everything(called, people[Role.OFFICER], portrait)
    dossier = intake.finish_intake(called.pk, actor=people[Role.OFFICER])
    classmate = make_person(tree.daklao, "Trần Thị Mai", "02/09/2005", "F")
    second = evening.another_captured(
        session, desks[0], people[Role.OFFICER], people[Role.TEAM_LEADER], portrait, classmate
    )  # type: ignore[arg-type]
    Person.objects.filter(pk=classmate.pk).update(
        hometown="Xã Đắk Lao, huyện Đắk Mil, tỉnh Đắk Nông",
        permanent_address="Thôn 5",
        ethnicity="Kinh",
        religion="Không",
    )
    lifecycle.move(second.pk, "complete", actor=people[Role.BACK_OFFICE])
    lifecycle.move(second.pk, "approve", actor=people[Role.COMMANDER])
    batch = production.export_batch(actor=people[Role.BACK_OFFICE])
    waiting = tickets.issue_walk_in(session.pk, actor=people[Role.TEAM_LEADER])
    roster = Roster.objects.create(
        session=session,
        unit=session.unit,
        original_name="12A1.csv",
        kind="csv",
        file=ContentFile(
            "Họ và tên,Ngày sinh,Lớp\nNguyễn Văn Đức,15/03/2006,12A1\n", name="12A1.csv"
        ),
        headers=["Họ và tên", "Ngày sinh", "Lớp"],
        state=Roster.State.CHECKED,
        uploaded_by=people[Role.LIAISON],
    )
    entry = RosterEntry.objects.create(
        roster=roster,
        row=1,
        line=2,
        fingerprint="1",
        full_name="Nguyễn Văn Đức",
        class_name="12A1",
        outcome=Outcome.REVIEW,
        values={"full_name": "Nguyễn Văn Đức", "birth_date": "15/03/2006", "class_name": "12A1"},
        candidates=[{"person": student.pk, "personal_id": student.personal_id, "probability": 0.8}],
    )
    register = tmp_path / "register.csv"
    register.write_text(
        "Số định danh,Họ và tên,Ngày sinh,Giới tính,Nơi thường trú\n"
        "123,Nguyễn Sai,01/01/2000,Nam,Thôn 5\n"
    )
    register_import = run_import(import_file(register, actor=people[Role.ADMINISTRATOR]))
    token, _key = create_api_token(name="máy trạm", actor=people[Role.ADMINISTRATOR])
    return {
        "user_id": people[Role.OFFICER].pk,
        "token_id": token.pk,
        "packet_id": "0b7e5a52-3d2f-4c11-9a57-58f4e1c0d6a3",  # a kit's packet: no user reaches it
        "unit_id": tree.dakmil_police.pk,
        "parent_id": tree.dakmil_police.pk,
        "person_id": student.pk,
        "import_id": register_import.pk,
        "campaign_id": session.campaign_id,
        "session_id": session.pk,
        "roster_id": roster.pk,
        "entry_id": entry.pk,
        "number": 1,
        "action": "open",
        "ticket_id": waiting.pk,
        "enrollment_id": dossier.pk,
        "change_id": change.pk,
        "batch_id": batch.pk,
        "fmt": "xlsx",
        "desk_id": desks[0].pk,
        "called_ticket_id": called.pk,
        "run_id": 1,  # a planning run: none exists, so the planner's pages answer 404 past the door  # the student's number, finished at desk 1
        # per route
        "intake:capture.kind": "photo",
        "intake:slots.kind": "fingerprint",
        "ticket_public.token": waiting.public_token,
        "public:link.token": link_token(Enrollment.objects.get(pk=dossier.pk)),
        "booking:slot.slot": 1,  # no slot open to booking: the form says so, past the door
        "token": "no-such-booking-link",  # the booking pages' link token
        "notify:stop.token": stop_token("sms", "84912345678"),
        "kind": "photo",  # the intake API's capture routes
        "slot": 0,
    }
