"""Given names like one typed with its first letter wrong: "Xhanh" for Thanh or Khanh.

A look-up whose given name is nobody's may have it mistyped. A typo after the first letter is
found by the search's round "same family name and the same first letter"; a typo in the first
letter is found here: the register's given names (`GivenName`, a vocabulary of a few thousand kept
by triggers) whose remainder after the first letter is trigram-similar to the typed one's — the
similarity of PostgreSQL's pg_trgm (shared trigrams ÷ all trigrams, each word padded with two
spaces before and one after). PostgreSQL narrows the vocabulary with its pg_trgm index (`%`, at
its default threshold 0.3); both databases then keep the same names by the same rule in Python, so
both answer alike.
"""

from __future__ import annotations

import re

from django.contrib.postgres.lookups import TrigramSimilar
from django.db import connection
from django.db.models.functions import Substr

from cccd.registry.models import GivenName

MIN_SIMILARITY = 0.5
"""An exact remainder scores 1; one more letter wrong in "hanh" scores 0.25 ("hxnh")."""
MOST = 40
"""Names kept at most, the most similar first: the round that uses them is capped anyway."""
_WORD = re.compile(r"[a-z0-9]+")


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of a folded text: each word padded "  word "."""
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str, b: str) -> float:
    """pg_trgm's `similarity(a, b)`."""
    left, right = trigrams(a), trigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def other_first_letter(given: str) -> list[str]:
    """The register's given names that begin with another letter than `given` and whose
    remainder is like its remainder, the most similar first (ties by name)."""
    if len(given) < 2:
        return []
    tail = given[1:]
    names = GivenName.objects.exclude(name__startswith=given[0])
    if connection.vendor == "postgresql":
        names = names.filter(TrigramSimilar(Substr("name", 2), tail))
    scored = [(similarity(name[1:], tail), name) for name in names.values_list("name", flat=True)]
    kept = sorted((-score, name) for score, name in scored if score >= MIN_SIMILARITY)
    return [name for _score, name in kept[:MOST]]
