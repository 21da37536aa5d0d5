from django.db.models import QuerySet
from ninja import Router
from ninja.pagination import paginate
from ninja.params import functions as param_functions
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import CAMPAIGN_DATA, CAMPAIGNS, PLAN
from cccd.api.inputs import Id
from cccd.api.pagination import Pagination
from cccd.campaigns import errors, queries, services
from cccd.campaigns.models import Campaign, PriorityGroup, Session, Target
from cccd.campaigns.schemas import (
    CampaignIn,
    CampaignOut,
    SessionIn,
    SessionOut,
    TargetIn,
    TargetOut,
)
from cccd.errors import NOT_FOUND

router = Router(tags=["campaigns"])


@router.get("/", response=list[CampaignOut], auth=api_requires(CAMPAIGN_DATA))
@paginate(Pagination)
def list_campaigns(request: LoggedInRequest) -> QuerySet[Campaign]:
    return queries.visible_campaigns(request.user)


@router.post("/", response={201: CampaignOut}, auth=api_requires(CAMPAIGNS))
def create_campaign(request: LoggedInRequest, payload: CampaignIn) -> Status[Campaign]:
    if payload.law not in Campaign.Law.values:
        raise errors.BAD_NUMBER(field="law", min="2014", max="2023")
    return Status(201, services.create_campaign(**payload.dict(), actor=request.user))


@router.get("/sessions", response=list[SessionOut], auth=api_requires())
@paginate(Pagination)
def upcoming_sessions(
    request: LoggedInRequest, days: int = param_functions.Query(14, ge=1, le=366)
) -> QuerySet[Session]:
    return queries.upcoming_sessions(request.user, days=days)


@router.get("/{campaign_id}", response=CampaignOut, auth=api_requires(CAMPAIGN_DATA))
def get_campaign(request: LoggedInRequest, campaign_id: Id) -> Campaign:
    campaign = queries.visible_campaigns(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise NOT_FOUND()
    return campaign


@router.post("/{campaign_id}/targets", response=TargetOut, auth=api_requires(CAMPAIGNS))
def set_target(request: LoggedInRequest, campaign_id: Id, payload: TargetIn) -> Target:
    group = (
        PriorityGroup.objects.filter(code=payload.group_code).first()
        if payload.group_code
        else None
    )
    if payload.group_code and group is None:
        raise NOT_FOUND()
    return services.set_target(
        campaign_id=campaign_id,
        unit_id=payload.unit_id,
        group_id=group.pk if group else None,
        total=payload.total,
        per_day=payload.per_day,
        actor=request.user,
    )


@router.post("/{campaign_id}/sessions", response={201: SessionOut}, auth=api_requires(PLAN))
def plan_session(request: LoggedInRequest, campaign_id: Id, payload: SessionIn) -> Status[Session]:
    return Status(
        201, services.plan_session(campaign_id=campaign_id, **payload.dict(), actor=request.user)
    )
