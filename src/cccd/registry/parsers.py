"""Parser processes: a register file's batches checked in other processes while the import writes.

Nearly half of an import's time was Python checking rows (`rows.parse_row`, the communes, the folded
names); the writer waited for it. Here each of `processes` forked children reads the file itself
and parses every `processes`-th batch; the parent takes the results back in the file's order, so
rejected rows, resume points and "the first row wins" come out exactly as when it parses alone.
Each child holds at most `depth` parsed batches the parent has not taken, so memory stays flat
whatever the file's size.

Forked, not spawned: the children inherit the settings, the active language, the resolver's
communes and any test's patches, and start in milliseconds. They never touch the database (they
neither use nor close the parent's connections: a fork shares their sockets). Where fork is not
available, `processes` is 0 and everything runs in the calling process. A child whose parent died
(a killed worker) stops at its next full queue.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.context import ForkProcess
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.utils import translation

from cccd.errors import DomainError, ErrorCode, all_codes

B = TypeVar("B")
R = TypeVar("R")
WAIT = 1.0  # seconds between two looks at the lease (parent) or at the parent (child)


def parser_processes() -> int:
    """The number of parser processes: `CCCD_IMPORT_PARSERS`, or when it is -1, one fewer than
    the CPUs, at most 2, and none while the load average is 2 a CPU or more; 0 where processes
    cannot be forked. Measured on 2 CPUs shared with other work (bench/RESULTS.md): at a load
    average of 3-4 a parser process took 13 % off the import, at 5-12 it added 20-40 %."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    configured = int(settings.CCCD_IMPORT_PARSERS)
    if configured >= 0:
        return configured
    cpus = os.cpu_count() or 1
    if os.getloadavg()[0] >= 2 * cpus:
        return 0
    return max(0, min(2, cpus - 1))


@dataclass
class _Refused:
    """A whole-file problem met by a child (`DomainError`), sent as its code and parameters: the
    parent raises the same registered code, its sentence in the parent's language."""

    code: str
    params: dict[str, Any]


@dataclass
class _Crashed:
    """Any other exception in a child: its type and where (file, line, function), never its
    message or source lines (they may hold a person's data)."""

    kind: str
    where: str


_END = "end"


class ParserFailed(RuntimeError):
    """A parser process crashed or died."""


@dataclass
class _Child(Generic[R]):
    process: ForkProcess
    results: Any  # multiprocessing.Queue of (number, R) | _Refused | _Crashed | _END


@contextmanager
def parsed(
    read: Callable[[], Iterable[B]],
    parse: Callable[[B], R],
    *,
    processes: int,
    depth: int = 2,
    tick: Callable[[], None] | None = None,
) -> Iterator[Iterator[R]]:
    """`parse(batch)` for each batch `read()` yields, in order: in this process when `processes`
    is 0, else in that many forked children. Leaving the `with` stops the children."""
    if processes <= 0:
        yield (parse(batch) for batch in read())
        return
    context = multiprocessing.get_context("fork")
    language = translation.get_language()
    children: list[_Child[R]] = []
    try:
        with _parents_garbage_left_behind():
            for nth in range(processes):
                results = context.Queue(maxsize=depth)
                process = context.Process(
                    target=_parse_share,
                    args=(read, parse, results, nth, processes, os.getpid(), language),
                    name=f"cccd-parser-{nth}",
                    daemon=True,
                )
                process.start()
                children.append(_Child(process, results))
        yield _in_order(children, tick)
    finally:
        for child in children:
            if child.process.is_alive():
                child.process.terminate()
                child.process.join(timeout=10 * WAIT)
            if child.process.is_alive():
                child.process.kill()
            child.process.join()
            child.results.close()


@contextmanager
def _parents_garbage_left_behind() -> Iterator[None]:
    """Free the parent's garbage here, then hide what is left from the children's collector.

    A child that collected garbage it inherited — a DuckDB connection of an earlier pre-check in a
    worker, whose threads live only in the parent — crashed in its destructor (SIGSEGV, seen in the
    suite and in tests/registry/test_import_parsers.py). Collected in the parent, where its threads are;
    frozen (`gc.freeze`, as Python's documentation advises before a fork), nothing the child
    inherits is ever collected there; the child's own objects are, as usual.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _registered(code: str) -> ErrorCode:
    found = next((error for error in all_codes() if error.code == code), None)
    if found is None:  # cannot happen: a child raises only the codes this process knows
        raise ParserFailed(f"parser process refused the file with an unknown code {code}")
    return found


def _in_order(children: list[_Child[R]], tick: Callable[[], None] | None) -> Iterator[R]:
    number = 0
    while True:
        child = children[number % len(children)]
        item = _next(child, tick)
        if item == _END:
            return
        if isinstance(item, _Refused):
            raise _registered(item.code)(**item.params)
        if isinstance(item, _Crashed):
            raise ParserFailed(f"parser process: {item.kind}\n{item.where}")
        got, result = item
        if got != number:  # cannot happen: each child sends its own batches in order
            raise ParserFailed(f"parser process sent batch {got}, expected {number}")
        yield result
        number += 1


def _next(child: _Child[R], tick: Callable[[], None] | None) -> Any:
    while True:
        try:
            return child.results.get(timeout=WAIT)
        except queue.Empty:
            if tick is not None:
                tick()
            if not child.process.is_alive():
                try:  # it may have sent its last item just before it ended
                    return child.results.get(timeout=WAIT)
                except queue.Empty:
                    raise ParserFailed(
                        f"parser process ended with exit code {child.process.exitcode}"
                    ) from None


def _parse_share(
    read: Callable[[], Iterable[B]],
    parse: Callable[[B], R],
    results: Any,
    nth: int,
    processes: int,
    parent: int,
    language: str | None,
) -> None:
    """The child: read the whole file, parse every `processes`-th batch from the `nth`."""
    # the parent's handlers (a worker's "stop after this task") would keep it alive on terminate()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which stops us
    translation.activate(language) if language else translation.deactivate_all()
    try:
        try:
            for number, batch in enumerate(read()):
                if number % processes == nth:
                    _put(results, (number, parse(batch)), parent)
            item: Any = _END
        except DomainError as exc:
            item = _Refused(exc.code, dict(exc.params))
        except Exception as exc:  # sent to the parent, which raises it there
            frames = traceback.extract_tb(exc.__traceback__)
            where = "\n".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames)
            item = _Crashed(type(exc).__name__, where)
        _put(results, item, parent)
    except _Orphaned:
        results.cancel_join_thread()  # nobody will read what is still in the pipe


class _Orphaned(BaseException):
    """The parent is gone: stop."""


def _put(results: Any, item: Any, parent: int) -> None:
    while True:
        try:
            results.put(item, timeout=WAIT)
            return
        except queue.Full:
            if os.getppid() != parent:
                raise _Orphaned from None
