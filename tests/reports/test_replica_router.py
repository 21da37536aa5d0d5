"""Without a replica (the embedded default, and the suite's own runs) report views read and write
the one database as before; the router never sends a write or a migration anywhere else. The real
replica is tests/reports/test_replica.py (PostgreSQL only)."""

from __future__ import annotations

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
