"""The test database as a file, for tests whose work happens in other connections or processes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def use_a_file_test_database() -> None:
    """Call from a conftest's `pytest_configure`. Threads and worker processes need a test database
    they can all open: SQLite's shared-cache in-memory database is neither visible to another
    process nor usable from threads (it locks whole tables and fails at once), so on SQLite the
    test database becomes a file (WAL, IMMEDIATE transactions, as in production). The name is the
    one `tests/tickets/conftest.py` uses, so both agree when they run together. PostgreSQL's test
    database is already visible to every connection."""
    from django.conf import settings
    from django.db import connections

    for databases in (settings.DATABASES, connections.settings):
        default = databases["default"]
        test = default.setdefault("TEST", {})
        if default["ENGINE"].endswith("sqlite3") and not test.get("NAME"):
            test["NAME"] = str(Path(tempfile.gettempdir()) / f"cccd-test-{os.getpid()}.sqlite3")
