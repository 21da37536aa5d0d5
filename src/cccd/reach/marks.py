"""A commune officer's word that a person cannot come and must be visited at home
(docs/reach.md#coverage: the person's group and home-visit flag read it).

Only the reasons an officer knows and the register does not are marked: disabled, bedridden,
another reason (with a note). Very old and living alone are computed from the register, never
marked. A mark is the officer's, scoped to the person's residence (`visible_to`): an officer marks
the people of their own subtree only. Marking, changing and removing a mark are audited; the page
that shows a person's mark audits the read.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cccd.accounts.audit import record, record_read, snapshot
from cccd.accounts.models import User
from cccd.accounts.permissions import require_permission
from cccd.accounts.roles import MARK_HOME_VISIT
from cccd.accounts.scoping import get_visible
from cccd.labels import clean_label
from cccd.reach import errors
from cccd.reach.models import HomeVisitMark, HomeVisitReason
from cccd.registry.models import Person

MARKABLE = (HomeVisitReason.DISABLED, HomeVisitReason.BEDRIDDEN, HomeVisitReason.OTHER)
MARK_FIELDS = ("reason", "note", "marked_by", "marked_at")


def _person(actor: User, person_id: int, *, lock: bool = False) -> Person:
    people = Person.objects.select_related("residence_unit")
    if lock:
        people = people.select_for_update(of=("self",))
    return get_visible(actor, people, pk=person_id)


def mark_of(*, actor: User, person_id: int) -> tuple[Person, HomeVisitMark | None]:
    """The person and their mark, if any, for the mark's page (an audited read of the person)."""
    require_permission(actor, MARK_HOME_VISIT)
    person = _person(actor, person_id)
    record_read("person.view", person, actor=actor, unit=person.residence_unit)
    return person, HomeVisitMark.objects.filter(person=person).first()


@transaction.atomic
def mark_person(*, actor: User, person_id: int, reason: str, note: str = "") -> HomeVisitMark:
    """Mark the person to be visited at home (or change the mark's reason or note)."""
    require_permission(actor, MARK_HOME_VISIT)
    if reason not in MARKABLE:
        raise errors.MARK_REASON()
    text = clean_label(note, field=_("note"), max_length=300, required=False)
    if reason == HomeVisitReason.OTHER and not text:
        raise errors.MARK_NOTE_REQUIRED()
    person = _person(actor, person_id, lock=True)
    mark = HomeVisitMark.objects.filter(person=person).first()
    if mark is not None and (mark.reason, mark.note) == (reason, text):
        return mark  # the same mark again (a double click): nothing changes
    before = snapshot(mark, MARK_FIELDS) if mark is not None else None
    mark = mark or HomeVisitMark(person=person)
    mark.reason, mark.note = HomeVisitReason(reason), text
    mark.marked_by, mark.marked_at = actor, timezone.now()
    mark.save()
    record(
        "homevisit.mark",
        actor=actor,
        unit=person.residence_unit,
        obj=mark,
        before=before,
        after=snapshot(mark, MARK_FIELDS) | {"person": person.pk},
    )
    return mark


@transaction.atomic
def unmark_person(*, actor: User, person_id: int) -> bool:
    """Remove the person's mark; False when there was none (nothing changes, nothing audited)."""
    require_permission(actor, MARK_HOME_VISIT)
    person = _person(actor, person_id, lock=True)
    mark = HomeVisitMark.objects.filter(person=person).first()
    if mark is None:
        return False
    before = snapshot(mark, MARK_FIELDS) | {"person": person.pk}
    mark.delete()
    record(
        "homevisit.unmark",
        actor=actor,
        unit=person.residence_unit,
        obj=person,
        before=before,
        object_repr=f"#{person.pk}",
    )
    return True
