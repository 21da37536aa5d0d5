"""A production start loads none of the tools for tests and demos (`cccd.demo`: the register
generator, the demo seeding, the linkage training, the simulated card centre) and lists none of
their commands; `CCCD_DEMO_TOOLS=true` installs them.

Each start is a fresh interpreter with only the machine's environment and the settings given here,
so nothing the test run itself imported can hide a module a production start would load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cccd.demo

TOOLS = Path(cccd.demo.__file__).parent
TOOL_MODULES = sorted(
    ".".join(path.relative_to(TOOLS.parent.parent).with_suffix("").parts).removesuffix(".__init__")
    for path in TOOLS.rglob("*.py")
)
TOOL_COMMANDS = sorted(
    path.stem
    for path in (TOOLS / "management" / "commands").glob("*.py")
    if not path.stem.startswith("_")
)

# What gunicorn does (the WSGI application: settings, apps, middleware), then every URL pattern and
# the API with it, then the deployment checks; it prints the project's modules then loaded.
START = """
import json, sys
from django.core.management import call_command
from django.urls import get_resolver
from cccd.wsgi import application
get_resolver().url_patterns
call_command("check", "--deploy", verbosity=0)
from django.conf import settings
print(json.dumps({"apps": settings.INSTALLED_APPS,
                  "modules": sorted(name for name in sys.modules if name.startswith("cccd"))}))
"""


def _postgresql_url() -> str:
    """The run's PostgreSQL database when there is one; starting connects to no database."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgresql://") else "postgresql://cccd@127.0.0.1:5432/cccd"


def _production(tmp_path: Path, **more: str) -> dict[str, str]:
    """The machine's environment without any cccd setting, and production's settings."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CCCD_", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return {
        **clean,
        "DJANGO_SETTINGS_MODULE": "cccd.settings",
        "CCCD_DEBUG": "false",
        "CCCD_SECRET_KEY": "production-start-" + "k" * 40,
        "CCCD_ALLOWED_HOSTS": "cccd.example.gov.vn",
        "CCCD_DATA_DIR": str(tmp_path / "var"),
        "DATABASE_URL": _postgresql_url(),
        **more,
    }


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _start(env: dict[str, str]) -> dict[str, list[str]]:
    started: dict[str, list[str]] = json.loads(_run(["-c", START], env).stdout.splitlines()[-1])
    return started


def _listed_commands(env: dict[str, str]) -> set[str]:
    listed = _run(["-m", "cccd", "help"], env).stdout
    return {line.strip() for line in listed.splitlines() if line.startswith("    ")}


def test_the_tools_package_holds_the_generator_the_seeding_and_the_training() -> None:
    assert {"cccd.demo.generator", "cccd.demo.seed", "cccd.demo.linkage_training"} <= set(
        TOOL_MODULES
    )
    assert {"generate_register", "seed_demo"} <= set(TOOL_COMMANDS)


def test_a_production_start_loads_no_tool(tmp_path: Path) -> None:
    started = _start(_production(tmp_path))

    assert "cccd.demo" not in started["apps"]
    assert "cccd.rosters.linkage" in started["modules"]  # the URLs and what they import did load
    assert "cccd.reports.daily_report" in started["modules"]
    loaded = [name for name in started["modules"] if name in TOOL_MODULES]
    assert loaded == []
    assert not any("generator" in name or "training" in name for name in started["modules"])


def test_a_production_cccd_lists_no_tool_command(tmp_path: Path) -> None:
    listed = _listed_commands(_production(tmp_path))

    assert "import_register" in listed and "link" in listed
    assert listed.isdisjoint(TOOL_COMMANDS)


def test_the_setting_installs_the_tools_and_their_commands(tmp_path: Path) -> None:
    env = _production(tmp_path, CCCD_DEMO_TOOLS="true")

    assert "cccd.demo" in _start(env)["apps"]
    assert set(TOOL_COMMANDS) <= _listed_commands(env)


def test_the_deploy_check_warns_when_the_tools_are_on(tmp_path: Path) -> None:
    env = _production(tmp_path, CCCD_DEMO_TOOLS="true")

    checked = _run(["-m", "cccd", "check", "--deploy"], env)

    assert "demo.W001" in checked.stdout + checked.stderr
    assert (
        "demo.W001" not in _run(["-m", "cccd", "check", "--deploy"], _production(tmp_path)).stderr
    )


@pytest.mark.parametrize("value", ["maybe", ""])
def test_a_bad_value_stops_start_up(tmp_path: Path, value: str) -> None:
    env = _production(tmp_path, CCCD_DEMO_TOOLS=value)

    done = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", START],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode != 0
    assert "CCCD_DEMO_TOOLS" in done.stderr
