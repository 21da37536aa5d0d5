from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.audit import record_read
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible
from cccd.api.inputs import Id
from cccd.rosters import queries, services, versions
from cccd.rosters.models import Roster, RosterEntry
from cccd.rosters.precheck import summary
from cccd.rosters.schemas import (
    ConfirmIn,
    DecisionIn,
    EntryOut,
    RosterOut,
    SessionListsOut,
)

router = Router(tags=["rosters"])


def _summary(roster: Roster) -> dict[str, object]:
    return {
        "id": roster.pk,
        "session_id": roster.session_id,
        "list_name": roster.list_name,
        "version": roster.version,
        "is_current": roster.is_current,
        "original_name": roster.original_name,
        "state": roster.state,
        "error_message": roster.error_message,
        "summary": summary(roster),
    }


def _changed(entry: RosterEntry) -> dict[str, object]:
    return {
        "line": entry.line,
        "full_name": entry.full_name,
        "birth_date": entry.birth_date,
        "birth_year": entry.birth_year,
        "class_name": entry.class_name,
    }


def _out(roster: Roster) -> dict[str, object]:
    replacement = None
    if roster.state == Roster.State.AWAITING:
        change = versions.replacement(roster)
        replacement = {
            "against": change.current.pk if change.current else None,
            "added": [_changed(e) for e in change.added],
            "dropped": [_changed(e) for e in change.dropped],
            "kept": len(change.kept),
        }
    entries = queries.with_open_applications(roster.entries.order_by("row"), roster.session)
    return {**_summary(roster), "replacement": replacement, "entries": entries}


@router.post("/sessions/{session_id}", response={201: RosterOut}, auth=api_requires(UPLOAD))
def upload(
    request: LoggedInRequest,
    session_id: Id,
    file: File[UploadedFile],
    name: Form[str] = "",
    replaces: Form[str] = "",
) -> Status[dict[str, object]]:
    """Send a list: it adds a list (named `name`, or after the file) unless `replaces` names the
    session's list it is a new version of. Read and pre-checked in the background."""
    roster = services.upload_roster(
        session_id, file, actor=request.user, name=name, replaces=replaces or None
    )
    return Status(201, _out(roster))


@router.get("/sessions/{session_id}", response=SessionListsOut, auth=api_requires(UPLOAD, REVIEW))
def session_lists(request: LoggedInRequest, session_id: Id) -> dict[str, object]:
    session = services._session_for(session_id, actor=request.user)
    lists = queries.session_lists(session)
    return {
        "current": [_summary(o.current) for o in lists if o.current is not None],
        "pending": [_summary(o.pending) for o in lists if o.pending is not None],
    }


@router.get("/{roster_id}", response=RosterOut, auth=api_requires(UPLOAD, REVIEW))
def get_roster(request: LoggedInRequest, roster_id: Id) -> dict[str, object]:
    roster = get_visible(request.user, Roster.objects.select_related("session"), pk=roster_id)
    services._session_for(roster.session_id, actor=request.user)
    record_read("roster.view", roster, actor=request.user, unit=roster.unit)
    return _out(roster)


@router.post("/{roster_id}/confirm", response=RosterOut, auth=api_requires(UPLOAD))
def confirm(request: LoggedInRequest, roster_id: Id, payload: ConfirmIn) -> dict[str, object]:
    """Confirm a version that drops people, after looking at `replacement`: `against` is the
    current version it was compared with (refused if the list changed since)."""
    roster = services.confirm_replacement(roster_id, against=payload.against, actor=request.user)
    return _out(roster)


@router.post("/{roster_id}/discard", response=RosterOut, auth=api_requires(UPLOAD))
def discard(request: LoggedInRequest, roster_id: Id) -> dict[str, object]:
    return _out(services.discard_roster(roster_id, actor=request.user))


@router.post("/entries/{entry_id}/decision", response=EntryOut, auth=api_requires(REVIEW))
def decide(request: LoggedInRequest, entry_id: Id, payload: DecisionIn) -> RosterEntry:
    return services.decide_entry(
        entry_id, payload.decision, person_id=payload.person_id, actor=request.user
    )
