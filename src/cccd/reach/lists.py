"""The people of a campaign's cohort still to reach, per commune and village (docs/reach.md,
"Lists of people still to reach"), for the commune police and the village heads to go and see.

`still_to_reach` is the query: the cohort rows (`Reachable`) not reached yet, only those counted
in a place of the reader's subtree, in the order a list is walked — village (natural: "Thôn 2"
before "Thôn 10"), then address, then name. The page and the two files read it through the
services below, one per thing a user does (`read_list`, `export_xlsx`, `export_pdf`), each
permission-checked and audited as a read of personal data: the audit names the campaign, the
commune, the filter and how many people were shown, never a person.

A commune holds at most tens of thousands of people: the page shows them a page at a time, the
files are written as the rows come from the database, and a file longer than a paper list can be
is refused with the way to narrow it (`LIST_TOO_LONG`).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

from cccd import errors
from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import REACH_LISTS
from cccd.accounts.scoping import unit_is_visible, visible_to
from cccd.campaigns.models import Campaign
from cccd.core import names
from cccd.reach import queries
from cccd.reach.errors import LIST_TOO_LONG, UNKNOWN_VILLAGE
from cccd.reach.listpdf import render_list
from cccd.reach.listrows import ReachList, Row, Village
from cccd.reach.listxlsx import write_list
from cccd.reach.models import CohortBuild, HomeVisitMark, HomeVisitReason, Reachable
from cccd.registry.models import Person, ResidenceRecord
from cccd.units.models import Unit

PAGE_SIZE = 100
MAX_XLSX_ROWS = 20_000
"""A large commune's whole list, written in ~9 s here (openpyxl without lxml writes ~2,000 rows a
second); a longer one is asked for village by village rather than holding a request a minute."""
MAX_PDF_ROWS = 3_000
"""About a hundred A4 pages, printed in ~3 s: more is no list anyone carries from door to door."""

REASONS: dict[str, Promise] = {
    HomeVisitReason.VERY_OLD: pgettext_lazy("reach list", "80 years old or more"),
    HomeVisitReason.ALONE: pgettext_lazy("reach list", "Lives alone"),
    HomeVisitReason.DISABLED: pgettext_lazy("reach list", "Disabled"),
    HomeVisitReason.BEDRIDDEN: pgettext_lazy("reach list", "Bedridden"),
    HomeVisitReason.OTHER: pgettext_lazy("reach list", "Cannot come (other reason)"),
}
CARDS: dict[str, Promise] = {
    Person.CardKind.NONE: pgettext_lazy("reach list", "None"),
    Person.CardKind.CMND: pgettext_lazy("reach list", "CMND"),
    Person.CardKind.CCCD_BARCODE: pgettext_lazy("reach list", "Barcode CCCD"),
    Person.CardKind.CCCD_CHIP: pgettext_lazy("reach list", "Chip CCCD (due or expired)"),
    Person.CardKind.CARD_2024: pgettext_lazy("reach list", "2024 card (due or expired)"),
}
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Control characters, and the marks that turn the direction of the text after them (a name that
printed "reversed" from one character on would read as another): shown as U+FFFD."""


# --- the query ------------------------------------------------------------------------------------


def natural_key(village: str) -> tuple[bool, list[Any], str]:
    """ "Thôn 2" before "Thôn 10", diacritics and case aside (then as written); no village last."""
    parts = re.split(r"([0-9]+)", names.fold(village))
    return (village == "", [int(p) if i % 2 else p for i, p in enumerate(parts)], village)


def _check(actor: User, campaign: Campaign, unit: Unit) -> None:
    """The role, then the scope: the commune must be the reader's and the campaign one they see."""
    require_permission(actor, REACH_LISTS)
    if not unit_is_visible(actor, unit.path):
        raise errors.NOT_FOUND()
    if not queries.campaigns_for(actor).filter(pk=campaign.pk).exists():
        raise errors.NOT_FOUND()


def _cohort(actor: User, campaign: Campaign, unit: Unit) -> QuerySet[Reachable]:
    """The campaign's cohort counted in the unit's subtree, and only in the reader's subtree."""
    rows = Reachable.objects.filter(campaign=campaign, unit__path__startswith=unit.path)
    return visible_to(actor, rows)


def _address() -> Case:
    """Where the person lived on the campaign's first day: their permanent address when they were
    counted at it, else the address of the residence record of the place they were counted at."""
    record = ResidenceRecord.objects.filter(
        person=OuterRef("person"), unit=OuterRef("unit"), village=OuterRef("village")
    ).order_by(F("end").desc(nulls_first=True), "-pk")
    at_home = Q(person__residence_unit=F("unit"), person__village=F("village"))
    return Case(
        When(at_home, then=F("person__permanent_address")),
        default=Coalesce(Subquery(record.values("address")[:1]), Value("")),
        output_field=CharField(),
    )


def _village_order(villages: Iterable[str]) -> Case | Value:
    ranked = sorted(set(villages), key=natural_key)
    if not ranked:
        return Value(0)
    return Case(
        *(When(village=v, then=Value(i)) for i, v in enumerate(ranked)),
        default=Value(len(ranked)),
        output_field=IntegerField(),
    )


def still_to_reach(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    village: str | None = None,
    home_visit_only: bool = False,
) -> QuerySet[Reachable]:
    """The cohort in `unit`'s subtree (a commune, for the page) not reached yet, in the reader's
    scope, ordered by village, address and name, annotated with `address` and `mark_note`."""
    _check(actor, campaign, unit)
    rows = _cohort(actor, campaign, unit).filter(reached_on__isnull=True)
    if village is not None:
        rows = rows.filter(village=village)
    if home_visit_only:
        rows = rows.exclude(home_visit="")
    villages = rows.order_by().values_list("village", flat=True).distinct()
    marks = HomeVisitMark.objects.filter(person=OuterRef("person"))
    return rows.annotate(
        address=_address(),
        village_rank=_village_order(villages),
        mark_note=Subquery(marks.values("note")[:1]),
    ).order_by(
        "unit__path", "village_rank", "village", "address", "person__name_folded", "person_id"
    )


_FIELDS = (
    "person_id",
    "person__full_name",
    "person__birth_date",
    "person__birth_date_precision",
    "person__birth_year",
    "person__sex",
    "person__personal_id",
    "village",
    "address",
    "person__card_kind",
    "group__name",
    "home_visit",
    "mark_note",
)


def one_line(text: str | None) -> str:
    """Register text for a list: NFC, on one line, control and direction marks shown as U+FFFD."""
    text = unicodedata.normalize("NFC", text or "")
    return _NOT_TEXT.sub("\ufffd", " ".join(text.split()))


def _reason(code: str, note: str | None) -> str:
    if not code:
        return ""
    words = str(REASONS.get(code, code))
    note = one_line(note)
    return f"{words}: {note}" if note else words


def _row(values: dict[str, Any]) -> Row:
    born: datetime.date = values["person__birth_date"]
    year_only = values["person__birth_date_precision"] == Person.Precision.YEAR
    sex = values["person__sex"]
    return Row(
        person_id=values["person_id"],
        name=one_line(values["person__full_name"]),
        birth=str(values["person__birth_year"]) if year_only else f"{born:%d/%m/%Y}",
        birth_year=values["person__birth_year"],
        sex=str(Person.Sex(sex).label) if sex in Person.Sex.values else sex,
        personal_id=values["person__personal_id"],
        village=one_line(values["village"]),
        address=one_line(values["address"]),
        card=str(CARDS.get(values["person__card_kind"], values["person__card_kind"])),
        group=one_line(values["group__name"]),
        home_visit=values["home_visit"],
        reason=_reason(values["home_visit"], values["mark_note"]),
    )


def rows_of(people: QuerySet[Reachable]) -> Iterator[Row]:
    """The rows of `still_to_reach`, fetched a chunk at a time (an export of a whole commune)."""
    for values in people.values(*_FIELDS).iterator(chunk_size=2000):
        yield _row(values)


def villages_of(*, actor: User, campaign: Campaign, unit: Unit) -> list[Village]:
    """Every village of the commune's cohort (those fully reached too), in natural order."""
    _check(actor, campaign, unit)
    waiting = Q(reached_on__isnull=True)
    counted = (
        _cohort(actor, campaign, unit)
        .values("village")
        .annotate(
            cohort=Count("pk"),
            remaining=Count("pk", filter=waiting),
            home=Count("pk", filter=waiting & ~Q(home_visit="")),
        )
        .order_by()
    )
    found = [Village(c["village"], c["cohort"], c["remaining"], c["home"]) for c in counted]
    return sorted(found, key=lambda v: natural_key(v.name))


# --- the services: the page and the two files, each audited -----------------------------------


def _audit(action: str, actor: User, listed: ReachList, **extra: Any) -> None:
    """A read of a list of people: the campaign, the commune, the filter and the count — the
    names stay out of the trail (`record_read`'s rule)."""
    record(
        action,
        actor=actor,
        unit=listed.unit,
        obj=listed.campaign,
        object_repr=f"#{listed.campaign.pk}",
        after={
            "commune": listed.unit.pk,
            "village": listed.village,
            "home_visit_only": listed.home_visit_only,
            "people": listed.remaining,
            **extra,
        },
    )


def _summary(
    actor: User, campaign: Campaign, unit: Unit, village: str, home_visit_only: bool
) -> ReachList:
    villages = villages_of(actor=actor, campaign=campaign, unit=unit)
    if village and village not in {v.name for v in villages}:
        raise UNKNOWN_VILLAGE(place=unit.name, village=village[:80])
    chosen = [v for v in villages if not village or v.name == village]
    remaining = sum(v.remaining for v in chosen)
    home = sum(v.home_visits for v in chosen)
    return ReachList(
        campaign=campaign,
        unit=unit,
        village=village,
        home_visit_only=home_visit_only,
        villages=villages,
        remaining=home if home_visit_only else remaining,
        home_visits=home,
        cohort=sum(v.cohort for v in chosen),
        built_at=CohortBuild.objects.filter(campaign=campaign)
        .values_list("built_at", flat=True)
        .first(),
    )


@transaction.atomic
def read_list(
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    village: str = "",
    home_visit_only: bool = False,
    page: int | str | None = 1,
) -> ReachList:
    """One page of the list, with the counts and the commune's villages; audited."""
    listed = _summary(actor, campaign, unit, village, home_visit_only)
    people = still_to_reach(
        actor=actor,
        campaign=campaign,
        unit=unit,
        village=village or None,
        home_visit_only=home_visit_only,
    )
    listed.page = Paginator(people.values(*_FIELDS), PAGE_SIZE).get_page(page)
    listed.rows = [_row(values) for values in listed.page.object_list]
    _audit("reach.list_view", actor, listed, page=listed.page.number, shown=len(listed.rows))
    return listed


def _for_export(
    action: str,
    limit: int,
    *,
    actor: User,
    campaign: Campaign,
    unit: Unit,
    village: str,
    home_visit_only: bool,
) -> tuple[ReachList, Iterator[Row]]:
    listed = _summary(actor, campaign, unit, village, home_visit_only)
    if listed.remaining > limit:
        raise LIST_TOO_LONG(count=listed.remaining, max=limit)
    people = still_to_reach(
        actor=actor,
        campaign=campaign,
        unit=unit,
        village=village or None,
        home_visit_only=home_visit_only,
    )
    _audit(action, actor, listed)
    return listed, rows_of(people)


@transaction.atomic
def export_xlsx(
    *, actor: User, campaign: Campaign, unit: Unit, village: str = "", home_visit_only: bool = False
) -> bytes:
    """The list as an xlsx file, audited as its own action."""
    listed, rows = _for_export(
        "reach.list_xlsx",
        MAX_XLSX_ROWS,
        actor=actor,
        campaign=campaign,
        unit=unit,
        village=village,
        home_visit_only=home_visit_only,
    )
    return write_list(listed, rows, printed_at=timezone.localtime())


@transaction.atomic
def export_pdf(
    *, actor: User, campaign: Campaign, unit: Unit, village: str = "", home_visit_only: bool = False
) -> bytes:
    """The list as a printable A4 PDF, audited as its own action."""
    listed, rows = _for_export(
        "reach.list_pdf",
        MAX_PDF_ROWS,
        actor=actor,
        campaign=campaign,
        unit=unit,
        village=village,
        home_visit_only=home_visit_only,
    )
    return render_list(listed, rows, printed_at=timezone.localtime())
