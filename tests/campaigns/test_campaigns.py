import datetime

import pytest

from cccd.accounts.models import User
from cccd.campaigns.models import Campaign, PriorityGroup, Target
from tests.builders import Tree, make_user
from tests.conftest import client_for
from tests.mixins import assert_audited

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tree: Tree, commander_daknong: User) -> Campaign:
    from cccd.campaigns.services import create_campaign

    return create_campaign(
        unit_id=tree.daknong_police.pk,
        name="Cấp CCCD gắn chíp 2021",
        law="2014",
        start_date=datetime.date(2021, 2, 5),
        end_date=datetime.date(2021, 6, 30),
        actor=commander_daknong,
    )


def test_the_priority_groups_are_reference_data_in_their_order(db: None) -> None:
    codes = list(PriorityGroup.objects.values_list("code", flat=True))
    assert codes[0] in {"hero", "heroic_mother"}
    assert codes[-1] == "general"
    assert {
        "student",
        "elderly_alone",
        "disabled",
        "sick_at_home",
        "religious",
        "heroic_mother",
        "hero",
    } <= set(codes)


def test_a_commander_creates_a_campaign_from_the_page(tree: Tree, commander_daknong: User) -> None:
    data = {
        "name": "Đợt cao điểm",
        "unit": tree.daknong_police.pk,
        "start_date": "05/02/2021",
        "end_date": "30/06/2021",
        "law": "2014",
    }
    response = client_for(commander_daknong).post("/campaigns/", data)
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.start_date, campaign.days) == (datetime.date(2021, 2, 5), 146)
    assert_audited("campaign.create", campaign, actor=commander_daknong)


@pytest.mark.parametrize(
    ("changes", "marker"),
    [
        ({"end_date": "01/02/2021"}, "before the start date"),
        ({"start_date": "31/02/2021"}, "valid date"),
        ({"law": "1999"}, "valid choice"),
        ({"name": ""}, "required"),
    ],
)
def test_a_malformed_campaign_is_refused_and_nothing_created(
    tree: Tree, commander_daknong: User, changes: dict, marker: str
) -> None:
    data = {
        "name": "X",
        "unit": tree.daknong_police.pk,
        "start_date": "05/02/2021",
        "end_date": "30/06/2021",
        "law": "2014",
        **changes,
    }
    response = client_for(commander_daknong).post("/campaigns/", data)
    assert response.status_code == 400
    assert marker in response.content.decode()
    assert not Campaign.objects.exists()


def test_an_officer_cannot_create_a_campaign(tree: Tree, officer_dakmil: User) -> None:
    data = {
        "name": "X",
        "unit": tree.dakmil_police.pk,
        "start_date": "05/02/2021",
        "end_date": "30/06/2021",
        "law": "2014",
    }
    assert client_for(officer_dakmil).post("/campaigns/", data).status_code == 403
    assert not Campaign.objects.exists()


def test_targets_per_child_unit_and_group(
    tree: Tree, commander_daknong: User, campaign: Campaign
) -> None:
    students = PriorityGroup.objects.get(code="student")
    client = client_for(commander_daknong)
    client.post(
        f"/campaigns/{campaign.pk}/",
        {"unit": tree.dakmil_police.pk, "group": "", "total": 24500, "per_day": 300},
    )
    client.post(
        f"/campaigns/{campaign.pk}/",
        {"unit": tree.dakmil_police.pk, "group": students.pk, "total": 1862},
    )
    client.post(
        f"/campaigns/{campaign.pk}/",
        {"unit": tree.dakmil_police.pk, "group": students.pk, "total": 2000},
    )
    targets = {
        (t.group_id, t.total, t.per_day) for t in Target.objects.filter(unit=tree.dakmil_police)
    }
    assert targets == {(None, 24500, 300), (students.pk, 2000, None)}
    event = assert_audited(
        "target.set", Target.objects.get(group=students), actor=commander_daknong
    )
    assert (event.before, event.after) == (
        {"total": 1862, "per_day": None},
        {"total": 2000, "per_day": None},
    )


def test_a_target_outside_the_campaigns_unit_is_refused(
    tree: Tree, administrator: User, campaign: Campaign
) -> None:
    response = client_for(administrator).post(
        f"/api/v1/campaigns/{campaign.pk}/targets",
        {"unit_id": tree.tayson_police.pk, "total": 10},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "UNIT_NOT_BELOW")
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    "payload", [{"total": -1}, {"total": "many"}, {"total": 10, "group_code": "aliens"}, {}]
)
def test_the_target_api_refuses_malformed_input(
    tree: Tree, commander_daknong: User, campaign: Campaign, payload: dict
) -> None:
    response = client_for(commander_daknong).post(
        f"/api/v1/campaigns/{campaign.pk}/targets",
        {"unit_id": tree.dakmil_police.pk, **payload},
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert "code" in response.json()
    assert not Target.objects.exists()


def test_a_district_sees_its_provinces_campaign_but_another_province_does_not(
    tree: Tree, campaign: Campaign, officer_dakmil: User, officer_tayson: User
) -> None:
    assert client_for(officer_dakmil).get(f"/campaigns/{campaign.pk}/").status_code == 200
    assert client_for(officer_tayson).get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert client_for(officer_tayson).get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert client_for(officer_tayson).get("/api/v1/campaigns/").json() == {"items": [], "count": 0}


def test_a_district_commander_cannot_set_targets_on_the_provinces_campaign(
    tree: Tree, campaign: Campaign
) -> None:
    commander_dakmil = make_user("chihuy.dakmil", "commander", tree.dakmil_police)
    response = client_for(commander_dakmil).post(
        f"/api/v1/campaigns/{campaign.pk}/targets",
        {"unit_id": tree.dakmil_police.pk, "total": 5},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_an_administrator_reorders_a_group_and_it_is_audited(
    tree: Tree, administrator: User, officer_dakmil: User
) -> None:
    group = PriorityGroup.objects.get(code="elderly_alone")
    data = {
        "group": group.pk,
        "name": "Người cao tuổi sống một mình",
        "priority": 5,
        "served_first": "on",
        "is_active": "on",
    }
    assert client_for(officer_dakmil).post("/campaigns/groups/", data).status_code == 403
    assert client_for(administrator).post("/campaigns/groups/", data).status_code == 302
    assert PriorityGroup.objects.first() == group
    group.refresh_from_db()
    assert group.name == "Người cao tuổi sống một mình"
    event = assert_audited("group.update", group, actor=administrator)
    assert (event.before["priority"], event.after["priority"]) == (30, 5)


def test_a_malformed_group_change_changes_nothing(tree: Tree, administrator: User) -> None:
    group = PriorityGroup.objects.get(code="student")
    client_for(administrator).post(
        "/campaigns/groups/", {"group": group.pk, "name": "", "priority": -3}
    )
    assert (
        client_for(administrator)
        .post("/campaigns/groups/", {"group": 99999, "name": "x", "priority": 1})
        .status_code
        == 404
    )
    group.refresh_from_db()
    assert (group.name, group.priority) == ("Học sinh, sinh viên", 80)
