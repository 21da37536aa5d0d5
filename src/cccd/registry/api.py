from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from cccd.accounts.api_auth import api_requires
from cccd.accounts.permissions import LoggedInRequest
from cccd.accounts.roles import IMPORT, LOOK_UP
from cccd.accounts.scoping import get_visible
from cccd.api.inputs import Id, Text
from cccd.api.pagination import Pagination
from cccd.registry import services
from cccd.registry.models import RegisterImport
from cccd.registry.schemas import ImportOut, PersonBrief, PersonOut
from cccd.registry.search import QUERY_MAX_LENGTH

router = Router(tags=["registry"])


@router.get("/people", response=list[PersonBrief], auth=api_requires(LOOK_UP))
@paginate(Pagination)
def search_people(
    request: LoggedInRequest, q: Annotated[str, Text(QUERY_MAX_LENGTH)]
) -> list[dict[str, object]]:
    matches = services.search_people(q, actor=request.user)
    fields = [f for f in PersonBrief.model_fields if f not in ("score", "card_differs")]
    return [
        {
            **{f: getattr(m.person, f) for f in fields},
            "score": m.score,
            "card_differs": m.card_differs,
        }
        for m in matches
    ]


@router.get("/people/{person_id}", response=PersonOut, auth=api_requires(LOOK_UP))
def get_person(request: LoggedInRequest, person_id: Id) -> dict[str, object]:
    person = services.view_person(person_id, actor=request.user)
    members = list(person.household.members.order_by("birth_date")) if person.household else []
    return {
        **{
            f: getattr(person, f)
            for f in PersonOut.model_fields
            if hasattr(person, f) and f != "household"
        },
        "household_code": person.household.code if person.household else None,
        "card_status": person.card_status(timezone.localdate()),
        "household": members,
    }


@router.post("/imports", response={202: ImportOut}, auth=api_requires(IMPORT))
def start_import(request: LoggedInRequest, file: File[UploadedFile]) -> Status[RegisterImport]:
    return Status(202, services.start_import(file, actor=request.user))


@router.get("/imports/{import_id}", response=ImportOut, auth=api_requires(IMPORT))
def get_import(request: HttpRequest, import_id: Id) -> RegisterImport:
    return get_visible(request.user, RegisterImport.objects.select_related("job"), pk=import_id)
