"""Batch record linkage: the rows of a roster against the slice of the register they can match.

A school or commune sends a list of people (a roster); before the intake day each row must be tied
to one person of the register, or shown to an officer. docs/domain.md#names-and-matching says why
this is not a look-up: name + birth date is not unique (Nguyễn is 38 % of people, namesakes born
the same day exist), and rosters carry every kind of error — no diacritics, capitals, NFD, old tone
placement, one-letter typos, dropped middle names, day and month swapped, two-digit years.

How (docs/design.md#record-linkage): Splink 5 on embedded DuckDB 2.

1. Both sides become the same narrow frame (`FRAME_SCHEMA`): names folded **in Python** with
   `cccd.core.names.fold` (DuckDB's ``strip_accents`` leaves đ alone) and split into family,
   middle and given name; birth date, its day/month swap, birth year; sex; parents' names folded
   with their given names apart; the commune and district of the address.
2. A personal ID on the roster row that is a register ID decides alone, unless the name or the
   birth year contradict it (then an officer looks: ``review``).
3. The other rows go through a Fellegi–Sunter model trained once (`cccd.demo.linkage_training`,
   shipped as ``linkage_model.json``): blocking rules that all include the birth date or the birth year (the
   place is the register slice itself, see `register_slice_filter`), comparisons that know
   Vietnamese names (given name weighted by its frequency, dropped middle names, swapped dates …).
4. Each row gets an outcome from its best candidates: ``matched``, ``review``, ``ambiguous`` (never
   auto-matched: two people too close to tell apart, e.g. namesakes born the same day) or
   ``not_found``. The thresholds are constants in `policy`, with the figures that chose them.

The modules, each one step: `folding` (names), `addresses` (commune and district of an address),
`frames` (every source into the same frame, in DuckDB), `register_file` (a register CSV or xlsx
for `cccd link`), `model` (Splink's comparisons, blocking rules and the shipped model), `engines`
(where Splink scores: DuckDB, or Spark for `--engine spark` of both commands), `linking`
(evidence per row), `policy` (the decision), `results` (the result file). This package is their
public face: callers import from `cccd.rosters.linkage`. `dedupe` (the register against itself:
people registered twice, `cccd dedupe_register`) is imported as a module of its own.
"""

from cccd.rosters.linkage.addresses import address_place
from cccd.rosters.linkage.engines import (
    DEFAULT_ENGINE,
    ENGINES,
    EngineUnavailable,
    engine_errors,
    engine_failure,
)
from cccd.rosters.linkage.folding import split_folded
from cccd.rosters.linkage.frames import (
    BIRTH_YEARS,
    FRAME_SCHEMA,
    RegisterSlice,
    population_of,
    register_frame_from_people,
    register_slice_filter,
    roster_frame,
)
from cccd.rosters.linkage.linking import gather, link
from cccd.rosters.linkage.model import MODEL_PATH, prior, settings
from cccd.rosters.linkage.policy import (
    AMBIGUITY_MARGIN,
    LIST_THRESHOLD,
    MATCH_THRESHOLD,
    MAX_CANDIDATES,
    OUTCOMES,
    REVIEW_THRESHOLD,
    Candidate,
    Evidence,
    IdMatch,
    LinkResult,
    Policy,
    Scored,
    decide,
)
from cccd.rosters.linkage.register_file import (
    LoadedRegister,
    RegisterFileError,
    parse_register_date,
    register_frame_from_csv,
)
from cccd.rosters.linkage.results import RESULT_COLUMNS, result_rows, write_results

__all__ = [
    "AMBIGUITY_MARGIN",
    "BIRTH_YEARS",
    "DEFAULT_ENGINE",
    "ENGINES",
    "FRAME_SCHEMA",
    "LIST_THRESHOLD",
    "MATCH_THRESHOLD",
    "MAX_CANDIDATES",
    "MODEL_PATH",
    "OUTCOMES",
    "RESULT_COLUMNS",
    "REVIEW_THRESHOLD",
    "Candidate",
    "EngineUnavailable",
    "Evidence",
    "IdMatch",
    "LinkResult",
    "LoadedRegister",
    "Policy",
    "RegisterFileError",
    "RegisterSlice",
    "Scored",
    "address_place",
    "decide",
    "engine_errors",
    "engine_failure",
    "gather",
    "link",
    "parse_register_date",
    "population_of",
    "prior",
    "register_frame_from_csv",
    "register_frame_from_people",
    "register_slice_filter",
    "result_rows",
    "roster_frame",
    "settings",
    "split_folded",
    "write_results",
]
