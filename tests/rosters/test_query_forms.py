"""The roster pages' query strings under `cccd.queryforms`' rule: an outcome the page does not
offer and a row that is not a row number are 400 BAD_QUERY. Before the forms the first showed
every row as if no filter had been asked, and a row such as "²" was a 500."""

from __future__ import annotations

import pytest

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Session
from tests.conftest import client_for
from tests.tickets import conftest as evening
from tests.tickets.conftest import make_roster

pytestmark = pytest.mark.django_db

leader = evening.leader
session = evening.session


def _assert_bad_query(response: object, url: str) -> None:
    assert response.status_code == 400, url  # type: ignore[attr-defined]
    assert "BAD_QUERY" in response.content.decode(), url  # type: ignore[attr-defined]


@pytest.mark.parametrize("outcome", ["bogus", "MATCHED", "matched ", "x" * 300])
def test_an_outcome_the_page_does_not_offer_is_a_400(
    session: Session, officer_dakmil: User, outcome: str
) -> None:
    roster = make_roster(session, [("Nguyễn Văn Đức", "12A1", "review")])
    client = client_for(officer_dakmil)
    for url in (f"/rosters/sessions/{session.pk}/", f"/rosters/{roster.pk}/"):
        _assert_bad_query(client.get(url, {"outcome": outcome}), url)
    assert not AuditEvent.objects.filter(action="roster.view").exists()


def test_an_offered_outcome_filters_the_session_page(
    session: Session, officer_dakmil: User
) -> None:
    response = client_for(officer_dakmil).get(f"/rosters/sessions/{session.pk}/?outcome=matched")
    assert response.status_code == 200


@pytest.mark.parametrize("after", ["abc", "-1", "1.5", "²", "9" * 30])
def test_a_row_that_is_not_a_row_number_is_a_400(
    session: Session, officer_dakmil: User, after: str
) -> None:
    roster = make_roster(session, [("Nguyễn Văn Đức", "12A1", "review")])
    url = f"/rosters/{roster.pk}/review/"
    _assert_bad_query(client_for(officer_dakmil).get(url, {"after": after}), url)
    assert not AuditEvent.objects.filter(action="roster_entry.view").exists()


def test_the_skip_link_shows_the_next_doubtful_row(session: Session, officer_dakmil: User) -> None:
    roster = make_roster(
        session, [("Nguyễn Văn Đức", "12A1", "review"), ("Trần Thị Mai", "12A1", "ambiguous")]
    )
    client = client_for(officer_dakmil)
    assert "Row 2 (line 6" in client.get(f"/rosters/{roster.pk}/review/?after=1").content.decode()
    assert "Row 1 (line 5" in client.get(f"/rosters/{roster.pk}/review/?after=").content.decode()


@pytest.mark.parametrize("text", ["²", "9" * 40])
def test_an_id_in_the_review_form_that_is_not_one_is_a_4xx_not_a_500(
    session: Session, officer_dakmil: User, text: str
) -> None:
    """Form posts are not query strings: they keep their answers, but "²" (a digit to
    `str.isdigit`, not to `int`) was a 500 in each of them."""
    roster = make_roster(session, [("Nguyễn Văn Đức", "12A1", "review")])
    client = client_for(officer_dakmil)
    entry = roster.entries.get()
    picked = client.post(
        f"/rosters/{roster.pk}/review/", {"entry": entry.pk, "decision": "picked", "person": text}
    )
    assert 400 <= picked.status_code < 500
    assert client.post(f"/rosters/{roster.pk}/confirm/", {"against": text}).status_code < 500
    entry.refresh_from_db()
    assert entry.decision == ""
