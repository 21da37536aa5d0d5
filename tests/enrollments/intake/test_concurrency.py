"""A "finish" clicked on two tabs at the same instant makes one dossier (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from cccd.accounts.models import User
from cccd.enrollments.intake import services
from cccd.enrollments.models import Enrollment, Fee, FeeExemption, Holiday
from cccd.enrollments.reference import load_reference
from cccd.errors import DomainError
from cccd.tickets.models import Ticket
from tests.enrollments.conftest import capture_everything

TABS = 6


@pytest.mark.django_db(transaction=True)
def test_finishing_at_once_makes_exactly_one_dossier(
    called: Ticket, officer_dakmil: User, portrait: bytes
) -> None:
    # a transactional test before this one may have flushed the data migration's fees
    load_reference(Fee, FeeExemption, Holiday)
    capture_everything(called, officer_dakmil, portrait)
    start = threading.Barrier(TABS)
    codes: list[str] = []
    refusals: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def click() -> None:
        try:
            start.wait()
            done = services.finish_intake(called.pk, actor=officer_dakmil)
            with lock:
                codes.append(done.code or "")
        except DomainError as exc:
            with lock:
                refusals.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - every other failure fails the test
            failures.append(exc)
        finally:
            connections.close_all()

    tabs = [threading.Thread(target=click) for _ in range(TABS)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    assert failures == []
    assert len(codes) == 1 and refusals == ["ALREADY_FINISHED"] * (TABS - 1)
    assert Enrollment.objects.get(state=Enrollment.State.CAPTURED).code == codes[0]
