"""The decision: which outcome a roster row gets from its evidence, and the thresholds behind it.

Chosen on the labelled validation roster of `python -m bench linkage` (20,300 rows, 100,000
people; the test roster is another register and seed): the figures are in bench/RESULTS.md,
"Roster linkage". Probabilities carry the prior of `cccd.rosters.linkage.model.prior` (one in the
area's population), so a threshold stands for the same risk whatever the size of the register.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MATCH_THRESHOLD: Final = 0.999
"""Auto-match when the best candidate's match probability reaches this (and nothing is close).

Validation: no wrong auto-match from 0.995 up (0.99: 1 wrong of 18,912, 0.5: 3 of 19,018). We
take 0.999, a step beyond, because our simulated errors are independent and real rosters are
messier (the one wrong match on the test roster, p = 0.9992, is a Mông name from a small pool
whose father's name matched too). It sends 1.2 % more rows to review than 0.995."""

REVIEW_THRESHOLD: Final = 0.01
"""Below this the best candidate is not worth an officer's look: the row is ``not_found``.

Validation: 0.1 loses 0.03 % of the people who are in the register; 0.001 finds none more and
adds 66 rows to review (940 rows come out not_found; 1,000 people are not in the register)."""

LIST_THRESHOLD: Final = 0.001
"""Candidates shown on a ``review`` or ``ambiguous`` row reach at least this probability (lower
than `REVIEW_THRESHOLD`: once an officer looks, a second name costs little)."""

AMBIGUITY_MARGIN: Final = 5.0
"""Match weights (log2 Bayes factors) between the best and the second candidate under which the
row is ``ambiguous`` (evidence for one over the other under 2⁵ = 32 to 1). It must exceed the
gap between the model's "same date" and "day and month swapped" levels (14.2 − 9.7 = 4.5 bits):
on the 1,000,000-person run a roster row with day and month swapped was auto-matched, at margin
3, to a namesake born on the swapped date. Validation: margins from 1 to 8 change three rows."""

MAX_CANDIDATES: Final = 5
"""Candidates kept per row for an officer to choose from, best first."""

ID_TYPO_DIGITS: Final = 1
"""A roster ID this many digits from a candidate's is a typing slip, not another person's ID."""


OUTCOMES: Final = ("matched", "review", "ambiguous", "not_found")


@dataclass(frozen=True)
class Candidate:
    """A register person proposed for a roster row, with the model's match probability."""

    personal_id: str
    probability: float


@dataclass(frozen=True)
class LinkResult:
    """The outcome for one roster row (``row`` is the roster's 1-based data row number)."""

    row: int
    outcome: str  # "matched" | "review" | "ambiguous" | "not_found"
    personal_id: str | None
    candidates: tuple[Candidate, ...]
    score: float | None


@dataclass(frozen=True)
class Policy:
    """The thresholds that turn scores into outcomes (defaults: the constants above)."""

    match_threshold: float = MATCH_THRESHOLD
    review_threshold: float = REVIEW_THRESHOLD
    list_threshold: float = LIST_THRESHOLD
    ambiguity_margin: float = AMBIGUITY_MARGIN


@dataclass(frozen=True)
class Scored:
    """A candidate as the model scored it: probability, and match weight (log2 Bayes factor)."""

    personal_id: str
    probability: float
    weight: float


@dataclass(frozen=True)
class IdMatch:
    """The register person whose ID the roster row carries, and whether the row describes them."""

    personal_id: str
    agrees: bool


@dataclass(frozen=True)
class Evidence:
    """What the decision of one row rests on: its ID match, its scored candidates (best first)."""

    row: int
    by_id: IdMatch | None
    scored: tuple[Scored, ...]
    roster_id: str | None  # a well-formed personal ID on the row, in the register or not
    namesakes: tuple[tuple[str, tuple[str, ...]], ...]  # candidate → its same-day namesakes


def decide(evidence: Evidence, policy: Policy = Policy()) -> LinkResult:  # noqa: B008 (frozen)
    """The outcome of one row from its ID match (if any) and its scored candidates.

    - an ID that names the person the row describes: ``matched`` (score 1);
    - an ID that names someone else: ``review``, that person first, then the model's candidates;
    - the best candidate has a same-day namesake, or the second is within the margin:
      ``ambiguous`` (never matched: only a person can tell them apart);
    - the best candidate at or above the match threshold: ``matched``; above the review
      threshold: ``review``; else ``not_found``.
    """
    row, by_id = evidence.row, evidence.by_id
    if by_id is not None and by_id.agrees:
        return LinkResult(
            row, "matched", by_id.personal_id, (Candidate(by_id.personal_id, 1.0),), 1.0
        )
    candidates = [s for s in evidence.scored if s.probability >= policy.list_threshold]
    listed = [Candidate(s.personal_id, s.probability) for s in candidates[:MAX_CANDIDATES]]
    best_score = evidence.scored[0].probability if evidence.scored else None
    if by_id is not None:  # the ID names someone the row does not describe: an officer decides
        others = [c for c in listed if c.personal_id != by_id.personal_id]
        mine = next(
            (c for c in listed if c.personal_id == by_id.personal_id),
            Candidate(by_id.personal_id, 0.0),
        )
        return LinkResult(row, "review", None, (mine, *others[: MAX_CANDIDATES - 1]), best_score)
    if not candidates or candidates[0].probability < policy.review_threshold:
        return LinkResult(row, "not_found", None, (), best_score)
    best = candidates[0]
    namesakes = dict(evidence.namesakes).get(best.personal_id, ())
    close = len(candidates) > 1 and candidates[1].weight >= best.weight - policy.ambiguity_margin
    if namesakes or close:
        shown = {c.personal_id for c in listed}
        listed += [Candidate(p, best.probability) for p in namesakes if p not in shown]
        return LinkResult(row, "ambiguous", None, tuple(listed), best.probability)
    if best.probability >= policy.match_threshold and _id_allows(evidence.roster_id, best):
        return LinkResult(row, "matched", best.personal_id, tuple(listed), best.probability)
    return LinkResult(row, "review", None, tuple(listed), best.probability)


def _id_allows(roster_id: str | None, best: Scored) -> bool:
    """A row whose ID is not in the register may still be its best candidate, if the ID is a
    one-digit slip of the candidate's; any other ID says it is someone else."""
    if roster_id is None:
        return True
    from rapidfuzz.distance import Hamming

    return Hamming.distance(roster_id, best.personal_id) <= ID_TYPO_DIGITS
