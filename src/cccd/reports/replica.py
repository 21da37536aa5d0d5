"""Dashboards, reports and their exports read from a PostgreSQL streaming replica when one is
configured (`CCCD_REPLICA_URL`, docs/operations.md#a-reporting-replica).

Why: at a province's peak, commanders refresh dashboards all day while desks write intakes; the
report queries are the heavy reads, so they go to a hot standby and leave the primary to the desks.
Only views that enter `report_reads` (the `reads_from_replica` decorator) read there, and only
when the replica is recent enough (`CCCD_REPLICA_MAX_LAG_SECONDS`); anything else, every write
(audit records of a report view included), and every read inside a transaction of the primary go to
the primary. A page whose figures came from the replica says as of when they are true.
"""

from __future__ import annotations

import datetime
import functools
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, InterfaceError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.connection import ConnectionDoesNotExist

REPLICA = "replica"
# How long one measure of the replica's lag is trusted: a busy dashboard costs the primary and the
# replica one small query each every few seconds, not one per page.
CHECK_SECONDS = 5.0

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
T = TypeVar("T")


@dataclass(frozen=True)
class Replica:
    """What a measure of the replica found: whether report reads may go there, and as of when the
    figures read there are true (the primary's clock)."""

    usable: bool
    reason: str  # "caught up", "behind", "too far behind", "not replaying", "unreachable", "not a standby"
    as_of: datetime.datetime | None = None
    lag_seconds: float | None = None


@dataclass(frozen=True)
class ReportRead:
    """Where the reads of the running report view go."""

    alias: str
    as_of: datetime.datetime | None = None

    @property
    def from_replica(self) -> bool:
        return self.alias == REPLICA


_scope: ContextVar[ReportRead | None] = ContextVar("cccd_report_read", default=None)
_measured: dict[str, tuple[float, Replica]] = {}


def configured() -> bool:
    """Whether there is a connection named `replica` (settings.DATABASES, from CCCD_REPLICA_URL)."""
    try:
        connections[REPLICA]
    except ConnectionDoesNotExist:
        return False
    return True


def forget() -> None:
    """Drop the cached measure, so that the next report view measures the replica again."""
    _measured.clear()


def status() -> Replica:
    """The replica's state, measured at most every `CHECK_SECONDS`."""
    now = time.monotonic()
    cached = _measured.get(REPLICA)
    if cached is not None and now - cached[0] < CHECK_SECONDS:
        return cached[1]
    result = measure()
    _measured[REPLICA] = (now, result)
    return result


def measure() -> Replica:
    """Ask the primary where its WAL and its snapshot are, then the replica what it has replayed.

    The replica is caught up when it has replayed the primary's WAL position, or sees the same
    committed transactions (same snapshot). Otherwise its figures are those of its last replayed
    commit, `pg_last_xact_replay_timestamp()`; that moment alone is no measure of lag (an idle
    primary commits nothing for hours while the replica is current), hence the primary first.
    """
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text, pg_current_snapshot()::text, now()")
        primary_lsn, primary_snapshot, checked_at = cursor.fetchone()
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                " pg_current_snapshot()::text, pg_last_xact_replay_timestamp(), now()",
                [primary_lsn],
            )
            in_recovery, replayed, snapshot, replayed_at, replica_now = cursor.fetchone()
    except (Error, OSError) as exc:
        _close_replica()
        logger.warning(
            "replica unreachable, reports read from the primary (%s)", type(exc).__name__
        )
        return Replica(usable=False, reason="unreachable")
    return judge(
        in_recovery=in_recovery,
        caught_up=replayed or snapshot == primary_snapshot,
        checked_at=checked_at,
        replayed_at=replayed_at,
        replica_now=replica_now,
        max_lag=settings.CCCD_REPLICA_MAX_LAG_SECONDS,
    )


def judge(
    *,
    in_recovery: bool,
    caught_up: bool,
    checked_at: datetime.datetime,
    replayed_at: datetime.datetime | None,
    replica_now: datetime.datetime,
    max_lag: int,
) -> Replica:
    """The verdict on what `measure` read: a caught-up standby is current (as of the check), however
    long ago its last replayed commit; one behind is as old as that commit."""
    if not in_recovery:
        logger.warning("CCCD_REPLICA_URL names a server that is not a standby: not used")
        return Replica(usable=False, reason="not a standby")
    if caught_up:
        return Replica(usable=True, reason="caught up", as_of=checked_at, lag_seconds=0.0)
    if replayed_at is None:
        return Replica(usable=False, reason="not replaying")
    lag = max((replica_now - replayed_at).total_seconds(), 0.0)
    if lag > max_lag:
        logger.warning("replica %.0f s behind, reports read from the primary", lag)
        return Replica(usable=False, reason="too far behind", lag_seconds=lag)
    return Replica(usable=True, reason="behind", as_of=replayed_at, lag_seconds=lag)


def _close_replica() -> None:
    try:
        connections[REPLICA].close()
    except Error:
        pass


@contextmanager
def report_reads(*, replica: bool = True) -> Iterator[ReportRead]:
    """Inside, ORM reads go to the replica if one is configured and recent enough."""
    read = ReportRead(DEFAULT_DB_ALIAS)
    if replica and configured():
        found = status()
        if found.usable:
            read = ReportRead(REPLICA, found.as_of)
    token = _scope.set(read)
    try:
        yield read
    finally:
        _scope.reset(token)


def current() -> ReportRead | None:
    return _scope.get()


def read_reports(work: Callable[[], T]) -> tuple[T, ReportRead]:
    """Run `work` inside `report_reads`. If the replica fails under it (went away, or a recovery
    conflict cancelled a long query), `work` runs again once on the primary: report work only
    reads (a report view writes its audit record after its reads), so nothing is done twice."""
    with report_reads() as read:
        if not read.from_replica:
            return work(), read
        try:
            return work(), read
        except (OperationalError, InterfaceError) as exc:
            logger.warning(
                "a report read on the replica failed, read again on the primary (%s)",
                type(exc).__name__,
            )
            _close_replica()
            _measured[REPLICA] = (time.monotonic(), Replica(usable=False, reason="unreachable"))
    with report_reads(replica=False) as read:
        return work(), read


def reads_from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """A report view whose reads go to the replica (`read_reports`); a response whose figures came
    from there carries `X-Figures-As-Of` (downloads have no page to say it)."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        response, read = read_reports(lambda: view(*args, **kwargs))
        if read.from_replica and read.as_of is not None:
            response["X-Figures-As-Of"] = read.as_of.isoformat()
        return response

    return wrapper


def figures_age(request: HttpRequest) -> dict[str, Any]:
    """Template context: `replica_as_of`, the moment the page's figures are true, when they were
    read from the replica (base.html shows it)."""
    read = _scope.get()
    if read is None or not read.from_replica or read.as_of is None:
        return {}
    return {"replica_as_of": timezone.localtime(read.as_of)}


class ReplicaRouter:
    """Reads of a report view go to the replica (see `report_reads`); everything else, and every
    write, to the primary. Only the primary is migrated."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        read = _scope.get()
        if read is None or not read.from_replica:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # read what this transaction wrote, not the replica's past
        return REPLICA

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        if {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA}:
            return True  # the same rows, one of them read from the replica
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
