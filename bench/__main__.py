"""`make bench`: run every benchmark module listed here and append nothing automatically.

Each benchmark prints its figures; RESULTS.md records them with the machine and the command.
`python -m bench NAME… [--option …]`: the options after the names go to each benchmark's `main`,
e.g. `python -m bench register --rows 100000`.
"""

import importlib
import os
import sys

BENCHMARKS: list[str] = [
    "register",
    "linkage",
    "dedupe",
    "desk",
    "reports",
    "station",
    "kitpush",
    "coverage",
    "whatif",
    "planner",
    "evening",
    "spark_cluster",
]


def main() -> int:
    # The benchmarks generate their data with the tools for tests and demos (`cccd.demo`).
    os.environ.setdefault("CCCD_DEMO_TOOLS", "true")
    args = sys.argv[1:]
    split = next((i for i, arg in enumerate(args) if arg.startswith("-")), len(args))
    names, options = args[:split] or BENCHMARKS, args[split:]
    if not names:
        print("No benchmark is registered yet; see bench/RESULTS.md.")
        return 0
    for name in names:
        importlib.import_module(f"bench.{name}").main(options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
