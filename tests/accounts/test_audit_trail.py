import datetime
import zoneinfo

import pytest
import time_machine
from django.test import Client

from cccd.accounts.audit import record
from cccd.accounts.models import AuditEvent, User
from tests.builders import Tree
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _events(tree: Tree) -> None:
    record("test.dakmil", actor=None, unit=tree.daklao, object_repr="Đắk Lao change")
    record(
        "test.dakmil_police",
        actor=None,
        unit=tree.dakmil_police,
        object_repr="Đắk Mil police change",
    )
    record("test.tayson", actor=None, unit=tree.tayson, object_repr="Tây Sơn change")


def test_a_commander_reads_the_trail_of_their_subtree_only(
    tree: Tree, commander_daknong: User
) -> None:
    _events(tree)
    page = client_for(commander_daknong).get("/accounts/audit/?action=test.")
    actions = sorted(e.action for e in page.context["page"])
    assert actions == ["test.dakmil", "test.dakmil_police"]


def test_the_api_gives_the_same_trail(tree: Tree, commander_daknong: User) -> None:
    _events(tree)
    body = client_for(commander_daknong).get("/api/v1/audit?action=test.").json()
    assert sorted(item["action"] for item in body["items"]) == ["test.dakmil", "test.dakmil_police"]


def test_an_officer_cannot_read_the_trail(tree: Tree, officer_dakmil: User) -> None:
    client = client_for(officer_dakmil)
    assert client.get("/accounts/audit/").status_code == 403
    response = client.get("/api/v1/audit")
    assert response.status_code == 403
    assert response.json()["code"] == "PERMISSION_DENIED"


def test_days_in_the_filter_are_local_days_across_midnight(
    tree: Tree, commander_daknong: User
) -> None:
    # 23:30 on 5/2/2021 in Đắk Mil is 16:30 UTC; 00:30 on 6/2 local is 17:30 UTC on 5/2.
    with time_machine.travel(datetime.datetime(2021, 2, 5, 23, 30, tzinfo=HCM), tick=False):
        record("test.night", actor=None, unit=tree.daklao, object_repr="before midnight")
    with time_machine.travel(datetime.datetime(2021, 2, 6, 0, 30, tzinfo=HCM), tick=False):
        record("test.night", actor=None, unit=tree.daklao, object_repr="after midnight")
    client = client_for(commander_daknong)
    on_5th = client.get(
        "/accounts/audit/?action=test.night&date_from=05/02/2021&date_to=05/02/2021"
    )
    on_6th = client.get(
        "/api/v1/audit?action=test.night&date_from=2021-02-06&date_to=2021-02-06"
    ).json()
    assert [e.object_repr for e in on_5th.context["page"]] == ["before midnight"]
    assert [e["object_repr"] for e in on_6th["items"]] == ["after midnight"]


@pytest.mark.parametrize(
    "query", ["date_from=31/02/2021", "date_from=yesterday", "date_to=2021-13-01"]
)
def test_a_malformed_date_filter_is_a_400_with_a_message(
    tree: Tree, commander_daknong: User, query: str
) -> None:
    response = client_for(commander_daknong).get(f"/accounts/audit/?{query}")
    assert response.status_code == 400
    page = response.content.decode()  # cccd.queryforms' rule: the error page, not the list
    assert "is not a date" in page and "BAD_QUERY" in page


def test_audit_events_cannot_be_changed_or_deleted(tree: Tree) -> None:
    event = record("test.x", actor=None, unit=tree.daklao)
    event.action = "test.y"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.x"


def test_an_anonymous_visitor_is_sent_to_log_in(tree: Tree) -> None:
    assert Client().get("/api/v1/audit").status_code == 401
