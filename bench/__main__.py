"""`make bench`: run every benchmark module listed here and append nothing automatically.

Each benchmark prints its figures; RESULTS.md records them with the machine and the command.
"""

import importlib
import sys

BENCHMARKS: list[str] = []


def main() -> int:
    names = sys.argv[1:] or BENCHMARKS
    if not names:
        print("No benchmark is registered yet; see bench/RESULTS.md.")
        return 0
    for name in names:
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
