"""Without a replica (the embedded default, and the suite's own runs) report views read and write
the one database as before; the router never sends a write or a migration anywhere else. The real
replica is tests/reports/test_replica.py (PostgreSQL only)."""

from __future__ import annotations

import datetime

from django.db import DEFAULT_DB_ALIAS, router
from django.test import RequestFactory

from cccd.reports import replica
from cccd.units.models import Unit


def test_without_a_replica_report_reads_stay_on_the_primary_and_say_nothing() -> None:
    assert not replica.configured()
    with replica.report_reads() as read:
        assert not read.from_replica and read.as_of is None
        assert router.db_for_read(Unit) == DEFAULT_DB_ALIAS
        assert replica.figures_age(RequestFactory().get("/reports/")) == {}
    assert replica.current() is None  # the scope ends with the view


def test_writes_and_migrations_only_ever_go_to_the_primary() -> None:
    assert router.db_for_write(Unit) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "units")
    assert not router.allow_migrate(replica.REPLICA, "units")
    assert "cccd.reports.replica.ReplicaRouter" in [
        type(r).__module__ + "." + type(r).__name__ for r in router.routers
    ]


NOW = datetime.datetime(2021, 3, 6, 13, 0, tzinfo=datetime.UTC)
HOURS_AGO = NOW - datetime.timedelta(hours=3)


def test_a_caught_up_replica_is_current_however_old_its_last_commit() -> None:
    """An idle primary commits nothing for hours: the replica's last replayed commit is old, yet
    it has replayed everything, so its figures are as of the check, even with no lag allowed."""
    found = replica.judge(
        in_recovery=True,
        caught_up=True,
        checked_at=NOW,
        replayed_at=HOURS_AGO,
        replica_now=NOW,
        max_lag=0,
    )
    assert found.usable and found.as_of == NOW and found.lag_seconds == 0.0


def test_a_replica_behind_is_as_old_as_its_last_replayed_commit() -> None:
    minutes_ago = NOW - datetime.timedelta(minutes=4)
    found = replica.judge(
        in_recovery=True,
        caught_up=False,
        checked_at=NOW,
        replayed_at=minutes_ago,
        replica_now=NOW,
        max_lag=300,
    )
    assert found.usable and found.reason == "behind" and found.as_of == minutes_ago
    assert found.lag_seconds == 240.0
    too_old = replica.judge(
        in_recovery=True,
        caught_up=False,
        checked_at=NOW,
        replayed_at=HOURS_AGO,
        replica_now=NOW,
        max_lag=300,
    )
    assert not too_old.usable and too_old.reason == "too far behind"


def test_a_standby_that_replayed_nothing_or_a_primary_is_not_used() -> None:
    never = replica.judge(
        in_recovery=True,
        caught_up=False,
        checked_at=NOW,
        replayed_at=None,
        replica_now=NOW,
        max_lag=300,
    )
    assert not never.usable and never.reason == "not replaying"
    promoted = replica.judge(
        in_recovery=False,
        caught_up=True,
        checked_at=NOW,
        replayed_at=None,
        replica_now=NOW,
        max_lag=300,
    )
    assert not promoted.usable and promoted.reason == "not a standby"
