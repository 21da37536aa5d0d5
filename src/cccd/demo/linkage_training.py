"""Estimating the linkage model that `cccd.rosters.linkage` ships (`linkage_model.json`).

Only the benchmark runs it (`python -m bench linkage --train`): a deployment links with the shipped
model and never trains, so this lives with the tools, out of a production installation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pyarrow as pa

from cccd.rosters.linkage.frames import population_of, roster_frame
from cccd.rosters.linkage.model import prior, quiet_splink, settings, splink_api

if TYPE_CHECKING:
    from cccd.rosters.reading import RosterRow


M_FLOOR: Final = 0.001
"""Least m-probability of a comparison level after training (see `floor_m_probabilities`)."""


def train(
    register: pa.Table, roster_rows: Sequence[RosterRow], out: Path, *, seed: int = 1
) -> dict[str, Any]:
    """Estimate the model on a register and a roster (no labels needed) and save it to ``out``.

    Unsupervised, as it would be on real data: u from random pairs, then m by expectation
    maximisation in three sessions whose blocking rules leave every comparison trained at least
    once (the birth comparison needs one without birth columns: family + given name + commune,
    on a training register of 100,000, never at prediction). m-probabilities are then floored
    (`floor_m_probabilities`). Labels only choose the thresholds (bench/linkage.py). Returns the
    model dict.
    """
    from splink import Linker, block_on

    quiet_splink()
    db_api = splink_api()
    left = db_api.register(register, dataset_display_name="register")
    right = db_api.register(roster_frame(roster_rows), dataset_display_name="roster")
    creator = settings()
    creator.probability_two_random_records_match = prior(population_of(register, roster_rows))
    linker = Linker([left, right], creator, log_level=None)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e7, seed=seed)
    for rule in (
        block_on("birth_date"),
        block_on("birth_year", "given_folded", "family_folded"),
        block_on("family_folded", "given_folded", "commune"),
    ):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )
    model = linker.misc.save_model_to_json(None)
    db_api.duckdb_con.close()
    model = floor_m_probabilities(model)
    Path(out).write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    return model


def floor_m_probabilities(model: dict[str, Any], floor: float = M_FLOOR) -> dict[str, Any]:
    """Raise every m-probability to at least ``floor`` (then renormalise), in a copy.

    The training rosters carry only the errors we simulated; EM reads "never seen among matches"
    as "proves a non-match" (weights of -17 for a commune of the same district). Real rosters
    carry errors we did not think of, so no single disagreement may count for more than
    log2(floor / u) against a match.
    """
    model = dict(json.loads(json.dumps(model)))
    for comparison in model["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        raised = [max(lv.get("m_probability", floor), floor) for lv in levels]
        total = sum(raised)
        for level, m in zip(levels, raised, strict=True):
            level["m_probability"] = m / total
    return model
