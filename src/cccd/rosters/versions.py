"""A session's lists and their versions: what a new version adds and drops, and making it current.

A list is replaced only by a new version of itself. A version that would drop people from its list
waits for a confirmation against the version current when the user looked (`install`, called by
the worker once the file is read, and again by `services.confirm_replacement`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cccd.accounts.audit import record
from cccd.accounts.models import User
from cccd.campaigns.models import Session
from cccd.core import names
from cccd.registry.models import Person
from cccd.rosters import errors
from cccd.rosters.models import Roster, RosterEntry


def list_names(session: Session) -> list[str]:
    """The names of the session's lists, in the order they were first sent."""
    seen: dict[str, None] = {}
    for list_name in (
        Roster.objects.filter(session=session).order_by("pk").values_list("list_name", flat=True)
    ):
        seen.setdefault(list_name, None)
    return list(seen)


@dataclass
class Replacement:
    """A new version of a list against its current version, person by person (by row).

    Two rows are the same person when they share a personal ID, or a name (folded: capitals and
    missing diacritics do not count) with the same date of birth (the year when the row has only
    a year) — the keys the pre-check's duplicate check uses; a row of the current version also
    answers to the register's name, birth date and ID of the person it was matched to, so a row the
    school corrected after the discrepancy list is the same person, not one dropped and one added.
    """

    roster: Roster
    current: Roster | None
    added: list[RosterEntry] = field(default_factory=list)
    dropped: list[RosterEntry] = field(default_factory=list)
    kept: list[tuple[RosterEntry, RosterEntry]] = field(default_factory=list)  # (current, new)

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.dropped)


def _is_someone(entry: RosterEntry) -> bool:
    """A row names a person when it has a name or a personal ID; a row with neither (a class
    name left on an empty line) is neither added nor dropped."""
    return bool(entry.full_name or entry.personal_id or entry.person_id)


def _row_keys(entry: RosterEntry) -> set[tuple[Any, ...]]:
    keys: set[tuple[Any, ...]] = {("row", entry.fingerprint)}
    if entry.personal_id:
        keys.add(("id", entry.personal_id))
    if entry.full_name:
        keys.add(("born", names.fold(entry.full_name), entry.birth_date or entry.birth_year))
    return keys


def _person_keys(person: Person | None) -> set[tuple[Any, ...]]:
    if person is None:
        return set()
    born = person.birth_date if person.birth_date_precision == "day" else person.birth_year
    return {("id", person.personal_id), ("born", person.name_folded, born)}


def replacement(roster: Roster, current: Roster | None = None) -> Replacement:
    """What `roster` adds and drops against `current` (by default its list's current version)."""
    if current is None:
        current = current_version(roster.session_id, roster.list_name)
    if current is not None and current.pk == roster.pk:
        current = None
    change = Replacement(roster, current)
    new_entries = list(roster.entries.order_by("row"))
    if current is None:
        change.added = [e for e in new_entries if _is_someone(e)]
        return change
    old_entries = list(current.entries.select_related("person").order_by("row"))
    by_key: dict[tuple[Any, ...], list[RosterEntry]] = {}
    for old in old_entries:
        for key in _row_keys(old) | _person_keys(old.person):
            by_key.setdefault(key, []).append(old)
    still_listed: set[int] = set()
    for new in new_entries:
        same = [old for key in _row_keys(new) for old in by_key.get(key, [])]
        if not same:
            if _is_someone(new):
                change.added.append(new)
            continue
        change.kept.append((same[0], new))
        still_listed.update(old.pk for old in same)
    change.dropped = [o for o in old_entries if o.pk not in still_listed and _is_someone(o)]
    return change


def current_version(session_id: int, list_name: str) -> Roster | None:
    return Roster.objects.filter(
        session_id=session_id, list_name=list_name, is_current=True
    ).first()


@transaction.atomic
def install(roster: Roster, *, actor: User | None, confirmed_against: int | None = None) -> bool:
    """Make `roster` its list's current version, carrying decisions (rows whose content did not
    change) and queue numbers (the same person) over; False, and the version waits, when it drops
    someone and the user has not confirmed dropping them against the version now current."""
    current = (
        Roster.objects.select_for_update()
        .filter(session_id=roster.session_id, list_name=roster.list_name, is_current=True)
        .first()
    )
    change = replacement(roster, current)
    if change.needs_confirmation and (current is None or confirmed_against != current.pk):
        if confirmed_against is not None:
            raise errors.REPLACEMENT_CHANGED()
        _supersede_waiting(roster)
        Roster.objects.filter(pk=roster.pk).update(state=Roster.State.AWAITING)
        roster.state = Roster.State.AWAITING
        record(
            "roster.await", actor=actor, unit=roster.unit, obj=roster, after=_change_summary(change)
        )
        return False
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    _supersede_waiting(roster)
    roster.is_current, roster.state = True, Roster.State.CHECKING
    roster.save(update_fields=["is_current", "state"])
    carried = _carry_decisions(current, roster) if current is not None else 0
    moved = _carry_tickets(change)
    record(
        "roster.install",
        actor=actor,
        unit=roster.unit,
        obj=roster,
        after={**_change_summary(change), "decisions_kept": carried, "numbers_kept": moved},
    )
    return True


def _change_summary(change: Replacement) -> dict[str, Any]:
    """For the audit trail: counts and the school file's line numbers, no names."""
    return {
        "list": change.roster.list_name,
        "replaces": change.current.pk if change.current is not None else None,
        "added": len(change.added),
        "dropped": len(change.dropped),
        "dropped_lines": [e.line for e in change.dropped][:500],
    }


def _supersede_waiting(roster: Roster) -> None:
    """Older versions of the list still waiting for a confirmation are no longer offered."""
    Roster.objects.filter(
        session_id=roster.session_id,
        list_name=roster.list_name,
        state=Roster.State.AWAITING,
        version__lt=roster.version,
    ).update(state=Roster.State.DISCARDED)


def _carry_decisions(previous: Roster, roster: Roster) -> int:
    decided = {e.fingerprint: e for e in previous.entries.exclude(decision="")}
    carried = []
    for entry in roster.entries.filter(fingerprint__in=decided.keys()):
        old = decided[entry.fingerprint]
        entry.decision, entry.person_id = old.decision, old.person_id
        entry.decided_by_id, entry.decided_at = old.decided_by_id, old.decided_at
        carried.append(entry)
    RosterEntry.objects.bulk_update(carried, ["decision", "person", "decided_by", "decided_at"])
    return len(carried)


def _carry_tickets(change: Replacement) -> int:
    """A number handed out for a row stays with the same person's row in the new version, so
    handing out again gives numbers only to the people added."""
    if change.current is None:
        return 0
    holding = set(change.current.entries.filter(tickets__isnull=False).values_list("pk", flat=True))
    moved = 0
    for old, new in change.kept:
        if old.pk in holding:
            moved += old.tickets.update(roster_entry=new)
            holding.discard(old.pk)
    return moved
