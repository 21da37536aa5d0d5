"""`cccd plan --instance INSTANCE.json --out PLAN.json [--time-limit SECONDS]`, run as operators
run it: a real `cccd` process on files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cccd.planning.generate import generate_instance
from cccd.planning.instance import instance_to_json, parse_instance
from cccd.planning.plan import check_plan, parse_plan
from tests.planning.builders import instance_file

SRC = Path(__file__).resolve().parents[2] / "src"


def _cccd(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCCD_", "DATABASE_URL"))}
    env |= {"PYTHONPATH": str(SRC), "CCCD_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run(  # noqa: S603 (our own interpreter and command)
        [sys.executable, "-m", "cccd", "plan", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_it_writes_a_plan_that_keeps_every_rule(tmp_path: Path) -> None:
    instance = generate_instance(12, 3, 14, seed=21)
    (tmp_path / "in.json").write_text(json.dumps(instance_to_json(instance)), encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        "--time-limit", "5", tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plan = parse_plan(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8")))
    assert check_plan(instance, plan) == []
    assert plan.reached > 0
    assert f"reached {plan.reached} of at most {plan.bound}" in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan.json")] == []


def test_the_optimum_of_a_small_file_is_proven(tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text(json.dumps(instance_file()), encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert (data["reached"], data["bound"], data["status"]) == (70, 70, "optimal")
    assert check_plan(parse_instance(instance_file()), parse_plan(data)) == []


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (json.dumps(instance_file(rate=-1)), "in.json: rate: must be a number > 0"),
        ('{"days": [', "in.json: $: the file is not JSON"),
        (
            json.dumps(instance_file(venues=[{"id": "v", "people": 5, "max_desks": 0,
                                              "closed": [], "shifts": []}])),
            "in.json: venues[0].max_desks: must be a whole number ≥ 1",
        ),
    ],
)  # fmt: skip
def test_a_bad_instance_exits_2_naming_the_field_and_writes_nothing(
    tmp_path: Path, content: str, line: str
) -> None:
    (tmp_path / "in.json").write_text(content, encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert line in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "plan.json").exists()


def test_a_bad_instance_leaves_an_earlier_plan_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text("[]", encoding="utf-8")
    (tmp_path / "plan.json").write_text("earlier", encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert (tmp_path / "plan.json").read_text(encoding="utf-8") == "earlier"


def test_a_missing_instance_file_exits_2(tmp_path: Path) -> None:
    result = _cccd(
        "--instance", str(tmp_path / "none.json"), "--out", str(tmp_path / "plan.json"),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert not (tmp_path / "plan.json").exists()


def test_an_output_folder_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    (tmp_path / "in.json").write_text(json.dumps(instance_file()), encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "no" / "plan.json"),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "its folder does not exist" in result.stderr


@pytest.mark.parametrize("limit", ["0", "-5", "soon"])
def test_a_bad_time_limit_exits_2(tmp_path: Path, limit: str) -> None:
    (tmp_path / "in.json").write_text(json.dumps(instance_file()), encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        "--time-limit", limit, tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2
    assert "time-limit" in result.stderr
    assert not (tmp_path / "plan.json").exists()


def test_the_time_limit_is_passed_to_the_solver(tmp_path: Path) -> None:
    # A district with one second: the progress lines on stderr stop well before the default
    # minute (generous margin for a busy machine; no timing beyond that).
    instance = generate_instance(40, 6, 30, seed=3)
    (tmp_path / "in.json").write_text(json.dumps(instance_to_json(instance)), encoding="utf-8")
    result = _cccd(
        "--instance", str(tmp_path / "in.json"), "--out", str(tmp_path / "plan.json"),
        "--time-limit", "1", tmp_path=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert float(last.split()[0]) < 20
    plan = parse_plan(json.loads((tmp_path / "plan.json").read_text(encoding="utf-8")))
    assert check_plan(instance, plan) == []
