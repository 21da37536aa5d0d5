"""The desk's side of `cccd.core.kinds`: the register's facts about a person, the kinds the intake
screen offers and refuses, and the sentence that says why a kind is refused and when it opens.

The rules are in `cccd.core.kinds`; the services (`update_intake`, `finish_intake`) call
`require_kind` so that no dossier is received with a kind the person's card and age do not allow,
and the fee is quoted only for an allowed kind.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cccd.core import kinds as rules
from cccd.enrollments import errors
from cccd.enrollments.models import Kind
from cccd.registry.models import Person

_WHY = {
    rules.Refusal.TOO_YOUNG: gettext_lazy(
        "under the 2014 law a card is issued from the age of 14; it opens on %(opens)s"
    ),
    rules.Refusal.HOLDS_A_CARD: gettext_lazy(
        "the person already holds a card (valid until %(expiry)s): this is an exchange or a "
        "re-issue"
    ),
    rules.Refusal.HAS_OLD_ID: gettext_lazy(
        "an old ID (CMND) is on record: this is a change from the old ID"
    ),
    rules.Refusal.NO_OLD_ID: gettext_lazy("no old ID (CMND) number is on record"),
    rules.Refusal.NO_CARD: gettext_lazy("the person holds no card to exchange or re-issue"),
    rules.Refusal.NO_EXPIRY: gettext_lazy(
        "the card has no expiry (issued at 58 or later): no exchange for age is due"
    ),
    rules.Refusal.NOT_YET_DUE: gettext_lazy(
        "the card is valid until %(expiry)s (age %(age)s): the exchange opens on %(opens)s"
    ),
    rules.Refusal.REASON_NEEDED: gettext_lazy("say why (card lost, damaged, or data changed)"),
}


def applicant(person: Person) -> rules.Applicant:
    """What the register holds about the person, as the rules read it. The card dates are those
    of a citizen identity card: a CMND's dates (the register records them too, docs/reach.md)
    would make its holder look like one exchanging a CCCD, not one leaving the old ID."""
    citizen_card = person.card_kind != Person.CardKind.CMND
    return rules.Applicant(
        birth_date=person.birth_date,
        card_issue_date=person.card_issue_date if citizen_card else None,
        card_expiry=person.card_expiry if citizen_card else None,
        old_id_number=person.old_id_number or "",
        birth_year_only=person.birth_date_precision == Person.Precision.YEAR,
    )


def _day(value: datetime.date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else str(_("no expiry"))


def why(verdict: rules.Verdict) -> str:
    """The refusal in the officer's language, with the day it opens when there is one:
    "thẻ còn giá trị đến 12/02/2029 (tuổi 25): mở từ 12/02/2027"."""
    if verdict.refusal is None:
        return ""
    if verdict.refusal == rules.Refusal.NOT_YET_DUE and verdict.milestone is None:
        text = _("the card is valid until %(expiry)s: the exchange opens on %(opens)s")
    elif verdict.refusal == rules.Refusal.HOLDS_A_CARD and verdict.card_expiry is None:
        text = _(
            "the person already holds a card without expiry: this is an exchange or a re-issue"
        )
    else:
        text = str(_WHY[verdict.refusal])
    sentence = text % {
        "opens": _day(verdict.opens_on),
        "expiry": _day(verdict.card_expiry),
        "age": verdict.milestone,
    }
    if verdict.estimated and verdict.opens_on is not None:
        sentence += " " + _("(estimated: the register holds only the year of birth)")
    return sentence


@dataclass(frozen=True)
class KindOption:
    """One kind as the intake screen shows it: offered, or refused with the reason."""

    value: str
    label: str
    allowed: bool
    needs_reason: bool
    why: str = ""


def options(person: Person, law: str, today: datetime.date) -> list[KindOption]:
    """Every kind, allowed or refused for this person today, in the order of `rules.KINDS`."""
    return [
        KindOption(v.kind, str(Kind(v.kind).label), v.allowed, v.needs_reason, why(v))
        for v in rules.verdicts(applicant(person), today, law=law)  # type: ignore[arg-type]
    ]


def suggest(person: Person, law: str, today: datetime.date) -> str | None:
    """The kind the register points to (the officer confirms or changes it), None if none."""
    return rules.suggest(applicant(person), today, law=law)  # type: ignore[arg-type]


def first_refusal(person: Person, law: str, today: datetime.date) -> str:
    """Why nothing is possible (the first kind's refusal), for a person who cannot apply now."""
    verdicts = rules.verdicts(applicant(person), today, law=law)  # type: ignore[arg-type]
    return why(verdicts[0])


def require_kind(
    person: Person, kind: str, *, law: str, today: datetime.date, reason: str = ""
) -> str:
    """The kind, if the person's card and age allow it today (with its reason when it needs
    one); else the refusal, in words, with the day it opens."""
    if kind not in Kind.values:
        raise errors.INCOMPLETE(missing=_("kind of application"))
    verdict = rules.check(kind, applicant(person), today, law=law, reason=reason)  # type: ignore[arg-type]
    if verdict.refusal == rules.Refusal.REASON_NEEDED:
        raise errors.KIND_REASON_NEEDED(kind=Kind(kind).label)
    if not verdict.allowed:
        raise errors.KIND_NOT_ALLOWED(kind=Kind(kind).label, why=why(verdict))
    return kind
