"""The floors of cccd: every import runs down (or along a floor), and no modules import each other.

Each module of `src/cccd` is read with `ast`: every `import` and `from … import`, at the top of the
file, inside a function or under `if TYPE_CHECKING:` (a lazy import is still an import: it only
hides the arrow from a reader). `FLOORS` places each module by its package prefix (the longest
prefix wins), ground floor first; a module may import its own floor and the floors below it. A
new package must be given a floor here before it can be imported; a module that moves inside its
package (`enrollments/intake/…`) keeps its floor. Imports by name in a string (`include("…")`,
a task's dotted path for `cccd.jobs`) are not read. docs/architecture.md ("Floors") draws the
same table and says where the hooks that let a lower floor be told by a higher one are.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "src"

FLOORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("the rules of the card", ("cccd.core",)),
    (
        "small shared modules",
        (
            "cccd.errors",
            "cccd.environment",
            "cccd.localtime",
            "cccd.spreadsheets",
            "cccd.filebounds",
            "cccd.labels",
            "cccd.pdf",
            "cccd.rule_messages",
            "cccd.headers",
            "cccd.formats",
            "cccd.api",
            "cccd.queryforms",
            "cccd.devices",
            "cccd.fieldkit",
            "cccd.planning",
        ),
    ),
    ("the unit trees", ("cccd.units",)),
    ("users, roles, scope, audit", ("cccd.accounts",)),
    ("unit administration", ("cccd.unitadmin",)),
    ("background jobs", ("cccd.jobs",)),
    ("notifications", ("cccd.notify",)),
    ("the register", ("cccd.registry",)),
    ("campaigns", ("cccd.campaigns",)),
    ("rosters", ("cccd.rosters",)),
    ("tickets", ("cccd.tickets",)),
    ("bookings", ("cccd.booking",)),
    ("enrollments", ("cccd.enrollments",)),
    ("reports", ("cccd.reports",)),
    ("reach and coverage", ("cccd.reach",)),
    ("campaign planning", ("cccd.planner",)),
    ("field kits", ("cccd.kits",)),
    ("the demo", ("cccd.demo",)),
    (
        "the project",
        (
            "cccd.home",
            "cccd.api_v1",
            "cccd.urls",
            "cccd.settings",
            "cccd.wsgi",
            "cccd.__main__",
        ),
    ),
)
"""Ground floor first. Within a floor, modules may import each other (never in a loop)."""


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the module imported (a module of the tree, or the package it names)
    file: str  # its path under src/
    line: int

    def __str__(self) -> str:
        return f"src/{self.file}:{self.line}: {self.source} imports {self.target}"


def floor_of(module: str) -> int | None:
    """The index in FLOORS of the longest prefix naming `module`, or None."""
    best: tuple[int, int] | None = None
    for index, (_name, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > best[0]
            ):
                best = (len(prefix), index)
    return None if best is None else best[1]


def modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package `cccd` under `root`, by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / "cccd").rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of a `cccd` module, wherever it stands in its file (once per line)."""
    return list(dict.fromkeys(_imports(root)))


def _imports(root: Path) -> Iterator[Import]:
    known = modules(root)
    for source, path in known.items():
        file = str(path.relative_to(root))
        package = source if path.name == "__init__.py" else source.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield from _named(known, source, file, node.lineno, alias.name)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                for alias in node.names:
                    # `from cccd.x import y`: the module `cccd.x.y` if there is one, else `cccd.x`
                    target = f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                    yield from _named(known, source, file, node.lineno, target)


def _named(
    known: dict[str, Path], source: str, file: str, line: int, name: str
) -> Iterator[Import]:
    if name != "cccd" and not name.startswith("cccd."):
        return
    while name not in known and "." in name:  # a name inside a module: the module
        name = name.rpartition(".")[0]
    if name != source:
        yield Import(source, name, file, line)


def upward(found: list[Import]) -> list[str]:
    """Imports from a lower floor to a higher one."""
    wrong = []
    for imp in found:
        low, high = floor_of(imp.source), floor_of(imp.target)
        if low is not None and high is not None and high > low:
            wrong.append(
                f"{imp} (floor {low + 1} {FLOORS[low][0]!r} below {high + 1} {FLOORS[high][0]!r})"
            )
    return wrong


def cycles(found: list[Import]) -> list[list[str]]:
    """The groups of modules that import each other (strongly connected, Tarjan), each with the
    imports that tie it."""
    graph: dict[str, list[Import]] = {}
    for imp in found:
        graph.setdefault(imp.source, []).append(imp)
        graph.setdefault(imp.target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:  # recursion depth is the longest chain of imports: small
        index[module] = low[module] = len(index)
        stack.append(module)
        for imp in graph[module]:
            if imp.target not in index:
                visit(imp.target)
                low[module] = min(low[module], low[imp.target])
            elif imp.target in stack:
                low[module] = min(low[module], index[imp.target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                members = set(group)
                groups.append(
                    sorted(str(i) for m in group for i in graph[m] if i.target in members)
                )

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return groups


def test_every_module_stands_on_a_floor() -> None:
    homeless = [
        str(p.relative_to(ROOT.parent))
        for m, p in modules().items()
        if m != "cccd" and floor_of(m) is None
    ]
    assert not homeless, "give these a floor in FLOORS:\n" + "\n".join(homeless)


def test_no_module_imports_from_a_floor_above_its_own() -> None:
    wrong = upward(imports())
    assert not wrong, "imports that run back up:\n" + "\n".join(wrong)


def test_no_modules_import_each_other_in_a_loop() -> None:
    loops = cycles(imports())
    assert not loops, "import loops:\n" + "\n\n".join("\n".join(loop) for loop in loops)


def test_the_check_sees_lazy_imports_and_relative_ones(tmp_path: Path) -> None:
    """The reader itself: an import inside a function and a relative one are arrows too, and a
    loop through them is found."""
    package = tmp_path / "cccd" / "reports"
    package.mkdir(parents=True)
    (tmp_path / "cccd" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "counters.py").write_text(
        "def rebuild():\n    from cccd.enrollments.models import E\n"
    )
    (tmp_path / "cccd" / "enrollments").mkdir()
    (tmp_path / "cccd" / "enrollments" / "__init__.py").write_text("")
    (tmp_path / "cccd" / "enrollments" / "models.py").write_text("from ..reports import counters\n")
    found = imports(tmp_path)
    assert {(i.source, i.target, i.line) for i in found} == {
        ("cccd.reports.counters", "cccd.enrollments.models", 2),
        ("cccd.enrollments.models", "cccd.reports.counters", 1),
    }
    assert len(cycles(found)) == 1
    assert [w.split(":")[0] for w in upward(found)] == ["src/cccd/enrollments/models.py"]
