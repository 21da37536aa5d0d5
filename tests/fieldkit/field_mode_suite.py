"""Tests that run only in field mode: `test_atrest_kit.py` runs this file with pytest in a process
of its own (`CCCD_FIELD_MODE=true`), so that the test runner itself creates its database through
the SQLCipher backend. Not collected by the suite (its name does not start with `test_`)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, cast

import pytest
import sqlcipher3.dbapi2 as sqlcipher
from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from cccd.fieldkit.atrest import keys
from cccd.registry.models import Person
from tests.builders import make_person, make_tree

TEST_DATABASE = Path(tempfile.mkdtemp(prefix="cccd-kit-test-")) / "kit-test.sqlite3"


@pytest.fixture(scope="session")
def django_db_modify_db_settings() -> None:
    """A file test database (so that a second connection can try to take its lock)."""
    for databases in (settings.DATABASES, connections.settings):
        default: dict[str, Any] = databases["default"]
        default.setdefault("TEST", {})["NAME"] = str(TEST_DATABASE)


def _second_connection() -> sqlcipher.Connection:
    other = sqlcipher.connect(str(TEST_DATABASE), timeout=0, isolation_level=None)
    folder = Path(settings.DATA_DIR)
    other.execute(keys.unlock(folder, may_set_up=False).sqlcipher_key_pragma())
    return other


def test_the_test_database_is_sqlcipher(db: None) -> None:
    assert connection.vendor == "sqlite" and connection.display_name == "SQLite (SQLCipher)"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cipher_version")
        assert cursor.fetchone()[0]
        cursor.execute("PRAGMA cipher_use_hmac")  # every page authenticated: tampering is refused
        assert cursor.fetchone()[0] == "1"
    assert TEST_DATABASE.read_bytes()[:16] != b"SQLite format 3\x00"


def test_an_integrity_error_is_djangos(db: None) -> None:
    tree = make_tree()
    person = cast(Person, make_person(tree.daklao, "Lê Văn Tám", "01/02/2010", "M"))
    person.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()  # the same personal ID again
    assert Person.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_transaction_takes_the_write_lock_at_begin() -> None:
    """IMMEDIATE: two desks calling "next" queue up at BEGIN instead of failing later."""
    other = _second_connection()
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        with transaction.atomic():
            with pytest.raises(sqlcipher.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 0")  # refuse at once rather than wait 20 s
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="locked"), transaction.atomic():
            pass  # the driver's error, as Django's
        other.execute("ROLLBACK")
    finally:
        other.close()
