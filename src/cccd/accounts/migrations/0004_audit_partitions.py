"""The audit trail partitioned by month on PostgreSQL; SQLite keeps the plain table.

The table becomes `PARTITION BY RANGE (at)`: one partition a month (months in the project's time
zone, Asia/Ho_Chi_Minh, so a partition is a calendar month as officers count them) and a DEFAULT
partition for a row whose month has none yet (`cccd audit_partitions ensure` moves such rows out).
A PostgreSQL primary key on a partitioned table must hold the partition key, so the key becomes
(id, at) in the database; Django keeps `id` as the primary key (the identity still makes each id
once). Every index, foreign key and the identity's position are carried over under their names,
and every row is copied. No table points at the audit trail (checked by a test), so nothing else
changes.

Copying in the migration holds the table locked for the copy: seconds for a few million rows. On a
big live table do it by hand instead (docs/operations.md, "Audit trail partitions"): create the
new table, copy month by month, then swap the names in one short transaction.

Reversing makes the plain table again from the attached partitions (detached archives stay as they
are).
"""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations

TABLE = "accounts_auditevent"
NEW = "accounts_auditevent_swap"
MONTHS_AHEAD = 3


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _month_bound(year: int, month: int) -> str:
    start = datetime.datetime(year, month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return start.isoformat(sep=" ")


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _relkind(cursor: Any) -> str | None:
    cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
    row = cursor.fetchone()
    return row[0] if row else None


def _definitions(cursor: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The table's indexes (but the primary key's) and foreign keys, as SQL to make them again."""
    cursor.execute(
        "SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class ic ON ic.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
        "AND c.conrelid = i.indrelid) ORDER BY ic.relname",
        [TABLE],
    )
    indexes = [(name, sql.replace(" ON ONLY ", " ON ", 1)) for name, sql in cursor.fetchall()]
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [TABLE],
    )
    return indexes, list(cursor.fetchall())


def _swap(cursor: Any, *, partitioned: bool) -> None:
    """Make the table again (partitioned or plain), copy every row, and give it the old one's
    name, identity position, primary key, foreign keys and indexes."""
    cursor.execute(f"LOCK TABLE {_q(TABLE)} IN ACCESS EXCLUSIVE MODE")
    indexes, foreign_keys = _definitions(cursor)
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (old_sequence,) = cursor.fetchone()
    cursor.execute(f"SELECT last_value, is_called FROM {old_sequence}")
    last_value, is_called = cursor.fetchone()
    like = "LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY INCLUDING STORAGE"
    cursor.execute(
        f"CREATE TABLE {_q(NEW)} ({like.format(_q(TABLE))})"
        + (" PARTITION BY RANGE (at)" if partitioned else "")
    )
    if partitioned:
        cursor.execute(
            f"SELECT DISTINCT date_part('year', at AT TIME ZONE %s)::int, "
            f"date_part('month', at AT TIME ZONE %s)::int FROM {_q(TABLE)}",
            [settings.TIME_ZONE, settings.TIME_ZONE],
        )
        months = set(cursor.fetchall())
        today = datetime.datetime.now(ZoneInfo(settings.TIME_ZONE))
        month = (today.year, today.month)
        for _ in range(MONTHS_AHEAD + 1):
            months.add(month)
            month = _next(*month)
        for year, month_number in sorted(months):
            name = f"{TABLE}_y{year:04d}m{month_number:02d}"
            cursor.execute(
                f"CREATE TABLE {_q(name)} PARTITION OF {_q(NEW)} FOR VALUES FROM (%s) TO (%s)",
                [_month_bound(year, month_number), _month_bound(*_next(year, month_number))],
            )
        cursor.execute(f"CREATE TABLE {_q(TABLE + '_default')} PARTITION OF {_q(NEW)} DEFAULT")
    cursor.execute(f"INSERT INTO {_q(NEW)} SELECT * FROM {_q(TABLE)}")
    cursor.execute(f"DROP TABLE {_q(TABLE)}")
    cursor.execute(f"ALTER TABLE {_q(NEW)} RENAME TO {_q(TABLE)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    (sequence,) = cursor.fetchone()
    cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(TABLE + '_id_seq')}")
    key = "(id, at)" if partitioned else "(id)"
    cursor.execute(f"ALTER TABLE {_q(TABLE)} ADD CONSTRAINT {_q(TABLE + '_pkey')} PRIMARY KEY {key}")
    for name, definition in foreign_keys:
        cursor.execute(f"ALTER TABLE {_q(TABLE)} ADD CONSTRAINT {_q(name)} {definition}")
    for _name, definition in indexes:
        cursor.execute(definition)


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the plain table; partitions are PostgreSQL's
    with schema_editor.connection.cursor() as cursor:
        if _relkind(cursor) == "r":
            _swap(cursor, partitioned=True)


def unpartition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _relkind(cursor) == "p":
            _swap(cursor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_login_session"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
