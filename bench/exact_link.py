"""The baseline `cccd link` is timed against: an exact look-up on folded name + birth date.

`python -m bench.exact_link --register R.csv --roster S.csv --out O.csv` does, end to end, what a
spreadsheet VLOOKUP does (method (a) of bench/linkage.py), as fast as we can make it, so its time
is the floor a pre-check of the same files is measured against:

1. DuckDB reads the register CSV (`personal_id`, `full_name`, `birth_date`, found by their header
   names) and the roster CSV (the bench's layout: row number, name, birth date in columns 1–3);
2. each distinct name of both files is folded in Python by `cccd.core.names.fold` (the project's
   folding: case, diacritics, đ, NFD, tone placement), then joined back;
3. birth dates as text dd/mm/yyyy become ISO dates, a year alone stays a year; anything else (a
   two-digit year, an Excel serial day) matches nothing — a spreadsheet would not read it either;
4. an equi-join on (folded name, birth date), keeping for each key the register's first row in
   file order (VLOOKUP's rule);
5. DuckDB writes one line per roster row: row, outcome (matched / not_found), personal_id, and
   empty candidates and score (the columns of `cccd link`'s result).

No Django: Python, DuckDB and the folding function only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from cccd.core import names

_ISO_DATE = """
CASE WHEN regexp_full_match(trim({c}), '[0-9]{{4}}') THEN trim({c})
     ELSE strftime(try_strptime(trim({c}), '%d/%m/%Y'), '%Y-%m-%d') END
"""


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def run(register: Path, roster: Path, out: Path) -> int:
    """Write the look-up's result for every roster row; return the number of rows matched."""
    connection = duckdb.connect(":memory:")
    connection.execute(
        f"""CREATE TABLE register AS SELECT row_number() OVER () AS line, personal_id,
                full_name, {_ISO_DATE.format(c="birth_date")} AS birth
            FROM read_csv('{_quoted(register)}', header = true, all_varchar = true)"""  # noqa: S608 (our path)
    )
    connection.execute(
        f"""CREATE TABLE roster AS SELECT CAST(number AS INTEGER) AS row, full_name,
                {_ISO_DATE.format(c="birth_date")} AS birth
            FROM read_csv('{_quoted(roster)}', header = true, all_varchar = true,
                          names = ['number', 'full_name', 'birth_date'])"""  # noqa: S608 (our path)
    )
    texts = connection.execute(
        "SELECT DISTINCT full_name FROM (SELECT full_name FROM register UNION ALL "
        "SELECT full_name FROM roster) WHERE full_name IS NOT NULL"
    ).fetchall()
    folded = [(text, names.fold(text)) for (text,) in texts]
    connection.register(
        "folded",
        pa.table(
            [[t for t, _ in folded], [f for _, f in folded]],
            names=["full_name", "key"],
        ),
    )
    connection.execute(
        f"""COPY (
            WITH first AS (
                SELECT f.key, r.birth, arg_min(r.personal_id, r.line) AS personal_id
                FROM register r JOIN folded f USING (full_name)
                WHERE r.birth IS NOT NULL GROUP BY f.key, r.birth
            )
            SELECT s.row,
                CASE WHEN first.personal_id IS NULL THEN 'not_found' ELSE 'matched' END AS outcome,
                coalesce(first.personal_id, '') AS personal_id, '' AS candidates, '' AS score
            FROM roster s LEFT JOIN folded f USING (full_name)
            LEFT JOIN first ON first.key = f.key AND first.birth = s.birth
            ORDER BY s.row
        ) TO '{_quoted(out)}' (HEADER, DELIMITER ',')"""  # noqa: S608 (our path)
    )
    [(matched,)] = connection.execute(
        f"SELECT count(*) FROM read_csv('{_quoted(out)}') WHERE outcome = 'matched'"  # noqa: S608 (our path)
    ).fetchall()
    connection.close()
    return int(matched)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.exact_link")
    parser.add_argument("--register", type=Path, required=True)
    parser.add_argument("--roster", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    options = parser.parse_args(argv)
    matched = run(options.register, options.roster, options.out)
    print(f"exact look-up: {matched} matched → {options.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
