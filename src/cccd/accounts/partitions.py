"""The audit trail's monthly partitions on PostgreSQL: make the coming months, list, detach old ones.

Migration 0004 makes `accounts_auditevent` a table partitioned by month of `at` (months in the
project's time zone) with a DEFAULT partition. A month must have its partition before its first
row, else the row lands in DEFAULT, where it is kept but every later partition for that month has
to move it out first: `ensure` makes the coming months (the worker and cron call it) and moves any
row that landed in DEFAULT into its month. `detach` takes months older than the retention out of
the table and renames each to `<table>_archive_yYYYYmMM`, for an operator to dump and drop.
SQLite has one plain table: every function here refuses with `NotPartitioned`.
"""

from __future__ import annotations

import datetime
import logging
import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection, connections, transaction
from django.utils import timezone

from cccd.accounts.audit import audit_source, record
from cccd.accounts.models import AuditEvent

if TYPE_CHECKING:
    from cccd.accounts.models import User

logger = logging.getLogger(__name__)

TABLE = AuditEvent._meta.db_table
DEFAULT_PARTITION = f"{TABLE}_default"
ARCHIVE_PREFIX = f"{TABLE}_archive_"
MAX_MONTHS_AHEAD = 24
# What `cccd db_worker` makes: at start and every WORKER_INTERVAL seconds while it runs.
WORKER_MONTHS_AHEAD = 3
WORKER_INTERVAL = 3600.0
# Two callers of `ensure` (a worker and cron) take turns on this advisory lock.
_LOCK_KEY = 0x43434344_0019
_NAME = re.compile(rf"^{re.escape(TABLE)}_(?:archive_)?y(\d{{4}})m(\d{{2}})$")
_MONTH_TEXT = re.compile(r"^(\d{4})-(\d{2})$")

Month = tuple[int, int]


class NotPartitioned(Exception):
    """Partitions are PostgreSQL's (or the migration has not run): the message says which."""


class PartitionRefused(Exception):
    """A request the operator can correct: a bad month, inside the retention, rows in DEFAULT."""


@dataclass(frozen=True)
class Partition:
    name: str
    month: Month | None  # None for the DEFAULT partition
    rows: int  # -1: not known (never analysed, and not counted)
    exact: bool  # rows counted, or PostgreSQL's estimate
    bytes: int
    attached: bool


def month_text(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


def parse_month(text: str) -> Month:
    """`2024-07` as (2024, 7); anything else is refused with the form it should take."""
    found = _MONTH_TEXT.match(text.strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 2100:
        raise PartitionRefused(f"{text!r} is not a month: write it as YYYY-MM, e.g. 2024-07.")
    return int(found[1]), int(found[2])


def add_months(month: Month, count: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + count
    return index // 12, index % 12 + 1


def current_month(now: datetime.datetime | None = None) -> Month:
    local = timezone.localtime(now or timezone.now(), ZoneInfo(settings.TIME_ZONE))
    return local.year, local.month


def month_start(month: Month) -> datetime.datetime:
    """The aware first instant of a month in the project's time zone (a partition's lower bound)."""
    return datetime.datetime(month[0], month[1], 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def partition_name(month: Month) -> str:
    return f"{TABLE}_y{month[0]:04d}m{month[1]:02d}"


def archive_name(month: Month) -> str:
    return f"{ARCHIVE_PREFIX}y{month[0]:04d}m{month[1]:02d}"


def retention_months() -> int:
    return int(settings.CCCD_AUDIT_RETENTION_MONTHS)


def oldest_detachable_before(now: datetime.datetime | None = None) -> Month:
    """The latest month `detach --before` accepts: months before it ended more than the retention
    ago (with 24 months in December 2026, `--before 2024-12` detaches up to November 2024)."""
    return add_months(current_month(now), -retention_months())


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def check_partitioned() -> None:
    """Refuse on SQLite, and on PostgreSQL before migration 0004 made the table partitioned."""
    if connection.vendor != "postgresql":
        raise NotPartitioned(
            "The audit trail is partitioned on PostgreSQL only; this database "
            f"({connection.vendor}) keeps one plain table and needs nothing here."
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    if not row or row[0] != "p":
        raise NotPartitioned(f"The table {TABLE} is not partitioned: run `cccd migrate` first.")


def _attached(cursor: Any) -> dict[str, tuple[int, bool]]:
    """The attached partitions: name → (oid, is the DEFAULT partition)."""
    cursor.execute(
        "SELECT c.relname, c.oid, pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' "
        "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass",
        [TABLE],
    )
    return {name: (oid, is_default) for name, oid, is_default in cursor.fetchall()}


def _month_of(name: str) -> Month | None:
    found = _NAME.match(name)
    return (int(found[1]), int(found[2])) if found else None


def _months_in_default(cursor: Any) -> list[Month]:
    cursor.execute(
        f"SELECT DISTINCT date_part('year', at AT TIME ZONE %s)::int, "  # noqa: S608 (our table)
        f"date_part('month', at AT TIME ZONE %s)::int FROM {_q(DEFAULT_PARTITION)}",
        [settings.TIME_ZONE, settings.TIME_ZONE],
    )
    return sorted((year, month) for year, month in cursor.fetchall())


def _has_default(cursor: Any) -> bool:
    return any(is_default for _oid, is_default in _attached(cursor).values())


@dataclass
class EnsureResult:
    created: list[str]
    moved: dict[str, int]  # partition → rows moved into it out of DEFAULT


def ensure(months_ahead: int, *, now: datetime.datetime | None = None) -> EnsureResult:
    """Make the partitions of this month and the next `months_ahead`, and of every month that has
    rows in DEFAULT (moving those rows into it). Idempotent: a month that has its partition is
    left alone."""
    if not 0 <= months_ahead <= MAX_MONTHS_AHEAD:
        raise PartitionRefused(f"--months-ahead must be 0..{MAX_MONTHS_AHEAD}, not {months_ahead}.")
    check_partitioned()
    result = EnsureResult(created=[], moved={})
    this_month = current_month(now)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        attached = _attached(cursor)
        in_default = _months_in_default(cursor) if DEFAULT_PARTITION in attached else []
        wanted = {add_months(this_month, n) for n in range(months_ahead + 1)} | set(in_default)
        for month in sorted(wanted):
            name = partition_name(month)
            if name in attached:
                continue
            if month in in_default:
                result.moved[name] = _move_out_of_default(cursor, month)
            else:
                cursor.execute(
                    f"CREATE TABLE {_q(name)} PARTITION OF {_q(TABLE)} "
                    "FOR VALUES FROM (%s) TO (%s)",
                    [month_start(month), month_start(add_months(month, 1))],
                )
            result.created.append(name)
    return result


def _move_out_of_default(cursor: Any, month: Month) -> int:
    """A month's rows that landed in DEFAULT go to a new partition of their own, attached once
    DEFAULT no longer holds them (PostgreSQL refuses a partition whose rows sit in DEFAULT)."""
    name = partition_name(month)
    low, high = month_start(month), month_start(add_months(month, 1))
    cursor.execute(
        f"CREATE TABLE {_q(name)} (LIKE {_q(TABLE)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    cursor.execute(
        f"WITH moved AS (DELETE FROM {_q(DEFAULT_PARTITION)} WHERE at >= %s AND at < %s "  # noqa: S608 (our tables)
        f"RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved",
        [low, high],
    )
    moved = cursor.rowcount
    cursor.execute(
        f"ALTER TABLE {_q(TABLE)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)",
        [low, high],
    )
    return int(moved)


def ensure_safely(months_ahead: int, source: str) -> None:
    """`ensure` for a worker's periodic work: does nothing off PostgreSQL, logs a failure (the
    next round tries again) instead of stopping the worker."""
    if connection.vendor != "postgresql":
        return
    with audit_source(source):
        try:
            made = ensure(months_ahead)
            if made.created:
                logger.info("audit partitions made: %s", ", ".join(made.created))
        except NotPartitioned:
            pass
        except DatabaseError:
            logger.warning("could not make the audit trail's coming partitions", exc_info=True)
        finally:
            close_old_connections()


def watch(source: str, *, interval: float = WORKER_INTERVAL) -> threading.Event:
    """`ensure_safely` now and then every `interval` seconds in a daemon thread (which dies with
    the worker), so a new month never lands in DEFAULT while a worker runs; set the returned
    event to stop it."""
    stop = threading.Event()
    ensure_safely(WORKER_MONTHS_AHEAD, source)

    def loop() -> None:
        try:
            while not stop.wait(interval):
                ensure_safely(WORKER_MONTHS_AHEAD, source)
        finally:
            connections.close_all()  # this thread's connections only

    threading.Thread(target=loop, name="cccd-audit-partitions", daemon=True).start()
    return stop


def partitions(*, exact: bool = False) -> list[Partition]:
    """The attached partitions, oldest first and DEFAULT last, then the detached archives still
    in the database, with their rows (counted when `exact` and always for DEFAULT, else
    PostgreSQL's estimate) and sizes."""
    check_partitioned()
    found: list[Partition] = []
    with connection.cursor() as cursor:
        attached = _attached(cursor)
        cursor.execute(
            "SELECT relname, oid FROM pg_class WHERE relkind = 'r' AND relname LIKE %s "
            "AND relnamespace = to_regnamespace(current_schema())",
            [ARCHIVE_PREFIX.replace("_", r"\_") + "%"],
        )
        archives = dict(cursor.fetchall())
        for name, oid, is_attached in [
            *((n, oid, True) for n, (oid, _d) in attached.items()),
            *((n, oid, False) for n, oid in archives.items()),
        ]:
            counted = exact or name == DEFAULT_PARTITION  # DEFAULT's: it should hold none
            if counted:
                cursor.execute(f"SELECT count(*) FROM {_q(name)}")  # noqa: S608 (our table)
            else:
                cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s", [oid])
            (rows,) = cursor.fetchone()
            cursor.execute("SELECT pg_total_relation_size(%s)", [oid])
            (size,) = cursor.fetchone()
            found.append(
                Partition(
                    name, _month_of(name), max(int(rows), -1), counted, int(size), is_attached
                )
            )
    far = (9999, 12)
    return sorted(found, key=lambda p: (not p.attached, p.month or far, p.name))


def to_detach(before: Month, *, now: datetime.datetime | None = None) -> list[tuple[Month, str]]:
    """The attached months before `before`, oldest first, once checked: refused for a month
    within the retention and while DEFAULT holds rows older than `before` (run `ensure` first)."""
    check_partitioned()
    limit = oldest_detachable_before(now)
    if before > limit:
        raise PartitionRefused(
            f"{month_text(before)} is within the retention of {retention_months()} months "
            f"(CCCD_AUDIT_RETENTION_MONTHS): the latest month --before accepts now is "
            f"{month_text(limit)}."
        )
    with connection.cursor() as cursor:
        attached = _attached(cursor)
        if DEFAULT_PARTITION in attached:
            cursor.execute(
                f"SELECT count(*) FROM {_q(DEFAULT_PARTITION)} WHERE at < %s",  # noqa: S608 (our table)
                [month_start(before)],
            )
            (stray,) = cursor.fetchone()
            if stray:
                raise PartitionRefused(
                    f"The DEFAULT partition holds {stray} rows older than {month_text(before)}: "
                    "run `cccd audit_partitions ensure` first, which gives them their months."
                )
    return sorted(
        (month, name)
        for name in attached
        if (month := _month_of(name)) is not None and month < before
    )


def detach(
    before: Month,
    *,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> list[tuple[str, int]]:
    """Take every attached month before `before` (`to_detach`) out of the audit table, renamed to
    an archive table for an operator to dump and drop; return (archive, rows) of each. Each
    detach is audited."""
    months = to_detach(before, now=now)
    with connection.cursor() as cursor:
        # PostgreSQL refuses DETACH … CONCURRENTLY while a DEFAULT partition exists, and inside
        # a transaction: then a plain DETACH, which locks the table only for a moment (no row is
        # moved or scanned) and gives up rather than make writers queue behind a long read.
        concurrently = not _has_default(cursor) and connection.get_autocommit()
    done: list[tuple[str, int]] = []
    for month, name in months:
        archive = archive_name(month)
        with connection.cursor() as cursor:
            if concurrently:
                cursor.execute(f"ALTER TABLE {_q(TABLE)} DETACH PARTITION {_q(name)} CONCURRENTLY")
            with transaction.atomic():
                # Dropping the archive's foreign keys alters users' and units' tables, which
                # PostgreSQL refuses while this transaction has checks of them still deferred.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                if not concurrently:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                    cursor.execute(f"ALTER TABLE {_q(TABLE)} DETACH PARTITION {_q(name)}")
                cursor.execute(f"ALTER TABLE {_q(name)} RENAME TO {_q(archive)}")
                _drop_foreign_keys(cursor, archive)
                cursor.execute(f"SELECT count(*) FROM {_q(archive)}")  # noqa: S608 (our table)
                (rows,) = cursor.fetchone()
                record(
                    "audit.partition_detach",
                    actor=actor,
                    unit=None,
                    object_repr=archive,
                    after={"month": month_text(month), "table": archive, "rows": rows},
                )
        done.append((archive, int(rows)))
    return done


def _drop_foreign_keys(cursor: Any, table: str) -> None:
    """An archive keeps ids of users and units as plain values: its foreign keys would otherwise
    stop the deletion of a user or a unit it names, long after the trail let them go."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    for (name,) in cursor.fetchall():
        cursor.execute(f"ALTER TABLE {_q(table)} DROP CONSTRAINT {_q(name)}")
