"""Every URL pattern and every API route, as every role, against real objects of the role's own
unit: the roles that get in are exactly those ROUTES names.

The URL patterns are read from the whole urlconf and the API routes from the OpenAPI document, so
a route missing from ROUTES fails `test_every_route_is_in_the_table` and a new route cannot forget
to say who may open it. "Gets in" means the answer is neither the log-in page, nor 401, nor 403:
an allowed role sending an empty form may well get a 400 or a 404 (that is the route's own check,
past the door). Each request runs in a savepoint rolled back after it, so one role's POST never
changes what the next request sees.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cccd.accounts.models import Role, User
from cccd.accounts.permissions import access_of
from cccd.accounts.services import create_api_token
from cccd.api_v1 import api
from cccd.campaigns.models import Session, Venue
from tests.builders import Tree, make_user

pytestmark = pytest.mark.django_db
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

OF, TL, C, BO, L, A = (
    "officer",
    "team_leader",
    "commander",
    "back_office",
    "liaison",
    "administrator",
)
ANON = "anonymous"
ROLES = [OF, TL, C, BO, L, A, ANON]
STAFF = {OF, TL, C, BO, A}
SIGNED_IN = STAFF | {L}
PUBLIC = SIGNED_IN | {ANON}
DESKS = {OF, TL}  # operate a desk: the queue, the board, the intake
DOSSIERS = {OF, TL, C, BO}  # read dossiers (not the administrator: no applicant's data)
LISTS = {OF, TL, C, L}  # send class lists (the liaison: their own venue's only)
LIST_READERS = LISTS | {BO}  # read a session's list and its discrepancies
REVIEWERS = {OF, TL, C, BO}
REACH = {OF, TL, C}  # the people still to reach: not the back office, liaison or administrator


def get(roles: set[str]) -> dict[str, set[str]]:
    return {"GET": roles}


def post(roles: set[str]) -> dict[str, set[str]]:
    return {"POST": roles}


def both(get_roles: set[str], post_roles: set[str] | None = None) -> dict[str, set[str]]:
    return {"GET": get_roles, "POST": get_roles if post_roles is None else post_roles}


ROUTES: dict[str, dict[str, set[str]]] = {
    # accounts
    "home": get(SIGNED_IN),
    "login": both(PUBLIC),
    "logout": post(PUBLIC),
    "user_list": get({A}),
    "user_create": both({A}),
    "user_edit": both({A}),
    "user_set_password": post({A}),
    "audit_list": get({C, A}),
    "token_list": both(SIGNED_IN),
    "password_change": both(SIGNED_IN),
    "token_revoke": post(SIGNED_IN),
    "set_language": post(PUBLIC),
    # units
    "unit_list": get(STAFF),
    "unit_detail": get(STAFF),
    "unit_edit": both({A}),
    "unit_create": both({A}),
    # the register
    "register_search": get(STAFF),
    "person_detail": get(STAFF),
    "register_imports": both({A}),
    "register_import": get({A}),
    "register_import_resume": post({A}),
    "register_import_rejected": get({A}),
    # campaigns and sessions
    "campaign_list": both(STAFF, {C, A}),
    "campaign_detail": both(STAFF, {C, A}),
    "session_plan": both({TL, C}),
    "session_list": get(SIGNED_IN),
    "venue_list": both(STAFF, {TL, C}),
    "team_create": post({TL, C}),
    "group_list": both(STAFF, {A}),
    # class lists
    "session_roster": both(LIST_READERS, LISTS),
    "roster_remap": post(LISTS),
    "roster_detail": get(LIST_READERS),
    "roster_confirm": post(LISTS),
    "roster_discard": post(LISTS),
    "roster_review": both(REVIEWERS),
    "roster_discrepancies": get(LIST_READERS),
    "roster_entry": get(REVIEWERS),
    # the queue
    "session_queue": get(DESKS),
    "queue_hand_out": post({TL}),
    "queue_walk_in": post({TL}),
    "queue_sheets": get({TL}),
    "school_classes": get(LIST_READERS),
    "school_class_pdf": get(LIST_READERS),  # past the door without ?class=: 404
    "queue_board": get(DESKS),
    "queue_board_state": get(DESKS),
    "queue_desk": get(DESKS),
    "queue_desk_action": post(DESKS),
    "ticket_slip": get(DESKS),
    "ticket_public": get(PUBLIC),
    # the intake desk
    "intake:screen": get(DESKS),
    "intake:person": post(DESKS),
    "intake:details": post(DESKS),
    "intake:capture": post(DESKS),
    "intake:slots": post(DESKS),
    "intake:device": post(DESKS),
    "intake:propose": post(DESKS),
    "intake:finish": post(DESKS),
    "intake:done": get(DOSSIERS),
    "intake:slip": get(DOSSIERS),
    "intake:close_session": both(DESKS, {TL}),
    "public:link": get(PUBLIC),
    # dossiers after the desk
    "dossiers:list": get(DOSSIERS),
    "dossiers:approve": both({C}),
    "dossiers:detail": get(DOSSIERS),
    "dossiers:move": post(DOSSIERS),
    "dossiers:review_change": post({BO}),
    "dossiers:deliver": both({OF, TL, BO}),
    "dossiers:contact": post({OF, TL, BO}),
    "dossiers:refusal": get(DOSSIERS),
    "dossiers:search": get(DOSSIERS),
    "dossiers:deadlines": get(DOSSIERS),
    "dossiers:card": get(DOSSIERS),
    "production:list": get(DOSSIERS),
    "production:new": both({BO}),
    "production:detail": get(DOSSIERS),
    "production:download": get({BO}),
    "production:result": post({BO}),
    "production:arrived": post({OF, TL, BO}),
    "public:status": both(PUBLIC),
    # notifications: the opt-out link, the providers' reports (off without a secret: 404)
    "notify:stop": both(PUBLIC),
    "notify:zns_hook": post(PUBLIC),
    "notify:sms_hook": post(PUBLIC),
    # reports
    "dashboard": get(STAFF),
    "dashboard_unit": get(STAFF),
    "report_page": get(STAFF),
    "report_download": get(STAFF),
    "officer_report": get(STAFF),
    "officer_report_xlsx": get(STAFF),
    # reach: the lists of people still to reach (a query string names the campaign and commune;
    # without it, a 400 past the door)
    "reach_lists:list": get(REACH),
    "reach_lists:xlsx": get(REACH),
    "reach_lists:pdf": get(REACH),
    # reach: the coverage map's boundaries (the administrator's)
    "boundaries:list": get({A}),
    "boundaries:upload": post({A}),
    "boundaries:delete": post({A}),
    # reach: coverage (counts, no person); counting the cohort and accepting targets: commanders
    "reach:coverage": get(STAFF),
    "reach:build": post({C, A}),
    "reach:targets": post({C, A}),
    # home visits: plan a round, its page and paper, outcomes, a person's mark (the evening's
    # session is a venue's: the round's routes answer 404 for it, past the door)
    "reach_homevisits:plan": both({TL, C}),
    "reach_homevisits:session": get({OF, TL, C}),
    "reach_homevisits:round_pdf": get({OF, TL, C}),
    "reach_homevisits:outcome": post({OF, TL, C}),
    "reach_homevisits:reorder": post({TL, C}),
    "reach_homevisits:remove": post({TL, C}),
    "reach_homevisits:mark": both({OF, TL, C}),
    "reach_homevisits:unmark": post({OF, TL, C}),
    # the campaign planner: team leaders and commanders (a run that is none: 404 past the door)
    "planner:new": both({TL, C}),
    "planner:run": get({TL, C}),
    "planner:edit": post({TL, C}),
    "planner:accept": post({TL, C}),
    "planner:again": post({TL, C}),
    # field kits: the district's page; the kit's outbox (a 404 at the district, past the door)
    "kits:list": get({C, A}),
    "kits:outbox": get(DESKS),
    "kits:send_now": post(DESKS),
    # field kits' own requests: a kit's signature (the join: its one-time pairing code), never a
    # user's session or token
    "POST /api/v1/kits/join": post(set()),
    "POST /api/v1/kits/contact": post(set()),
    "POST /api/v1/kits/sessions/{session_id}/checkout": post(set()),
    "GET /api/v1/kits/packets/{packet_id}": get(set()),
    "PATCH /api/v1/kits/packets/{packet_id}": {"PATCH": set()},
    "POST /api/v1/kits/checkin": post(set()),
    # the API's own pages (the document lists routes, no data)
    "api-v1:api-root": get(PUBLIC),
    "api-v1:openapi-json": get(SIGNED_IN),
    "api-v1:openapi-view": get(SIGNED_IN),
    # API routes, as the OpenAPI document names them
    "GET /api/v1/me": get(SIGNED_IN),
    "GET /api/v1/audit": get({C, A}),
    "POST /api/v1/tokens": post(SIGNED_IN),
    "GET /api/v1/units/": get(STAFF),
    "GET /api/v1/units/{unit_id}": get(STAFF),
    "GET /api/v1/registry/people": get(STAFF),
    "GET /api/v1/registry/people/{person_id}": get(STAFF),
    "POST /api/v1/registry/imports": post({A}),
    "GET /api/v1/registry/imports/{import_id}": get({A}),
    "GET /api/v1/campaigns/": get(STAFF),
    "POST /api/v1/campaigns/": post({C, A}),
    "GET /api/v1/campaigns/sessions": get(SIGNED_IN),
    "GET /api/v1/campaigns/{campaign_id}": get(STAFF),
    "POST /api/v1/campaigns/{campaign_id}/targets": post({C, A}),
    "POST /api/v1/campaigns/{campaign_id}/sessions": post({TL, C}),
    "POST /api/v1/rosters/sessions/{session_id}": post(LISTS),
    "GET /api/v1/rosters/{roster_id}": get(LIST_READERS),
    "GET /api/v1/rosters/sessions/{session_id}": get(LIST_READERS),
    "POST /api/v1/rosters/{roster_id}/confirm": post(LISTS),
    "POST /api/v1/rosters/{roster_id}/discard": post(LISTS),
    "POST /api/v1/rosters/entries/{entry_id}/decision": post(REVIEWERS),
    "GET /api/v1/tickets/sessions/{session_id}": get(DESKS),
    "GET /api/v1/tickets/sessions/{session_id}/desks": get(DESKS),
    "GET /api/v1/tickets/sessions/{session_id}/board": get(DESKS),
    "POST /api/v1/tickets/sessions/{session_id}/walk-ins": post({TL}),
    "POST /api/v1/tickets/sessions/{session_id}/hand-out": post({TL}),
    "GET /api/v1/tickets/{ticket_id}": get(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/open": post(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/call-next": post(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/recall": post(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/skip": post(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/finish": post(DESKS),
    "POST /api/v1/tickets/desks/{desk_id}/transfer": post(DESKS),
    "GET /api/v1/reports/dashboard": get(STAFF),
    "GET /api/v1/reports/children": get(STAFF),
    "GET /api/v1/coverage/": get(STAFF),
    "GET /api/v1/coverage/eligible": get(STAFF),
    "GET /api/v1/intake/tickets/{ticket_id}": get(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/start": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/person": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/details": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/captures/{kind}/{slot}": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/captures/{kind}/{slot}/impossible": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/device/{kind}": post(DESKS),
    "POST /api/v1/intake/tickets/{ticket_id}/finish": post(DESKS),
    "GET /api/v1/intake/dossiers/{enrollment_id}/slip.pdf": get(DOSSIERS),
    "POST /api/v1/kits/walk-in-people": post(DESKS),  # field mode only: 404 past the door here
    "POST /api/v1/home-visits/sessions": post({TL, C}),
    "GET /api/v1/home-visits/sessions/{session_id}": get({OF, TL, C}),
    "POST /api/v1/home-visits/sessions/{session_id}/people/{person_id}/outcome": post({OF, TL, C}),
    "POST /api/v1/home-visits/sessions/{session_id}/order": post({TL, C}),
    "POST /api/v1/home-visits/sessions/{session_id}/people/{person_id}/remove": post({TL, C}),
    "GET /api/v1/home-visits/people/{person_id}/mark": get({OF, TL, C}),
    "POST /api/v1/home-visits/people/{person_id}/mark": post({OF, TL, C}),
    "POST /api/v1/home-visits/people/{person_id}/unmark": post({OF, TL, C}),
    # the planner's what-if of a session: who plans sessions (counts and times, no person)
    "planner_whatif": get({TL, C}),
    # online booking: the public's pages (no login), and the organiser's plan of a session
    "booking:start": get(PUBLIC),
    "booking:slot": both(PUBLIC),
    "booking:manage": get(PUBLIC),
    "booking:cancel": both(PUBLIC),
    "booking:move": both(PUBLIC),
    "booking_plan": both({TL, C}),
}

# The API's pages are URL patterns too; their operations are walked from the OpenAPI document.
API_PAGES = {"api-v1:api-root", "api-v1:openapi-json", "api-v1:openapi-view"}


def _patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = (
                f"{namespace}:{entry.namespace}"
                if namespace and entry.namespace
                else (entry.namespace or namespace)
            )
            yield from _patterns(entry.url_patterns, inner)
        else:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name or ""), entry


def url_patterns() -> dict[str, URLPattern]:
    return dict(_patterns(get_resolver().url_patterns))


def api_routes() -> dict[str, str]:
    """'METHOD /path' of every operation in the OpenAPI document → its path."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return {f"{m.upper()} {path}": path for path, ops in schema["paths"].items() for m in ops}


def _api_operations() -> Iterator[Any]:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


# --- the table covers everything, and every view says who may open it -----------------------


def test_every_route_is_in_the_table() -> None:
    patterns = url_patterns()
    assert "" not in patterns, "every URL pattern has a name"
    pages = {name for name in patterns if not name.startswith("api-v1:")} | API_PAGES
    routes = pages | set(api_routes())
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert not missing, f"routes nobody said who may open: {missing}"
    assert not stale, f"table entries for routes that no longer exist: {stale}"


def test_every_page_declares_who_may_open_it() -> None:
    undeclared = [
        name
        for name, pattern in url_patterns().items()
        if not name.startswith("api-v1:") and access_of(pattern.callback) is None
    ]
    assert not undeclared, f"views without @requires/@public: {undeclared}"


def test_every_api_operation_declares_who_may_call_it() -> None:
    undeclared = [
        operation.view_func.__name__
        for operation in _api_operations()
        if not operation.auth_callbacks
        or any(getattr(cb, "access", None) is None for cb in operation.auth_callbacks)
    ]
    assert not undeclared, f"operations without auth=api_requires(...): {undeclared}"


# --- a real evening at THPT Đắk Mil, seen by each role -------------------------------------------


def _kwargs(name: str, pattern: URLPattern, objects: dict[str, Any]) -> dict[str, Any]:
    names = list(getattr(pattern.pattern, "converters", {}))
    return {n: objects.get(f"{name}.{n}", objects.get(n)) for n in names}


def _url(key: str, patterns: dict[str, URLPattern], objects: dict[str, Any]) -> str:
    if " " in key:  # an API route: "METHOD /api/v1/path/{name}"
        return key.split(" ", 1)[1].format(**objects)
    return reverse(key, kwargs=_kwargs(key, patterns[key], objects))


def got_in(response: HttpResponse) -> bool:
    """Past the door: not sent to log in, not 401, not 403."""
    if response.status_code in (401, 403):
        return False
    return not (response.status_code == 302 and "?next=" in response.get("Location", ""))


def _request(user: User | None, method: str, url: str) -> HttpResponse:
    client = Client()
    if user is not None:
        client.force_login(user)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "PATCH":
            response = client.patch(url, b"", content_type="application/octet-stream")
        elif url.startswith("/api/"):
            response = client.post(url, {}, content_type="application/json")
        else:
            response = client.post(url, {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_in_exactly_where_the_table_says(
    role: str, people: dict[str, User], objects: dict[str, Any], time_machine: Any
) -> None:
    time_machine.move_to(datetime.datetime(2021, 3, 6, 21, 0, tzinfo=HCM))
    patterns = url_patterns()
    user = people.get(role)
    if user is not None:  # a token of one's own to revoke
        objects = {**objects, "token_id": create_api_token(name="máy", actor=user)[0].pk}
    wrong = []
    for key, methods in ROUTES.items():
        url = _url(key, patterns, objects)
        for method, allowed in methods.items():
            response = _request(user, method, url)
            assert response.status_code < 500, (key, method, response.status_code)
            if got_in(response) != (role in allowed):
                wrong.append(
                    f"{method} {key} ({url}): {response.status_code}, "
                    f"expected {'in' if role in allowed else 'refused'}"
                )
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_the_liaisons_role_is_the_narrowest_of_the_staff(people: dict[str, User]) -> None:
    """What the module's docstring promises: the liaison sends lists and nothing more."""
    liaison = people[L]
    assert liaison.role == Role.LIAISON
    assert liaison.get_all_permissions() == {"rosters.upload_roster"}
    pages = {k for k, m in ROUTES.items() if any(L in roles for roles in m.values())}
    assert pages == {
        "home",
        "login",
        "logout",
        "token_list",
        "token_revoke",
        "password_change",
        "set_language",
        "session_list",
        "session_roster",
        "roster_remap",
        "roster_detail",
        "roster_confirm",
        "roster_discard",
        "roster_discrepancies",
        "school_classes",  # their own school's classes, numbers and what to bring
        "school_class_pdf",
        "ticket_public",
        "public:link",
        "public:status",
        "booking:start",
        "booking:slot",
        "booking:manage",
        "booking:cancel",
        "booking:move",
        "notify:stop",
        "notify:zns_hook",
        "notify:sms_hook",
        "api-v1:api-root",
        "api-v1:openapi-json",
        "api-v1:openapi-view",
        "GET /api/v1/me",
        "POST /api/v1/tokens",
        "GET /api/v1/campaigns/sessions",
        "POST /api/v1/rosters/sessions/{session_id}",
        "GET /api/v1/rosters/{roster_id}",
        "GET /api/v1/rosters/sessions/{session_id}",
        "POST /api/v1/rosters/{roster_id}/confirm",
        "POST /api/v1/rosters/{roster_id}/discard",
    }


def test_a_liaison_sees_only_their_own_venues_sessions(
    tree: Tree,
    session: Session,
    liaison_dakmil: User,
    time_machine: Any,
) -> None:
    time_machine.move_to(datetime.datetime(2021, 3, 6, 18, 0, tzinfo=HCM))
    client = Client()
    client.force_login(liaison_dakmil)
    assert session.venue.name not in client.get(reverse("session_list")).content.decode()
    assert client.get("/api/v1/campaigns/sessions").json()["items"] == []
    Venue.objects.filter(pk=session.venue_id).update(liaison=liaison_dakmil)
    assert session.venue.name in client.get(reverse("session_list")).content.decode()
    assert [s["id"] for s in client.get("/api/v1/campaigns/sessions").json()["items"]] == [
        session.pk
    ]
    other = make_user("lienlac.khac", Role.LIAISON, tree.dakmil_police)
    client.force_login(other)
    roster_page = client.get(reverse("session_roster", args=[session.pk]))
    assert roster_page.status_code == 403
