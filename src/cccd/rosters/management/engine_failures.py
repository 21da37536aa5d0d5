"""An engine's failures (`cccd link`, `cccd dedupe_register`) said as a CommandError sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from cccd.rosters import linkage
from cccd.rosters.linkage.frames import memory_limit


@contextmanager
def engine_failures(engine: str, doing: str) -> Iterator[None]:
    """Turn Spark missing here (`linkage.EngineUnavailable`: what to install or check) or Spark
    failing mid-run (a lost cluster, the JVM out of memory: its first line) into a CommandError,
    not a traceback. ``doing``: what the command was at ("linking")."""
    try:
        yield
    except linkage.EngineUnavailable as exc:
        raise CommandError(str(exc)) from None
    except linkage.engine_errors(engine) as exc:
        raise CommandError(f"Spark failed while {doing}: {linkage.engine_failure(exc)}") from None
    except Exception as exc:
        if engine == "duckdb" and duckdb_out_of_memory(exc):
            raise CommandError(
                f"DuckDB ran out of the memory it may use ({memory_limit()}) while {doing}: "
                "give it more (CCCD_DUCKDB_MEMORY_LIMIT=8GB, within the machine's memory) or run "
                "it on Spark (--engine spark)."
            ) from None
        raise


def duckdb_out_of_memory(exc: BaseException) -> bool:
    """Whether DuckDB's out-of-memory error is behind ``exc`` (Splink wraps it in its own)."""
    import duckdb

    seen: BaseException | None = exc
    for _ in range(10):  # a chain of causes is short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, duckdb.OutOfMemoryException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
