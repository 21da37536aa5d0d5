# ruff: noqa: F811  (tests take the imported fixture `world` by its name)
"""A commune officer marks a person to be visited at home: the reasons an officer may give, the
person's scope, the audit, the button on the person's page, the form and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cccd.accounts.models import AuditEvent, User
from cccd.errors import DomainError
from cccd.reach import marks
from cccd.reach.models import HomeVisitMark
from tests.conftest import client_for
from tests.mixins import assert_audited
from tests.reach.homevisit_fixtures import World, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _mark_of(who: Any) -> tuple[str, str] | None:
    found = HomeVisitMark.objects.filter(person=who).first()
    return (found.reason, found.note) if found else None


def test_an_officer_marks_changes_and_removes_a_mark(world: World) -> None:
    ten = world.people["ten"]
    made = marks.mark_person(actor=world.officer, person_id=ten.pk, reason="disabled")
    assert _mark_of(ten) == ("disabled", "") and made.marked_by == world.officer
    event = assert_audited("homevisit.mark", made, actor=world.officer)
    assert event.before is None and event.after["reason"] == "disabled"
    assert event.unit == world.tree.daklao
    assert world.people["ten"].full_name not in event.object_repr  # the trail names no one
    marks.mark_person(actor=world.officer, person_id=ten.pk, reason="disabled")  # again
    assert AuditEvent.objects.filter(action="homevisit.mark", object_id=str(made.pk)).count() == 1
    changed = marks.mark_person(
        actor=world.leader, person_id=ten.pk, reason="other", note="Mới mổ, chưa đi lại được"
    )
    assert changed.pk == made.pk and _mark_of(ten) == ("other", "Mới mổ, chưa đi lại được")
    event = assert_audited("homevisit.mark", changed, actor=world.leader)
    assert event.before["reason"] == "disabled"
    assert marks.unmark_person(actor=world.officer, person_id=ten.pk) is True
    assert _mark_of(ten) is None
    gone = assert_audited("homevisit.unmark", ten, actor=world.officer)
    assert gone.before["reason"] == "other" and gone.object_repr == f"#{ten.pk}"
    assert marks.unmark_person(actor=world.officer, person_id=ten.pk) is False


@pytest.mark.parametrize(
    ("reason", "note", "code"),
    [
        ("very_old", "", "MARK_REASON"),  # computed from the register, never marked
        ("alone", "", "MARK_REASON"),
        ("", "", "MARK_REASON"),
        ("other", "  ", "MARK_NOTE_REQUIRED"),
        ("disabled", "x" * 301, "NAME_TOO_LONG"),
    ],
)
def test_a_mark_that_does_not_hold_is_refused(
    world: World, reason: str, note: str, code: str
) -> None:
    with pytest.raises(DomainError) as caught:
        marks.mark_person(
            actor=world.officer, person_id=world.people["ten"].pk, reason=reason, note=note
        )
    assert caught.value.code == code
    assert _mark_of(world.people["ten"]) is None


def test_marks_are_for_the_officers_own_people(world: World, officer_tayson: User) -> None:
    with pytest.raises(DomainError) as caught:
        marks.mark_person(actor=officer_tayson, person_id=world.people["ten"].pk, reason="disabled")
    assert caught.value.code == "NOT_FOUND"
    for who in (world.back_office, world.liaison):
        with pytest.raises(DomainError) as refused:
            marks.mark_person(actor=who, person_id=world.people["ten"].pk, reason="disabled")
        assert refused.value.code == "PERMISSION_DENIED"
    with pytest.raises(DomainError) as elsewhere:
        marks.unmark_person(actor=officer_tayson, person_id=world.people["marked"].pk)
    assert elsewhere.value.code == "NOT_FOUND"
    assert _mark_of(world.people["ten"]) is None
    assert _mark_of(world.people["marked"]) == ("bedridden", "Liệt")


def test_the_button_on_the_persons_page_and_the_form(world: World) -> None:
    ten = world.people["ten"]
    client = client_for(world.officer)
    client.cookies["django_language"] = "vi"
    person_page = client.get(reverse("person_detail", args=[ten.pk])).content.decode()
    url = reverse("reach_homevisits:mark", args=[ten.pk])
    assert "Cần đến tận nhà" in person_page and url in person_page
    back_office = client_for(world.back_office).get(reverse("person_detail", args=[ten.pk]))
    assert url not in back_office.content.decode()
    form = client.get(url)
    assert form.status_code == 200 and "Nguyễn Văn An" in form.content.decode()
    assert_audited("person.view", ten, actor=world.officer)
    refused = client.post(url, {"reason": "other", "note": ""})
    assert refused.status_code == 400 and "MARK_NOTE_REQUIRED" in refused.content.decode()
    unknown = client.post(url, {"reason": "very_old"})
    assert unknown.status_code == 400 and _mark_of(ten) is None
    done = client.post(url, {"reason": "bedridden", "note": "Nằm một chỗ"})
    assert done.status_code == 302 and _mark_of(ten) == ("bedridden", "Nằm một chỗ")
    shown = client.get(url).content.decode()
    assert 'data-reason="bedridden"' in shown and "Nằm liệt giường" in shown
    removed = client.post(reverse("reach_homevisits:unmark", args=[ten.pk]))
    assert removed.status_code == 302 and _mark_of(ten) is None
    assert client_for(world.back_office).get(url).status_code == 403


def test_marks_through_the_api(world: World, officer_tayson: User) -> None:
    ten = world.people["ten"].pk
    api = f"/api/v1/home-visits/people/{ten}"
    client = client_for(world.officer)
    assert client.get(f"{api}/mark").json() is None
    made = client.post(
        f"{api}/mark", {"reason": "disabled", "note": "Khiếm thị"}, content_type="application/json"
    )
    assert made.status_code == 200
    assert made.json() | {"marked_at": None} == {
        "person_id": ten,
        "reason": "disabled",
        "note": "Khiếm thị",
        "marked_by": world.officer.username,
        "marked_at": None,
    }
    assert client.get(f"{api}/mark").json()["reason"] == "disabled"
    bad = client.post(f"{api}/mark", {"reason": "alone"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "MARK_REASON"
    malformed = client.post(f"{api}/mark", {"reason": 7}, content_type="application/json")
    assert malformed.status_code == 422
    other = client_for(officer_tayson).post(
        f"{api}/mark", {"reason": "disabled"}, content_type="application/json"
    )
    assert other.status_code == 404
    assert client.post(f"{api}/unmark").json() == {"removed": True}
    assert client.post(f"{api}/unmark").json() == {"removed": False}
