"""`cccd plan --instance INSTANCE.json --out PLAN.json [--time-limit SECONDS]`: the planner on a
file, for operators and tests (issue 17's file contract, docs/planner.md). The work is
`cccd.planning.cli.plan_command`; this only parses the options and passes on the exit code."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cccd.planning.cli import plan_command


class Command(BaseCommand):
    help = "Plan the sessions of an instance file into a plan file (docs/planner.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--instance", type=Path, required=True, help="INSTANCE.json")
        parser.add_argument("--out", type=Path, required=True, help="PLAN.json (replaced)")
        parser.add_argument(
            "--time-limit", type=float, default=60.0, help="seconds for the solver (default 60)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        code = plan_command(
            options["instance"],
            options["out"],
            options["time_limit"],
            stdout=self.stdout,
            stderr=self.stderr,
        )
        if code:
            sys.exit(code)
