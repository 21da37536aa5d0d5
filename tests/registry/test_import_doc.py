"""docs/register-import.md names every column, every header the import knows and every reason a
row is rejected: the doc an officer preparing a file reads stays the code's."""

import re
from pathlib import Path

from cccd.registry import importing, rows
from cccd.registry.columns import SYNONYMS

DOC = (Path(__file__).parents[2] / "docs" / "register-import.md").read_text(encoding="utf-8")


def test_every_column_and_header_is_documented() -> None:
    for column, headers in SYNONYMS.items():
        assert f"`{column}`" in DOC, column
        for header in headers:
            assert f"`{header}`" in DOC, (column, header)


def test_every_reason_code_is_documented() -> None:
    source = Path(rows.__file__).read_text() + Path(importing.__file__).read_text()
    codes = set(re.findall(r'RowRejected\(\s*"([A-Z_]+)"', source))
    assert len(codes) > 20
    for code in codes:
        assert f"| `{code}` |" in DOC, code
