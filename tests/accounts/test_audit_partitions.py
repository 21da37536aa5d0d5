"""The audit trail partitioned by month on PostgreSQL (migration 0004, `cccd audit_partitions`).

On PostgreSQL the tests read where each row lives (`tableoid`, `pg_inherits`); on SQLite they check
that the table stays plain and that the command says partitioning is PostgreSQL's. Run both:
`DATABASE_URL=postgresql://… pytest tests/accounts/test_audit_partitions.py`, and without it.
"""

from __future__ import annotations

import datetime
import io
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cccd.accounts import partitions
from cccd.accounts.models import AuditEvent, User
from cccd.accounts.queries import audit_trail
from tests.builders import Tree
from tests.conftest import client_for

HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TABLE = AuditEvent._meta.db_table
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="partitions are PostgreSQL's"
)
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite side")


def _event(at: datetime.datetime, action: str = "test.old", unit: Any = None) -> AuditEvent:
    event = AuditEvent(at=at, action=action, unit=unit, object_repr=action)
    event.save(force_insert=True)
    return event


def _home(event: AuditEvent) -> str:
    """The partition (or table) that holds the row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event.pk])  # noqa: S608
        return cursor.fetchone()[0]


def _attached() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_partitions", *args, stdout=out)
    return out.getvalue()


def test_no_table_points_at_the_audit_trail() -> None:
    """A foreign key to a partitioned table needs its whole key (id, at): there is none to keep."""
    pointing = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.get_fields(include_hidden=True)
        if field.is_relation and field.concrete and field.related_model is AuditEvent
    ]
    assert pointing == []


# --- PostgreSQL ---------------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db
def test_the_migration_made_a_partitioned_table_with_its_keys_and_indexes() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        assert cursor.fetchone()[0] == "p"
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'p'",
            [TABLE],
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, at)"
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [TABLE],
        )
        assert cursor.fetchone()[0] == 2  # actor, unit
        indexes = {
            index["columns"] and tuple(index["columns"])
            for index in connection.introspection.get_constraints(cursor, TABLE).values()
            if index["index"]
        }
    assert {("at",), ("action",), ("object_type", "object_id"), ("actor_id",)} <= indexes
    assert partitions.DEFAULT_PARTITION in _attached()
    assert partitions.partition_name(partitions.current_month()) in _attached()


@on_postgresql
@pytest.mark.django_db
def test_rows_of_several_months_land_in_their_own_partitions() -> None:
    made = partitions.ensure(2, now=datetime.datetime(2031, 1, 20, tzinfo=HCM))
    assert made.created == [
        f"{TABLE}_y2031m01",
        f"{TABLE}_y2031m02",
        f"{TABLE}_y2031m03",
    ]
    # The first instant of February in Vietnam is still 31 January in UTC: a local month.
    last_of_january = _event(datetime.datetime(2031, 1, 31, 23, 59, tzinfo=HCM))
    first_of_february = _event(datetime.datetime(2031, 2, 1, 0, 0, tzinfo=HCM))
    march = _event(datetime.datetime(2031, 3, 15, 12, 0, tzinfo=HCM))
    now = AuditEvent.objects.create(action="test.now")  # create() goes through save(): allowed
    assert _home(last_of_january) == f"{TABLE}_y2031m01"
    assert _home(first_of_february) == f"{TABLE}_y2031m02"
    assert _home(march) == f"{TABLE}_y2031m03"
    assert _home(now) == partitions.partition_name(partitions.current_month())
    assert AuditEvent.objects.get(pk=march.pk).action == "test.old"  # Django's pk is still `id`


@on_postgresql
@pytest.mark.django_db
def test_ensure_is_idempotent() -> None:
    when = datetime.datetime(2032, 6, 1, tzinfo=HCM)
    first = partitions.ensure(3, now=when)
    before = _attached()
    second = partitions.ensure(3, now=when)
    assert len(first.created) == 4
    assert second.created == [] and second.moved == {}
    assert _attached() == before
    assert _run("ensure", "--months-ahead", "3").endswith("Every partition is there already.\n")


@on_postgresql
@pytest.mark.django_db
def test_a_row_of_a_month_without_partition_lands_in_default_and_ensure_moves_it(
    tree: Tree,
) -> None:
    stray = _event(datetime.datetime(2019, 4, 10, 9, 0, tzinfo=HCM), unit=tree.daklao)
    other = _event(datetime.datetime(2019, 4, 30, 23, 0, tzinfo=HCM))
    assert _home(stray) == partitions.DEFAULT_PARTITION
    out = _run("ensure", "--months-ahead", "0")
    assert f"made {TABLE}_y2019m04 (2 rows moved out of the DEFAULT partition)" in out
    assert _home(stray) == _home(other) == f"{TABLE}_y2019m04"
    kept = AuditEvent.objects.get(pk=stray.pk)
    assert (kept.at, kept.unit_id, kept.action) == (stray.at, tree.daklao.pk, "test.old")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {partitions.DEFAULT_PARTITION}")  # noqa: S608
        assert cursor.fetchone()[0] == 0
        # the moved partition got the table's indexes and keys like any other
        cursor.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [f"{TABLE}_y2019m04"]
        )
        assert cursor.fetchone()[0] == 7


@on_postgresql
@pytest.mark.django_db
def test_a_table_in_the_way_gives_a_clear_message_not_a_traceback() -> None:
    in_the_way = partitions.partition_name(partitions.add_months(partitions.current_month(), 5))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {in_the_way} (id int)")
    with pytest.raises(CommandError, match=rf"PostgreSQL refused the ensure: .*{in_the_way}"):
        _run("ensure", "--months-ahead", "5")
    assert in_the_way not in _attached()
    assert AuditEvent.objects.count() >= 0  # the test's transaction is still usable


@on_postgresql
@pytest.mark.django_db
def test_the_list_shows_partitions_rows_and_archives() -> None:
    _event(datetime.datetime(2018, 2, 2, tzinfo=HCM))
    default = next(
        row for row in _run("list").splitlines() if row.startswith(partitions.DEFAULT_PARTITION)
    )
    assert default.split()[2] == "1" and default.endswith("DEFAULT (run ensure)")
    _run("ensure", "--months-ahead", "0")
    assert "(run ensure)" not in _run("list")
    out = _run("list", "--exact")
    line = next(row for row in out.splitlines() if row.startswith(f"{TABLE}_y2018m02 "))
    assert line.split()[1:3] == ["2018-02", "1"]
    assert "DEFAULT" in out


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--before", "2024-13"], "is not a month: write it as YYYY-MM"),
        (["--before", "July 2024"], "is not a month"),
        (["--before", ""], "detach needs --before"),
        ([], "detach needs --before"),
        (["--before", "2026-11", "--confirm"], "within the retention of 24 months"),
    ],
)
def test_detach_refuses_bad_input(args: list[str], message: str) -> None:
    _event(datetime.datetime(2020, 1, 5, tzinfo=HCM))
    _run("ensure", "--months-ahead", "0")
    attached = _attached()
    with pytest.raises(CommandError, match=message):
        _run("detach", *args)
    assert _attached() == attached


@on_postgresql
@pytest.mark.django_db
def test_detach_refuses_without_confirm_and_says_what_it_would_do() -> None:
    _event(datetime.datetime(2020, 1, 5, tzinfo=HCM))
    _run("ensure", "--months-ahead", "0")
    with pytest.raises(CommandError, match=rf"{TABLE}_y2020m01\. .*Add --confirm"):
        _run("detach", "--before", "2020-02")
    assert f"{TABLE}_y2020m01" in _attached()
    assert not AuditEvent.objects.filter(action="audit.partition_detach").exists()


@on_postgresql
@pytest.mark.django_db
def test_the_retention_is_counted_from_this_month(settings: Any) -> None:
    settings.CCCD_AUDIT_RETENTION_MONTHS = 12
    now = datetime.datetime(2026, 12, 7, tzinfo=HCM)
    assert partitions.oldest_detachable_before(now) == (2025, 12)
    with pytest.raises(
        partitions.PartitionRefused, match="latest month --before accepts now is 2025-12"
    ):
        partitions.to_detach((2026, 1), now=now)
    assert partitions.to_detach((2025, 12), now=now) is not None


@on_postgresql
@pytest.mark.django_db
def test_detach_refuses_while_default_holds_older_rows() -> None:
    _event(datetime.datetime(2017, 3, 3, tzinfo=HCM))  # in DEFAULT: no partition for it yet
    with pytest.raises(CommandError, match="DEFAULT partition holds 1 rows older than 2018-01"):
        _run("detach", "--before", "2018-01", "--confirm")


@on_postgresql
@pytest.mark.django_db
def test_detach_leaves_an_archive_with_its_rows_and_the_trail_reads_the_rest(
    tree: Tree, commander_daknong: User
) -> None:
    old = _event(datetime.datetime(2020, 1, 5, tzinfo=HCM), "test.archived", tree.daklao)
    _event(datetime.datetime(2020, 1, 20, tzinfo=HCM), "test.archived", tree.daklao)
    kept = _event(datetime.datetime(2020, 2, 5, tzinfo=HCM), "test.kept", tree.daklao)
    _event(datetime.datetime(2020, 2, 6, tzinfo=HCM), "test.kept_tayson", tree.tayson)
    _run("ensure", "--months-ahead", "0")

    out = _run("detach", "--before", "2020-02", "--confirm")

    archive = f"{TABLE}_archive_y2020m01"
    assert f"detached {archive} (rows: 2)" in out
    assert f"pg_dump -Fc -t {archive}" in out
    assert f"{TABLE}_y2020m01" not in _attached()
    assert f"{TABLE}_y2020m02" in _attached()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, action FROM {archive} ORDER BY id")  # noqa: S608
        assert cursor.fetchall() == [(old.pk, "test.archived"), (old.pk + 1, "test.archived")]
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
            [archive],
        )
        assert cursor.fetchone()[0] == 0  # an archive does not hold users or units back
    assert not AuditEvent.objects.filter(action="test.archived").exists()
    assert AuditEvent.objects.get(pk=kept.pk).action == "test.kept"
    logged = AuditEvent.objects.get(action="audit.partition_detach")
    assert logged.after == {"month": "2020-01", "table": archive, "rows": 2}
    assert logged.source == "cli:audit_partitions detach"
    # the audit page still reads, scoped to the commander's subtree
    page = client_for(commander_daknong).get("/accounts/audit/?action=test.")
    assert page.status_code == 200
    assert [e.action for e in page.context["page"]] == ["test.kept"]
    # the list names the archive for the operator
    assert f"{archive} " in _run("list")
    # detaching again finds nothing more to do
    assert "No partition before 2020-02 is attached." in _run(
        "detach", "--before", "2020-02", "--confirm"
    )


@on_postgresql
@pytest.mark.django_db
def test_a_query_by_day_reads_only_its_months_partition(
    tree: Tree, commander_daknong: User
) -> None:
    _event(datetime.datetime(2016, 5, 5, tzinfo=HCM), unit=tree.daklao)
    _event(datetime.datetime(2016, 6, 5, tzinfo=HCM), unit=tree.daklao)
    _run("ensure", "--months-ahead", "0")
    events = audit_trail(
        commander_daknong, date_from=datetime.date(2016, 5, 1), date_to=datetime.date(2016, 5, 31)
    )
    plan = events.explain()
    assert f"{TABLE}_y2016m05" in plan
    assert f"{TABLE}_y2016m06" not in plan and partitions.DEFAULT_PARTITION not in plan
    assert [e.at.month for e in events] == [5]


@on_postgresql
@pytest.mark.django_db(transaction=True)  # the hook commits, as in a worker
def test_the_worker_hook_makes_the_coming_months() -> None:
    months = [(2040, 1), (2040, 2), (2040, 3), (2040, 4)]
    try:
        with time_machine.travel(datetime.datetime(2040, 1, 15, tzinfo=HCM), tick=False):
            partitions.ensure_safely(partitions.WORKER_MONTHS_AHEAD, "worker:test")
        assert {partitions.partition_name(m) for m in months} <= _attached()
    finally:
        with connection.cursor() as cursor:
            for month in months:
                cursor.execute(f"DROP TABLE IF EXISTS {partitions.partition_name(month)}")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_db_worker_makes_the_coming_months_when_it_starts(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    months = [(2042, 7), (2042, 8), (2042, 9), (2042, 10)]
    try:
        with time_machine.travel(datetime.datetime(2042, 7, 2, tzinfo=HCM), tick=False):
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--no-reload",
                "-v",
                "0",
                stdout=io.StringIO(),
            )
        assert {partitions.partition_name(m) for m in months} <= _attached()
    finally:
        with connection.cursor() as cursor:
            for month in months:
                cursor.execute(f"DROP TABLE IF EXISTS {partitions.partition_name(month)}")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_row_both_ways(tree: Tree) -> None:
    first = _event(datetime.datetime(2015, 8, 8, tzinfo=HCM), unit=tree.daklao)
    second = _event(datetime.datetime(2026, 12, 1, 8, 0, tzinfo=HCM))
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("accounts", "0003_login_session")])
        with connection.cursor() as cursor:
            cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
            assert cursor.fetchone()[0] == "r"
        assert AuditEvent.objects.count() == 2
        third = _event(datetime.datetime(2014, 3, 3, tzinfo=HCM))
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert _home(first) == f"{TABLE}_y2015m08"
    assert _home(second) == f"{TABLE}_y2026m12"
    assert _home(third) == f"{TABLE}_y2014m03"
    assert AuditEvent.objects.get(pk=first.pk).unit_id == tree.daklao.pk
    fourth = AuditEvent.objects.create(action="test.after")
    assert fourth.pk > third.pk  # the identity goes on where it was


# --- SQLite -------------------------------------------------------------------------------------


@on_sqlite
@pytest.mark.django_db
def test_on_sqlite_the_table_stays_plain_and_the_migration_ran() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT type FROM sqlite_master WHERE name = %s", [TABLE])
        assert cursor.fetchone()[0] == "table"
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE %s", [f"{TABLE}%"]
        )
        assert cursor.fetchall() == [(TABLE,)]
        cursor.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'accounts' AND name = %s",
            ["0004_audit_partitions"],
        )
        assert cursor.fetchone()[0] == 1
    event = AuditEvent.objects.create(action="test.plain")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.plain"


@on_sqlite
@pytest.mark.django_db
def test_on_sqlite_ensure_says_partitions_are_postgresqls_and_succeeds() -> None:
    assert "partitioned on PostgreSQL only" in _run("ensure", "--months-ahead", "3")
    assert _run("ensure", "-v", "0") == ""
    partitions.ensure_safely(3, "worker:test")  # the worker's hook does nothing here


@on_sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("args", [["list"], ["detach", "--before", "2020-01", "--confirm"]])
def test_on_sqlite_list_and_detach_say_partitions_are_postgresqls(args: list[str]) -> None:
    with pytest.raises(CommandError, match="partitioned on PostgreSQL only"):
        _run(*args)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("months", "message"),
    [("-1", r"--months-ahead must be 0\.\.24"), ("25", "must be 0"), ("many", "invalid int")],
)
def test_ensure_refuses_a_bad_number_of_months(months: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _run("ensure", "--months-ahead", months)
