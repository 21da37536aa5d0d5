"""The import's parser processes (issue 20): rows checked in forked processes while the importing
process writes give the same people, rejected rows and resume points as checking them in-process;
CCCD_IMPORT_PARSERS=0 starts no process; a child's failure reaches the import, without a
person's data."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

from cccd.registry import importing, parsers
from cccd.registry.importing import run_import
from cccd.registry.models import Household, Person, RegisterImport, RejectedRow
from cccd.registry.services import import_file
from tests.builders import Tree

pytestmark = pytest.mark.django_db

HEADER = "Số định danh,Họ và tên,Ngày sinh,Giới tính,Nơi thường trú,Mã hộ"
ADDRESS = '"Thôn 5, Xã Đắk Lao, Huyện Đắk Mil, Tỉnh Đắk Nông"'
ELSEWHERE = '"Thôn 1, Xã Không Có, Huyện Không Có, Tỉnh Đắk Nông"'
GIVEN = ("An", "Bình", "Chi", "Dũng", "Hương", "Khôi", "Lan", "Minh")


@pytest.fixture(autouse=True)
def _register_setup(tree: Tree) -> None:
    """Every test here imports into the slice of the unit trees."""


def _rows(count: int) -> list[str]:
    """`count` rows, among them every few one malformed, one of an unknown commune, one whose
    personal ID an earlier row had (in the same batch of 7 and in an earlier one)."""
    rows = []
    for n in range(count):
        year = 50 + n % 50
        row = f"0670{year:02d}{n:06d},Nguyễn Văn {GIVEN[n % 8]},01/02/19{year:02d},Nam,{ADDRESS},HK{n // 4}"
        if n % 11 == 3:
            row = row.replace("01/02/", "31/02/")  # BAD_DATE
        elif n % 13 == 5:
            row = row.replace(",Nam,", ",X,")  # BAD_SEX
        elif n % 17 == 6:
            row = row.replace(ADDRESS, ELSEWHERE)  # UNKNOWN_UNIT
        elif n % 19 == 7:
            row = f"12345,A B,01/01/1990,Nam,{ADDRESS},"  # BAD_ID
        elif n % 23 == 8:
            row = rows[-1].replace("Nguyễn", "Trần")  # DUPLICATE_IN_FILE, same batch or before
        elif n % 29 == 9 and n >= 20:
            row = rows[n - 20].replace("Nguyễn", "Lê")  # DUPLICATE_IN_FILE, an earlier batch
        rows.append(row)
    return rows


def _csv(tmp_path: Path, rows: list[str], name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _outcome(imp: RegisterImport) -> dict[str, Any]:
    """Everything the import left, but ids and times."""
    people = Person.objects.order_by("personal_id").values_list(
        "personal_id",
        "full_name",
        "name_folded",
        "given_folded",
        "birth_date",
        "residence_unit_id",
        "household__code",
        "last_import_row",
    )
    rejected = RejectedRow.objects.filter(register_import=imp).order_by("pk")
    return {
        "import": (imp.state, imp.total_rows, imp.rows_done, imp.created, imp.rejected),
        "people": list(people),
        "households": sorted(Household.objects.values_list("code", flat=True)),
        "rejected": list(rejected.values_list("row_number", "code", "message", "values")),
    }


def _forget_everything() -> None:
    RejectedRow.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    RegisterImport.objects.all().delete()


def _import(path: Path) -> RegisterImport:
    return run_import(import_file(path, actor=None, unit_path="/ca/"))


def test_parser_processes_give_the_same_people_and_rejected_rows_as_parsing_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(importing, "BATCH", 7)
    path = _csv(tmp_path, _rows(300))
    settings.CCCD_IMPORT_PARSERS = 0
    serial = _outcome(_import(path))
    _forget_everything()
    settings.CCCD_IMPORT_PARSERS = 2
    parallel = _outcome(_import(path))

    assert parallel == serial
    codes = {code for _row, code, _message, _values in serial["rejected"]}
    assert codes == {"BAD_DATE", "BAD_SEX", "UNKNOWN_UNIT", "BAD_ID", "DUPLICATE_IN_FILE"}
    assert serial["import"][:3] == ("done", 300, 300)
    assert serial["import"][3] + serial["import"][4] == 300
    assert not multiprocessing.active_children()  # the parsers ended with the import


def _pids_of_parsing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process that parsed each batch written, as the writer receives it."""
    seen: list[int] = []
    parse, write = importing.parse_batch, importing._write_batch

    def parse_and_sign(*args: Any, **kwargs: Any) -> importing.Parsed:
        parsed = parse(*args, **kwargs)
        parsed.pid = os.getpid()  # type: ignore[attr-defined]
        return parsed

    def write_and_note(pk: int, parsed: importing.Parsed, lease: Any) -> RegisterImport:
        seen.append(parsed.pid)  # type: ignore[attr-defined]
        return write(pk, parsed, lease)

    monkeypatch.setattr(importing, "parse_batch", parse_and_sign)
    monkeypatch.setattr(importing, "_write_batch", write_and_note)
    return seen


def test_with_no_parser_processes_the_rows_are_parsed_in_the_importing_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CCCD_IMPORT_PARSERS = 0
    monkeypatch.setattr(importing, "BATCH", 10)
    seen = _pids_of_parsing(monkeypatch)
    imp = _import(_csv(tmp_path, _rows(30)))
    assert imp.state == "done"
    assert seen == [os.getpid()] * 3


def test_with_two_parser_processes_each_parses_every_other_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CCCD_IMPORT_PARSERS = 2
    monkeypatch.setattr(importing, "BATCH", 10)
    seen = _pids_of_parsing(monkeypatch)
    imp = _import(_csv(tmp_path, _rows(50)))
    assert imp.state == "done"
    assert len(seen) == 5 and os.getpid() not in seen
    assert seen[0] == seen[2] == seen[4] != seen[1] == seen[3]


def test_an_import_interrupted_with_parser_processes_stops_them_and_resumes_after_its_last_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CCCD_IMPORT_PARSERS = 2
    monkeypatch.setattr(importing, "BATCH", 7)
    original = importing._write_batch
    calls = {"n": 0}

    def crash_on_fourth(*args: Any, **kwargs: Any) -> RegisterImport:
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(importing, "_write_batch", crash_on_fourth)
    rows = _rows(60)
    imp = import_file(_csv(tmp_path, rows), actor=None, unit_path="/ca/")
    with pytest.raises(KeyboardInterrupt):
        run_import(imp)
    assert not multiprocessing.active_children()
    imp.refresh_from_db()
    assert imp.rows_done == 21  # three batches committed

    monkeypatch.setattr(importing, "_write_batch", original)
    resumed = _outcome(run_import(imp))
    _forget_everything()
    settings.CCCD_IMPORT_PARSERS = 0
    at_once = _outcome(_import(_csv(tmp_path, rows, name="again.csv")))
    assert resumed == at_once


def test_a_bad_byte_met_by_a_parser_process_fails_the_import_with_its_line(
    tmp_path: Path, settings: Any
) -> None:
    """A resumed import does not count its rows again: the parser meets the bad byte first."""
    settings.CCCD_IMPORT_PARSERS = 1
    path = tmp_path / "reg.csv"
    good = "\n".join([HEADER, *_rows(2500)]) + "\n"
    path.write_bytes(good.encode() + "067090012399,Tôi,1990,Nam,x,\n".encode("cp1258"))
    imp = import_file(path, actor=None, unit_path="/ca/")
    RegisterImport.objects.filter(pk=imp.pk).update(total_rows=2501)
    imp.refresh_from_db()
    failed = run_import(imp)
    assert (failed.state, failed.error_code) == ("failed", "NOT_UTF8")
    assert "line 2502" in failed.error_message
    assert failed.rows_done == importing.BATCH  # the batch before the bad line is committed


def test_a_parser_process_that_crashes_fails_the_import_without_the_rows_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CCCD_IMPORT_PARSERS = 1

    def leak(*args: Any, **kwargs: Any) -> importing.Parsed:
        raise ValueError("Nguyễn Văn An 067050000000")

    monkeypatch.setattr(importing, "parse_batch", leak)
    with pytest.raises(parsers.ParserFailed) as failed:
        _import(_csv(tmp_path, _rows(5)))
    assert "ValueError" in str(failed.value)
    assert "Nguyễn" not in str(failed.value) and "067050000000" not in str(failed.value)
    assert not multiprocessing.active_children()


@pytest.mark.parametrize(
    ("cpus", "load", "expected"),
    [(1, 0.0, 0), (2, 0.1, 1), (2, 3.9, 1), (2, 4.0, 0), (2, 6.0, 0), (8, 0.0, 2), (8, 15.0, 2)],
)
def test_by_default_the_parsers_are_one_fewer_than_the_cpus_at_most_two_unless_the_load_is_high(
    monkeypatch: pytest.MonkeyPatch, settings: Any, cpus: int, load: float, expected: int
) -> None:
    settings.CCCD_IMPORT_PARSERS = -1
    monkeypatch.setattr(os, "cpu_count", lambda: cpus)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert parsers.parser_processes() == expected


def test_a_configured_number_of_parsers_is_taken_as_it_is(
    monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    monkeypatch.setattr(os, "getloadavg", lambda: (9.0, 9.0, 9.0))
    settings.CCCD_IMPORT_PARSERS = 2
    assert parsers.parser_processes() == 2


def _double_after_collecting(batch: int) -> int:
    import gc

    gc.collect()  # what a child's collector does when it runs on its own, made certain here
    return batch * 2


def test_a_child_never_collects_the_parents_garbage_of_a_duckdb_connection() -> None:
    """A worker's earlier pre-check can leave a DuckDB connection in a reference cycle, its
    threads alive only in the parent. A child that collected it crashed (SIGSEGV: the import
    failed with "parser process ended with exit code -11"); the parent collects it first now."""
    import gc

    import duckdb

    class Holder:
        pass

    was_enabled = gc.isenabled()
    gc.disable()  # keep the cycles uncollected until the fork, as a busy worker may
    try:
        for _ in range(3):
            holder = Holder()
            holder.me = holder  # type: ignore[attr-defined]
            holder.connection = duckdb.connect()  # type: ignore[attr-defined]
            holder.connection.execute("SET threads = 2")  # type: ignore[attr-defined]
            holder.connection.execute("SELECT sum(i) FROM range(2000000) t(i)").fetchall()  # type: ignore[attr-defined]
            del holder

        def read() -> Any:
            yield from range(4)

        with parsers.parsed(read, _double_after_collecting, processes=1, depth=2) as results:
            assert list(results) == [0, 2, 4, 6]
    finally:
        if was_enabled:
            gc.enable()
