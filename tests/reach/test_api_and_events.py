"""A real intake and a real rejection move the coverage in their transaction; the API gives the
page's figures with the page's scope and refusals; `cccd coverage` builds and reads them."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.intake import services
from cccd.enrollments.models import Enrollment
from cccd.reach import cohort, queries
from cccd.reach.models import CoverageDay, Reachable
from cccd.registry.models import Person
from cccd.tickets.models import Ticket
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import capture_everything

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 3, 6)  # the evening of the tests' session


def _reached(session: Session, tree: Tree) -> tuple[int, int]:
    total = queries.coverage(session.campaign, tree.daklao, DAY).total
    return total.eligible, total.reached


def test_an_intake_and_its_rejection_move_the_coverage(
    called: Ticket,
    officer_dakmil: User,
    commander_dakmil: User,
    portrait: bytes,
    student: Person,
    tree: Tree,
) -> None:
    session = called.session
    cohort.build(session.campaign)
    assert _reached(session, tree) == (1, 0)
    capture_everything(called, officer_dakmil, portrait)
    dossier = services.finish_intake(called.pk, actor=officer_dakmil)
    assert _reached(session, tree) == (1, 1)
    row = Reachable.objects.get(campaign=session.campaign, person=student)
    assert row.reached_on == DAY
    lifecycle.move(dossier.pk, "reject", actor=commander_dakmil, reason="Không đủ điều kiện")
    assert _reached(session, tree) == (1, 0)
    assert set(CoverageDay.objects.values_list("reached", flat=True)) == {0}


def test_the_api_is_the_pages_figures_in_its_scope(
    captured: Enrollment, commander_dakmil: User, tree: Tree
) -> None:
    campaign = captured.campaign
    assert campaign is not None
    cohort.build(campaign)
    url = f"/api/v1/coverage/?campaign={campaign.pk}&unit={tree.dakmil.pk}&day=06/03/2021"
    body = client_for(commander_dakmil).get(url)
    assert body.status_code == 200, body.content
    data = body.json()
    expected = queries.coverage(campaign, tree.dakmil, DAY)
    assert (data["total"]["eligible"], data["total"]["reached"]) == (1, 1)
    assert [(c["label"], c["eligible"], c["reached"]) for c in data["children"]] == [
        (f.label, f.eligible, f.reached) for f in expected.children
    ]
    assert data["total"]["rate"] == 1.0 and data["level"] == "district"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("day=31/02/2021", 400),
        ("day=" + "9" * 30, 422),
        ("day=01/01/2099", 400),
        ("campaign=abc", 400),
        ("campaign=999999", 404),
        ("unit=999999", 404),
    ],
)
def test_a_bad_query_is_a_4xx_with_its_code(
    captured: Enrollment, commander_dakmil: User, query: str, status: int
) -> None:
    body = client_for(commander_dakmil).get(f"/api/v1/coverage/?{query}")
    assert body.status_code == status, body.content
    assert body.json().get("code") or body.json().get("detail")


def test_another_districts_place_is_not_found_and_a_liaison_is_refused(
    captured: Enrollment, tree: Tree, liaison_dakmil: User
) -> None:
    tayson = make_user("chihuy.tayson", "commander", tree.tayson_police)
    assert client_for(tayson).get(f"/api/v1/coverage/?unit={tree.dakmil.pk}").status_code == 404
    assert client_for(liaison_dakmil).get("/api/v1/coverage/").status_code == 403


def test_the_command_builds_shows_and_counts(captured: Enrollment, tree: Tree) -> None:
    campaign = captured.campaign
    assert campaign is not None
    out = io.StringIO()
    call_command("coverage", "build", campaign=campaign.pk, stdout=out)
    assert "Cohort built: 1 people, 1 reached" in out.getvalue()
    out = io.StringIO()
    call_command(
        "coverage",
        "show",
        campaign=campaign.pk,
        unit=tree.daklao.path,
        date="2021-03-06",
        stdout=out,
    )
    assert out.getvalue().splitlines()[0] == "Xã Đắk Lao\t1/1\t100,0 %"
    out = io.StringIO()
    call_command("coverage", "eligible", campaign=campaign.pk, date="2021-02-05", stdout=out)
    assert out.getvalue().strip().endswith(": 1 eligible")
    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("coverage", "show", campaign=campaign.pk, date="06/03/2021")
    with pytest.raises(CommandError, match="no campaign"):
        call_command("coverage", "build", campaign=987654)
