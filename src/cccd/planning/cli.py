"""`cccd plan --instance INSTANCE.json --out PLAN.json [--time-limit SECONDS]`, without Django:
the management command only hands its options here, so the contract is testable on its own."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from cccd.planning.instance import InstanceError, load_instance
from cccd.planning.plan import plan_to_json
from cccd.planning.solver import Progress, solve


class Writer(Protocol):
    """A text stream: a file, or the `stdout` of a Django management command."""

    def write(self, text: str, /) -> Any: ...


EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_CANNOT_WRITE = 1


def plan_command(
    instance_path: Path, out_path: Path, time_limit: float, *, stdout: Writer, stderr: Writer
) -> int:
    """Solve the instance file into the plan file; the exit code. A bad instance: code 2, one line
    on stderr naming the field, and nothing written."""
    if not 0 < time_limit <= 86_400:
        stderr.write(f"cccd plan: --time-limit must be > 0 and ≤ 86400 seconds, not {time_limit}\n")
        return EXIT_BAD_INPUT
    try:
        raw = instance_path.read_bytes()
    except OSError as error:
        stderr.write(f"cccd plan: cannot read {instance_path}: {error.strerror}\n")
        return EXIT_BAD_INPUT
    try:
        instance = load_instance(raw)
    except InstanceError as error:
        stderr.write(f"cccd plan: {instance_path}: {error}\n")
        return EXIT_BAD_INPUT

    def report(p: Progress) -> None:
        reached = "—" if p.reached is None else p.reached
        bound = "—" if p.bound is None else p.bound
        stderr.write(f"{p.seconds:7.1f} s  reached {reached}  bound {bound}\n")

    if not out_path.resolve().parent.is_dir():
        stderr.write(f"cccd plan: cannot write {out_path}: its folder does not exist\n")
        return EXIT_BAD_INPUT
    plan = solve(instance, time_limit=time_limit, progress=report)
    try:
        _write_atomically(out_path, plan_to_json(plan))
    except OSError as error:
        stderr.write(f"cccd plan: cannot write {out_path}: {error.strerror}\n")
        return EXIT_CANNOT_WRITE
    stdout.write(
        f"{len(plan.sessions)} sessions, reached {plan.reached} of at most {plan.bound} "
        f"({plan.status}) → {out_path}\n"
    )
    return EXIT_OK


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    """A temporary file beside `path`, then a rename: a reader sees the old plan or the new one."""
    folder = path.resolve().parent
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=folder, prefix=f".{path.name}.", delete=False
    ) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
        temporary = Path(handle.name)
    try:
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        raise
