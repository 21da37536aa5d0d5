from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from cccd.accounts.audit import record_read
from cccd.accounts.roles import REVIEW, UPLOAD
from cccd.accounts.scoping import get_visible
from cccd.api.auth import api_requires
from cccd.rosters import services
from cccd.rosters.models import Roster, RosterEntry
from cccd.rosters.schemas import DecisionIn, EntryOut, RosterOut

router = Router(tags=["rosters"])


def _out(roster: Roster) -> dict[str, object]:
    return {
        "id": roster.pk, "session_id": roster.session_id, "version": roster.version, "is_current": roster.is_current,
        "original_name": roster.original_name, "state": roster.state, "summary": services.summary(roster),
        "entries": list(roster.entries.order_by("row")),
    }  # fmt: skip


@router.post("/sessions/{session_id}", response={201: RosterOut}, auth=api_requires(UPLOAD))
def upload(
    request: HttpRequest, session_id: int, file: File[UploadedFile]
) -> Status[dict[str, object]]:
    roster = services.upload_roster(session_id, file, actor=request.user)
    return Status(201, _out(roster))


@router.get("/{roster_id}", response=RosterOut, auth=api_requires(UPLOAD, REVIEW))
def get_roster(request: HttpRequest, roster_id: int) -> dict[str, object]:
    roster = get_visible(request.user, Roster.objects.all(), pk=roster_id)
    services._session_for(roster.session_id, actor=request.user)
    record_read("roster.view", roster, actor=request.user, unit=roster.unit)
    return _out(roster)


@router.post("/entries/{entry_id}/decision", response=EntryOut, auth=api_requires(REVIEW))
def decide(request: HttpRequest, entry_id: int, payload: DecisionIn) -> RosterEntry:
    return services.decide_entry(
        entry_id, payload.decision, person_id=payload.person_id, actor=request.user
    )
