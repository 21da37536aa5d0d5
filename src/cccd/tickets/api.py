"""/api/v1/tickets: desks call, recall, skip, send on and finish numbers; walk-ins; the board."""

from django.http import HttpRequest
from django.urls import reverse
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import DESK, ISSUE
from cccd.accounts.scoping import get_visible
from cccd.api.inputs import Id
from cccd.api.pagination import MappedRows, Pagination
from cccd.campaigns.models import PriorityGroup
from cccd.errors import NOT_FOUND
from cccd.tickets import queries, services
from cccd.tickets.board import call_text
from cccd.tickets.models import Desk, Ticket
from cccd.tickets.schemas import (
    BoardOut,
    DeskOut,
    HandOutIn,
    HandOutOut,
    TicketActionIn,
    TicketOut,
    TransferIn,
    WalkInIn,
)

router = Router(tags=["tickets"])


def _out(request: HttpRequest, ticket: Ticket) -> dict[str, object]:
    return {
        "id": ticket.pk,
        "session_id": ticket.session_id,
        "number": ticket.number,
        "display": ticket.display,
        "kind": ticket.kind,
        "state": ticket.state,
        "group_code": ticket.group.code if ticket.group else None,
        "class_name": ticket.class_name,
        "desk": ticket.desk.number if ticket.desk else None,
        "slot_start": ticket.slot_start,
        "called_at": ticket.called_at,
        "done_at": ticket.done_at,
        "calls": ticket.calls,
        "public_url": request.build_absolute_uri(
            reverse("ticket_public", args=[ticket.public_token])
        ),
    }


@router.get("/sessions/{session_id}", response=list[TicketOut], auth=api_requires(ISSUE, DESK))
@paginate(Pagination)
def list_tickets(request: LoggedInRequest, session_id: Id) -> MappedRows[dict[str, object]]:
    session = services.open_queue(session_id, actor=request.user)
    tickets = queries.session_tickets(request.user, session).order_by("number")
    return MappedRows(tickets, lambda t: _out(request, t))


@router.get("/sessions/{session_id}/desks", response=list[DeskOut], auth=api_requires(ISSUE, DESK))
@paginate(Pagination)
def list_desks(request: LoggedInRequest, session_id: Id) -> list[Desk]:
    return queries.desks(services.open_queue(session_id, actor=request.user))


@router.get("/sessions/{session_id}/board", response=BoardOut, auth=api_requires(ISSUE, DESK))
def board(request: LoggedInRequest, session_id: Id) -> dict[str, object]:
    session = queries.get_session(request.user, session_id)
    state = queries.board_state(session)

    def call(c: queries.BoardCall) -> dict[str, object]:
        return {"number": c.number, "desk": c.desk, "key": c.key, "text": call_text(c)}

    latest = state["latest"]
    return {
        "session_id": session.pk,
        "calls": [call(c) for c in state["calls"]],
        "latest": call(latest) if latest else None,
        "waiting": state["waiting"],
    }


@router.post("/sessions/{session_id}/walk-ins", response={201: TicketOut}, auth=api_requires(ISSUE))
def issue_walk_in(
    request: LoggedInRequest, session_id: Id, payload: WalkInIn
) -> Status[dict[str, object]]:
    group_id = None
    if payload.group_code:
        group = PriorityGroup.objects.filter(code=payload.group_code, is_active=True).first()
        if group is None:
            raise NOT_FOUND()
        group_id = group.pk
    ticket = services.issue_walk_in(
        session_id, group_id=group_id, person_id=payload.person_id, actor=request.user
    )
    return Status(201, _out(request, ticket))


@router.post(
    "/sessions/{session_id}/hand-out", response={201: HandOutOut}, auth=api_requires(ISSUE)
)
def hand_out(
    request: LoggedInRequest, session_id: Id, payload: HandOutIn
) -> Status[dict[str, object]]:
    tickets = services.hand_out_numbers(
        session_id,
        slots={s.class_name: s.start for s in payload.slots},
        include_unmatched=payload.include_unmatched,
        actor=request.user,
    )
    return Status(
        201,
        {
            "count": len(tickets),
            "first": tickets[0].number if tickets else None,
            "last": tickets[-1].number if tickets else None,
        },
    )


@router.get("/{ticket_id}", response=TicketOut, auth=api_requires(ISSUE, DESK))
def get_ticket(request: HttpRequest, ticket_id: Id) -> dict[str, object]:
    ticket = get_visible(request.user, Ticket.objects.select_related("group", "desk"), pk=ticket_id)
    return _out(request, ticket)


@router.post("/desks/{desk_id}/open", response=DeskOut, auth=api_requires(DESK))
def open_desk(request: LoggedInRequest, desk_id: Id) -> Desk:
    return services.open_desk(desk_id, actor=request.user)


@router.post("/desks/{desk_id}/call-next", response=TicketOut, auth=api_requires(DESK))
def call_next(request: LoggedInRequest, desk_id: Id) -> dict[str, object]:
    return _out(request, services.call_next(desk_id, actor=request.user))


@router.post("/desks/{desk_id}/recall", response=TicketOut, auth=api_requires(DESK))
def recall(request: LoggedInRequest, desk_id: Id, payload: TicketActionIn) -> dict[str, object]:
    return _out(request, services.recall_ticket(desk_id, payload.ticket_id, actor=request.user))


@router.post("/desks/{desk_id}/skip", response=TicketOut, auth=api_requires(DESK))
def skip(request: LoggedInRequest, desk_id: Id, payload: TicketActionIn) -> dict[str, object]:
    return _out(request, services.skip_ticket(desk_id, payload.ticket_id, actor=request.user))


@router.post("/desks/{desk_id}/finish", response=TicketOut, auth=api_requires(DESK))
def finish(request: LoggedInRequest, desk_id: Id, payload: TicketActionIn) -> dict[str, object]:
    return _out(request, services.finish_ticket(desk_id, payload.ticket_id, actor=request.user))


@router.post("/desks/{desk_id}/transfer", response=TicketOut, auth=api_requires(DESK))
def transfer(request: LoggedInRequest, desk_id: Id, payload: TransferIn) -> dict[str, object]:
    ticket = services.transfer_ticket(
        desk_id, payload.ticket_id, payload.to_desk_id, actor=request.user
    )
    return _out(request, ticket)
