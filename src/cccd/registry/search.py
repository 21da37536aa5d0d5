"""Finding a person in the register by personal ID, or by name and year of birth.

Names are compared folded (`cccd.core.names.fold`: no diacritics, đ→d, lower case), so capitals,
missing diacritics and old/new tone placement ("Thuý"/"Thúy") all match. Candidates come from
indexed columns — same given name, or same family name with the same first letter of the given
name, born within a year of the one typed — and are ranked with rapidfuzz, which forgives a typo.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from rapidfuzz import fuzz

from cccd.core import names
from cccd.registry.models import Person

_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_ID = re.compile(r"^\d{12}$")
LIMIT = 20
MIN_SCORE = 70.0


@dataclass(frozen=True)
class Query:
    personal_id: str = ""
    name: str = ""
    birth_year: int | None = None

    @property
    def is_usable(self) -> bool:
        return bool(self.personal_id) or len(self.name.replace(" ", "")) >= 2


def parse_query(text: str) -> Query:
    text = " ".join(text.split())[:200]
    digits = text.replace(" ", "")
    if _ID.match(digits):
        return Query(personal_id=digits)
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    name_part = _YEAR.sub(" ", text) if year_match else text
    name_part = re.sub(r"[\d,;/()-]+", " ", name_part)
    return Query(name=names.fold(name_part), birth_year=year)


@dataclass(frozen=True)
class Match:
    person: Person
    score: float


def find(people: QuerySet[Person], query: Query) -> list[Match]:
    """Ranked matches among `people` (already scoped to the user's units)."""
    if query.personal_id:
        return [Match(p, 100.0) for p in people.filter(personal_id=query.personal_id)]
    tokens = query.name.split()
    if not tokens:
        return []
    candidates = people.filter(_candidate_filter(tokens, query.birth_year))[:2000]
    scored = [
        Match(p, _score(query, tokens, p)) for p in candidates.select_related("residence_unit")
    ]
    scored = [m for m in scored if m.score >= MIN_SCORE]
    scored.sort(key=lambda m: (-m.score, m.person.full_name, m.person.pk))
    return scored[:LIMIT]


def _candidate_filter(tokens: list[str], year: int | None) -> Q:
    given, family = tokens[-1], tokens[0]
    by_name = Q(given_folded=given) | Q(family_folded=family, given_folded__startswith=given[:1])
    if len(tokens) == 1:
        by_name = Q(given_folded=given) | Q(family_folded=given)
    if year is None:
        return by_name
    return by_name & Q(birth_year__gte=year - 1, birth_year__lte=year + 1)


def _score(query: Query, tokens: list[str], person: Person) -> float:
    name_score = fuzz.ratio(" ".join(tokens), person.name_folded)
    if len(tokens) < len(person.name_folded.split()):  # a dropped middle name
        name_score = max(name_score, fuzz.token_set_ratio(" ".join(tokens), person.name_folded) - 5)
    if query.birth_year is None:
        return name_score
    return name_score - 10 * abs(person.birth_year - query.birth_year)
