"""Tools for tests, demos and benchmarks, kept out of a production installation.

- `generator`: a synthetic population register (no Django; the benchmarks import it alone) and
  `cccd generate_register`;
- `seed`, `history`: the demo installation, `cccd seed_demo`;
- `linkage_training`: estimates the linkage model that `cccd.rosters.linkage` ships
  (`python -m bench linkage --train`).

The app is installed only when `CCCD_DEMO_TOOLS` is true (`make demo`, the test suite, the
benchmarks). No production module imports from here: `tests/test_production_start.py` starts cccd
with production settings and finds none of these modules loaded and none of their commands listed.
"""
