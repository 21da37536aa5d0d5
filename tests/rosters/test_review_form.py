"""The review screen's form, tampered with: a clear 4xx, never a 500."""

from __future__ import annotations

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from tests.conftest import client_for
from tests.tickets import conftest as evening
from tests.tickets.conftest import make_roster

pytestmark = pytest.mark.django_db

leader = evening.leader
session = evening.session


@pytest.mark.parametrize("entry", ["abc", "1e3", "-1", "9" * 40])
def test_a_row_that_is_not_a_row_number_is_a_404_not_a_500(
    entry: str, session: Session, officer_dakmil: User
) -> None:
    roster = make_roster(session, [("Nguyễn Văn Đức", "12A1", "review")])
    response = client_for(officer_dakmil).post(
        f"/rosters/{roster.pk}/review/", {"entry": entry, "decision": "rejected"}
    )
    assert response.status_code == 404
    assert roster.entries.get().decision == ""
