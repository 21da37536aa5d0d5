"""The dashboard's figures equal a direct count of the dossiers, across midnight and across units,
on the page as in `queries.figures`; the page costs a fixed number of queries."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign, PriorityGroup, Target
from cccd.enrollments.models import Enrollment, Kind
from cccd.reports import counters, queries
from cccd.units.models import Unit
from tests.builders import Tree, make_person, make_user
from tests.conftest import client_for
from tests.enrollments.conftest import HCM

pytestmark = pytest.mark.django_db
START, END, DAY = datetime.date(2021, 2, 5), datetime.date(2021, 4, 30), datetime.date(2021, 3, 6)
STATES = [
    "captured",
    "completed",
    "approved",
    "in_production",
    "produced",
    "at_unit",
    "delivered",
    "returned_for_correction",
    "rejected",
    "cancelled",
]


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    campaign = Campaign.objects.create(
        unit=tree.ministry, name="CCCD 2021", law="2014", start_date=START, end_date=END
    )
    Target.objects.create(campaign=campaign, unit=tree.dakmil_police, total=40, per_day=2)
    Target.objects.create(campaign=campaign, unit=tree.tayson_police, total=30)
    return campaign


@pytest.fixture
def dossiers(tree: Tree, campaign: Campaign) -> list[Enrollment]:
    """80 dossiers over both districts and five weeks, many late in the evening (some after
    midnight, which count on the next day), in every state, then the counters rebuilt."""
    rng = random.Random(7)
    groups = [None, *PriorityGroup.objects.all()[:3]]
    rows = []
    for i in range(80):
        unit, commune = (
            (tree.dakmil_police, tree.daklao) if i % 3 else (tree.tayson_police, tree.tayson)
        )
        person = make_person(
            commune,
            f"Nguyễn Văn {'ABCDEGHKLMN'[i % 11]}",
            f"{1 + i % 28:02d}/0{1 + i % 9}/1990",
            "M",
        )
        day = DAY - datetime.timedelta(days=rng.randint(0, 34))
        moment = datetime.datetime.combine(
            day, datetime.time(23, 30), tzinfo=HCM
        ) + datetime.timedelta(minutes=rng.choice([0, 20, 45, 70]))
        state = STATES[i % len(STATES)]
        rows.append(
            Enrollment(
                unit=unit,
                campaign=campaign,
                person=person,
                kind=rng.choice(Kind.values),
                group=rng.choice(groups),
                law="2014",
                state=state,
                code=f"T-{i:04d}",
                received_at=moment,
                state_changed_at=moment + datetime.timedelta(days=3),
                return_date=day + datetime.timedelta(days=rng.randint(5, 20)),
            )
        )
    made = Enrollment.objects.bulk_create(rows)
    counters.rebuild()
    return made


def _direct(unit: Unit, until: datetime.date, *, on: datetime.date | None = None) -> int:
    """Dossiers of the unit's subtree that count as progress (not rejected or cancelled), by
    Vietnam's date, counted from the dossiers."""
    dossiers = Enrollment.objects.filter(unit__path__startswith=unit.path)
    return sum(
        1
        for e in dossiers.exclude(state__in=("draft", "rejected", "cancelled"))
        if START <= counters.local_day(e.received_at) <= until
        and (on is None or counters.local_day(e.received_at) == on)
    )


def test_figures_equal_a_direct_count_at_every_level(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment]
) -> None:
    for unit in (tree.ministry, tree.daknong_police, tree.dakmil_police, tree.tayson_police):
        f = queries.figures(unit, campaign, DAY)
        assert f.done == _direct(unit, DAY) > 0, unit.path
        assert f.today == _direct(unit, DAY, on=DAY)
        assert f.yesterday == _direct(unit, DAY, on=DAY - datetime.timedelta(days=1))
        assert f.daily[-1][2] == f.done and sum(n for _d, n, _c in f.daily) == f.done
        subtree = Enrollment.objects.filter(unit__path__startswith=unit.path)
        states = dict(
            subtree.values_list("state").annotate(n=Count("pk")).values_list("state", "n")
        )
        assert {s: n for s, _label, n in f.pipeline if n} == states
        overdue = subtree.filter(state__in=counters.LATE_STATES, return_date__lt=DAY).count()
        assert f.overdue == overdue
    ministry = queries.figures(tree.ministry, campaign, DAY)
    assert ministry.target == 70  # its districts' targets: it set none itself
    Target.objects.create(campaign=campaign, unit=tree.daklao_police, total=12)  # part of Đắk Mil's
    assert queries.figures(tree.ministry, campaign, DAY).target == 70
    assert queries.figures(tree.daklao_police, campaign, DAY).target == 12
    assert (
        sum(n for _g, n in ministry.by_group)
        == sum(n for _k, n in ministry.by_kind)
        == ministry.done
    )


def test_a_late_intake_after_midnight_is_the_next_days(tree: Tree, campaign: Campaign) -> None:
    person = make_person(tree.daklao, "Lê Văn Tám", "01/01/1990", "M")
    Enrollment.objects.create(
        unit=tree.dakmil_police,
        campaign=campaign,
        person=person,
        kind="first_issue",
        law="2014",
        state="captured",
        code="T-late",
        return_date=DAY,
        received_at=datetime.datetime(2021, 3, 6, 0, 15, tzinfo=HCM),
    )
    counters.rebuild()
    assert queries.figures(tree.dakmil_police, campaign, DAY).today == 1
    assert (
        queries.figures(tree.dakmil_police, campaign, DAY - datetime.timedelta(days=1)).today == 0
    )


def test_children_are_ranked_by_share_of_target(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment]
) -> None:
    f = queries.figures(tree.daknong_police, campaign, DAY)
    rows = {r.unit.path: r for r in f.children}
    assert set(rows) == {"/ca/L67/663/"}  # Tây Sơn is in another province
    national = queries.figures(tree.ministry, campaign, DAY).children
    assert [r.rank for r in national] == sorted(r.rank for r in national)
    shares = [r.percent for r in national if r.percent is not None]
    assert shares == sorted(shares, reverse=True)


def test_the_forecast_follows_the_last_weeks_pace(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment]
) -> None:
    f = queries.figures(tree.dakmil_police, campaign, DAY)
    assert f.forecast.pace == round(f.week / 7, 1)
    remaining = 40 - f.done
    assert f.forecast.remaining == max(remaining, 0)
    if remaining > 0 and f.week:
        days = -(-remaining * 7 // f.week)  # ceil(remaining / (week / 7))
        assert f.forecast.reaches_on == DAY + datetime.timedelta(days=days)
        assert f.forecast.needed_per_day == round(remaining / (END - DAY).days, 1)


def test_the_page_shows_the_same_figures_at_a_fixed_query_cost(
    tree: Tree, campaign: Campaign, dossiers: list[Enrollment], commander_daknong: User
) -> None:
    client = client_for(commander_daknong)
    url = f"/reports/?campaign={campaign.pk}&day=06/03/2021"
    page = client.get(url)
    assert page.status_code == 200
    f = queries.figures(tree.daknong_police, campaign, DAY)
    html = page.content.decode()
    assert f'data-testid="done">{f.done}<' in html and f'data-testid="overdue">{f.overdue}<' in html
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    more = [make_person(tree.daklao, "Phạm Thị Hoa", f"0{i + 1}/05/1991", "F") for i in range(5)]
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                unit=tree.dakmil_police,
                campaign=campaign,
                person=p,
                kind="first_issue",
                law="2014",
                state="captured",
                code=f"T-more-{p.pk}",
                received_at=datetime.datetime(2021, 3, 1, 9, tzinfo=HCM),
            )
            for p in more
        ]
    )
    counters.rebuild()
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(first) == len(second) <= 20, [q["sql"][:80] for q in second.captured_queries]


def test_another_units_dashboard_is_a_404_and_bad_input_a_400(
    tree: Tree, campaign: Campaign, officer_tayson: User, liaison_dakmil: User
) -> None:
    client = client_for(officer_tayson)
    assert client.get(f"/reports/units/{tree.dakmil_police.pk}/").status_code == 404
    assert client.get(f"/reports/units/{tree.tayson_police.pk}/").status_code == 200
    assert client.get("/reports/?day=31/02/2021").status_code == 400
    assert client.get("/reports/?campaign=abc").status_code == 400
    assert client.get("/reports/?campaign=999999").status_code == 404
    assert client_for(liaison_dakmil).get("/reports/").status_code == 403


def test_every_role_with_a_unit_but_the_liaison_sees_dashboards(tree: Tree) -> None:
    for role in Role:
        user = make_user(f"r-{role}", role, tree.dakmil_police)
        assert user.has_perm("reports.view_dashboard") == (role != Role.LIAISON), role
