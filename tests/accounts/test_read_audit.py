"""Every read of personal data is audited — a person's register record at the intake, a dossier,
the appointment slip, the ticket slip, a class list and its discrepancies, the rejected rows of an
import — as register look-ups are: who, what, when, from where. The event names the object by its
code or row id, never by the person's name or ID number."""

from __future__ import annotations

from typing import Any

import pytest

from cccd.accounts.models import AuditEvent, Role, User
from cccd.enrollments.models import Enrollment
from cccd.registry.models import Person
from cccd.rosters.models import Roster, RosterEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

READS = [
    # (who, url, action, the object's model, the key of its id in `objects`)
    (Role.OFFICER, "/intake/tickets/{called_ticket_id}/", "person.view", Person, "person_id"),
    (
        Role.OFFICER,
        "/intake/dossiers/{enrollment_id}/",
        "enrollment.view",
        Enrollment,
        "enrollment_id",
    ),
    (
        Role.BACK_OFFICE,
        "/intake/dossiers/{enrollment_id}/slip.pdf",
        "enrollment.slip",
        Enrollment,
        "enrollment_id",
    ),
    (
        Role.TEAM_LEADER,
        "/queue/tickets/{called_ticket_id}/slip/",
        "ticket.slip",
        None,
        "called_ticket_id",
    ),
    (
        Role.TEAM_LEADER,
        "/queue/sessions/{session_id}/sheets/",
        "session.class_sheets",
        None,
        "session_id",
    ),
    (Role.LIAISON, "/rosters/sessions/{session_id}/", "roster.view", Roster, "roster_id"),
    (
        Role.LIAISON,
        "/rosters/{roster_id}/discrepancies.xlsx",
        "roster.discrepancies",
        Roster,
        "roster_id",
    ),
    (Role.LIAISON, "/api/v1/rosters/{roster_id}", "roster.view", Roster, "roster_id"),
    (
        Role.BACK_OFFICE,
        "/rosters/{roster_id}/review/",
        "roster_entry.view",
        RosterEntry,
        "entry_id",
    ),
    (
        Role.ADMINISTRATOR,
        "/registry/imports/{import_id}/rejected.xlsx",
        "register_import.download_rejected",
        None,
        "import_id",
    ),
    (
        Role.COMMANDER,
        "/dossiers/{enrollment_id}/card/",
        "enrollment.view_card",
        Enrollment,
        "enrollment_id",
    ),
    (Role.COMMANDER, "/dossiers/{enrollment_id}/", "enrollment.view", Enrollment, "enrollment_id"),
    (Role.OFFICER, "/registry/people/{person_id}/", "person.view", Person, "person_id"),
]


@pytest.mark.parametrize(
    ("role", "url", "action", "model", "key"), READS, ids=[f"{r[0]}-{r[2]}" for r in READS]
)
def test_the_read_is_audited_with_who_what_and_when_and_no_personal_data(
    role: str,
    url: str,
    action: str,
    model: Any,
    key: str,
    people: dict[str, User],
    objects: dict[str, Any],
    student: Person,
) -> None:
    user = people[role]
    before = AuditEvent.objects.filter(action=action).count()
    response = client_for(user).get(url.format(**objects), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200, response.status_code
    events = AuditEvent.objects.filter(action=action).order_by("id")
    assert events.count() == before + 1
    event = events.last()
    assert (event.actor, event.source) == (user, "10.1.2.3")
    assert event.object_id == str(objects[key])
    if model is not None:
        assert event.object_type == model._meta.label_lower
    if action.startswith("person.") and url.startswith("/intake/"):
        assert event.after == {"ticket": objects["called_ticket_id"]}
    if action.startswith(("roster", "enrollment.slip", "ticket", "session", "register_import")):
        written = f"{event.object_repr} {event.before} {event.after}"
        assert student.full_name not in written and student.personal_id not in written


def test_a_dossier_is_named_by_its_code_and_a_person_by_a_row_number(
    people: dict[str, User], objects: dict[str, Any]
) -> None:
    officer = people[Role.OFFICER]
    client_for(officer).get(f"/intake/tickets/{objects['called_ticket_id']}/")
    client_for(officer).get(f"/intake/dossiers/{objects['enrollment_id']}/slip.pdf")
    person_view = AuditEvent.objects.filter(action="person.view").last()
    slip = AuditEvent.objects.filter(action="enrollment.slip").last()
    assert person_view.object_repr == f"#{objects['person_id']}"
    assert slip.object_repr == Enrollment.objects.get(pk=objects["enrollment_id"]).code
