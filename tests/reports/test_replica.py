"""Reports read from a real PostgreSQL streaming replica (cccd.reports.replica).

The module starts a hot standby of the test server (pg_basebackup, then pg_ctl on a free port of
127.0.0.1), and proves with it that a dashboard's figures come from the replica (paused replay: the
page shows the older figure and says as of when), that writes still go to the primary, that the
replica refuses a write, and that a replica too far behind, down, or failing under a page is
replaced by the primary without an error. Only on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import copy
import datetime
import os
import time
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction

from cccd.accounts.models import AuditEvent, User
from cccd.campaigns.models import Campaign, Target
from cccd.enrollments.models import Enrollment
from cccd.reports import counters, replica
from cccd.units.models import Unit
from tests.builders import Tree, make_person
from tests.conftest import client_for
from tests.replica import (
    ReplicationRefused,
    ServerProgramMissing,
    Standby,
    free_port,
    primary_limits,
    start_standby,
)

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.xdist_group("replica"),  # one worker starts the replica once for the module
    pytest.mark.skipif(not ON_POSTGRES, reason="a streaming replica needs PostgreSQL"),
]

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
START, END, DAY = datetime.date(2021, 2, 5), datetime.date(2021, 4, 30), datetime.date(2021, 3, 6)
DEADLINE = 30.0  # seconds any wait on the replica may take


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {DEADLINE:.0f} s for {what}")
        time.sleep(0.05)  # poll the condition; its deadline bounds the wait


@pytest.fixture(scope="module")
def standby(django_db_setup: None, django_db_blocker: Any) -> Iterator[Standby]:
    """A hot standby of the test server, streaming from it, on a free port of 127.0.0.1.

    A server that refuses replication skips the module, unless CCCD_REQUIRE_REPLICA=true (CI,
    whose set-up allows replication): then it fails, so the pass cannot go green unseen.
    """
    primary = settings.DATABASES["default"]
    with django_db_blocker.unblock(), connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        limits = primary_limits(cursor)
    try:
        server = start_standby(
            host=str(primary["HOST"] or "127.0.0.1"),
            port=str(primary["PORT"] or 5432),
            user=str(primary["USER"] or "postgres"),
            password=str(primary.get("PASSWORD") or ""),
            limits=limits,
        )
    except (ReplicationRefused, ServerProgramMissing) as exc:
        if os.environ.get("CCCD_REQUIRE_REPLICA", "").lower() == "true":
            pytest.fail(f"CCCD_REQUIRE_REPLICA=true, but {exc}")
        pytest.skip(f"{exc}, to run the replica tests")
    try:
        yield server
    finally:
        server.stop()


def _drop_alias() -> None:
    if replica.configured():
        connections[replica.REPLICA].close()
        del connections[replica.REPLICA]


def _point_alias(port: int) -> None:
    """The `replica` connection: the test database, on the given port of 127.0.0.1. Made as a
    dynamic connection (not left in DATABASES), which Django's test case lets the test use without
    listing it in its databases, and so never flushes: a standby is read-only."""
    _drop_alias()
    config = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    config.update(HOST="127.0.0.1", PORT=str(port), CONN_MAX_AGE=0)
    config["OPTIONS"] = {**config.get("OPTIONS", {}), "connect_timeout": 3}
    connections.settings[replica.REPLICA] = config
    try:
        connection = connections.create_connection(replica.REPLICA)
    finally:
        del connections.settings[replica.REPLICA]
    connections[replica.REPLICA] = connection


@pytest.fixture
def on_replica(transactional_db: None, standby: Standby) -> Iterator[Standby]:
    """The `replica` connection for one test; replay resumed at the end."""
    _point_alias(standby.port)
    replica.forget()
    try:
        yield standby
    finally:
        with contextlib.suppress(psycopg.Error):
            standby.sql("SELECT pg_wal_replay_resume()")
        _drop_alias()
        replica.forget()


@pytest.fixture
def campaign(tree: Tree) -> Campaign:
    campaign = Campaign.objects.create(
        unit=tree.ministry, name="CCCD 2021", law="2014", start_date=START, end_date=END
    )
    Target.objects.create(campaign=campaign, unit=tree.dakmil_police, total=40, per_day=2)
    return campaign


def _take(tree: Tree, campaign: Campaign, n: int, first: int = 0) -> None:
    """n dossiers taken in Đắk Mil on DAY, committed, and the counters rebuilt."""
    for i in range(first, first + n):
        Enrollment.objects.create(
            unit=tree.dakmil_police,
            campaign=campaign,
            person=make_person(tree.daklao, "Nguyễn Văn An", f"{i + 1:02d}/01/1990", "M"),
            kind="first_issue",
            law="2014",
            state="captured",
            code=f"R-{i:04d}",
            received_at=datetime.datetime.combine(DAY, datetime.time(9), tzinfo=HCM),
        )
    counters.rebuild()


def _caught_up() -> None:
    """Wait until the replica has replayed everything the primary wrote so far. (Not until it is
    "caught up": other databases of a shared server may keep writing.)"""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (written,) = cursor.fetchone()

    def replayed() -> bool:
        with connections[replica.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            return bool(cursor.fetchone()[0])

    _wait(replayed, "the replica to replay the primary's writes")
    replica.forget()


def _paused(standby: Standby) -> None:
    standby.sql("SELECT pg_wal_replay_pause()")
    _wait(
        lambda: standby.sql("SELECT pg_get_wal_replay_pause_state()") == "paused",
        "the replica's replay to pause",
    )


def _done(page: Any) -> int:
    html = page.content.decode()
    start = html.index('data-testid="done">') + len('data-testid="done">')
    return int(html[start : html.index("<", start)].replace(",", "").replace(".", ""))


URL = "/reports/?campaign={}&day=06/03/2021"


def test_the_dashboard_reads_the_replica_and_says_how_old_its_figures_are(
    on_replica: Standby, tree: Tree, campaign: Campaign, commander_daknong: User
) -> None:
    _take(tree, campaign, 3)
    _caught_up()
    client = client_for(commander_daknong)
    page = client.get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 3
    assert 'data-testid="figures-age"' in page.content.decode()
    assert "X-Figures-As-Of" in page.headers

    _paused(on_replica)
    before_write = datetime.datetime.now(datetime.UTC)
    _take(tree, campaign, 2, first=3)  # committed on the primary, not replayed
    replica.forget()
    found = replica.measure()
    assert found.usable and found.reason == "behind" and found.as_of is not None
    assert found.as_of <= before_write
    page = client.get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 3  # the replica's older figure
    html = page.content.decode()
    assert 'data-testid="figures-age"' in html
    shown = found.as_of.astimezone(HCM).strftime("%H:%M %d/%m/%Y")
    assert f"Figures as of {shown}" in html
    assert datetime.datetime.fromisoformat(page.headers["X-Figures-As-Of"]) == found.as_of
    in_vietnamese = client.get(URL.format(campaign.pk), HTTP_ACCEPT_LANGUAGE="vi")
    assert f"Số liệu tính đến {shown}" in in_vietnamese.content.decode()
    # the daily report, its download and the API read there too
    report = client.get(f"/reports/report/?campaign={campaign.pk}&day=06/03/2021")
    assert report.status_code == 200 and 'data-testid="figures-age"' in report.content.decode()
    download = client.get(f"/reports/report.xlsx?campaign={campaign.pk}&day=06/03/2021")
    assert download.status_code == 200 and "X-Figures-As-Of" in download.headers
    api = client.get(f"/api/v1/reports/dashboard?campaign={campaign.pk}&day=06/03/2021")
    assert api.status_code == 200 and api.json()["done"] == 3
    # the officer report reads there and writes its audit record on the primary
    audited = AuditEvent.objects.filter(action="reports.officer_report").count()
    officers = client.get("/reports/officers/?from=05/02/2021&to=06/03/2021")
    assert officers.status_code == 200 and 'data-testid="figures-age"' in officers.content.decode()
    assert AuditEvent.objects.filter(action="reports.officer_report").count() == audited + 1

    on_replica.sql("SELECT pg_wal_replay_resume()")
    _caught_up()
    page = client.get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 5
    assert 'data-testid="figures-age"' in page.content.decode()  # as of the check, caught up


def test_writes_go_to_the_primary_and_the_replica_refuses_them(
    on_replica: Standby, tree: Tree
) -> None:
    _caught_up()
    with replica.report_reads() as read:
        assert read.from_replica
        assert router.db_for_read(Unit) == replica.REPLICA
        assert router.db_for_write(Unit) == DEFAULT_DB_ALIAS
        unit = Unit.objects.get(pk=tree.daklao.pk)
        assert unit._state.db == replica.REPLICA
        unit.name = "Xã Đắk Lao (mới)"
        unit.save(update_fields=["name"])  # a row read from the replica is saved on the primary
        with transaction.atomic():
            assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS  # reads its own writes
    assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS  # outside a report view
    assert Unit.objects.get(pk=tree.daklao.pk).name == "Xã Đắk Lao (mới)"
    assert not router.allow_migrate(replica.REPLICA, "units")
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "units")
    with (
        pytest.raises(DatabaseError, match="read-only"),
        connections[replica.REPLICA].cursor() as cursor,
    ):
        cursor.execute("UPDATE units_unit SET name = 'x' WHERE id = %s", [tree.daklao.pk])


def test_a_replica_too_far_behind_is_left_for_the_primary(
    on_replica: Standby,
    tree: Tree,
    campaign: Campaign,
    commander_daknong: User,
    settings: Any,
) -> None:
    _take(tree, campaign, 3)
    _caught_up()
    settings.CCCD_REPLICA_MAX_LAG_SECONDS = 0
    _paused(on_replica)
    _take(tree, campaign, 2, first=3)
    replica.forget()
    assert replica.measure().reason == "too far behind"
    page = client_for(commander_daknong).get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 5  # the primary's fresh figure
    assert 'data-testid="figures-age"' not in page.content.decode()
    assert "X-Figures-As-Of" not in page.headers


def test_a_replica_that_is_down_is_left_for_the_primary(
    on_replica: Standby, tree: Tree, campaign: Campaign, commander_daknong: User
) -> None:
    _take(tree, campaign, 3)
    _point_alias(free_port())  # nothing listens there
    replica.forget()
    assert replica.measure().reason == "unreachable"
    page = client_for(commander_daknong).get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 3
    assert 'data-testid="figures-age"' not in page.content.decode()


def test_a_replica_lost_under_a_page_is_replaced_by_the_primary(
    on_replica: Standby, tree: Tree, campaign: Campaign, commander_daknong: User
) -> None:
    _take(tree, campaign, 3)
    _caught_up()
    assert replica.status().usable  # measured and cached as usable ...
    _point_alias(free_port())  # ... then the replica goes away before the page reads it
    page = client_for(commander_daknong).get(URL.format(campaign.pk))
    assert page.status_code == 200 and _done(page) == 3
    assert 'data-testid="figures-age"' not in page.content.decode()
    assert replica.status().reason == "unreachable"  # and the next pages do not try it
