"""Cards at the unit on the dashboard: the figures equal a direct count of dossiers moved through
`arrive` and `deliver` at known times, scoped to the user's subtree, for the roles that see the
dashboard; the waiting-long setting; the empty state."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from cccd.accounts.models import Role, User
from cccd.campaigns.models import Campaign
from cccd.enrollments.dossiers import lifecycle
from cccd.enrollments.models import Enrollment
from cccd.reports import cards, counters
from cccd.units.models import Unit
from tests.builders import Tree, make_person, make_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
NOW = timezone.now()

# (unit attribute, days ago it arrived, days ago it was collected or None, in the campaign)
WORLD = [
    ("dakmil_police", 40, None, True),
    ("dakmil_police", 5, None, True),
    ("dakmil_police", 20, 10, True),
    ("dakmil_police", 12, 8, False),  # no campaign: in the total, not in the campaign's figure
    ("daklao_police", 35, None, True),
    ("daklao_police", 3, 1, True),
    ("tayson_police", 50, None, True),  # another province
    ("tayson_police", 30, 1, True),
]


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    return Campaign.objects.create(
        unit=tree.ministry,
        name="CCCD",
        law="2014",
        start_date=(NOW - datetime.timedelta(days=90)).date(),
        end_date=(NOW + datetime.timedelta(days=30)).date(),
    )


def _ago(days: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=days)


@pytest.fixture
def world(tree: Tree, campaign: Campaign) -> list[Enrollment]:
    """Produced dossiers, counted, then moved by the lifecycle: arrive, and some deliver."""
    clerk = make_user("bo.ministry", Role.BACK_OFFICE, tree.ministry)
    made = []
    for i, (unit_name, _arrived, _collected, in_campaign) in enumerate(WORLD):
        person = make_person(tree.daklao, f"Trần Văn {'ABCDEGHK'[i]}", f"0{i + 1}/02/1990", "M")
        made.append(
            Enrollment.objects.create(
                unit=getattr(tree, unit_name),
                campaign=campaign if in_campaign else None,
                person=person,
                kind="first_issue",
                law="2014",
                state="produced",
                code=f"C-{i:03d}",
                received_at=_ago(80),
                state_changed_at=_ago(60),
            )
        )
    counters.rebuild()
    for dossier, (_u, arrived, collected, _c) in zip(made, WORLD, strict=True):
        lifecycle.apply(dossier, "arrive", actor=clerk, now=_ago(arrived))
        if collected is not None:
            lifecycle.apply(
                dossier,
                "deliver",
                actor=clerk,
                now=_ago(collected),
                delivery="posted",
                tracking_number="VN123",
            )
    return made


def _direct(unit: Unit, campaign: Campaign, waiting_days: int) -> dict[str, object]:
    """The same figures, counted from the dossiers and the WORLD's known times."""
    rows = [
        (e, spec)
        for e, spec in zip(Enrollment.objects.order_by("code"), WORLD, strict=True)
        if e.unit.path.startswith(unit.path)
    ]
    at_unit = [(e, s) for e, s in rows if e.state == "at_unit"]
    delivered = [(e, s) for e, s in rows if e.state == "delivered"]
    days = sorted(float(s[1] - (s[2] or 0)) for _e, s in delivered)
    return {
        "waiting": len(at_unit),
        "long": sum(1 for _e, s in at_unit if s[1] > waiting_days),
        "campaign": sum(1 for e, _s in delivered if e.campaign_id == campaign.pk),
        "total": len(delivered),
        "days": days,
    }


def _check(row: cards.CardsRow, direct: dict[str, object]) -> None:
    assert row.waiting == direct["waiting"]
    assert row.waiting_long == direct["long"]
    assert row.collected_campaign == direct["campaign"]
    assert row.collected_total == direct["total"]
    assert sorted(round(d, 3) for d in row.days) == direct["days"]


def test_figures_equal_a_direct_count_at_every_level(
    tree: Tree, campaign: Campaign, world: list[Enrollment]
) -> None:
    for unit in (tree.ministry, tree.daknong_police, tree.dakmil_police, tree.daklao_police):
        rows = cards.cards_at_units(unit, campaign.pk, NOW)
        assert rows[0].unit == unit
        for row in rows:
            _check(row, _direct(row.unit, campaign, 30))
    own = cards.cards_at_units(tree.daknong_police, campaign.pk, NOW)[0]
    assert (own.waiting, own.waiting_long, own.collected_campaign, own.collected_total) == (
        3,
        2,
        2,
        3,
    )
    assert own.median_days == 4.0 and own.p90_days == 10.0  # days [2, 4, 10]
    national = cards.cards_at_units(tree.ministry, campaign.pk, NOW)[0]
    assert national.waiting == 4 and national.collected_total == 4  # Tây Sơn counts there


def test_the_waiting_long_setting(tree: Tree, campaign: Campaign, world: list[Enrollment]) -> None:
    for days, expected in ((4, 3), (30, 2), (36, 1), (365, 0)):
        with override_settings(CCCD_CARD_WAITING_DAYS=days):
            row = cards.cards_at_units(tree.daknong_police, campaign.pk, NOW)[0]
            assert (
                row.waiting_long == expected == _direct(tree.daknong_police, campaign, days)["long"]
            )


def test_empty_state(tree: Tree, campaign: Campaign, commander_daknong: User) -> None:
    rows = cards.cards_at_units(tree.daknong_police, campaign.pk, NOW)
    assert [(r.waiting, r.waiting_long, r.collected_total, r.median_days) for r in rows] == [
        (0, 0, 0, None)
    ] * len(rows)
    page = client_for(commander_daknong).get(f"/reports/?campaign={campaign.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="cards-median-{tree.daknong_police.pk}">—<' in html


@pytest.mark.parametrize(
    "role", [Role.COMMANDER, Role.OFFICER, Role.TEAM_LEADER, Role.BACK_OFFICE, Role.ADMINISTRATOR]
)
def test_the_block_is_shown_scoped_to_the_roles_that_see_the_dashboard(
    tree: Tree, campaign: Campaign, world: list[Enrollment], role: Role
) -> None:
    user = make_user(f"u-{role.value}", role, tree.daknong_police)
    page = client_for(user).get(f"/reports/?campaign={campaign.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="cards"' in html
    assert f'data-testid="cards-waiting-{tree.daknong_police.pk}">3<' in html
    assert f'data-testid="cards-long-{tree.daknong_police.pk}">2<' in html
    assert f'data-testid="cards-collected-{tree.daknong_police.pk}">2<' in html
    assert f'data-testid="cards-median-{tree.daknong_police.pk}">4.0<' in html
    assert f'data-testid="cards-{tree.dakmil_police.pk}"' in html
    assert f'data-testid="cards-{tree.tayson_police.pk}"' not in html  # another province


def test_a_role_without_the_dashboard_and_another_units_page_see_nothing(
    tree: Tree, campaign: Campaign, world: list[Enrollment], commander_daknong: User
) -> None:
    liaison = make_user("liaison.cards", Role.LIAISON, tree.daknong_police)
    assert client_for(liaison).get(f"/reports/?campaign={campaign.pk}").status_code == 403
    other = client_for(commander_daknong).get(
        f"/reports/units/{tree.tayson_police.pk}/?campaign={campaign.pk}"
    )
    assert other.status_code == 404


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, None),
        ({}, {"state_changed_at": "2021-01-01T00:00:00+07:00"}),
        ({"state_changed_at": "not a date"}, {"state_changed_at": "2021-01-01T00:00:00+07:00"}),
        (
            {"state_changed_at": "2021-01-01T00:00:00+07:00", "state": "produced"},
            {"state_changed_at": "2021-01-03T00:00:00+07:00"},
        ),
        ("a string", ["a list"]),
    ],
)
def test_a_malformed_audit_record_is_left_out(before: object, after: object) -> None:
    assert cards._days_between(before, after) is None


def test_days_between_a_well_formed_record() -> None:
    before = {"state": "at_unit", "state_changed_at": "2021-01-01T00:00:00+07:00"}
    after = {"state_changed_at": "2021-01-03T12:00:00+07:00"}
    assert cards._days_between(before, after) == 2.5
    assert cards.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert cards.percentile([7], 90) == 7
