"""The migration to several lists a session keeps the data: each session's versions become the
versions of one list, named after its current file, and that list stays current."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cccd.campaigns.models import Session

BEFORE = [("rosters", "0001_initial")]
AFTER = [("rosters", "0002_roster_lists")]


@pytest.mark.django_db(transaction=True)
def test_each_sessions_current_roster_becomes_its_one_list(session: Session) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps.get_model("rosters", "Roster")
        common = {"session_id": session.pk, "unit_id": session.unit_id, "kind": "xlsx"}
        old.objects.create(
            version=1, is_current=False, file="a", original_name="ds lop 12.xlsx", **common
        )
        old.objects.create(
            version=2, is_current=True, file="b", original_name="DS 12A1 (sửa).xlsx", **common
        )
        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("rosters", "Roster")
        rows = list(
            new.objects.order_by("version").values_list("list_name", "version", "is_current")
        )
        assert rows == [("DS 12A1 (sửa)", 1, False), ("DS 12A1 (sửa)", 2, True)]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
