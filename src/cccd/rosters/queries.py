"""Read paths of the roster pages and API: a session's lists, their rows, a version's changes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from cccd.campaigns.models import Session
from cccd.registry import open_applications
from cccd.rosters.models import Flag, Outcome, Roster, RosterEntry
from cccd.rosters.precheck import summary
from cccd.rosters.versions import Replacement, list_names, replacement

ROWS_SHOWN = 500


@dataclass
class ListOverview:
    """One of a session's lists: its current version, and a newer one being read, waiting for a
    confirmation or failed, if any."""

    name: str
    current: Roster | None
    pending: Roster | None
    summary: dict[str, int] | None
    change: Replacement | None  # what a version waiting for a confirmation changes


def session_lists(session: Session) -> list[ListOverview]:
    versions: dict[str, list[Roster]] = {}
    for roster in Roster.objects.filter(session=session).order_by("-version"):
        versions.setdefault(roster.list_name, []).append(roster)
    lists = []
    for name in list_names(session):
        current = next((r for r in versions[name] if r.is_current), None)
        newer = [r for r in versions[name] if current is None or r.version > current.version]
        pending = next((r for r in newer if r.state != Roster.State.DISCARDED), None)
        change = None
        if pending is not None and pending.state == Roster.State.AWAITING:
            change = replacement(pending, current)
        if current is None and pending is None:
            continue  # every version set aside: nothing to show
        lists.append(
            ListOverview(name, current, pending, summary(current) if current else None, change)
        )
    return lists


def totals(lists: list[ListOverview]) -> dict[str, int]:
    """The session's counts over its current lists."""
    counts: dict[str, int] = {}
    for overview in lists:
        for key, value in (overview.summary or {}).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def session_entries(
    session: Session, *, outcome: str = "", roster_id: int | None = None
) -> list[RosterEntry]:
    """The rows of the session's current lists (the first ROWS_SHOWN), flags as of now."""
    entries: QuerySet[RosterEntry] = RosterEntry.objects.filter(
        roster__session=session, roster__is_current=True
    ).select_related("roster")
    if roster_id is not None:
        entries = entries.filter(roster_id=roster_id)
    if outcome in Outcome.values:
        entries = entries.filter(outcome=outcome)
    first_sent = Roster.objects.filter(
        session=session, list_name=OuterRef("roster__list_name")
    ).order_by("pk")
    entries = entries.annotate(list_order=Subquery(first_sent.values("pk")[:1]))
    shown = entries.order_by("list_order", "row")[:ROWS_SHOWN]
    return with_open_applications(shown, session)


def version_entries(roster: Roster, *, outcome: str = "") -> list[RosterEntry]:
    entries = roster.entries.order_by("row")
    if outcome in Outcome.values:
        entries = entries.filter(outcome=outcome)
    return with_open_applications(entries[:ROWS_SHOWN], roster.session)


def with_open_applications(
    entries: Iterable[RosterEntry], session: Session | None = None
) -> list[RosterEntry]:
    """The rows with their flags as of now: "already has an open application" is looked up when
    the rows are read, since applications are opened after the list was checked (usually the
    list comes days before the session) and a row matched by a reviewer's decision needs it too.
    A dossier taken at `session` itself (the row's own intake) does not count."""
    entries = list(entries)
    open_now = open_applications.holders(
        sorted({e.person_id for e in entries if e.person_id}),
        except_session_id=session.pk if session is not None else None,
    )
    for entry in entries:
        flags = [f for f in entry.flags if f != Flag.OPEN_APPLICATION]
        if entry.person_id in open_now:
            flags.insert(1 if Flag.VALID_CARD in flags else 0, str(Flag.OPEN_APPLICATION))
        entry.flags = flags
    return entries
