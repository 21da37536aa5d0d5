"""The dossier's events reach the counters inside the move's transaction (enrollments/events.py),
and the lists and the queue ask the dossiers about open applications through a hook
(registry/open_applications.py): the two places where a lower floor is told by a higher one."""

from __future__ import annotations

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.enrollments import events
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment
from cccd.registry import open_applications
from cccd.reports import counters
from cccd.reports.models import StateCount

pytestmark = pytest.mark.django_db


def test_the_reports_count_every_dossier_event() -> None:
    assert counters.count in events._receivers


def test_a_receiver_that_fails_rolls_the_move_back_with_it(
    captured: Enrollment, back_office_dakmil: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(event: events.DossierEvent) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(events, "_receivers", [*events._receivers, broken])
    counted = list(StateCount.objects.values_list("unit_id", "state", "count"))
    with pytest.raises(RuntimeError):
        lifecycle.move(captured.pk, "complete", actor=back_office_dakmil)
    assert Enrollment.objects.get(pk=captured.pk).state == "captured"
    assert not AuditEvent.objects.filter(action="enrollment.complete").exists()
    assert list(StateCount.objects.values_list("unit_id", "state", "count")) == counted


def test_the_dossiers_answer_who_has_an_open_application(captured: Enrollment) -> None:
    assert open_applications.holders([captured.person_id]) == {captured.person_id}
    assert (
        open_applications.holders([captured.person_id], except_session_id=captured.session_id)
        == set()
    )
    assert open_applications.problem(captured.person).code == "OPEN_APPLICATION"


def test_without_an_answer_the_question_is_an_error_not_nobody(
    captured: Enrollment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(open_applications, "_answers", [])
    with pytest.raises(RuntimeError, match="cccd.enrollments"):
        open_applications.holders([captured.person_id])
