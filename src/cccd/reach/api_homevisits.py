"""/api/v1/home-visits: plan a round of homes, read it, record how each visit ended, change its
order before it starts; mark a person to be visited at home. Thin: a schema in, a service of
`cccd.reach.homevisits` or `cccd.reach.marks`, a schema out."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Field, Router, Schema
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import INTAKE, MARK_HOME_VISIT, PLAN, REACH_LISTS
from cccd.api.inputs import Id, Text
from cccd.reach import homevisits, marks
from cccd.reach.models import HomeVisit, HomeVisitMark

router = Router(tags=["home visits"])


class PlanRoundIn(Schema):
    campaign_id: Id
    team_id: Id
    commune_id: Id  # the administrative commune whose homes the round visits
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    person_ids: list[Id] = Field(max_length=1000)
    note: Annotated[str, Text(300)] = ""
    accept_clashes: bool = False


class VisitOut(Schema):
    position: int
    person_id: int
    full_name: str
    birth_year: int
    village: str
    address: str
    reason: str  # very_old, alone, disabled, bedridden, other, or "" (none)
    outcome: str  # pending, enrolled, not_at_home, moved, refused, other
    note: str
    visited_at: datetime.datetime | None
    visited_by: str | None  # a user name


class RoundOut(Schema):
    id: int
    campaign_id: int
    team_id: int
    unit_id: int
    commune_id: int | None
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    state: str
    status: str
    visits: list[VisitOut]


class OutcomeIn(Schema):
    outcome: Annotated[str, Text(12)]
    note: Annotated[str, Text(300)] = ""


class OrderIn(Schema):
    person_ids: list[Id] = Field(max_length=1000)


class MarkIn(Schema):
    reason: Annotated[str, Text(12)]  # disabled, bedridden, other (with a note)
    note: Annotated[str, Text(300)] = ""


class MarkOut(Schema):
    person_id: int
    reason: str
    note: str
    marked_by: str | None
    marked_at: datetime.datetime


class UnmarkOut(Schema):
    removed: bool


def _visit(visit: HomeVisit) -> dict[str, Any]:
    return {
        "position": visit.position,
        "person_id": visit.person_id,
        "full_name": visit.person.full_name,
        "birth_year": visit.person.birth_year,
        "village": visit.village,
        "address": visit.address,
        "reason": visit.reason,
        "outcome": visit.outcome,
        "note": visit.note,
        "visited_at": visit.visited_at,
        "visited_by": visit.visited_by.username if visit.visited_by else None,
    }


def _round(found: homevisits.Round) -> dict[str, Any]:
    session = found.session
    return {
        "id": session.pk,
        "campaign_id": session.campaign_id,
        "team_id": session.team_id,
        "unit_id": session.unit_id,
        "commune_id": session.venue.commune_id,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "state": session.state,
        "status": str(session.status.value),
        "visits": [_visit(v) for v in found.visits],
    }


def _mark(mark: HomeVisitMark) -> dict[str, Any]:
    return {
        "person_id": mark.person_id,
        "reason": mark.reason,
        "note": mark.note,
        "marked_by": mark.marked_by.username if mark.marked_by else None,
        "marked_at": mark.marked_at,
    }


@router.post("/sessions", response={201: RoundOut}, auth=api_requires(PLAN))
def plan_round(request: LoggedInRequest, payload: PlanRoundIn) -> Status[dict[str, Any]]:
    session = homevisits.plan_round(
        actor=request.user,
        campaign=payload.campaign_id,
        team=payload.team_id,
        commune=payload.commune_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        person_ids=payload.person_ids,
        note=payload.note,
        accept_clashes=payload.accept_clashes,
    )
    return Status(201, _round(homevisits.view_round(actor=request.user, session_id=session.pk)))


@router.get(
    "/sessions/{session_id}", response=RoundOut, auth=api_requires(REACH_LISTS, INTAKE, PLAN)
)
def get_round(request: LoggedInRequest, session_id: Id) -> dict[str, Any]:
    return _round(homevisits.view_round(actor=request.user, session_id=session_id))


@router.post(
    "/sessions/{session_id}/people/{person_id}/outcome",
    response=VisitOut,
    auth=api_requires(INTAKE, PLAN),
)
def record_outcome(
    request: LoggedInRequest, session_id: Id, person_id: Id, payload: OutcomeIn
) -> dict[str, Any]:
    visit = homevisits.visit_of(request.user, session_id, person_id)
    done = homevisits.record_visit(
        actor=request.user, visit=visit, outcome=payload.outcome, note=payload.note
    )
    return _visit(HomeVisit.objects.select_related("person", "visited_by").get(pk=done.pk))


@router.post("/sessions/{session_id}/order", response=RoundOut, auth=api_requires(PLAN))
def reorder_round(request: LoggedInRequest, session_id: Id, payload: OrderIn) -> dict[str, Any]:
    homevisits.reorder_round(
        actor=request.user, session_id=session_id, person_ids=payload.person_ids
    )
    return _round(homevisits.view_round(actor=request.user, session_id=session_id))


@router.post(
    "/sessions/{session_id}/people/{person_id}/remove",
    response=RoundOut,
    auth=api_requires(PLAN),
)
def remove_visit(request: LoggedInRequest, session_id: Id, person_id: Id) -> dict[str, Any]:
    homevisits.remove_visit(actor=request.user, session_id=session_id, person_id=person_id)
    return _round(homevisits.view_round(actor=request.user, session_id=session_id))


@router.get("/people/{person_id}/mark", response=MarkOut | None, auth=api_requires(MARK_HOME_VISIT))
def get_mark(request: LoggedInRequest, person_id: Id) -> dict[str, Any] | None:
    _person, mark = marks.mark_of(actor=request.user, person_id=person_id)
    return _mark(mark) if mark is not None else None


@router.post("/people/{person_id}/mark", response=MarkOut, auth=api_requires(MARK_HOME_VISIT))
def mark_person(request: LoggedInRequest, person_id: Id, payload: MarkIn) -> dict[str, Any]:
    mark = marks.mark_person(
        actor=request.user, person_id=person_id, reason=payload.reason, note=payload.note
    )
    return _mark(mark)


@router.post("/people/{person_id}/unmark", response=UnmarkOut, auth=api_requires(MARK_HOME_VISIT))
def unmark_person(request: LoggedInRequest, person_id: Id) -> dict[str, Any]:
    return {"removed": marks.unmark_person(actor=request.user, person_id=person_id)}
