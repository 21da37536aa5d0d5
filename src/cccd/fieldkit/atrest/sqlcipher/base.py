"""A Django database backend for SQLCipher: Django's SQLite backend on `sqlcipher3`.

Django's SQLite backend is written against the standard library's `sqlite3`: it opens connections
with a module-global `Database`, registers its converters and adapters on that module, and wraps
cursors in a subclass of `sqlite3.Cursor`. SQLCipher's `sqlcipher3` is the same DB-API module
built against SQLCipher, but a distinct one: so here the class attribute `Database` (which maps
driver exceptions to Django's, `IntegrityError` included) is `sqlcipher3`, the converters and
adapters are registered on it too, connections come from it, and the cursor wrapper subclasses its
`Cursor`. Everything else (SQL, schema editor, introspection, transactions) is SQLite's.

Each connection's first statement gives SQLCipher the raw 256-bit key derived from the passphrase
(`keys.unlock`); then the usual start (foreign keys, WAL, `init_command`). SQLCipher encrypts every
page of the database and of its write-ahead log; temporary tables and sorts are kept in memory
so that none spills to an unencrypted temporary file.

Settings: `ENGINE = "cccd.fieldkit.atrest.sqlcipher"` and `OPTIONS["key_folder"]`, the data folder
that holds `kit-at-rest.json` (settings.py sets both in field mode).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from itertools import tee
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as Database
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.sqlite3 import base as sqlite_base
from django.db.backends.sqlite3._functions import (  # type: ignore[import-untyped]
    register as register_functions,
)
from django.utils.asyncio import async_unsafe
from django.utils.dateparse import parse_date, parse_datetime, parse_time

from cccd.errors import DomainError
from cccd.fieldkit import errors
from cccd.fieldkit.atrest import keys

SQLITE_HEADER = b"SQLite format 3\x00"

Database.register_converter("bool", b"1".__eq__)
Database.register_converter("date", sqlite_base.decoder(parse_date))
Database.register_converter("time", sqlite_base.decoder(parse_time))
Database.register_converter("datetime", sqlite_base.decoder(parse_datetime))
Database.register_converter("timestamp", sqlite_base.decoder(parse_datetime))
Database.register_adapter(decimal.Decimal, str)
Database.register_adapter(datetime.date, sqlite_base.adapt_date)
Database.register_adapter(datetime.datetime, sqlite_base.adapt_datetime)


class SQLCipherCursorWrapper(Database.Cursor):
    """Django's `SQLiteCursorWrapper` on SQLCipher's cursor: "format" and "pyformat" parameters
    turned into SQLite's "qmark" and "named" ones (the same code; a class of `sqlite3` cannot be
    the factory of a `sqlcipher3` connection)."""

    def execute(self, query: str, params: Any = None) -> Any:
        if params is None:
            return super().execute(query)
        param_names = list(params) if isinstance(params, Mapping) else None
        return super().execute(self.convert_query(query, param_names=param_names), params)

    def executemany(self, query: str, param_list: Iterable[Any]) -> Any:
        peekable, param_list = tee(iter(param_list))
        first = next(peekable, None)
        param_names = list(first) if first and isinstance(first, Mapping) else None
        return super().executemany(self.convert_query(query, param_names=param_names), param_list)

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return sqlite_base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")
        return query % {name: f":{name}" for name in param_names}


class DatabaseWrapper(sqlite_base.DatabaseWrapper):
    display_name = "SQLite (SQLCipher)"
    Database = Database

    def get_connection_params(self) -> dict[str, Any]:
        params: dict[str, Any] = super().get_connection_params()
        folder = params.pop("key_folder", None)
        if not folder:
            raise ImproperlyConfigured(
                "The SQLCipher backend needs OPTIONS['key_folder']: the data folder that holds "
                f"{keys.STATE_FILE}."
            )
        self.key_folder = Path(folder)
        return params

    @async_unsafe
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        """A connection whose first statement is the key; a refused passphrase stops here, with
        its sentence rather than SQLCipher's "file is not a database"."""
        try:
            at_rest = keys.unlock(self.key_folder, may_set_up=self._is_new_database())
        except DomainError as error:
            raise ImproperlyConfigured(keys.refusal_sentence(error)) from error
        conn = Database.connect(**conn_params)
        conn.execute(at_rest.sqlcipher_key_pragma())
        conn.execute("PRAGMA temp_store = MEMORY")
        register_functions(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA legacy_alter_table = OFF")
        for init_command in getattr(self, "init_commands", ()):
            if init_command := init_command.strip():
                conn.execute(init_command)
        return conn

    def _is_new_database(self) -> bool:
        """Whether the database is still to be created (so the folder may get its salt); a plain
        SQLite file is refused, since SQLCipher cannot open it under a key."""
        if self.is_in_memory_db():
            return True
        name = str(self.settings_dict["NAME"])
        path = Path(name.removeprefix("file:").partition("?")[0])
        try:
            with path.open("rb") as file:
                head = file.read(len(SQLITE_HEADER))
        except FileNotFoundError:
            return True
        except OSError:
            return False  # SQLCipher will say what is wrong with it
        if head == SQLITE_HEADER:
            error = errors.AT_REST_DATABASE_NOT_ENCRYPTED()
            raise ImproperlyConfigured(keys.refusal_sentence(error)) from error
        return not head

    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=SQLCipherCursorWrapper)
