"""The dossier screens' query strings under `cccd.queryforms`' rule: the work queue's filters (on
the queue, a dossier's page and the approval page), the search box and the deadline window. A
value that cannot be read is 400 BAD_QUERY; a session or officer of another unit is the 404 of a
missing one — before the forms it was an empty queue that looked like "nothing to do"."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from cccd.accounts.models import AuditEvent, Role, User
from cccd.campaigns.models import Campaign, Session, Team, Venue
from cccd.enrollments.models import Enrollment
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import HCM
from tests.enrollments.dossiers.test_lifecycle_views import make_dossier

pytestmark = pytest.mark.django_db

S = Enrollment.State
EVENING = datetime.datetime(2021, 3, 6, 19, tzinfo=HCM)


def _session(unit: object, leader: User) -> Session:
    campaign = Campaign.objects.create(
        unit=unit,
        name="CCCD",
        law="2014",
        start_date=datetime.date(2021, 2, 1),
        end_date=datetime.date(2021, 6, 30),
    )
    venue = Venue.objects.create(unit=unit, kind="school", name="Trường")
    team = Team.objects.create(unit=unit, name="Tổ 1", leader=leader)
    return Session.objects.create(
        campaign=campaign,
        unit=unit,
        venue=venue,
        team=team,
        starts_at=EVENING,
        ends_at=EVENING + datetime.timedelta(hours=3),
    )


@pytest.fixture
def dossier(tree: Tree) -> Enrollment:
    return make_dossier(tree, S.COMPLETED)


def _queue_urls(dossier: Enrollment) -> list[str]:
    return ["/dossiers/", f"/dossiers/{dossier.pk}/", "/dossiers/approve/"]


def _assert_bad_query(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, url
    assert "BAD_QUERY" in response.content.decode(), url


@pytest.mark.parametrize(
    "query",
    [
        "session=abc",
        "session=-1",
        "session=²",
        "officer=1;drop",
        "officer=" + "9" * 13,
        "overdue=maybe",
        "overdue=2",
    ],
)
def test_a_filter_that_cannot_be_read_is_a_400_on_every_screen_of_the_queue(
    dossier: Enrollment, commander_dakmil: User, query: str
) -> None:
    client = client_for(commander_dakmil)
    for url in _queue_urls(dossier):
        _assert_bad_query(client, f"{url}?{query}")
    assert not AuditEvent.objects.filter(action="enrollment.view").exists()


@pytest.mark.parametrize("state", ["bogus", "draft", "CAPTURED", "x" * 300])
def test_a_state_that_is_not_offered_is_a_400(
    dossier: Enrollment, back_office_dakmil: User, state: str
) -> None:
    client = client_for(back_office_dakmil)
    for url in ("/dossiers/", f"/dossiers/{dossier.pk}/"):
        _assert_bad_query(client, f"{url}?state={state}")


def test_another_units_session_or_officer_is_the_404_of_a_missing_one(
    tree: Tree, dossier: Enrollment, commander_dakmil: User
) -> None:
    tayson_leader = make_user("totruong.tayson", Role.TEAM_LEADER, tree.tayson_police)
    theirs = _session(tree.tayson_police, tayson_leader)
    mine = _session(
        tree.dakmil_police, make_user("totruong.dakmil", Role.TEAM_LEADER, tree.dakmil_police)
    )
    officer = make_user("canbo.dakmil2", Role.OFFICER, tree.dakmil_police)
    client = client_for(commander_dakmil)
    for url in _queue_urls(dossier):
        for query in (
            f"session={theirs.pk}",
            "session=999999",
            f"officer={tayson_leader.pk}",
            "officer=999999",
        ):
            assert client.get(f"{url}?{query}").status_code == 404, (url, query)
        mine_ok = client.get(f"{url}?session={mine.pk}&officer={officer.pk}&overdue=1&state=all")
        assert mine_ok.status_code == 200, url


def test_the_queue_keeps_its_filters_in_its_links(
    tree: Tree, dossier: Enrollment, back_office_dakmil: User
) -> None:
    page = client_for(back_office_dakmil).get("/dossiers/?state=completed&overdue=on")
    assert page.status_code == 200
    assert f'href="/dossiers/{dossier.pk}/?state=completed&amp;overdue=1"' in page.content.decode()


def test_a_search_longer_than_the_box_is_a_400_not_cut_short(
    dossier: Enrollment, officer_dakmil: User
) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/dossiers/search/", {"q": "nguyen " + "a" * 93}).status_code == 200
    _assert_bad_query(client, "/dossiers/search/?q=" + "a" * 101)
    assert AuditEvent.objects.filter(action="enrollment.search").count() == 1  # the one searched


@pytest.mark.parametrize("days", ["abc", "0", "21", "-1", "3.5", "1e1", "9" * 400])
def test_a_deadline_window_that_cannot_be_read_is_a_400_with_its_sentence(
    officer_dakmil: User, days: str
) -> None:
    response = client_for(officer_dakmil).get("/dossiers/deadlines/", {"days": days})
    assert response.status_code == 400
    page = response.content.decode()
    assert "BAD_QUERY" in page and "working days from 1 to 20" in page
    assert not AuditEvent.objects.filter(action="enrollment.deadlines").exists()


def test_an_empty_deadline_window_is_the_default(officer_dakmil: User) -> None:
    assert client_for(officer_dakmil).get("/dossiers/deadlines/?days=").status_code == 200
    event = AuditEvent.objects.get(action="enrollment.deadlines")
    assert event.after["days"] == 3


def test_a_ticked_dossier_that_is_not_a_number_is_refused_not_a_500(
    dossier: Enrollment, commander_dakmil: User
) -> None:
    response = client_for(commander_dakmil).post("/dossiers/approve/", {"ids": [dossier.pk, "²"]})
    assert response.status_code == 422  # a form post keeps its answer (not a query string)
    assert Enrollment.objects.get(pk=dossier.pk).state == S.COMPLETED
