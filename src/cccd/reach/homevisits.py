"""Home-visit rounds: a session of kind `home_visits` whose list is homes, in the order the team
goes, and how each visit ended (docs/reach.md#home-visit-sessions).

A round is planned through `cccd.campaigns.services.plan_session`, so the clash rules of every
session hold (a team is in one place at a time). Its venue is the commune's homes: one `Venue` of
kind `home` per commune and police unit, made the first time and reused. Its `HomeVisit` rows are
ordered by village, then address, then name, numbers in them compared as numbers ("Thôn 2" before
"Thôn 10"). Each visit says why the person is seen at home: a commune officer's mark
(`cccd.reach.marks`), else 80 or over (`very_old`), else a household of one living member
(`alone`).

**Enrolled** needs a dossier of the person that counts as progress (not a draft, not rejected or
cancelled) taken in this round or received on the round's day anywhere (the person may have gone
to the commune hall that morning): a team does not mark someone enrolled on its word alone. A
field kit records outcomes with the same `record_visit`; they reach the district at check-in
(`cccd.kits.homevisits`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record, record_read, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_any, require_permission
from cccd.accounts.roles import INTAKE, PLAN, REACH_LISTS
from cccd.accounts.scoping import get_visible, visible_to, visible_with_ancestors
from cccd.campaigns.models import Campaign, Session, Team, Venue
from cccd.campaigns.services import create_venue, plan_session
from cccd.core import eligibility, names, validity
from cccd.enrollments.models import Enrollment
from cccd.errors import NOT_FOUND
from cccd.labels import clean_label
from cccd.localtime import local_midnight
from cccd.reach import errors
from cccd.reach.models import HomeVisit, HomeVisitMark, HomeVisitReason
from cccd.registry.models import Person
from cccd.reports.counters import counts_as_progress
from cccd.units.models import Unit

MAX_HOMES = 200
"""A day's round is tens of homes; 200 keeps a round's page, its paper and a kit's check-in small."""
VERY_OLD_AGE = 80
Outcome = HomeVisit.Outcome
RECORDED = (Outcome.ENROLLED, Outcome.NOT_AT_HOME, Outcome.MOVED, Outcome.REFUSED, Outcome.OTHER)
NEEDS_NOTE = frozenset({Outcome.MOVED, Outcome.OTHER})
HOME_VENUE_NAME = "Các hộ gia đình — {commune}"
VIEWERS = (REACH_LISTS, INTAKE, PLAN)
"""Who may read a round (names and addresses): those who list people to reach, who take intakes
(the team on the round) and who plan."""
RECORDERS = (INTAKE, PLAN)

_DIGITS = re.compile(r"(\d+)")


# --- ordering ------------------------------------------------------------------------------------


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key in which the numbers in a text compare as numbers, letters without diacritics
    or case: "Thôn 2" < "Thôn 10" < "thon 11"."""
    parts = _DIGITS.split(names.fold(text))
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def round_order(person: Person) -> tuple[Any, ...]:
    """Village (a person without one last), then address, then name, then id (a stable order)."""
    return (
        not person.village,
        natural_key(person.village),
        natural_key(person.permanent_address),
        natural_key(person.full_name),
        person.full_name,
        person.pk,
    )


# --- why at home ---------------------------------------------------------------------------------


def reasons(people: Sequence[Person], day: datetime.date) -> dict[int, str]:
    """Why each person is visited at home on `day`: their mark, else very old, else alone, else
    "" (planned by hand)."""
    marks = dict(
        HomeVisitMark.objects.filter(person__in=[p.pk for p in people]).values_list(
            "person_id", "reason"
        )
    )
    alone = _living_alone(people, day)
    found: dict[int, str] = {}
    for person in people:
        if person.pk in marks:
            found[person.pk] = marks[person.pk]
        elif validity.birthday(person.birth_date, VERY_OLD_AGE) <= day:
            found[person.pk] = HomeVisitReason.VERY_OLD
        elif person.pk in alone:
            found[person.pk] = HomeVisitReason.ALONE
        else:
            found[person.pk] = ""
    return found


def _living_alone(people: Sequence[Person], day: datetime.date) -> set[int]:
    """The people whose household has one living member on `day`: themselves."""
    households = {p.household_id for p in people if p.household_id}
    living: dict[int, int] = {}
    members = Person.objects.filter(household_id__in=households).values_list(
        "household_id", "status", "died_on"
    )
    for household_id, status, died_on in members:
        if eligibility.alive_on(status, died_on, day):
            living[household_id] = living.get(household_id, 0) + 1
    return {p.pk for p in people if p.household_id and living.get(p.household_id) == 1}


# --- planning ------------------------------------------------------------------------------------


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _people(actor: User, person_ids: Iterable[int], commune: Unit) -> list[Person]:
    """The chosen people, each visible to the actor and living in the commune; refused otherwise."""
    ids = list(person_ids)
    if not ids:
        raise errors.ROUND_EMPTY()
    if len(ids) > MAX_HOMES:
        raise errors.ROUND_TOO_LARGE(max=MAX_HOMES, count=len(ids))
    if len(set(ids)) != len(ids):
        raise errors.ROUND_PERSON_TWICE()
    people = list(visible_to(actor, Person.objects.filter(pk__in=ids)))
    if len(people) != len(ids):
        raise errors.ROUND_PEOPLE_UNKNOWN(count=len(ids) - len(people))
    elsewhere = [p for p in people if p.residence_unit_id != commune.pk]
    if elsewhere:
        raise errors.ROUND_PEOPLE_ELSEWHERE(count=len(elsewhere), commune=commune.name)
    return people


def _home_venue(actor: User, commune: Unit) -> Venue:
    """The commune's homes as a venue: the actor's unit's if there is one, else another of the
    actor's subtree, else a new one of the actor's unit (through `create_venue`, audited)."""
    homes = visible_to(actor, Venue.objects.filter(kind=Venue.Kind.HOME, commune=commune))
    own = actor.unit_id or 0
    found = homes.filter(unit_id=own).order_by("pk").first() or homes.order_by("pk").first()
    if found is not None:
        return found
    return create_venue(
        unit_id=own,
        kind=Venue.Kind.HOME,
        name=HOME_VENUE_NAME.format(commune=commune.name),
        commune_id=commune.pk,
        actor=actor,
    )


@transaction.atomic
def plan_round(
    *,
    actor: User,
    campaign: Campaign | int,
    team: Team | int,
    commune: Unit | int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    person_ids: Iterable[int],
    note: str = "",
    accept_clashes: bool = False,
) -> Session:
    """Plan a round of homes in one commune (module docstring). Every person must be in the
    actor's scope and live in the commune; any refusal leaves nothing written."""
    require_permission(actor, PLAN)
    place = get_visible(
        actor,
        Unit.objects.filter(level=Unit.Level.COMMUNE, category=Unit.Category.ADMIN),
        pk=_pk(commune),
    )
    chosen = visible_with_ancestors(actor, Campaign.objects.select_related("unit")).filter(
        pk=_pk(campaign)
    )
    plan_for = chosen.first()
    if plan_for is None:
        raise NOT_FOUND()
    if not place.mirror_path.startswith(plan_for.unit.path):
        raise errors.ROUND_COMMUNE_OUTSIDE_CAMPAIGN(commune=place.name)
    people = _people(actor, person_ids, place)
    venue = _home_venue(actor, place)
    session = plan_session(
        campaign_id=plan_for.pk,
        venue_id=venue.pk,
        team_id=_pk(team),
        starts_at=starts_at,
        ends_at=ends_at,
        desks=1,
        capacity=len(people),
        note=note,
        accept_clashes=accept_clashes,
        kind=Session.Kind.HOME_VISITS,
        actor=actor,
    )
    why = reasons(people, session.local_day)
    HomeVisit.objects.bulk_create(
        HomeVisit(
            session=session,
            person=person,
            position=position,
            village=person.village,
            address=person.permanent_address,
            reason=why[person.pk],
        )
        for position, person in enumerate(sorted(people, key=round_order), start=1)
    )
    record(
        "homevisit.plan",
        actor=actor,
        unit=session.unit,
        obj=session,
        after={"commune": place.pk, "people": [p.pk for p in sorted(people, key=round_order)]},
    )
    return session


# --- reading a round -----------------------------------------------------------------------------


def rounds(actor: User) -> QuerySet[Session]:
    """The home-visit sessions the actor's unit subtree holds (no personal data)."""
    return visible_to(actor, Session.objects.filter(kind=Session.Kind.HOME_VISITS))


def _round(actor: User, session_id: int, *, lock: bool = False) -> Session:
    sessions = rounds(actor).select_related("venue", "venue__commune", "team", "campaign", "unit")
    if lock:
        sessions = sessions.select_for_update(of=("self",))
    return get_visible(actor, sessions, pk=session_id)


@dataclass(frozen=True)
class Round:
    session: Session
    visits: list[HomeVisit]


def _read_round(actor: User, session_id: int) -> Round:
    require_any(actor, VIEWERS)
    session = _round(actor, session_id)
    visits = list(session.home_visits.select_related("person", "visited_by").order_by("position"))
    return Round(session=session, visits=visits)


def view_round(*, actor: User, session_id: int) -> Round:
    """A round and its visits in order, for its page or the API: personal data, so the read is
    audited."""
    found = _read_round(actor, session_id)
    session = found.session
    record_read("homevisit.view", session, actor=actor, unit=session.unit, homes=len(found.visits))
    return found


def print_round(*, actor: User, session_id: int) -> Round:
    """The same, for its paper: audited as a print."""
    found = _read_round(actor, session_id)
    session = found.session
    record_read("homevisit.print", session, actor=actor, unit=session.unit, homes=len(found.visits))
    return found


def visit_of(actor: User, session_id: int, person_id: int) -> HomeVisit:
    """The visit of `person_id` in the round `session_id`, as the actor may see it (404 else)."""
    return get_visible(
        actor,
        HomeVisit.objects.filter(session__kind=Session.Kind.HOME_VISITS),
        session_id=session_id,
        person_id=person_id,
    )


# --- changing the round before it starts ---------------------------------------------------------


def _changeable(session: Session) -> None:
    if (
        session.state != Session.State.PLANNED
        or session.has_started()
        or session.home_visits.exclude(outcome=Outcome.PENDING).exists()
    ):
        raise errors.ROUND_STARTED()


def _renumber(session: Session, person_ids: Sequence[int]) -> None:
    """Give the visits positions 1…n in `person_ids`' order (out of the way first: positions are
    unique in a round)."""
    visits = {v.person_id: v for v in HomeVisit.objects.filter(session=session)}
    top = len(visits) + MAX_HOMES + 1
    for offset, visit in enumerate(visits.values()):
        HomeVisit.objects.filter(pk=visit.pk).update(position=top + offset)
    for position, person_id in enumerate(person_ids, start=1):
        HomeVisit.objects.filter(pk=visits[person_id].pk).update(position=position)


def _order(session: Session) -> list[int]:
    return list(
        HomeVisit.objects.filter(session=session)
        .order_by("position")
        .values_list("person_id", flat=True)
    )


@transaction.atomic
def reorder_round(*, actor: User, session_id: int, person_ids: Sequence[int]) -> Session:
    """Put the homes in a new order (every home of the round, once each), before the round starts."""
    require_permission(actor, PLAN)
    session = _round(actor, session_id, lock=True)
    _changeable(session)
    before = _order(session)
    wanted = list(person_ids)
    if len(set(wanted)) != len(wanted) or set(wanted) != set(before):
        raise errors.ROUND_ORDER_MISMATCH()
    if wanted != before:
        _renumber(session, wanted)
        record(
            "homevisit.reorder",
            actor=actor,
            unit=session.unit,
            obj=session,
            before={"people": before},
            after={"people": wanted},
        )
    return session


def moved(order: Sequence[int], person_id: int, step: int) -> list[int]:
    """`order` with `person_id` moved `step` places (up when negative), kept within the list."""
    items = list(order)
    if person_id not in items:
        return items
    at = items.index(person_id)
    items.insert(max(0, min(len(items) - 1, at + step)), items.pop(at))
    return items


def order_of(*, actor: User, session_id: int) -> list[int]:
    """The round's person ids in order (no personal data)."""
    require_any(actor, VIEWERS)
    return _order(_round(actor, session_id))


@transaction.atomic
def remove_visit(*, actor: User, session_id: int, person_id: int) -> Session:
    """Take a home out of the round before it starts; the homes after it move up."""
    require_permission(actor, PLAN)
    session = _round(actor, session_id, lock=True)
    _changeable(session)
    visit = HomeVisit.objects.filter(session=session, person_id=person_id).first()
    if visit is None:
        raise NOT_FOUND()
    before = _order(session)
    if len(before) == 1:
        raise errors.ROUND_LAST_HOME()
    visit.delete()
    after = [pk for pk in before if pk != person_id]
    _renumber(session, after)
    Session.objects.filter(pk=session.pk).update(capacity=len(after))
    record(
        "homevisit.remove",
        actor=actor,
        unit=session.unit,
        obj=session,
        before={"people": before},
        after={"people": after, "removed": person_id},
    )
    return session


# --- outcomes ------------------------------------------------------------------------------------


def has_dossier(person_id: int, session: Session) -> bool:
    """Whether the person has a dossier that counts (module docstring): taken in the round, or
    received on its day."""
    day = session.local_day
    received_that_day = Q(
        received_at__gte=local_midnight(day),
        received_at__lt=local_midnight(day + datetime.timedelta(days=1)),
    )
    states = Enrollment.objects.filter(person_id=person_id).filter(
        Q(session=session) | received_that_day
    )
    return any(counts_as_progress(state) for state in states.values_list("state", flat=True))


def check_outcome(visit: HomeVisit, outcome: str, note: str) -> tuple[HomeVisit.Outcome, str]:
    """The rules of an outcome whoever records it (a page, the API, a kit's check-in): one of the
    five, a note for moved and other, a dossier for enrolled, a round not cancelled and on or past
    its day. Returns the outcome and the note as stored."""
    if outcome not in RECORDED:
        raise errors.VISIT_OUTCOME()
    chosen = Outcome(outcome)
    text = clean_label(note, field=_("note"), max_length=300, required=False)
    if chosen in NEEDS_NOTE and not text:
        raise errors.VISIT_NOTE_REQUIRED(outcome=chosen.label)
    session = visit.session
    if session.state == Session.State.CANCELLED:
        raise errors.VISIT_SESSION_CANCELLED()
    if timezone.localdate() < session.local_day:
        raise errors.VISIT_NOT_YET(day=f"{session.local_day:%d/%m/%Y}")
    if chosen == Outcome.ENROLLED and not has_dossier(visit.person_id, session):
        raise errors.VISIT_NOT_ENROLLED()
    return chosen, text


OUTCOME_FIELDS = ("outcome", "note", "visited_at", "visited_by")


@transaction.atomic
def record_visit(*, actor: User, visit: HomeVisit | int, outcome: str, note: str = "") -> HomeVisit:
    """How a visit ended. A visit already recorded is corrected only by the round's team leader
    (or a planner), with a note saying why; the same outcome and note again (a double click)
    changes nothing. Audited either way it changes."""
    require_any(actor, RECORDERS)
    row = get_visible(
        actor,
        HomeVisit.objects.select_for_update(of=("self",)).select_related("session__team"),
        pk=_pk(visit),
        session__kind=Session.Kind.HOME_VISITS,
    )
    chosen, text = check_outcome(row, outcome, note)
    if row.outcome == chosen and row.note == text:
        return row
    correcting = row.outcome != Outcome.PENDING
    if correcting:
        if not (actor.pk == row.session.team.leader_id or actor.has_perm(PLAN)):
            raise errors.VISIT_CORRECTION_LEADER()
        if not text or text == row.note:
            raise errors.VISIT_CORRECTION_NOTE()
    before = snapshot(row, OUTCOME_FIELDS)
    row.outcome, row.note = chosen, text
    row.visited_at, row.visited_by = timezone.now(), actor
    row.save(update_fields=["outcome", "note", "visited_at", "visited_by"])
    after = snapshot(row, OUTCOME_FIELDS)
    if correcting:
        record(
            "homevisit.correct",
            actor=actor,
            unit=row.session.unit,
            obj=row,
            before=before,
            after=after,
        )
    else:
        record(
            "homevisit.record",
            actor=actor,
            unit=row.session.unit,
            obj=row,
            before=before,
            after=after,
        )
    return row
