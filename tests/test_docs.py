"""The repository explains itself: rules cited from its own `docs/`, and every citation lands.

Docstrings cite a rule as `docs/<page>.md#<anchor>` (`docs/domain.md#validity`); the pages link each
other as `<page>.md#<anchor>`. An anchor is the GitHub slug of a heading, so renaming a heading
without the code that cites it fails here, and so does any pointer at notes kept outside the
repository.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SCANNED = ("src", "docs", "tests", "bench", "README.md", "pyproject.toml", "Makefile", ".ci")
SKIPPED = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis"}
GENERATED = ROOT / "bench" / "data"  # the benchmarks' generated registers, not in git

OUTSIDE = re.compile(rb"\.\./shared|\b(?:DOMAIN|DESIGN|STYLE)\.md\b")
"""Notes that live outside the repository, by their path or their file names (in capitals)."""

CITATION = re.compile(r"\bdocs/([\w.-]+\.md)(?:#([\w-]+))?")
"""`docs/domain.md#validity`, from anywhere in the repository."""

RELATIVE_LINK = re.compile(r"\]\(([\w.-]+\.md)(?:#([\w-]+))?\)")
"""`[Validity](domain.md#validity)`, between the pages of docs/."""

HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: link text kept, lower case, punctuation dropped, spaces to
    hyphens (github-slugger)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every anchor of a Markdown page; a repeated heading gets `-1`, `-2` … as on GitHub."""
    seen: dict[str, int] = {}
    found: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match is None:
            continue
        base = slug(match.group(1))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def files() -> Iterator[Path]:
    for name in SCANNED:
        top = ROOT / name
        if top.is_file():
            yield top
            continue
        for path in sorted(top.rglob("*")):
            folders = set(path.relative_to(ROOT).parts[:-1])
            built = any(part.endswith(".egg-info") for part in folders)  # pip's, not ours
            if (
                path.is_file()
                and not folders & SKIPPED
                and not built
                and GENERATED not in path.parents
            ):
                yield path


def texts() -> Iterator[tuple[Path, str]]:
    for path in files():
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # images, fonts, compiled catalogues
            continue


def test_nothing_points_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files()
        for number, line in enumerate(path.read_bytes().splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, "cite docs/domain.md or docs/design.md instead: " + ", ".join(offenders)


def test_every_citation_of_the_docs_lands_on_a_page_and_a_heading() -> None:
    pages: dict[str, set[str]] = {page.name: anchors(page) for page in DOCS.glob("*.md")}
    broken = []
    cited = 0
    for path, text in texts():
        patterns = [CITATION] + ([RELATIVE_LINK] if path.parent == DOCS else [])
        for number, line in enumerate(text.splitlines(), start=1):
            for pattern in patterns:
                for page, anchor in pattern.findall(line):
                    cited += 1
                    where = f"{path.relative_to(ROOT)}:{number}"
                    if page not in pages:
                        broken.append(f"{where}: no docs/{page}")
                    elif anchor and anchor not in pages[page]:
                        broken.append(f"{where}: no heading #{anchor} in docs/{page}")
    assert cited > 0
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Validity", "validity"),
        ("ID number", "id-number"),
        ("Errors: never a 500", "errors-never-a-500"),
        (
            "`cccd.enrollments`: features over one model layer",
            "cccdenrollments-features-over-one-model-layer",
        ),
        (
            "What one machine holds (bench/RESULTS.md, 2 cores)",
            "what-one-machine-holds-benchresultsmd-2-cores",
        ),
        ("The [2021](x.md) campaign", "the-2021-campaign"),
        ("Scale-out", "scale-out"),
    ],
)
def test_an_anchor_is_the_github_slug_of_its_heading(heading: str, anchor: str) -> None:
    assert slug(heading) == anchor
