"""An engine's failures (`cccd link`, `cccd dedupe_register`) said as a CommandError sentence."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

from cccd.rosters import linkage


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
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CommandError(f"Spark failed while {doing}: {first[:300]}") from None
