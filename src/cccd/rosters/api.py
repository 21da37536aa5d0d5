from django.http import HttpRequest
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from cccd.accounts.scoping import get_visible
from cccd.api.inputs import Id
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


@router.post("/sessions/{session_id}", response={201: RosterOut})
def upload(
    request: HttpRequest, session_id: Id, file: File[UploadedFile]
) -> Status[dict[str, object]]:
    roster = services.upload_roster(session_id, file, actor=request.user)
    return Status(201, _out(roster))


@router.get("/{roster_id}", response=RosterOut)
def get_roster(request: HttpRequest, roster_id: Id) -> dict[str, object]:
    roster = get_visible(request.user, Roster.objects.all(), pk=roster_id)
    services._session_for(roster.session_id, actor=request.user)
    return _out(roster)


@router.post("/entries/{entry_id}/decision", response=EntryOut)
def decide(request: HttpRequest, entry_id: Id, payload: DecisionIn) -> RosterEntry:
    return services.decide_entry(
        entry_id, payload.decision, person_id=payload.person_id, actor=request.user
    )
