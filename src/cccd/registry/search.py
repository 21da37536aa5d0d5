"""Finding a person in the register by personal ID, by name and year of birth, or by the QR code
of the card the person holds.

Names are compared folded (`cccd.core.names.fold`: no diacritics, đ→d, lower case), so capitals,
missing diacritics and old/new tone placement ("Thuý"/"Thúy") all match. A card's QR code (a USB
scanner types it like a keyboard) is read by `cccd.core.qrpayload` and looked up by its personal ID
only; what else it says is compared with the register and shown where it differs, never taken as
the truth (docs/domain.md#qr-payload). Candidates come from
indexed columns — same given name, or same family name with the same first letter of the given
name, born within a year of the one typed — and are ranked with rapidfuzz, which forgives a typo.
When nobody bears the name as typed, one more round takes the given names that differ from the
typed one in their first letter (`cccd.registry.similar`, trigram similarity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from rapidfuzz import fuzz

from cccd.core import names, qrpayload
from cccd.registry import similar
from cccd.registry.columns import column_label
from cccd.registry.models import Person

_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_ID = re.compile(r"^\d{12}$")
_DIGITS_ONLY = re.compile(r"[0-9 ]+")
LIMIT = 20
QUERY_MAX_LENGTH = 400
"""Room for a card's QR payload as a scanner types it: seven fields, eleven on cards from 2024."""
MIN_SCORE = 70.0


@dataclass(frozen=True)
class Query:
    personal_id: str = ""
    name: str = ""
    birth_year: int | None = None

    @property
    def is_usable(self) -> bool:
        return bool(self.personal_id) or len(self.name.replace(" ", "")) >= 2


def id_digits_typed(text: str) -> int | None:
    """How many digits were typed when the query is nothing but digits (spaces allowed) and not
    the 12 of a personal ID number — someone typing an ID, one digit off — else None."""
    text = text.strip()
    if not _DIGITS_ONLY.fullmatch(text):
        return None
    count = len(text.replace(" ", ""))
    return None if count == 12 else count


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
    card_differs: tuple[str, ...] = ()
    """Fields where the scanned card says otherwise than the register (`CARD_FIELDS`' keys)."""

    @property
    def card_differs_text(self) -> str:
        """The differing fields by the names officers know, for the pages."""
        return ", ".join(column_label(field) for field in self.card_differs)


CARD_FIELDS = ("full_name", "birth_date", "sex")


def card_qr(text: str) -> qrpayload.CardQR | None:
    """The card's QR payload when `text` is one (it holds the fields' separator), else None.

    Raises:
        qrpayload.InvalidCardQR: the text has the separator but is not a card's payload.
    """
    if qrpayload.SEPARATOR not in text:
        return None
    return qrpayload.decode(text)


def card_differences(card: qrpayload.CardQR, person: Person) -> tuple[str, ...]:
    """Where the card and the register disagree; a birth known only by its year is compared by
    year, names as written (`names.written_key`: the marks count, their placement does not)."""
    differs = []
    if names.written_key(card.full_name) != names.written_key(person.full_name):
        differs.append("full_name")
    if person.birth_date_precision == Person.Precision.YEAR:
        if card.birth_date.year != person.birth_year:
            differs.append("birth_date")
    elif card.birth_date != person.birth_date:
        differs.append("birth_date")
    if card.sex != person.sex:
        differs.append("sex")
    return tuple(differs)


def find_card(people: QuerySet[Person], card: qrpayload.CardQR) -> list[Match]:
    """The register's person with the card's personal ID (among `people`, already scoped), with
    what the card says otherwise."""
    found = people.filter(personal_id=card.personal_id).select_related("residence_unit")
    return [Match(p, 100.0, card_differences(card, p)) for p in found]


def find(people: QuerySet[Person], query: Query) -> list[Match]:
    """Ranked matches among `people` (already scoped to the user's units)."""
    if query.personal_id:
        return [Match(p, 100.0) for p in people.filter(personal_id=query.personal_id)]
    tokens = query.name.split()
    if not tokens:
        return []
    found: dict[int, Person] = {}
    for condition in _candidate_rounds(tokens, query.birth_year):
        _add_round(found, people, condition)
        if len(found) >= ENOUGH:
            break
    if len(found) < ENOUGH and not any(p.name_folded == query.name for p in found.values()):
        last = _first_letter_round(tokens, query.birth_year)
        if last is not None:
            _add_round(found, people, last)
    scored = [Match(p, _score(query, tokens, p)) for p in found.values()]
    scored = [m for m in scored if m.score >= MIN_SCORE]
    scored.sort(key=lambda m: (-m.score, m.person.full_name, m.person.pk))
    return scored[:LIMIT]


ROUND_CAP = 500
ENOUGH = 1200
_FIELDS = (
    "pk",
    "personal_id",
    "full_name",
    "name_folded",
    "birth_date",
    "birth_date_precision",
    "birth_year",
    "sex",
    "residence_unit__name",
    "residence_unit__path",
)


def _candidate_rounds(tokens: list[str], year: int | None) -> list[Q]:
    """Most specific first, each on an index: the whole name as typed; the same given name; the
    same family name and the given name's first letter (a typo later in it) — in the year typed,
    then a year either side. Each round is capped, so a common name cannot crowd out the rest."""
    full, given, family = " ".join(tokens), tokens[-1], tokens[0]
    exact = Q(name_folded=full)
    if len(tokens) == 1:
        loose = [Q(given_folded=given), Q(family_folded=given)]
    else:
        loose = [Q(given_folded=given), Q(family_folded=family, given_folded__startswith=given[:1])]
    if year is None:
        return [exact, Q(given_folded=given, family_folded=family), *loose]
    near = Q(birth_year__gte=year - 1, birth_year__lte=year + 1)
    same = Q(birth_year=year)
    return [exact & near, *(q & same for q in loose), *(q & near & ~same for q in loose)]


def _add_round(found: dict[int, Person], people: QuerySet[Person], condition: Q) -> None:
    rows = people.filter(condition).select_related("residence_unit").only(*_FIELDS)[:ROUND_CAP]
    for person in rows:
        found.setdefault(person.pk, person)


def _first_letter_round(tokens: list[str], year: int | None) -> Q | None:
    """When nobody bears the name as typed, its given name may have a wrong first letter, which
    no round above forgives: the given names like it but for that letter (`similar`), with the
    same family name, born within a year of the one typed. Only then, so a name typed right costs
    no more than before."""
    given, family = tokens[-1], tokens[0]
    others = similar.other_first_letter(given)
    if not others:
        return None
    condition = Q(given_folded__in=others)
    if len(tokens) > 1:
        # `family_folded` is lower case already: through Lower() the databases take the index of
        # the few given names, not the family name's (every Nguyễn born in three years)
        condition &= Q(Exact(Lower("family_folded"), family))
    if year is not None:
        condition &= Q(birth_year__gte=year - 1, birth_year__lte=year + 1)
    return condition


def _score(query: Query, tokens: list[str], person: Person) -> float:
    name_score = fuzz.ratio(" ".join(tokens), person.name_folded)
    if len(tokens) < len(person.name_folded.split()):  # a dropped middle name
        name_score = max(name_score, fuzz.token_set_ratio(" ".join(tokens), person.name_folded) - 5)
    if query.birth_year is None:
        return name_score
    return name_score - 10 * abs(person.birth_year - query.birth_year)
